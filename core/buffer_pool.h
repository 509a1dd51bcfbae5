// Read buffers borrowed per connection from a per-thread pool: a connection holds one only while it has
// unread bytes, so an idle connection holds none.
#pragma once

#include <cstddef>
#include <memory>

namespace mallard::core {

constexpr std::size_t read_buffer_bytes = 16384;

struct BufferDeleter {
    void operator()(char* block) const noexcept;
};
using PooledBuffer = std::unique_ptr<char[], BufferDeleter>;

// A read_buffer_bytes block from the calling thread's pool (or a new one).
PooledBuffer acquire_buffer();

}  // namespace mallard::core
