// Authentication: POST /authenticate, DELETE /authenticate, POST /preauth (WildDuck's lib/api/auth.js) and
// GET /authenticated (who the caller's token stands for).
//
// /authenticate and /preauth are for the application in front of the API (webmail): they need the root token,
// as WildDuck's role table grants them to root only. `token: true` (scope master only) issues a user token
// (tokens.h); with it the application acts as that user, and only on that user's /users/:user routes ("me"
// works too). A failed login is 403 AuthFailed whether the user is unknown, disabled or the password wrong, so
// the answer does not tell which (WildDuck answers the same way).
//
// The login goes through the Authenticator (authenticator.h), as IMAP and POP3 logins do: the same failure
// limits (429 with Retry-After), application-specific passwords (one with the scope's name or "*"; the
// master scope takes "*" only) and auth log. A user with TOTP on who logs in to the master scope with the
// account password gets require2fa: ["totp"], and a token asked for then waits for its TOTP check
// (ApiToken::needs_totp): until POST /users/:user/2fa/totp/check succeeds with it, dispatch lets it reach only
// that check, GET /authenticated and DELETE /authenticate (403 2FARequired otherwise). An ASP login needs no
// second factor (as in WildDuck); for the other scopes a user with TOTP on must use an ASP.
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/security_support.h"
#include "protocols/http/tokens.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

Response auth_failed() { return error_response(403, "AuthFailed", "Authentication failed"); }

Response root_only() { return error_response(403, "MissingPrivileges", "Not enough privileges"); }

// WildDuck's scopes; a token is only for the master scope.
bool valid_scope(const std::string& scope) {
    return scope == "master" || scope == "imap" || scope == "smtp" || scope == "pop3";
}

// The Authenticator's service for a scope: its ASP scope name and the auth log's protocol.
auth::Service service_of(const std::string& scope) {
    if (scope == "imap") return auth::Service::imap;
    if (scope == "pop3") return auth::Service::pop3;
    if (scope == "smtp") return auth::Service::smtp;
    return auth::Service::api;
}

// WildDuck's require2fa: the second factors still to pass, or false.
json require2fa(bool needs_totp) { return needs_totp ? json::array({"totp"}) : json(false); }

json auth_fields(const storage::User& user, const std::string& scope, bool needs_totp) {
    return {{"id", user.id},
            {"username", user.username},
            {"address", user.primary_address},
            {"scope", scope},
            {"require2fa", require2fa(needs_totp)},
            {"require2faEnabled", false},
            {"requirePasswordChange", false}};
}

core::Task<Response> authenticate(Call& call) {
    Input& in = call.input;
    auto username = in.string("username", 1024);
    if (!username) in.invalid("username", "\"username\" is required");
    auto password = in.string("password", 256);
    if (!password) in.invalid("password", "\"password\" is required");
    const std::string scope = in.string("scope", 20, true).value_or("master");
    if (!valid_scope(scope)) in.invalid("scope", "\"scope\" must be one of [master, imap, smtp, pop3]");
    const bool want_token = in.boolean("token").value_or(false);
    if (want_token && scope != "master") in.invalid("scope", "\"scope\" must be [master]");
    // WildDuck's `ip` is the end user's address (the caller is the webmail in front): the failure limits and
    // the auth log key on it.
    const std::string ip = in.string("ip", 64, true).value_or("");
    for (const char* ignored : {"protocol", "sess", "appId"}) (void)in.string(ignored, 1024, true);
    if (!in.ok()) co_return in.error_response();
    if (call.principal.role != Role::root) co_return root_only();

    std::optional<auth::Authenticator> fallback;
    const auth::Authenticator& authenticator = authenticator_of(call, fallback);
    auth::AuthAttempt attempt{std::move(*username), std::move(*password), service_of(scope), ip, ""};
    auto result = co_await authenticator.authenticate(std::move(attempt));
    using Status = auth::AuthResult::Status;
    if (result.status == Status::rate_limited) {
        Response r = error_response(429, "RateLimitedError", "Too many failed attempts, try again later");
        r.set_header("Retry-After", std::to_string(result.retry_after.count()));
        co_return r;
    }
    if (result.status == Status::unavailable)
        co_return error_response(500, "InternalDatabaseError", "Database error: authentication unavailable");
    if (result.status != Status::ok) co_return auth_failed();
    json fields = auth_fields(result.user, scope, result.needs_totp);
    if (want_token) {
        auto token = co_await issue_token(call.store(), result.user.id, call.options().tokens, result.needs_totp);
        if (!token) co_return store_error(token.error(), Resource::user);
        fields["token"] = *token;
    }
    co_return success(std::move(fields));
}

core::Task<Response> preauth(Call& call) {
    Input& in = call.input;
    auto username = in.string("username", 1024);
    if (!username) in.invalid("username", "\"username\" is required");
    const std::string scope = in.string("scope", 20, true).value_or("master");
    if (!valid_scope(scope)) in.invalid("scope", "\"scope\" must be one of [master, imap, smtp, pop3]");
    for (const char* ignored : {"sess", "ip"}) (void)in.string(ignored, 1024, true);
    if (!in.ok()) co_return in.error_response();
    if (call.principal.role != Role::root) co_return root_only();
    auto user = co_await call.store().find_user_by_login(*username);
    if (!user) {
        if (user.error().code == core::Errc::not_found) co_return auth_failed();
        co_return store_error(user.error(), Resource::user);
    }
    if (user->disabled) co_return auth_failed();
    // As WildDuck: the second factors the master scope would ask for (the caller runs its own login step).
    auto totp = co_await call.store().get_totp(user->id);
    if (!totp) co_return store_error(totp.error(), Resource::user);
    json fields = auth_fields(*user, scope, scope == "master" && totp->enabled);
    fields.erase("require2faEnabled");
    fields.erase("requirePasswordChange");
    co_return success(std::move(fields));
}

// Invalidates the token the request carries; without a user token nothing happens (as WildDuck).
core::Task<Response> logout(Call& call) {
    if (call.principal.role == Role::user && !call.principal.token_hash.empty()) {
        auto deleted = co_await call.store().delete_api_token(call.principal.token_hash);
        if (!deleted) co_return store_error(deleted.error(), Resource::user);
    }
    co_return success();
}

core::Task<Response> authenticated(Call& call) {
    if (call.principal.role == Role::root) co_return success({{"role", "root"}});
    auto user = co_await call.store().find_user(call.principal.user);
    if (!user) co_return store_error(user.error(), Resource::user);
    co_return success({{"role", "user"},
                       {"id", user->id},
                       {"username", user->username},
                       {"scope", "master"},
                       {"require2fa", require2fa(call.principal.needs_totp)}});
}

}  // namespace

void add_auth_routes(RouteTable& table) {
    table.add({"POST", "/authenticate", authenticate});
    table.add({"DELETE", "/authenticate", logout});
    table.add({"GET", "/authenticated", authenticated});
    table.add({"POST", "/preauth", preauth});
}

}  // namespace mallard::http::routes
