// See bench_server.h.
#include "perf/bench_server.h"

#include <chrono>
#include <stdexcept>

#include "config/loader.h"
#include "storage/notify/notifying_store.h"
#include "storage/open_store.h"
#include "tools/mallard/handlers.h"

namespace mallard::perf {

InProcessServer::InProcessServer(const std::string& data_dir, std::string_view hostname, std::string_view name,
                                 MakeHandler make) {
    auto loaded = config::load(std::nullopt);  // the built-in defaults, as a mallard without --config
    if (!loaded) throw std::runtime_error("config: " + loaded.error().detail);
    cfg_ = std::move(*loaded);
    cfg_.server.data_dir = data_dir;
    cfg_.server.hostname = std::string(hostname);
    core::EngineOptions engine_options;
    engine_options.workers = cfg_.server.workers;
    engine_options.pool_threads = cfg_.server.pool_threads;
    engine_options.max_connections = cfg_.limits.max_connections;
    engine_ = std::make_unique<core::Engine>(engine_options);
    storage::StoreOptions store_options;
    store_options.backend = cfg_.storage.backend;
    store_options.data_dir = data_dir;
    store_options.sqlite_sync = cfg_.storage.sqlite_sync_full ? storage::SqliteSync::full : storage::SqliteSync::normal;
    store_options.attachment_min_bytes = cfg_.storage.attachment_min_bytes;
    auto opened = storage::open_store(store_options, engine_->pool());
    if (!opened) throw std::runtime_error("open_store: " + opened.error().to_string());
    store_ = std::make_unique<storage::notify::NotifyingStore>(std::move(*opened), bus_);
    // No failed-login limits beyond the configured defaults: the benchmarks log in a few times at most.
    authenticator_ =
        std::make_unique<auth::Authenticator>(*store_, engine_->pool(), nullptr, server::auth_options(cfg_));
    services_ = std::make_unique<server::Services>(
        server::Services{cfg_, *store_, engine_->pool(), nullptr, bus_, limits_, limits_, *authenticator_});
    auto address = core::net::parse_address("127.0.0.1", 0);
    if (!address) throw std::runtime_error("address: " + address.error().detail);
    auto bound = engine_->listen({std::string(name), *address, nullptr, make(*services_)});
    if (!bound) throw std::runtime_error("listen: " + bound.error().to_string());
    port_ = *bound;
    engine_->start();
}

InProcessServer::~InProcessServer() {
    engine_->shutdown(std::chrono::seconds(5));
    engine_.reset();  // joins the pool before the store goes
    services_.reset();
    authenticator_.reset();
    store_.reset();
}

}  // namespace mallard::perf
