// Reactor, timers, posts from other threads, resume_on, block_on, and IoHandle waits: what code running on a
// loop observes. Time bounds are one-sided ("not before its deadline") or generous.
#include "core/reactor.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ostream>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace mallard::core {
// Failure messages name how a wait ended instead of showing its byte.
static void PrintTo(WaitResult r, std::ostream* os) {
    *os << (r == WaitResult::ready ? "ready" : r == WaitResult::timed_out ? "timed_out" : "cancelled");
}
}  // namespace mallard::core

namespace mallard::core {
namespace {

using namespace std::chrono_literals;

// ---- timers ------------------------------------------------------------------------------------------

struct Firing {
    Timer timer;
    int id = 0;
    std::vector<int>* order = nullptr;
    Clock::time_point fired_at{};
};

void record_firing(Timer& t) {
    auto* f = static_cast<Firing*>(t.context);
    f->fired_at = Clock::now();
    f->order->push_back(f->id);
}

Task<void> arm_shuffled_then_wait(std::vector<Firing>* firings, Clock::duration wait) {
    Reactor* loop = Reactor::current();
    // Armed in an order unrelated to their deadlines.
    for (std::size_t i = 0; i < firings->size(); ++i) {
        Firing& f = (*firings)[(i * 7) % firings->size()];
        loop->arm(f.timer);
    }
    co_await sleep_for(wait);
}

TEST(Reactor, timers_fire_in_deadline_order_and_not_early) {
    std::vector<int> order;
    std::vector<Firing> firings(20);
    auto start = Clock::now();
    for (int i = 0; i < 20; ++i) {
        Firing& f = firings[static_cast<std::size_t>(i)];
        f.id = i;
        f.order = &order;
        f.timer.when = start + std::chrono::milliseconds(5 * (i + 1));
        f.timer.fire = record_firing;
        f.timer.context = &f;
    }
    Reactor loop;
    loop.block_on(arm_shuffled_then_wait(&firings, 150ms));
    ASSERT_EQ(order.size(), 20u);
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
    for (const Firing& f : firings) EXPECT_GE(f.fired_at, f.timer.when) << "timer " << f.id << " fired early";
}

Task<void> arm_disarm_some(std::vector<Firing>* firings) {
    Reactor* loop = Reactor::current();
    for (Firing& f : *firings) loop->arm(f.timer);
    for (std::size_t i = 0; i < firings->size(); i += 2) loop->disarm((*firings)[i].timer);
    co_await sleep_for(80ms);
}

TEST(Reactor, a_disarmed_timer_does_not_fire) {
    std::vector<int> order;
    std::vector<Firing> firings(10);
    auto start = Clock::now();
    for (int i = 0; i < 10; ++i) {
        Firing& f = firings[static_cast<std::size_t>(i)];
        f.id = i;
        f.order = &order;
        f.timer.when = start + std::chrono::milliseconds(3 * (i + 1));
        f.timer.fire = record_firing;
        f.timer.context = &f;
    }
    Reactor loop;
    loop.block_on(arm_disarm_some(&firings));
    EXPECT_EQ(order, (std::vector<int>{1, 3, 5, 7, 9}));
    for (const Firing& f : firings) EXPECT_FALSE(f.timer.armed());
}

Task<Clock::duration> timed_sleep(Clock::duration span) {
    auto start = Clock::now();
    co_await sleep_for(span);
    co_return Clock::now() - start;
}

TEST(Reactor, sleep_for_resumes_after_the_span_and_not_before) {
    Reactor loop;
    auto slept = loop.block_on(timed_sleep(50ms));
    EXPECT_GE(slept, 50ms);
    EXPECT_LT(slept, 5s);
    // A span already passed does not suspend at all.
    auto none = loop.block_on(timed_sleep(-1ms));
    EXPECT_LT(none, 1s);
}

// ---- posts from other threads ------------------------------------------------------------------------

TEST(Reactor, posts_from_many_threads_all_run_on_the_loop_thread) {
    constexpr int threads = 8;
    constexpr int posts_per_thread = 20'000;
    Reactor loop;
    std::atomic<std::thread::id> loop_thread{};
    int ran = 0;  // touched only on the loop thread
    std::atomic<int> wrong_thread{0};
    std::thread runner([&] {
        loop_thread = std::this_thread::get_id();
        loop.run();
    });
    std::vector<std::thread> posters;
    for (int t = 0; t < threads; ++t) {
        posters.emplace_back([&] {
            for (int i = 0; i < posts_per_thread; ++i) {
                loop.post([&] {
                    if (std::this_thread::get_id() != loop_thread.load()) wrong_thread.fetch_add(1);
                    ++ran;
                });
            }
        });
    }
    for (auto& p : posters) p.join();
    // Posted after every other post has been queued, so it runs last.
    loop.post([&] { loop.stop(); });
    runner.join();
    EXPECT_EQ(ran, threads * posts_per_thread);
    EXPECT_EQ(wrong_thread.load(), 0);
}

// ---- resume_on and block_on ---------------------------------------------------------------------------

struct Hops {
    std::thread::id start, on_b, back_on_a;
};

// A child task that moves between loops: it finishes on a different thread from the one that started it,
// which races the awaiting parent's bookkeeping unless Task's hand-off is thread-safe.
Task<Hops> hop(Reactor* a, Reactor* b) {
    Hops h;
    h.start = std::this_thread::get_id();
    co_await resume_on(*b);
    h.on_b = std::this_thread::get_id();
    co_await resume_on(*a);
    h.back_on_a = std::this_thread::get_id();
    co_return h;
}

Task<void> move_to(Reactor* target) { co_await resume_on(*target); }

Task<int> hop_many(Reactor* a, Reactor* b, std::thread::id a_thread, std::thread::id b_thread, int rounds) {
    int good = 0;
    for (int i = 0; i < rounds; ++i) {
        Hops h = co_await hop(a, b);
        if (h.start == a_thread && h.on_b == b_thread && h.back_on_a == a_thread) ++good;
        // A child that ends on the other loop: the parent continues there, then comes back.
        co_await move_to(b);
        if (std::this_thread::get_id() != b_thread) co_return -1;
        co_await move_to(a);
        if (std::this_thread::get_id() != a_thread) co_return -1;
    }
    co_return good;
}

TEST(Reactor, resume_on_moves_a_coroutine_between_loops_on_two_threads) {
    Reactor a(0), b(1);
    std::promise<std::thread::id> b_id;
    std::thread b_thread([&] {
        b_id.set_value(std::this_thread::get_id());
        b.run();
    });
    std::thread::id b_tid = b_id.get_future().get();
    constexpr int rounds = 2000;
    int good = a.block_on(hop_many(&a, &b, std::this_thread::get_id(), b_tid, rounds));
    b.stop();
    b_thread.join();
    EXPECT_EQ(good, rounds);
}

Task<std::string> greeting(std::string name) {
    co_await sleep_for(1ms);
    co_return "hello " + name;
}

TEST(Reactor, block_on_returns_the_value_and_binds_the_loop_to_the_thread) {
    Reactor loop;
    EXPECT_EQ(Reactor::current(), nullptr);
    EXPECT_EQ(loop.block_on(greeting("world")), "hello world");
    EXPECT_EQ(Reactor::current(), nullptr);
    // Repeatable on the same reactor.
    EXPECT_EQ(loop.block_on(greeting("again")), "hello again");
}

// ---- IoHandle ---------------------------------------------------------------------------------------

struct SocketPair {
    int fds[2] = {-1, -1};
    SocketPair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0); }
    ~SocketPair() {
        for (int fd : fds)
            if (fd >= 0) ::close(fd);
    }
    int take(int i) { return std::exchange(fds[i], -1); }
};

struct WaitOutcome {
    WaitResult result = WaitResult::ready;
    Clock::duration waited{};
};

Task<WaitOutcome> wait_for_input(int fd, Clock::duration span) {
    IoHandle io;
    io.open(fd);
    auto start = Clock::now();
    WaitOutcome out;
    out.result = co_await io.wait_readable(Deadline::after(span));
    out.waited = Clock::now() - start;
    co_return out;
}

TEST(IoHandle, wait_readable_times_out_at_its_deadline) {
    SocketPair sp;
    Reactor loop;
    auto out = loop.block_on(wait_for_input(sp.take(0), 60ms));
    EXPECT_EQ(out.result, WaitResult::timed_out);
    EXPECT_GE(out.waited, 60ms);
    EXPECT_LT(out.waited, 5s);
}

Task<void> write_later(int fd, Clock::duration after) {
    co_await sleep_for(after);
    EXPECT_EQ(::write(fd, "x", 1), 1);
}

Task<WaitOutcome> wait_while_peer_writes(int fd, int peer) {
    spawn(write_later(peer, 20ms));
    co_return co_await wait_for_input(fd, 10s);
}

TEST(IoHandle, wait_readable_is_ready_when_bytes_arrive) {
    SocketPair sp;
    Reactor loop;
    auto out = loop.block_on(wait_while_peer_writes(sp.take(0), sp.fds[1]));
    EXPECT_EQ(out.result, WaitResult::ready);
    EXPECT_LT(out.waited, 5s);
}

struct Waiting {
    IoHandle io;
    WaitResult result = WaitResult::ready;
    bool ended = false;
};

Task<void> wait_forever(Waiting* w) {
    w->result = co_await w->io.wait_readable(Deadline::never());
    w->ended = true;
}

Task<void> close_while_waiting(Waiting* w, int fd) {
    w->io.open(fd);
    spawn(wait_forever(w));
    co_await sleep_for(10ms);
    EXPECT_FALSE(w->ended);
    w->io.close();
    EXPECT_FALSE(w->io.is_open());
    co_await sleep_for(10ms);  // the woken coroutine runs on the loop's next turn
}

TEST(IoHandle, close_wakes_a_pending_wait_with_cancelled) {
    SocketPair sp;
    Reactor loop;
    Waiting w;
    loop.block_on(close_while_waiting(&w, sp.take(0)));
    EXPECT_TRUE(w.ended);
    EXPECT_EQ(w.result, WaitResult::cancelled);
}

Task<void> cancel_while_waiting(Waiting* w, int fd) {
    w->io.open(fd);
    spawn(wait_forever(w));
    co_await sleep_for(10ms);
    w->io.cancel_waits();
    co_await sleep_for(10ms);
    EXPECT_TRUE(w->io.is_open());
    w->io.close();
}

TEST(IoHandle, cancel_waits_wakes_without_closing) {
    SocketPair sp;
    Reactor loop;
    Waiting w;
    loop.block_on(cancel_while_waiting(&w, sp.take(0)));
    EXPECT_TRUE(w.ended);
    EXPECT_EQ(w.result, WaitResult::cancelled);
}


// FdWatch: level-triggered callbacks for an fd its owner reads (hiredis's socket).
struct Watched {
    FdWatch watch;
    int fd = -1;
    int reads = 0;
    int writes = 0;
    std::string got;
};

void on_watched(void* context, bool readable, bool writable) {
    auto* w = static_cast<Watched*>(context);
    if (writable) {
        ++w->writes;
        w->watch.want_write(false);  // one write callback is enough: the socket stays writable
    }
    if (readable) {
        ++w->reads;
        char c = 0;
        // One byte per callback: level triggering must call again while bytes remain.
        if (::read(w->fd, &c, 1) == 1) w->got.push_back(c);
        if (w->got == "abc") w->watch.stop();
    }
}

Task<void> watch_a_socket(Watched* w, int peer) {
    w->watch.start(w->fd, on_watched, w);
    w->watch.want_write(true);
    w->watch.want_read(true);
    EXPECT_EQ(::write(peer, "abc", 3), 3);
    co_await sleep_for(50ms);
    EXPECT_EQ(::write(peer, "d", 1), 1);  // after stop(): not seen
    co_await sleep_for(20ms);
}

TEST(FdWatch, calls_back_while_ready_and_wanted_and_not_after_stop) {
    SocketPair sp;
    Reactor loop;
    Watched w;
    w.fd = sp.fds[0];
    loop.block_on(watch_a_socket(&w, sp.fds[1]));
    EXPECT_EQ(w.got, "abc");
    EXPECT_EQ(w.reads, 3);
    EXPECT_EQ(w.writes, 1);
    EXPECT_FALSE(w.watch.active());
}

}  // namespace
}  // namespace mallard::core
