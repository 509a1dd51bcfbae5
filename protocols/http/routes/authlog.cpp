// The authentication log: GET /users/:user/authlog and GET /users/:user/authlog/:event — WildDuck's shape
// (lib/api/auth.js: action, result, protocol, ip, created). Events are written by protocols/auth and the
// security routes, kept for auth.authlog_keep, listed newest first.
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/security_support.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

json event_json(const storage::AuthEvent& e) {
    json out = {{"id", e.id},
                {"action", e.action},
                {"result", e.result},
                {"protocol", e.protocol},
                {"ip", e.remote_address},
                {"created", iso_time(e.created)}};
    if (!e.asp.empty()) out["asp"] = e.asp;
    if (!e.user_agent.empty()) out["userAgent"] = e.user_agent;
    if (!e.detail.empty()) out["detail"] = e.detail;
    return out;
}

core::Task<Response> list_events(Call& call) {
    const std::uint64_t limit = call.input.number("limit", 1, 250).value_or(20);
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto events = co_await call.store().list_auth_events(user->id, limit);
    if (!events) co_return store_error(events.error(), Resource::user);
    json results = json::array();
    for (const auto& e : *events) results.push_back(event_json(e));
    co_return success({{"total", results.size()}, {"results", results}});
}

core::Task<Response> get_event(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto event = co_await call.store().get_auth_event(user->id, call.input.string("event").value_or(""));
    if (!event) {
        if (event.error().code == core::Errc::not_found)
            co_return error_response(404, "AuthlogNotFound", "Event was not found");
        co_return store_error(event.error(), Resource::user);
    }
    co_return success(event_json(*event));
}

}  // namespace

void add_authlog_routes(RouteTable& table) {
    table.add({"GET", "/users/:user/authlog", list_events});
    table.add({"GET", "/users/:user/authlog/:event", get_event});
}

}  // namespace mallard::http::routes
