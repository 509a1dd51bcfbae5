// What every protocol session may use, built once by main() and outliving every connection.
#pragma once

#include <memory>

#include "config/config.h"
#include "core/net/tls_context.h"
#include "core/thread_pool.h"
#include "protocols/auth/authenticator.h"
#include "protocols/auth/connection_limits.h"
#include "storage/notify/bus.h"
#include "storage/store.h"

namespace mallard::server {

struct Services {
    const config::Config& config;
    storage::Store& store;
    core::ThreadPool& pool;
    std::shared_ptr<core::net::TlsProvider> tls;  // for STARTTLS; implicit TLS ports are set up by the engine
    storage::notify::Bus& bus;                    // `store` announces its committed writes here
    auth::ConnectionLimits& imap_limits;          // sessions per address and per user, IMAP's limits
    auth::ConnectionLimits& pop3_limits;          // the same with POP3's limits, counted apart
    const auth::Authenticator& authenticator;     // login rules, failed-login limits, the auth log (all protocols)
};

}  // namespace mallard::server
