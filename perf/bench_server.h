// mallard's own handler for one protocol, served from a data directory on an in-process core::Engine on
// 127.0.0.1 (a free port), wired exactly as tools/mallard/main.cpp wires it: the built-in configuration, a
// NotifyingStore on the engine's pool, the Authenticator. mallard-imap-bench and mallard-http-bench measure
// through it, so the code that answers is the server's, while the client's CPU time can be told apart from
// the server's (both run in this process) and nothing (a config file, a port, mallardctl) can differ between
// what was populated and what is served.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/engine.h"
#include "protocols/auth/authenticator.h"
#include "protocols/auth/connection_limits.h"
#include "storage/notify/bus.h"
#include "storage/store.h"
#include "tools/mallard/services.h"

namespace mallard::perf {

class InProcessServer {
public:
    using MakeHandler = core::ConnectionHandler (*)(server::Services&);

    // `name` is the listener's name in logs ("imap", "http"); `make` one of tools/mallard/handlers.h. Throws.
    InProcessServer(const std::string& data_dir, std::string_view hostname, std::string_view name, MakeHandler make);
    InProcessServer(const InProcessServer&) = delete;
    InProcessServer& operator=(const InProcessServer&) = delete;
    ~InProcessServer();

    std::uint16_t port() const { return port_; }
    core::Engine& engine() { return *engine_; }

private:
    config::Config cfg_;
    storage::notify::Bus bus_;  // before the engine and the store: see tools/mallard/main.cpp
    auth::InProcessConnectionLimits limits_{auth::ConnectionLimitOptions{}};  // the bench's clients are never limited
    std::unique_ptr<storage::Store> store_;
    std::unique_ptr<auth::Authenticator> authenticator_;
    std::unique_ptr<server::Services> services_;
    std::unique_ptr<core::Engine> engine_;
    std::uint16_t port_ = 0;
};

}  // namespace mallard::perf
