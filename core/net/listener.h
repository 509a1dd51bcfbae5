// Listening sockets: one per reactor loop with SO_REUSEPORT, so the kernel spreads connections over loops.
#pragma once

#include "core/net/address.h"
#include "core/result.h"

namespace mallard::core::net {

// A non-blocking listening socket bound to `address` with SO_REUSEPORT (and IPV6_V6ONLY off for "::").
Result<int> open_listener(const SocketAddress& address, int backlog);

}  // namespace mallard::core::net
