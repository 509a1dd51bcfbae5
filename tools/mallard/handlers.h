// The entry point of each protocol's listener. One place names them all, so wiring a protocol in is one line.
#pragma once

#include "core/engine.h"
#include "tools/mallard/services.h"

namespace mallard::server {

// [auth] of the config as protocols/auth takes it.
auth::AuthOptions auth_options(const config::Config& config);

core::ConnectionHandler imap_handler(Services& services);
core::ConnectionHandler pop3_handler(Services& services);
core::ConnectionHandler lmtp_handler(Services& services);
core::ConnectionHandler http_handler(Services& services);

}  // namespace mallard::server
