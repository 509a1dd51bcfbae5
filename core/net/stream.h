// Stream: one layer of a connection's byte pipeline, TCP → TLS → DEFLATE. Layers never wait; they report
// what they need (want_read / want_write) and the Connection awaits fd readiness and retries.
#pragma once

#include <cstddef>
#include <string>

namespace mallard::core::net {

enum class IoStatus { ok, want_read, want_write, eof, error };

struct IoOutcome {
    IoStatus status = IoStatus::ok;
    std::size_t bytes = 0;
    static IoOutcome done(std::size_t n) { return {IoStatus::ok, n}; }
    static IoOutcome need(IoStatus s) { return {s, 0}; }
};

class Stream {
public:
    virtual ~Stream() = default;
    // Reads up to `len` bytes; ok with bytes > 0, or a status.
    virtual IoOutcome read(char* buf, std::size_t len) = 0;
    // Writes up to `len` bytes; ok with the number accepted (which may be less than len), or a status.
    virtual IoOutcome write(const char* data, std::size_t len) = 0;
    // Pushes out bytes a layer holds internally (compressed output). ok once nothing is held.
    virtual IoOutcome flush() { return IoOutcome::done(0); }
    // Bytes decoded inside the layer that a read would return without new data from the socket.
    virtual bool has_buffered_input() const { return false; }
    // Called when the connection goes idle: free whatever buffers can be recreated.
    virtual void release_buffers() {}
    // A short description of the last error, for logs.
    virtual std::string last_error() const { return {}; }
};

}  // namespace mallard::core::net
