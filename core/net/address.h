// Socket addresses: parsing "host" + port for listeners and clients, and a compact peer address that a
// connection keeps (20 bytes instead of a 128-byte sockaddr_storage).
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace mallard::core::net {

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family() const { return storage.ss_family; }
};

// Parses an IP literal ("0.0.0.0", "::", "127.0.0.1", "[::1]") or "localhost"; no DNS (it would block).
Result<SocketAddress> parse_address(const std::string& host, std::uint16_t port);

// A Unix domain socket path (AF_UNIX). bad_input when empty or longer than sockaddr_un holds (107 bytes).
Result<SocketAddress> unix_address(const std::string& path);
std::string unix_path_of(const SocketAddress& address);  // "" unless AF_UNIX

class PeerAddress {
public:
    PeerAddress() = default;
    explicit PeerAddress(const sockaddr* addr);
    std::string ip() const;          // "192.0.2.1", "2001:db8::1"
    std::string to_string() const;   // "192.0.2.1:5000", "[2001:db8::1]:5000"
    std::uint16_t port() const { return port_; }
    bool is_loopback() const;     // a Unix domain socket peer counts as loopback: it is on this host
    bool is_local_socket() const { return local_; }  // connected through a Unix domain socket

private:
    std::array<std::uint8_t, 16> bytes_{};
    std::uint16_t port_ = 0;
    bool v4_ = true;
    bool local_ = false;
};

// The local address a socket is bound to (to learn the port after binding port 0).
Result<SocketAddress> local_address(int fd);
std::uint16_t port_of(const SocketAddress& address);

}  // namespace mallard::core::net
