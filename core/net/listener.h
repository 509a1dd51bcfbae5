// Listening sockets: one per reactor loop with SO_REUSEPORT, so the kernel spreads connections over loops.
#pragma once

#include <string>

#include "core/net/address.h"
#include "core/result.h"

namespace mallard::core::net {

// A non-blocking listening socket bound to `address` with SO_REUSEPORT (and IPV6_V6ONLY off for "::").
Result<int> open_listener(const SocketAddress& address, int backlog);

// A non-blocking listening Unix domain socket at `path`, mode 0660 (owner and group may connect; the MTA
// is usually put in the group). A socket file left by a process that is gone is replaced; one another
// process still accepts on fails with `exists`, and so does any other kind of file (never removed).
// Unix sockets have no SO_REUSEPORT: the caller shares the one descriptor between loops (dup).
Result<int> open_unix_listener(const std::string& path, int backlog);

}  // namespace mallard::core::net
