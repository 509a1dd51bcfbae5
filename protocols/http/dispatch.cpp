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

enum class Verdict { allowed, root_only, totp_pending };

// A user token reaches its own /users/:user/… routes and its own session (/authenticated, DELETE
// /authenticate); everything else (listing users, creating them, /filters, /preauth) is root's. A token still
// waiting for its TOTP check (POST /authenticate of a user with 2FA on) reaches only its session routes and
// its own POST /users/:user/2fa/totp/check, which clears the wait (two_factor.cpp).
Verdict user_may_call(const Principal& principal, const Route& route, const nlohmann::json& values) {
    if (principal.role == Role::root) return Verdict::allowed;
    const std::string_view pattern = route.pattern;
    if (pattern == "/authenticated" || (pattern == "/authenticate" && route.method == "DELETE"))
        return Verdict::allowed;
    if (principal.needs_totp && !(pattern == "/users/:user/2fa/totp/check" && route.method == "POST"))
        return Verdict::totp_pending;
    if (pattern != "/users/:user" && pattern.rfind("/users/:user/", 0) != 0) return Verdict::root_only;
    if (pattern == "/users/:user" && route.method == "DELETE") return Verdict::root_only;  // the account is root's
    auto user = values.find("user");
    if (user == values.end() || !user->is_string() || user->get<std::string>() != principal.user)
        return Verdict::root_only;
    return Verdict::allowed;
}

}  // namespace

core::Task<Response> dispatch(const Context& context, const Request& request, bool peer_is_loopback) {
    auto routed = route(context, request);
    Response response;
    if (auto* early = std::get_if<Response>(&routed)) {
        response = std::move(*early);
    } else {
        const RouteMatch& match = std::get<RouteMatch>(routed);
        auto checked = authorize(request, context.options.access, peer_is_loopback);
        std::variant<Principal, Denied> access = Denied{};
        if (auto* check = std::get_if<CheckUserToken>(&checked)) {
            auto looked_up = co_await authorize_user_token(context.store, std::move(check->token), context.options.tokens);
            access = std::move(looked_up);
        } else if (auto* principal = std::get_if<Principal>(&checked)) {
            access = std::move(*principal);
        } else {
            access = std::get<Denied>(std::move(checked));
        }
        nlohmann::json values;
        std::optional<InputFailure> failure;
        if (auto* denied = std::get_if<Denied>(&access)) {
            response = error_response(denied->status, denied->code, denied->message);
            if (denied->status == 401) response.set_header("WWW-Authenticate", "Bearer");  // RFC 6750 §3
        } else if ((failure = build_input(request, match.params, "accessToken", values))) {
            const char* code = failure->status == 415 ? "UnsupportedMediaType" : "InputValidationError";
            response = error_response(failure->status, code, failure->message);
        } else {
            Principal principal = std::get<Principal>(std::move(access));
            // "me" is the token's user (WildDuck: only with a user token; for root it names nobody).
            if (auto user = values.find("user"); user != values.end() && *user == "me")
                *user = principal.role == Role::user ? principal.user : std::string("me");
            const Verdict verdict = user_may_call(principal, *match.route, values);
            if (verdict != Verdict::allowed) {
                // WildDuck has no code for a token short of its second factor; "2FARequired" follows its
                // "2FADisableFailed".
                response = verdict == Verdict::totp_pending
                               ? error_response(403, "2FARequired", "A TOTP check with this token is required first")
                               : error_response(403, "MissingPrivileges", "Not enough privileges");
                add_cors_headers(response, request, context.options.cors_origins);
                co_return response;
            }
            Call call{context, request, std::move(principal), Input(std::move(values))};
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
