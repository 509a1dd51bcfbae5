// Shared by the core/net tests: connected pairs of sockets and Connections, a generous deadline, and error
// codes printed by name in failure messages.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <utility>

#include "core/net/connection.h"
#include "core/net/listener.h"

namespace mallard::core {
// Failure messages name the error instead of showing its bytes.
inline void PrintTo(Errc code, std::ostream* os) { *os << errc_name(code); }
}  // namespace mallard::core

namespace mallard::core::net::test {

using ConnPtr = std::unique_ptr<Connection>;

inline Deadline soon() { return Deadline::after(std::chrono::seconds(10)); }

// Two connected Connections on the current reactor, over a socketpair.
inline std::pair<ConnPtr, ConnPtr> unix_pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    return {std::make_unique<Connection>(fds[0], PeerAddress()), std::make_unique<Connection>(fds[1], PeerAddress())};
}

// Two connected non-blocking loopback TCP sockets {client, server}; `buffer_bytes` > 0 shrinks the kernel
// buffers on both (set before connecting, so the window is small from the start).
inline std::pair<int, int> tcp_fds(int buffer_bytes = 0) {
    auto address = parse_address("127.0.0.1", 0);
    auto listener = open_listener(*address, 4);
    auto bound = local_address(*listener);
    int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (buffer_bytes > 0) {
        for (int fd : {client, *listener}) {
            ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
        }
    }
    EXPECT_EQ(::connect(client, reinterpret_cast<const sockaddr*>(&bound->storage), bound->length), 0);
    int server = -1;
    for (int tries = 0; server < 0 && tries < 1000; ++tries) {
        server = ::accept4(*listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (server < 0) ::usleep(1000);
    }
    ::close(*listener);
    EXPECT_GE(server, 0);
    ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) | O_NONBLOCK);
    return {client, server};
}

}  // namespace mallard::core::net::test
