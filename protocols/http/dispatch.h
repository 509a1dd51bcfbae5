// dispatch(): one request in, one response out — CORS preflight, route lookup, access check, parameters,
// the route's handler, CORS headers. No I/O: the session writes what this returns.
#pragma once

#include "core/task.h"
#include "protocols/http/context.h"
#include "protocols/http/response.h"

namespace mallard::http {

core::Task<Response> dispatch(const Context& context, const Request& request, bool peer_is_loopback);

}  // namespace mallard::http
