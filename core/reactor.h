// Reactor: one epoll loop per core. It owns an fd table, a timer heap, a ready queue and an eventfd through
// which other threads post work. Everything registered with a reactor belongs to its thread.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/deadline.h"
#include "core/task.h"

namespace mallard::core {

class Reactor;

// A timer node that lives inside whatever waits on it (an awaiter in a coroutine frame), so arming a timer
// allocates nothing. The reactor's heap holds pointers; the node records its heap position for removal.
struct Timer {
    using Callback = void (*)(Timer&);
    Clock::time_point when{};
    Callback fire = nullptr;
    void* context = nullptr;
    std::size_t heap_index = npos;
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    bool armed() const { return heap_index != npos; }
};

// One fd registered (edge-triggered) with a reactor. Readiness is cached, because with EPOLLET the kernel
// reports a transition only once: a flag is cleared only when a read or write returns EAGAIN.
class IoHandle {
public:
    IoHandle() = default;
    IoHandle(const IoHandle&) = delete;
    IoHandle& operator=(const IoHandle&) = delete;
    ~IoHandle();

    // Registers `fd` with the current thread's reactor (which must exist). Takes ownership of the fd.
    void open(int fd);
    // Cancels pending waits (they resume with `cancelled`), unregisters and closes the fd.
    void close();
    // Wakes pending waits with `cancelled` without closing the fd (shutdown, logout requested elsewhere).
    void cancel_waits();
    // Wakes only a pending read wait with `cancelled`.
    void cancel_read_wait();

    int fd() const { return fd_; }
    bool is_open() const { return fd_ >= 0; }
    bool readable() const { return readable_; }
    bool writable() const { return writable_; }
    void clear_readable() { readable_ = false; }
    void clear_writable() { writable_ = false; }

    class Wait;
    // Waits until the fd is readable/writable, the deadline passes, or the handle is closed or cancelled.
    Wait wait_readable(Deadline deadline);
    Wait wait_writable(Deadline deadline);

private:
    friend class Reactor;
    struct Waiter;
    void on_events(std::uint32_t events);
    void wake(Waiter*& slot, WaitResult result, bool deferred);

    int fd_ = -1;
    Reactor* loop_ = nullptr;
    Waiter* reader_ = nullptr;
    Waiter* writer_ = nullptr;
    bool readable_ = false;
    bool writable_ = false;
};

struct IoHandle::Waiter {
    IoHandle* io = nullptr;
    std::coroutine_handle<> handle;
    Timer timer;
    WaitResult result = WaitResult::ready;
    bool for_write = false;
};

class IoHandle::Wait {
public:
    Wait(IoHandle& io, bool for_write, Deadline deadline);
    Wait(const Wait&) = delete;
    Wait& operator=(const Wait&) = delete;
    ~Wait();
    bool await_ready() const noexcept;
    void await_suspend(std::coroutine_handle<> h);
    WaitResult await_resume() const noexcept { return waiter_.result; }

private:
    Waiter waiter_;
    Deadline deadline_;
};

// A readiness callback for an fd that someone else owns and reads: a C library with its own event hooks
// (hiredis's redisAsyncContext). Level-triggered, with read and write interest switched on and off as the
// library asks, where IoHandle is edge-triggered and resumes coroutines. The fd is registered with epoll only
// while some interest is on, so a hung-up socket nobody listens to can't spin the loop. Never closes the fd.
class FdWatch {
public:
    // Called on the loop thread with the directions that are ready and wanted. It may stop() the watch.
    using Callback = void (*)(void* context, bool readable, bool writable);

    FdWatch() = default;
    FdWatch(const FdWatch&) = delete;
    FdWatch& operator=(const FdWatch&) = delete;
    ~FdWatch() { stop(); }

    // Watches `fd` on the current thread's reactor (which must exist), with no interest yet.
    void start(int fd, Callback callback, void* context);
    void want_read(bool on);
    void want_write(bool on);
    // Unregisters; the fd stays open (its owner closes it).
    void stop();
    bool active() const { return fd_ >= 0; }

private:
    friend class Reactor;
    void update();
    void on_events(std::uint32_t events);

    int fd_ = -1;
    Reactor* loop_ = nullptr;
    Callback callback_ = nullptr;
    void* context_ = nullptr;
    bool read_ = false;
    bool write_ = false;
    bool registered_ = false;
};

class Reactor {
public:
    explicit Reactor(unsigned index = 0);
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;
    ~Reactor();

    // The reactor running on this thread, or nullptr.
    static Reactor* current();
    unsigned index() const { return index_; }

    // Runs until stop() is called. Binds the reactor to the calling thread.
    void run();
    // Thread-safe: makes run() return after the current iteration.
    void stop();

    // Thread-safe: runs `fn` on this reactor's thread soon.
    void post(std::function<void()> fn);
    // Thread-safe: resumes `h` on this reactor's thread soon.
    void post(std::coroutine_handle<> h);
    // Same thread: resumes `h` from the ready queue, after the current callback returns.
    void defer(std::coroutine_handle<> h);

    void arm(Timer& timer);
    void disarm(Timer& timer);

    // Runs the reactor on the calling thread until `task` completes, and returns its value.
    template <class T>
    T block_on(Task<T> task);

private:
    friend class IoHandle;
    friend class FdWatch;
    void add_fd(int fd, IoHandle* io);
    void remove_fd(int fd);
    void set_watch(int fd, FdWatch* watch, std::uint32_t events, bool was_registered);
    void run_posts();
    void run_ready();
    void run_timers();
    int next_timeout_ms() const;
    void heap_up(std::size_t i);
    void heap_down(std::size_t i);
    void heap_swap(std::size_t a, std::size_t b);

    unsigned index_;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::vector<IoHandle*> fds_;           // indexed by fd; stale events for a closed fd find nullptr
    std::vector<FdWatch*> watches_;        // likewise, for FdWatch (epoll keys carry watch_key_bit)
    std::vector<Timer*> timers_;           // binary min-heap on Timer::when
    std::vector<std::coroutine_handle<>> ready_;
    std::mutex post_mutex_;
    std::vector<std::function<void()>> posted_;
    std::atomic<bool> wake_pending_{false};
};

// Suspends the current coroutine until the deadline passes.
class Sleep {
public:
    explicit Sleep(Deadline until);
    Sleep(const Sleep&) = delete;
    Sleep& operator=(const Sleep&) = delete;
    ~Sleep();
    bool await_ready() const noexcept { return until_.passed(); }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}

private:
    Deadline until_;
    Timer timer_;
    Reactor* loop_ = nullptr;  // where the timer is armed: a frame may be destroyed off any reactor thread
};
inline Sleep sleep_until(Deadline until) { return Sleep(until); }
inline Sleep sleep_for(Clock::duration span) { return Sleep(Deadline::after(span)); }

// Moves the current coroutine to another reactor's thread (or yields once on the same one).
class ResumeOn {
public:
    explicit ResumeOn(Reactor& target) : target_(target) {}
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { target_.post(h); }
    void await_resume() const noexcept {}

private:
    Reactor& target_;
};
inline ResumeOn resume_on(Reactor& target) { return ResumeOn(target); }

namespace detail {
template <class T>
Task<void> block_on_body(Task<T> task, std::optional<T>* out, std::exception_ptr* error, Reactor* loop) {
    try {
        out->emplace(co_await std::move(task));
    } catch (...) {
        *error = std::current_exception();
    }
    loop->stop();
}
inline Task<void> block_on_body_void(Task<void> task, std::exception_ptr* error, Reactor* loop) {
    try {
        co_await std::move(task);
    } catch (...) {
        *error = std::current_exception();
    }
    loop->stop();
}
}  // namespace detail

template <class T>
T Reactor::block_on(Task<T> task) {
    std::exception_ptr error;
    if constexpr (std::is_void_v<T>) {
        post([this, t = std::make_shared<Task<void>>(std::move(task)), &error]() mutable {
            spawn(detail::block_on_body_void(std::move(*t), &error, this));
        });
        run();
        if (error) std::rethrow_exception(error);
    } else {
        std::optional<T> out;
        post([this, t = std::make_shared<Task<T>>(std::move(task)), &out, &error]() mutable {
            spawn(detail::block_on_body<T>(std::move(*t), &out, &error, this));
        });
        run();
        if (error) std::rethrow_exception(error);
        return std::move(*out);
    }
}

}  // namespace mallard::core
