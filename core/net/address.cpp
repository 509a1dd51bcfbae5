#include "core/net/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
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
    }
}

std::string PeerAddress::ip() const {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

std::string PeerAddress::to_string() const {
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
    if (a.family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_port);
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_port);
}

}  // namespace mallard::core::net
