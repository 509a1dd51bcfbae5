#include "core/task.h"

#include <array>
#include <atomic>
#include <cstdlib>

namespace mallard::core {

namespace {

// Frames are rounded up to 16-byte classes (malloc's own granularity: a coarser class would waste bytes in
// every frame an idle connection keeps) up to 4 KiB; each thread keeps a bounded free list per class.
constexpr std::size_t class_bytes = 16;
constexpr std::size_t class_count = 256;
constexpr std::size_t max_cached_per_class = 256;
#if defined(__SANITIZE_ADDRESS__)
// Under ASan frames go straight to malloc and free, so a use of a destroyed frame is reported, not hidden by
// the next coroutine reusing the block.
constexpr bool cache_frames = false;
#else
constexpr bool cache_frames = true;
#endif

struct FreeBlock {
    FreeBlock* next;
};

struct FrameCache {
    std::array<FreeBlock*, class_count> heads{};
    std::array<std::size_t, class_count> counts{};
    ~FrameCache() {
        for (FreeBlock* head : heads) {
            while (head) {
                FreeBlock* next = head->next;
                std::free(head);
                head = next;
            }
        }
    }
};

thread_local FrameCache frame_cache;

std::atomic<DetachedExceptionHandler> detached_handler{nullptr};

detail::DetachedRunner run_detached(Task<void> task) { co_await std::move(task); }

}  // namespace

namespace detail {

void* allocate_frame(std::size_t bytes) {
    std::size_t cls = (bytes + class_bytes - 1) / class_bytes;
    if (cache_frames && cls < class_count) {
        if (FreeBlock* block = frame_cache.heads[cls]) {
            frame_cache.heads[cls] = block->next;
            --frame_cache.counts[cls];
            return block;
        }
        void* p = std::malloc(cls * class_bytes);
        if (!p) throw std::bad_alloc();
        return p;
    }
    void* p = std::malloc(bytes);
    if (!p) throw std::bad_alloc();
    return p;
}

void release_frame(void* frame, std::size_t bytes) noexcept {
    std::size_t cls = (bytes + class_bytes - 1) / class_bytes;
    if (cache_frames && cls < class_count && frame_cache.counts[cls] < max_cached_per_class) {
        auto* block = static_cast<FreeBlock*>(frame);
        block->next = frame_cache.heads[cls];
        frame_cache.heads[cls] = block;
        ++frame_cache.counts[cls];
        return;
    }
    std::free(frame);
}

void DetachedRunner::promise_type::unhandled_exception() noexcept {
    if (auto handler = detached_handler.load()) handler(std::current_exception());
    else std::terminate();
}

}  // namespace detail

void spawn(Task<void> task) { run_detached(std::move(task)); }

void set_detached_exception_handler(DetachedExceptionHandler handler) { detached_handler.store(handler); }

}  // namespace mallard::core
