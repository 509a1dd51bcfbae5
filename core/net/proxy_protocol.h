// The PROXY protocol (HAProxy's proxy-protocol.txt, versions 1 and 2): a load balancer opens each connection
// with a header naming the client's address, so logs and limits see the client, not the balancer.
// A listener either requires the header on every connection or accepts none (a header on a listener
// without it is just bad protocol input); the spec forbids guessing (§2: "the receiver MUST NOT try to
// guess"). Pure parsing here, no I/O: Connection::accept_proxy_header peeks at the socket and consumes
// exactly the header, so the bytes after it (a TLS ClientHello, a greeting reply) stay unread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/net/address.h"

namespace mallard::core::net {

// v1 lines are at most 107 bytes (§2.1); a v2 header is 16 bytes plus its length, which we bound (TLVs
// beyond the addresses are skipped, never kept).
constexpr std::size_t proxy_v1_max_bytes = 107;
constexpr std::size_t proxy_max_bytes = 16 + 1024;

struct ProxyNeedMore {};
struct ProxyHeader {
    std::size_t length = 0;               // bytes to consume
    std::optional<PeerAddress> source;    // none: LOCAL (v2) or UNKNOWN (v1): keep the socket's peer
};
struct ProxyInvalid {
    std::string reason;
};
using ProxyParse = std::variant<ProxyNeedMore, ProxyHeader, ProxyInvalid>;

// `bytes`: what the connection has sent so far (may be more than the header).
ProxyParse parse_proxy_header(std::string_view bytes);

}  // namespace mallard::core::net
