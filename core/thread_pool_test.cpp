// ThreadPool::run: blocking work goes to a pool thread and the awaiting coroutine comes back to the reactor
// thread it started on, with the value or the exception.
#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

namespace mallard::core {
namespace {

struct Threads {
    std::thread::id before, inside, after;
    bool inside_on_pool = false;
};

struct WhereAmI {
    Threads* seen;
    int operator()() const {
        seen->inside = std::this_thread::get_id();
        seen->inside_on_pool = on_pool_thread();
        return 42;
    }
};

Task<int> run_and_record(ThreadPool* pool, Threads* seen) {
    seen->before = std::this_thread::get_id();
    int v = co_await pool->run(WhereAmI{seen});
    seen->after = std::this_thread::get_id();
    co_return v;
}

TEST(ThreadPool, run_executes_on_a_pool_thread_and_resumes_on_the_calling_loop) {
    ThreadPool pool(2);
    Reactor loop;
    Threads seen;
    EXPECT_EQ(loop.block_on(run_and_record(&pool, &seen)), 42);
    EXPECT_EQ(seen.before, std::this_thread::get_id());
    EXPECT_EQ(seen.after, seen.before);
    EXPECT_NE(seen.inside, seen.before);
    EXPECT_TRUE(seen.inside_on_pool);
    EXPECT_FALSE(on_pool_thread());
}

struct Throws {
    std::string operator()() const { throw std::runtime_error("disk on fire"); }
};

Task<std::string> run_throwing(ThreadPool* pool) {
    try {
        auto v = co_await pool->run(Throws{});
        co_return "returned " + v;
    } catch (const std::runtime_error& e) {
        co_return std::string("caught ") + e.what() + (on_pool_thread() ? " on the pool" : " on the loop");
    }
}

TEST(ThreadPool, an_exception_in_the_job_is_rethrown_at_the_co_await) {
    ThreadPool pool(1);
    Reactor loop;
    EXPECT_EQ(loop.block_on(run_throwing(&pool)), "caught disk on fire on the loop");
}

struct Nothing {
    std::atomic<int>* count;
    void operator()() const { count->fetch_add(1); }
};

Task<void> run_void(ThreadPool* pool, std::atomic<int>* count) { co_await pool->run(Nothing{count}); }

TEST(ThreadPool, void_jobs_run_once) {
    ThreadPool pool(1);
    Reactor loop;
    std::atomic<int> count{0};
    loop.block_on(run_void(&pool, &count));
    EXPECT_EQ(count.load(), 1);
}

TEST(ThreadPool, without_a_reactor_the_job_runs_inline) {
    ThreadPool pool(1);
    // spawn() starts the task on this thread; no reactor is current, so run() executes here and continues.
    std::atomic<int> count{0};
    spawn(run_void(&pool, &count));
    EXPECT_EQ(count.load(), 1);
}

// ---- many concurrent runs from two reactors --------------------------------------------------------

struct Square {
    int n;
    long operator()() const {
        std::this_thread::yield();
        return static_cast<long>(n) * n;
    }
};

struct Tally {
    std::thread::id loop_thread;
    long sum = 0;
    int finished = 0;
    int wrong_thread = 0;
};

Task<void> one_job(ThreadPool* pool, Tally* tally, int n) {
    long v = co_await pool->run(Square{n});
    if (std::this_thread::get_id() != tally->loop_thread) ++tally->wrong_thread;
    tally->sum += v;  // only this loop's thread touches its tally
    ++tally->finished;
}

Task<void> many_jobs(ThreadPool* pool, Tally* tally, int count) {
    tally->loop_thread = std::this_thread::get_id();
    for (int i = 1; i <= count; ++i) spawn(one_job(pool, tally, i));
    while (tally->finished < count) co_await sleep_for(std::chrono::milliseconds(1));
}

TEST(ThreadPool, many_concurrent_runs_from_two_reactors_each_come_back_home) {
    constexpr int jobs = 5000;
    ThreadPool pool(4);
    Reactor a(0), b(1);
    Tally ta, tb;
    std::thread other([&] { b.block_on(many_jobs(&pool, &tb, jobs)); });
    a.block_on(many_jobs(&pool, &ta, jobs));
    other.join();
    long expected = 0;
    for (long i = 1; i <= jobs; ++i) expected += i * i;
    for (Tally* t : {&ta, &tb}) {
        EXPECT_EQ(t->finished, jobs);
        EXPECT_EQ(t->sum, expected);
        EXPECT_EQ(t->wrong_thread, 0);
    }
}

}  // namespace
}  // namespace mallard::core
