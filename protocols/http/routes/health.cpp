// GET /health (WildDuck's lib/api/health.js): 200 {"success": true} while the store answers, 500 otherwise.
// The probe is one indexed lookup of an id that cannot exist, so a load balancer may poll it often.
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"

namespace mallard::http::routes {

namespace {

core::Task<Response> health(Call& call) {
    auto probe = co_await call.store().get_mailbox("0");
    if (probe || probe.error().code == core::Errc::not_found) co_return success();
    co_return error_response(500, "HealthCheckFailed", "Database is not answering: " + probe.error().to_string());
}

}  // namespace

void add_health_routes(RouteTable& table) { table.add({"GET", "/health", health}); }

}  // namespace mallard::http::routes
