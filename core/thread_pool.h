// ThreadPool: blocking work (SQLite, libmongoc, password hashing, fsync, big MIME parses) off the reactors.
//   auto rows = co_await pool.run(std::move(query));
// runs `query` on a pool thread and resumes the awaiting coroutine on the reactor it was running on;
// an exception thrown by `query` is rethrown at the co_await. A job that has started always finishes;
// if its connection closed meanwhile, the coroutine sees that at its next I/O.
#pragma once

#include <condition_variable>
#include <coroutine>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/reactor.h"

namespace mallard::core {

// True on a pool thread. Functions meant only for the pool assert it.
bool on_pool_thread();
void assert_on_pool();

class ThreadPool {
public:
    explicit ThreadPool(unsigned threads);
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    ~ThreadPool();  // finishes queued jobs, then joins

    unsigned size() const { return static_cast<unsigned>(threads_.size()); }
    void submit(std::function<void()> job);

    template <class F>
    class RunAwaiter;
    template <class F>
    RunAwaiter<std::decay_t<F>> run(F&& fn) { return RunAwaiter<std::decay_t<F>>(*this, std::forward<F>(fn)); }

private:
    void work();

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

// A named awaiter with a constructor (g++ 12 bug 2: brace-initialised aggregate awaiters are freed twice).
template <class F>
class ThreadPool::RunAwaiter {
public:
    using R = std::invoke_result_t<F&>;

    RunAwaiter(ThreadPool& pool, F fn) : pool_(pool), fn_(std::move(fn)) {}
    bool await_ready() const noexcept { return false; }

    bool await_suspend(std::coroutine_handle<> h) {
        Reactor* origin = Reactor::current();
        if (!origin) {  // not on a reactor (start-up code, a tool): just run it here
            execute();
            return false;
        }
        pool_.submit([this, h, origin] {
            execute();
            origin->post(h);
        });
        return true;
    }

    R await_resume() {
        if (error_) std::rethrow_exception(error_);
        if constexpr (!std::is_void_v<R>) return std::move(*value_);
    }

private:
    void execute() {
        try {
            if constexpr (std::is_void_v<R>) fn_();
            else value_.emplace(fn_());
        } catch (...) {
            error_ = std::current_exception();
        }
    }

    struct Empty {};
    ThreadPool& pool_;
    F fn_;
    std::optional<std::conditional_t<std::is_void_v<R>, Empty, R>> value_;
    std::exception_ptr error_;
};

}  // namespace mallard::core
