// Task<T>: a lazy, move-only coroutine that produces a T (or rethrows), and spawn() for detached tasks.
//
// Why await_suspend returns bool: g++ 12 turns symmetric transfer into a real tail call only at -O2 without
// sanitizers, so a loop of awaits that complete synchronously would grow the stack at -O0 and under ASan.
// Here the awaiting coroutine resumes the child inline; if the child finished before suspending, we return
// false and the parent continues on the same stack frame, so synchronous completion never nests. Only a
// child that really suspended resumes its parent from final_suspend, and then the depth is bounded by the
// length of the await chain, not by the number of loop iterations.
//
// "Finished before suspending" means: finished on this thread while the awaiter's resume() call is still on
// the stack. The awaiter marks that with a record on its own stack, reachable through a thread_local, not
// with a flag in the child: a child can move to another reactor (resume_on) and finish there before the
// awaiter's resume() has returned; it must then resume the parent itself, on that thread, and the awaiter
// must return true without touching either frame again.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <utility>

namespace mallard::core {

namespace detail {

// Frame allocation is decided here, for every Task: a per-thread free list by size class, because
// connection tasks are created and destroyed at high rates and their frames come in a few sizes.
void* allocate_frame(std::size_t bytes);
void release_frame(void* frame, std::size_t bytes) noexcept;

struct PromiseBase;

// The innermost Task awaiter on this thread that is inside its child's resume(). Records nest with the stack.
struct InlineResume {
    PromiseBase* child;
    bool finished;
};
inline thread_local InlineResume* inline_resume = nullptr;

struct PromiseBase {
    std::coroutine_handle<> continuation;
    std::exception_ptr exception;

    static void* operator new(std::size_t bytes) { return allocate_frame(bytes); }
    static void operator delete(void* frame, std::size_t bytes) noexcept { release_frame(frame, bytes); }

    std::suspend_always initial_suspend() noexcept { return {}; }

    struct FinalAwaiter {
        bool await_ready() const noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> self) noexcept {
            PromiseBase& p = self.promise();
            InlineResume* active = inline_resume;
            if (active && active->child == &p) {  // synchronous: the awaiter continues when resume() returns
                active->finished = true;
                return std::noop_coroutine();
            }
            if (!p.continuation) return std::noop_coroutine();
            return p.continuation;
        }
        void await_resume() const noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }
};

template <class T>
struct Promise : PromiseBase {
    std::optional<T> value;
    template <class U>
    void return_value(U&& v) { value.emplace(std::forward<U>(v)); }
    T take() {
        if (exception) std::rethrow_exception(exception);
        return std::move(*value);
    }
};

template <>
struct Promise<void> : PromiseBase {
    void return_void() noexcept {}
    void take() {
        if (exception) std::rethrow_exception(exception);
    }
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] Task {
public:
    struct promise_type : detail::Promise<T> {
        Task get_return_object() { return Task(Handle::from_promise(*this)); }
    };
    using Handle = std::coroutine_handle<promise_type>;

    Task(Task&& other) noexcept : h_(std::exchange(other.h_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            destroy();
            h_ = std::exchange(other.h_, {});
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { destroy(); }

    // Awaiting a Task starts it. The awaiter is a named class with a constructor (g++ 12 bug 2).
    class Awaiter {
    public:
        explicit Awaiter(Handle h) : h_(h) {}
        bool await_ready() const noexcept { return !h_ || h_.done(); }
        bool await_suspend(std::coroutine_handle<> awaiting) {
            auto& p = h_.promise();
            p.continuation = awaiting;
            detail::InlineResume record{&p, false};
            detail::InlineResume* outer = std::exchange(detail::inline_resume, &record);
            h_.resume();
            detail::inline_resume = outer;
            // Not finished: the child suspended and resumes us from final_suspend, maybe on another thread and
            // maybe already; only locals may be touched from here on.
            return !record.finished;
        }
        T await_resume() { return h_.promise().take(); }

    private:
        Handle h_;
    };
    Awaiter operator co_await() && { return Awaiter(h_); }
    Awaiter operator co_await() & { return Awaiter(h_); }

    bool done() const { return !h_ || h_.done(); }
    Handle release() { return std::exchange(h_, {}); }

private:
    explicit Task(Handle h) : h_(h) {}
    void destroy() {
        if (h_) h_.destroy();
    }
    Handle h_;
};

// A detached task: runs `task` to completion and frees itself. An exception escaping it is a bug in the
// task's own boundary handling; it is reported through the handler set with set_detached_exception_handler.
void spawn(Task<void> task);

using DetachedExceptionHandler = void (*)(std::exception_ptr) noexcept;
void set_detached_exception_handler(DetachedExceptionHandler handler);

}  // namespace mallard::core

#include "core/task_impl.h"
