#include "core/net/tcp_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mallard::core::net {

IoOutcome TcpStream::read(char* buf, std::size_t len) {
    for (;;) {
        ssize_t n = ::recv(fd_, buf, len, 0);
        if (n > 0) return IoOutcome::done(static_cast<std::size_t>(n));
        if (n == 0) return IoOutcome::need(IoStatus::eof);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return IoOutcome::need(IoStatus::want_read);
        errno_ = errno;
        return IoOutcome::need(errno == ECONNRESET ? IoStatus::eof : IoStatus::error);
    }
}

IoOutcome TcpStream::write(const char* data, std::size_t len) {
    for (;;) {
        ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL);
        if (n >= 0) return IoOutcome::done(static_cast<std::size_t>(n));
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return IoOutcome::need(IoStatus::want_write);
        errno_ = errno;
        return IoOutcome::need(errno == EPIPE || errno == ECONNRESET ? IoStatus::eof : IoStatus::error);
    }
}

std::string TcpStream::last_error() const { return errno_ ? std::strerror(errno_) : std::string(); }

}  // namespace mallard::core::net
