// Task<T> and spawn(): what a coroutine author relies on. The long synchronous loops are the g++ 12 case from
// DEPENDENCIES.md (symmetric transfer is no tail call at -O0 or under ASan): they must pass in the sanitizer
// build too.
#include "core/task.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/reactor.h"
#include "core/result.h"

namespace mallard::core {
namespace {

constexpr int long_loop = 200'000;

Task<int> ready_value(int v) { co_return v; }

Task<void> ready_void() { co_return; }

Task<long> sum_of_synchronous_awaits(int count) {
    long sum = 0;
    for (int i = 0; i < count; ++i) {
        int v = co_await ready_value(1);
        sum += v;
    }
    co_return sum;
}

Task<int> void_awaits_then_count(int count) {
    int done = 0;
    for (int i = 0; i < count; ++i) {
        co_await ready_void();
        ++done;
    }
    co_return done;
}

// Two levels per iteration: each await is itself a short chain that completes synchronously.
Task<int> two_levels() {
    int a = co_await ready_value(2);
    co_return a + 1;
}

Task<long> nested_synchronous_awaits(int count) {
    long sum = 0;
    for (int i = 0; i < count; ++i) {
        int v = co_await two_levels();
        sum += v;
    }
    co_return sum;
}

// A recursive chain: depth is bounded by the native stack (each level is a frame while it runs), so this is
// kept moderate; what matters is that values travel back up every level.
Task<int> chain(int depth) {
    if (depth == 0) co_return 0;
    int below = co_await chain(depth - 1);
    co_return below + 1;
}

// The loop's iterations each suspend once (a yield through the reactor), then finish: completion after a real
// suspension resumes the parent from final_suspend, which must not accumulate stack either.
Task<int> yield_then_value(Reactor& loop, int v) {
    co_await resume_on(loop);
    co_return v;
}

Task<long> suspending_awaits(Reactor& loop, int count) {
    long sum = 0;
    for (int i = 0; i < count; ++i) {
        int v = co_await yield_then_value(loop, 1);
        sum += v;
    }
    co_return sum;
}

TEST(Task, long_loop_of_synchronous_awaits_does_not_grow_the_stack) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(sum_of_synchronous_awaits(long_loop)), long_loop);
    EXPECT_EQ(loop.block_on(void_awaits_then_count(long_loop)), long_loop);
    EXPECT_EQ(loop.block_on(nested_synchronous_awaits(long_loop)), 3L * long_loop);
}

TEST(Task, long_loop_of_awaits_that_suspend_does_not_grow_the_stack) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(suspending_awaits(loop, 20'000)), 20'000);
}

TEST(Task, values_come_back_up_a_recursive_chain) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(chain(1000)), 1000);
}

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Task<int> throws_now() {
    throw Failure("from the innermost task");
    co_return 0;
}

Task<int> throws_after_suspending(Reactor& loop) {
    co_await resume_on(loop);
    throw Failure("after a suspension");
    co_return 0;
}

Task<int> passes_through(Task<int> inner) {
    int v = co_await std::move(inner);
    co_return v + 1;  // never reached
}

Task<std::string> catches(Task<int> inner) {
    try {
        co_await std::move(inner);
    } catch (const Failure& f) {
        co_return std::string("caught: ") + f.what();
    }
    co_return "not thrown";
}

TEST(Task, exception_propagates_through_co_await) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(catches(passes_through(throws_now()))), "caught: from the innermost task");
    EXPECT_EQ(loop.block_on(catches(passes_through(throws_after_suspending(loop)))),
              "caught: after a suspension");
}

TEST(Task, block_on_rethrows_an_exception_that_escapes) {
    Reactor loop;
    EXPECT_THROW(loop.block_on(passes_through(throws_now())), Failure);
    // The reactor is still usable afterwards.
    EXPECT_EQ(loop.block_on(ready_value(7)), 7);
}

Task<std::unique_ptr<std::string>> make_owned(std::string text) {
    co_return std::make_unique<std::string>(std::move(text));
}

Task<Result<std::unique_ptr<std::string>>> make_result(bool ok) {
    if (!ok) co_return Error(Errc::not_found, "no such thing");
    auto owned = co_await make_owned("inside a Result");
    co_return std::move(owned);
}

Task<std::vector<std::string>> collect_move_only() {
    std::vector<std::string> out;
    auto a = co_await make_owned("first");
    out.push_back(*a);
    auto r = co_await make_result(true);
    out.push_back(r ? **r : "error");
    auto e = co_await make_result(false);
    out.push_back(e ? "value" : e.error().to_string());
    co_return out;
}

TEST(Task, returns_values_and_move_only_values) {
    Reactor loop;
    auto got = loop.block_on(collect_move_only());
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], "first");
    EXPECT_EQ(got[1], "inside a Result");
    EXPECT_EQ(got[2], "not found: no such thing");
    auto owned = loop.block_on(make_owned("direct"));
    ASSERT_TRUE(owned);
    EXPECT_EQ(*owned, "direct");
}

Task<int> await_named(int v) {
    Task<int> t = ready_value(v);
    int got = co_await t;  // an lvalue Task is awaited in place
    co_return got;
}

TEST(Task, a_named_task_can_be_awaited) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(await_named(5)), 5);
}

Task<void> add_to(int* counter, int n) {
    *counter += n;
    co_return;
}

TEST(Task, is_lazy_and_dropping_it_unstarted_runs_nothing) {
    int runs = 0;
    {
        Task<void> t = add_to(&runs, 1);
        EXPECT_FALSE(t.done());
    }
    EXPECT_EQ(runs, 0);
}

Task<void> add_after_yield(Reactor* loop, int* counter, int n) {
    co_await resume_on(*loop);
    *counter += n;
}

Task<void> spawn_many(Reactor* loop, int* counter, int count) {
    for (int i = 0; i < count; ++i) spawn(add_after_yield(loop, counter, 1));
    co_return;
}

Task<void> wait_until_count(Reactor* loop, const int* counter, int expected) {
    while (*counter < expected) co_await resume_on(*loop);
}

TEST(Task, spawn_runs_detached_tasks_to_completion) {
    int counter = 0;
    spawn(add_to(&counter, 1));  // finishes synchronously, no reactor needed
    EXPECT_EQ(counter, 1);

    Reactor loop;
    loop.block_on(spawn_many(&loop, &counter, 1000));
    loop.block_on(wait_until_count(&loop, &counter, 1001));
    EXPECT_EQ(counter, 1001);
}

std::exception_ptr last_detached_error;
void remember_detached(std::exception_ptr e) noexcept { last_detached_error = e; }

Task<void> detached_failure() {
    throw Failure("escaped a detached task");
    co_return;
}

TEST(Task, an_exception_escaping_a_detached_task_reaches_the_handler) {
    set_detached_exception_handler(remember_detached);
    spawn(detached_failure());
    set_detached_exception_handler(nullptr);
    ASSERT_TRUE(last_detached_error);
    try {
        std::rethrow_exception(last_detached_error);
    } catch (const Failure& f) {
        EXPECT_STREQ(f.what(), "escaped a detached task");
    }
}

}  // namespace
}  // namespace mallard::core
