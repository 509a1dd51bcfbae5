#include "core/buffer_pool.h"

#include <vector>

namespace mallard::core {

namespace {

// Blocks freed on a thread go to that thread's pool, up to a bound; the rest return to malloc.
constexpr std::size_t max_pooled = 64;

struct Pool {
    std::vector<char*> free;
    Pool() { free.reserve(max_pooled); }
    ~Pool() {
        for (char* b : free) delete[] b;
    }
};
thread_local Pool pool;

}  // namespace

void BufferDeleter::operator()(char* block) const noexcept {
    if (pool.free.size() < max_pooled) {
        pool.free.push_back(block);
        return;
    }
    delete[] block;
}

PooledBuffer acquire_buffer() {
    if (!pool.free.empty()) {
        char* b = pool.free.back();
        pool.free.pop_back();
        return PooledBuffer(b);
    }
    return PooledBuffer(new char[read_buffer_bytes]);
}

}  // namespace mallard::core
