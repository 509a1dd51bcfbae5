#include "core/reactor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace mallard::core {

namespace {

thread_local Reactor* current_reactor = nullptr;
constexpr int max_events = 256;
constexpr std::uint64_t wake_marker = ~std::uint64_t{0};
// Set in the epoll key of an FdWatch's fd, so one event loop serves both tables.
constexpr std::uint64_t watch_key_bit = std::uint64_t{1} << 62;

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

// ---- IoHandle ----------------------------------------------------------------------------------------

IoHandle::~IoHandle() { close(); }

void IoHandle::open(int fd) {
    Reactor* loop = Reactor::current();
    if (!loop) throw std::logic_error("IoHandle::open outside a reactor thread");
    close();
    fd_ = fd;
    loop_ = loop;
    readable_ = writable_ = false;
    loop_->add_fd(fd, this);
}

void IoHandle::close() {
    if (fd_ < 0) return;
    cancel_waits();
    loop_->remove_fd(fd_);
    ::close(fd_);
    fd_ = -1;
}

void IoHandle::cancel_waits() {
    wake(reader_, WaitResult::cancelled, true);
    wake(writer_, WaitResult::cancelled, true);
}

void IoHandle::cancel_read_wait() { wake(reader_, WaitResult::cancelled, true); }

void IoHandle::wake(Waiter*& slot, WaitResult result, bool deferred) {
    Waiter* w = slot;
    if (!w) return;
    slot = nullptr;
    w->io = nullptr;
    w->result = result;
    if (w->timer.armed()) loop_->disarm(w->timer);
    // Deferred: the caller may be another coroutine of this loop (closing a connection); resuming inline
    // would run the woken coroutine inside it.
    if (deferred) loop_->defer(w->handle);
    else w->handle.resume();
}

void IoHandle::on_events(std::uint32_t events) {
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readable_ = true;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) writable_ = true;
    // Resuming may destroy this handle (the coroutine ends and frees its connection): check via the table.
    int fd = fd_;
    Reactor* loop = loop_;
    if (readable_ && reader_) wake(reader_, WaitResult::ready, false);
    if (fd < static_cast<int>(loop->fds_.size()) && loop->fds_[fd] == this && writable_ && writer_)
        wake(writer_, WaitResult::ready, false);
}

IoHandle::Wait IoHandle::wait_readable(Deadline deadline) { return Wait(*this, false, deadline); }
IoHandle::Wait IoHandle::wait_writable(Deadline deadline) { return Wait(*this, true, deadline); }

IoHandle::Wait::Wait(IoHandle& io, bool for_write, Deadline deadline) : deadline_(deadline) {
    waiter_.io = &io;
    waiter_.for_write = for_write;
}

// A frame destroyed while suspended (its task was dropped) must not leave a dangling waiter behind.
IoHandle::Wait::~Wait() {
    IoHandle* io = waiter_.io;
    if (!io || !waiter_.handle) return;
    Waiter*& slot = waiter_.for_write ? io->writer_ : io->reader_;
    if (slot == &waiter_) slot = nullptr;
    if (waiter_.timer.armed()) io->loop_->disarm(waiter_.timer);
}

bool IoHandle::Wait::await_ready() const noexcept {
    IoHandle* io = waiter_.io;
    if (!io->is_open()) {
        const_cast<Waiter&>(waiter_).result = WaitResult::cancelled;
        return true;
    }
    if (waiter_.for_write ? io->writable_ : io->readable_) return true;
    if (deadline_.passed()) {
        const_cast<Waiter&>(waiter_).result = WaitResult::timed_out;
        return true;
    }
    return false;
}

void IoHandle::Wait::await_suspend(std::coroutine_handle<> h) {
    IoHandle* io = waiter_.io;
    waiter_.handle = h;
    Waiter*& slot = waiter_.for_write ? io->writer_ : io->reader_;
    if (slot) throw std::logic_error("two coroutines waiting on one fd direction");
    slot = &waiter_;
    if (!deadline_.is_never()) {
        waiter_.timer.when = deadline_.when();
        waiter_.timer.context = &waiter_;
        waiter_.timer.fire = [](Timer& t) {
            auto* w = static_cast<Waiter*>(t.context);
            IoHandle* owner = w->io;
            owner->wake(w->for_write ? owner->writer_ : owner->reader_, WaitResult::timed_out, false);
        };
        io->loop_->arm(waiter_.timer);
    }
}

// ---- FdWatch -----------------------------------------------------------------------------------------

void FdWatch::start(int fd, Callback callback, void* context) {
    Reactor* loop = Reactor::current();
    if (!loop) throw std::logic_error("FdWatch::start outside a reactor thread");
    stop();
    fd_ = fd;
    loop_ = loop;
    callback_ = callback;
    context_ = context;
    read_ = write_ = registered_ = false;
}

void FdWatch::want_read(bool on) {
    if (fd_ < 0 || read_ == on) return;
    read_ = on;
    update();
}

void FdWatch::want_write(bool on) {
    if (fd_ < 0 || write_ == on) return;
    write_ = on;
    update();
}

void FdWatch::update() {
    std::uint32_t events = (read_ ? EPOLLIN | EPOLLRDHUP : 0u) | (write_ ? EPOLLOUT : 0u);
    if (events == 0 && !registered_) return;
    loop_->set_watch(fd_, events ? this : nullptr, events, registered_);
    registered_ = events != 0;
}

void FdWatch::stop() {
    if (fd_ < 0) return;
    if (registered_) loop_->set_watch(fd_, nullptr, 0, true);
    fd_ = -1;
    read_ = write_ = registered_ = false;
}

void FdWatch::on_events(std::uint32_t events) {
    // Errors and hang-ups are reported to whichever direction is wanted: reading or writing is how the
    // owner learns what happened.
    bool readable = read_ && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    bool writable = write_ && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0;
    if (readable || writable) callback_(context_, readable, writable);
}

// ---- Reactor -----------------------------------------------------------------------------------------

Reactor::Reactor(unsigned index) : index_(index) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw_errno("epoll_create1");
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) throw_errno("eventfd");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = wake_marker;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) < 0) throw_errno("epoll_ctl(eventfd)");
}

Reactor::~Reactor() {
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

Reactor* Reactor::current() { return current_reactor; }

void Reactor::add_fd(int fd, IoHandle* io) {
    if (fd >= static_cast<int>(fds_.size())) fds_.resize(static_cast<std::size_t>(fd) + 64, nullptr);
    fds_[static_cast<std::size_t>(fd)] = io;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = static_cast<std::uint64_t>(fd);
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) throw_errno("epoll_ctl(add)");
}

void Reactor::remove_fd(int fd) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    if (fd < static_cast<int>(fds_.size())) fds_[static_cast<std::size_t>(fd)] = nullptr;
}

void Reactor::set_watch(int fd, FdWatch* watch, std::uint32_t events, bool was_registered) {
    auto index = static_cast<std::size_t>(fd);
    if (index >= watches_.size()) watches_.resize(index + 64, nullptr);
    watches_[index] = watch;
    if (events == 0) {
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        return;
    }
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = static_cast<std::uint64_t>(fd) | watch_key_bit;
    if (::epoll_ctl(epoll_fd_, was_registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
        throw_errno("epoll_ctl(watch)");
}

void Reactor::run() {
    Reactor* previous = current_reactor;
    current_reactor = this;
    epoll_event events[max_events];
    while (!stopping_.load(std::memory_order_acquire)) {
        run_ready();
        if (stopping_.load(std::memory_order_acquire)) break;
        int n = ::epoll_wait(epoll_fd_, events, max_events, next_timeout_ms());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("epoll_wait");
        }
        for (int i = 0; i < n; ++i) {
            std::uint64_t key = events[i].data.u64;
            if (key == wake_marker) {
                std::uint64_t count;
                [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof count);
                run_posts();
                continue;
            }
            if (key & watch_key_bit) {
                std::uint64_t fd = key & ~watch_key_bit;
                if (fd < watches_.size()) {
                    if (FdWatch* w = watches_[fd]) w->on_events(events[i].events);
                }
                continue;
            }
            if (key < fds_.size()) {
                if (IoHandle* io = fds_[key]) io->on_events(events[i].events);
            }
        }
        run_timers();
    }
    run_posts();
    run_ready();
    stopping_.store(false, std::memory_order_release);
    current_reactor = previous;
}

void Reactor::stop() {
    stopping_.store(true, std::memory_order_release);
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t r = ::write(wake_fd_, &one, sizeof one);
}

void Reactor::post(std::function<void()> fn) {
    {
        std::lock_guard lock(post_mutex_);
        posted_.push_back(std::move(fn));
    }
    // One eventfd write per batch of posts: the flag is cleared by the loop before it runs the batch.
    if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) {
        std::uint64_t one = 1;
        [[maybe_unused]] ssize_t r = ::write(wake_fd_, &one, sizeof one);
    }
}

void Reactor::post(std::coroutine_handle<> h) {
    post([h] { h.resume(); });
}

void Reactor::defer(std::coroutine_handle<> h) { ready_.push_back(h); }

void Reactor::run_posts() {
    std::vector<std::function<void()>> batch;
    wake_pending_.store(false, std::memory_order_release);
    {
        std::lock_guard lock(post_mutex_);
        batch.swap(posted_);
    }
    for (auto& fn : batch) fn();
}

void Reactor::run_ready() {
    // Resumed coroutines may defer more; run until the queue is empty.
    while (!ready_.empty()) {
        std::vector<std::coroutine_handle<>> batch;
        batch.swap(ready_);
        for (auto h : batch) h.resume();
    }
}

int Reactor::next_timeout_ms() const {
    if (!ready_.empty()) return 0;
    if (timers_.empty()) return -1;
    auto delta = timers_.front()->when - Clock::now();
    if (delta <= Clock::duration::zero()) return 0;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(delta).count();
    return ms > 3'600'000 ? 3'600'000 : static_cast<int>(ms);
}

void Reactor::run_timers() {
    if (timers_.empty()) return;
    auto now = Clock::now();
    while (!timers_.empty() && timers_.front()->when <= now) {
        Timer* t = timers_.front();
        disarm(*t);
        t->fire(*t);
    }
}

void Reactor::arm(Timer& timer) {
    if (timer.armed()) disarm(timer);
    timer.heap_index = timers_.size();
    timers_.push_back(&timer);
    heap_up(timer.heap_index);
}

void Reactor::disarm(Timer& timer) {
    if (!timer.armed()) return;
    std::size_t i = timer.heap_index;
    std::size_t last = timers_.size() - 1;
    if (i != last) heap_swap(i, last);
    timers_.pop_back();
    timer.heap_index = Timer::npos;
    if (i < timers_.size()) {
        heap_down(i);
        heap_up(i);
    }
}

void Reactor::heap_swap(std::size_t a, std::size_t b) {
    std::swap(timers_[a], timers_[b]);
    timers_[a]->heap_index = a;
    timers_[b]->heap_index = b;
}

void Reactor::heap_up(std::size_t i) {
    while (i > 0) {
        std::size_t parent = (i - 1) / 2;
        if (timers_[parent]->when <= timers_[i]->when) break;
        heap_swap(i, parent);
        i = parent;
    }
}

void Reactor::heap_down(std::size_t i) {
    for (;;) {
        std::size_t smallest = i, l = 2 * i + 1, r = l + 1;
        if (l < timers_.size() && timers_[l]->when < timers_[smallest]->when) smallest = l;
        if (r < timers_.size() && timers_[r]->when < timers_[smallest]->when) smallest = r;
        if (smallest == i) return;
        heap_swap(i, smallest);
        i = smallest;
    }
}

// ---- Sleep -------------------------------------------------------------------------------------------

Sleep::Sleep(Deadline until) : until_(until) {}

Sleep::~Sleep() {
    if (timer_.armed()) loop_->disarm(timer_);
}

void Sleep::await_suspend(std::coroutine_handle<> h) {
    loop_ = Reactor::current();
    if (!loop_) throw std::logic_error("sleep outside a reactor thread");
    timer_.when = until_.when();
    timer_.context = h.address();
    timer_.fire = [](Timer& t) { std::coroutine_handle<>::from_address(t.context).resume(); };
    loop_->arm(timer_);
}

}  // namespace mallard::core
