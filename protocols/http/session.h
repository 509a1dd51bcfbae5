// The HTTP/1.1 connection loop (RFC 9112 §9): persistent connections, pipelined requests answered in order,
// the request deadline (408) and the keep-alive idle timeout, "Connection: close", and parse errors answered
// with their status before closing.
#pragma once

#include <memory>

#include "core/net/connection.h"
#include "core/task.h"
#include "protocols/http/context.h"

namespace mallard::http {

// The listener's entry point: serves requests until the client closes, asks to close, or times out.
core::Task<void> serve(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context);

// A Context with every API route registered (routes/api_routes.cpp).
// `bus` (optional, must outlive the context) feeds the event stream of GET /users/:user/updates.
std::shared_ptr<Context> make_context(Options options, storage::Store& store, core::ThreadPool& pool,
                                      storage::notify::Bus* bus = nullptr);

}  // namespace mallard::http
