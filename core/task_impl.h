// Out-of-line parts of task.h that must be templates or inline.
#pragma once

namespace mallard::core::detail {

// The coroutine behind spawn(): starts at once, frees its own frame at the end.
struct DetachedRunner {
    struct promise_type {
        static void* operator new(std::size_t bytes) { return allocate_frame(bytes); }
        static void operator delete(void* frame, std::size_t bytes) noexcept { release_frame(frame, bytes); }
        DetachedRunner get_return_object() noexcept { return {}; }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept;
    };
};

}  // namespace mallard::core::detail
