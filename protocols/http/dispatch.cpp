// Request dispatch (see dispatch.h). Errors follow WildDuck: status + {"error", "code"}; restify's codes for
// an unknown path (ResourceNotFound, 404) and a known path with another method (MethodNotAllowed, 405).
#include "protocols/http/dispatch.h"

#include <exception>
#include <variant>

#include "core/log.h"
#include "protocols/http/cors.h"

namespace mallard::http {

namespace {

// Everything up to the handler: a Response to send now, or the Call to run.
std::variant<Response, RouteMatch> route(const Context& context, const Request& request) {
    if (auto preflight = cors_preflight(request, context.options.cors_origins)) return std::move(*preflight);
    RouteResult found = context.routes.match(request.method, request.path);
    if (std::holds_alternative<BadPath>(found))
        return error_response(400, "InputValidationError", "Malformed percent-encoding in the path");
    if (auto* none = std::get_if<NoRoute>(&found)) {
        if (none->allow.empty()) return error_response(404, "ResourceNotFound", request.path + " does not exist");
        Response r = error_response(405, "MethodNotAllowed", request.method + " is not allowed");
        r.set_header("Allow", none->allow);
        return r;
    }
    return std::get<RouteMatch>(std::move(found));
}

}  // namespace

core::Task<Response> dispatch(const Context& context, const Request& request, bool peer_is_loopback) {
    auto routed = route(context, request);
    Response response;
    if (auto* early = std::get_if<Response>(&routed)) {
        response = std::move(*early);
    } else {
        const RouteMatch& match = std::get<RouteMatch>(routed);
        auto access = authorize(request, context.options.access, peer_is_loopback);
        nlohmann::json values;
        std::optional<InputFailure> failure;
        if (auto* denied = std::get_if<Denied>(&access)) {
            response = error_response(denied->status, denied->code, denied->message);
            if (denied->status == 401) response.set_header("WWW-Authenticate", "Bearer");  // RFC 6750 §3
        } else if ((failure = build_input(request, match.params, "accessToken", values))) {
            const char* code = failure->status == 415 ? "UnsupportedMediaType" : "InputValidationError";
            response = error_response(failure->status, code, failure->message);
        } else {
            Call call{context, request, std::get<Principal>(std::move(access)), Input(std::move(values))};
            try {
                auto handled = co_await match.route->handler(call);
                response = std::move(handled);
            } catch (const std::exception& e) {
                // A bug in a handler (or a third-party throw) answers 500 and keeps the connection.
                MLOG(error) << "http: " << request.method << " " << request.path << ": " << e.what();
                response = error_response(500, "InternalError", "Internal server error");
            }
        }
    }
    add_cors_headers(response, request, context.options.cors_origins);
    co_return response;
}

}  // namespace mallard::http
