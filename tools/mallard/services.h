// What every protocol session may use, built once by main() and outliving every connection.
#pragma once

#include <memory>

#include "config/config.h"
#include "core/net/tls_context.h"
#include "core/thread_pool.h"
#include "storage/notify/bus.h"
#include "storage/store.h"

namespace mallard::server {

struct Services {
    const config::Config& config;
    storage::Store& store;
    core::ThreadPool& pool;
    std::shared_ptr<core::net::TlsProvider> tls;  // for STARTTLS; implicit TLS ports are set up by the engine
    storage::notify::Bus& bus;                    // `store` announces its committed writes here
};

}  // namespace mallard::server
