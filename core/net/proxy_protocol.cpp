// See proxy_protocol.h. Section numbers are those of HAProxy's doc/proxy-protocol.txt.
#include "core/net/proxy_protocol.h"

#include "core/net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include <charconv>
#include <cstring>

namespace mallard::core::net {

namespace {

constexpr char v2_signature[12] = {'\r', '\n', '\r', '\n', '\0', '\r', '\n', 'Q', 'U', 'I', 'T', '\n'};

std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

// §2.1: "PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n", single spaces.
ProxyParse parse_v1(std::string_view bytes) {
    std::size_t end = bytes.find("\r\n");
    if (end == std::string_view::npos) {
        if (bytes.size() >= proxy_v1_max_bytes) return ProxyInvalid{"PROXY v1 line too long"};
        return ProxyNeedMore{};
    }
    if (end + 2 > proxy_v1_max_bytes) return ProxyInvalid{"PROXY v1 line too long"};
    std::string_view line = bytes.substr(0, end);
    std::string_view fields[6];
    std::size_t n = 0;
    while (n < 6) {
        std::size_t space = line.find(' ');
        fields[n++] = line.substr(0, space);
        if (space == std::string_view::npos) {
            line = {};
            break;
        }
        line.remove_prefix(space + 1);
    }
    if (n >= 2 && fields[1] == "UNKNOWN") return ProxyHeader{end + 2, std::nullopt};  // the rest is ignored
    if (n != 6 || !line.empty() || fields[0] != "PROXY") return ProxyInvalid{"malformed PROXY v1 line"};
    const bool v4 = fields[1] == "TCP4";
    if (!v4 && fields[1] != "TCP6") return ProxyInvalid{"unknown PROXY v1 protocol"};
    auto port = parse_port(fields[4]);
    if (!port || !parse_port(fields[5])) return ProxyInvalid{"bad port in PROXY v1 line"};
    std::string src(fields[2]);
    sockaddr_storage ss{};
    if (v4) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(*port);
        if (inet_pton(AF_INET, src.c_str(), &a->sin_addr) != 1) return ProxyInvalid{"bad IPv4 address in PROXY line"};
    } else {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(*port);
        if (inet_pton(AF_INET6, src.c_str(), &a->sin6_addr) != 1)
            return ProxyInvalid{"bad IPv6 address in PROXY line"};
    }
    return ProxyHeader{end + 2, PeerAddress(reinterpret_cast<const sockaddr*>(&ss))};
}

// §2.2: signature, version/command, family/protocol, length (network order), addresses, TLVs.
ProxyParse parse_v2(std::string_view bytes) {
    if (bytes.size() < 16) return ProxyNeedMore{};
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
    if ((b[12] >> 4) != 2) return ProxyInvalid{"unsupported PROXY version"};
    const unsigned command = b[12] & 0x0f;
    const std::size_t length = (static_cast<std::size_t>(b[14]) << 8) | b[15];
    if (16 + length > proxy_max_bytes) return ProxyInvalid{"PROXY v2 header too long"};
    if (bytes.size() < 16 + length) return ProxyNeedMore{};
    if (command == 0) return ProxyHeader{16 + length, std::nullopt};  // LOCAL: the balancer's own check
    if (command != 1) return ProxyInvalid{"unknown PROXY v2 command"};
    const unsigned family = b[13] >> 4;
    const unsigned transport = b[13] & 0x0f;
    sockaddr_storage ss{};
    if (family == 1 && transport == 1) {  // TCP over IPv4: src(4) dst(4) sport(2) dport(2)
        if (length < 12) return ProxyInvalid{"short PROXY v2 IPv4 block"};
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        std::memcpy(&a->sin_addr, b + 16, 4);
        std::memcpy(&a->sin_port, b + 24, 2);
    } else if (family == 2 && transport == 1) {  // TCP over IPv6: src(16) dst(16) sport(2) dport(2)
        if (length < 36) return ProxyInvalid{"short PROXY v2 IPv6 block"};
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        std::memcpy(&a->sin6_addr, b + 16, 16);
        std::memcpy(&a->sin6_port, b + 48, 2);
    } else {
        // UNSPEC, UDP or Unix sockets: §2.2 says to accept the connection and use the real addresses.
        return ProxyHeader{16 + length, std::nullopt};
    }
    return ProxyHeader{16 + length, PeerAddress(reinterpret_cast<const sockaddr*>(&ss))};
}

}  // namespace

ProxyParse parse_proxy_header(std::string_view bytes) {
    const std::size_t sig = std::min(bytes.size(), sizeof v2_signature);
    if (sig > 0 && std::memcmp(bytes.data(), v2_signature, sig) == 0) {
        if (sig < sizeof v2_signature) return ProxyNeedMore{};
        return parse_v2(bytes);
    }
    constexpr std::string_view v1_prefix = "PROXY ";
    const std::size_t pre = std::min(bytes.size(), v1_prefix.size());
    if (bytes.substr(0, pre) != v1_prefix.substr(0, pre)) return ProxyInvalid{"no PROXY protocol header"};
    if (pre < v1_prefix.size()) return ProxyNeedMore{};
    return parse_v1(bytes);
}

Task<Result<void>> Connection::accept_proxy_header(Deadline deadline) {
    std::string peeked(proxy_max_bytes, '\0');  // on the heap, not in the frame
    for (;;) {
        const ssize_t n = ::recv(fd(), peeked.data(), peeked.size(), MSG_PEEK);
        if (n == 0) co_return Error(Errc::closed);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            co_return Error(Errc::io, std::string("recv: ") + std::strerror(errno));
        if (n > 0) {
            ProxyParse parsed = parse_proxy_header(std::string_view(peeked.data(), static_cast<std::size_t>(n)));
            if (auto* invalid = std::get_if<ProxyInvalid>(&parsed)) co_return Error(Errc::bad_input, invalid->reason);
            if (auto* header = std::get_if<ProxyHeader>(&parsed)) {
                // The header is all there (peeked): take exactly its bytes off the socket.
                std::size_t left = header->length;
                while (left > 0) {
                    const ssize_t got = ::recv(fd(), peeked.data(), left, 0);
                    if (got < 0 && errno == EINTR) continue;
                    if (got <= 0) co_return Error(Errc::io, "recv of a peeked PROXY header failed");
                    left -= static_cast<std::size_t>(got);
                }
                if (header->source) peer_ = *header->source;
                co_return success();
            }
        }
        // Not all of it yet: wait for more (the reactor delivers readiness only while we are suspended).
        auto ready = co_await wait_for(IoStatus::want_read, deadline, true);
        if (!ready) co_return ready.take_error();
    }
}

}  // namespace mallard::core::net
