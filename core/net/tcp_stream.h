// TcpStream: the bottom layer, plain reads and writes on a non-blocking socket.
#pragma once

#include "core/net/stream.h"

namespace mallard::core::net {

class TcpStream final : public Stream {
public:
    explicit TcpStream(int fd) : fd_(fd) {}
    IoOutcome read(char* buf, std::size_t len) override;
    IoOutcome write(const char* data, std::size_t len) override;
    std::string last_error() const override;

private:
    int fd_;  // owned by the connection's IoHandle
    int errno_ = 0;
};

}  // namespace mallard::core::net
