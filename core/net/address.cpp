#include "core/net/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace mallard::core::net {

Result<SocketAddress> parse_address(const std::string& host_in, std::uint16_t port) {
    std::string host = host_in;
    if (host == "localhost") host = "127.0.0.1";
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    SocketAddress out;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        out.length = sizeof(sockaddr_in);
        return out;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        out.length = sizeof(sockaddr_in6);
        return out;
    }
    return Error(Errc::bad_input, "not an IP address: " + host_in);
}

Result<SocketAddress> unix_address(const std::string& path) {
    SocketAddress out;
    auto* un = reinterpret_cast<sockaddr_un*>(&out.storage);
    if (path.empty()) return Error(Errc::bad_input, "empty Unix socket path");
    if (path.size() >= sizeof un->sun_path)
        return Error(Errc::bad_input, "Unix socket path longer than " + std::to_string(sizeof un->sun_path - 1) +
                                          " bytes: " + path);
    if (path.find('\0') != std::string::npos) return Error(Errc::bad_input, "NUL in Unix socket path");
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, path.data(), path.size());
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
    return out;
}

std::string unix_path_of(const SocketAddress& address) {
    if (address.family() != AF_UNIX) return {};
    const auto* un = reinterpret_cast<const sockaddr_un*>(&address.storage);
    return std::string(un->sun_path, ::strnlen(un->sun_path, sizeof un->sun_path));
}

PeerAddress::PeerAddress(const sockaddr* addr) {
    if (addr->sa_family == AF_INET) {
        auto* v4 = reinterpret_cast<const sockaddr_in*>(addr);
        std::memcpy(bytes_.data(), &v4->sin_addr, 4);
        port_ = ntohs(v4->sin_port);
        v4_ = true;
    } else if (addr->sa_family == AF_INET6) {
        auto* v6 = reinterpret_cast<const sockaddr_in6*>(addr);
        // An IPv4-mapped address on a dual-stack socket is shown as the IPv4 address it is.
        if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
            std::memcpy(bytes_.data(), reinterpret_cast<const std::uint8_t*>(&v6->sin6_addr) + 12, 4);
            v4_ = true;
        } else {
            std::memcpy(bytes_.data(), &v6->sin6_addr, 16);
            v4_ = false;
        }
        port_ = ntohs(v6->sin6_port);
    } else if (addr->sa_family == AF_UNIX) {
        local_ = true;  // no address worth keeping: the peer is a process on this host
    }
}

std::string PeerAddress::ip() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

std::string PeerAddress::to_string() const {
    if (local_) return "unix";
    // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on "[" + ip() + "]".
    std::string out;
    if (!v4_) out.push_back('[');
    out.append(ip());
    if (!v4_) out.push_back(']');
    out.push_back(':');
    out.append(std::to_string(port_));
    return out;
}

bool PeerAddress::is_loopback() const {
    if (local_) return true;
    if (v4_) return bytes_[0] == 127;
    static const std::uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::memcmp(bytes_.data(), loop6, 16) == 0;
}

Result<SocketAddress> local_address(int fd) {
    SocketAddress out;
    out.length = sizeof out.storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&out.storage), &out.length) < 0)
        return Error(Errc::io, std::strerror(errno));
    return out;
}

std::uint16_t port_of(const SocketAddress& a) {
    if (a.family() == AF_UNIX) return 0;
    if (a.family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_port);
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_port);
}

}  // namespace mallard::core::net
