// Handlers for protocols whose implementation has not landed yet: each answers with its protocol's own
// "service unavailable" greeting and closes, so clients get a clear protocol-level refusal, never a hang.
// Each is replaced by the real protocol's entry point when that protocol lands.
#pragma once

#include <memory>
#include <string>

#include "core/net/connection.h"
#include "core/task.h"

namespace mallard::server {

core::Task<void> http_unavailable(std::unique_ptr<core::net::Connection> conn, std::string hostname);

}  // namespace mallard::server
