// Authentication: POST /authenticate, DELETE /authenticate, POST /preauth (WildDuck's lib/api/auth.js) and
// GET /authenticated (who the caller's token stands for).
//
// /authenticate and /preauth are for the application in front of the API (webmail): they need the root token,
// as WildDuck's role table grants them to root only. `token: true` (scope master only) issues a user token
// (tokens.h); with it the application acts as that user, and only on that user's /users/:user routes ("me"
// works too). A failed login is 403 AuthFailed whether the user is unknown, disabled or the password wrong, so
// the answer does not tell which (WildDuck answers the same way). No 2FA exists yet: require2fa is false.
#include "protocols/auth/password.h"
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/tokens.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

Response auth_failed() { return error_response(403, "AuthFailed", "Authentication failed"); }

Response root_only() { return error_response(403, "MissingPrivileges", "Not enough privileges"); }

// Argon2 costs tens of milliseconds: on the pool, never the loop.
struct VerifyJob {
    std::string password;
    std::string hash;
    auth::Verdict operator()() const { return auth::verify_password(password, hash); }
};

// WildDuck's scopes; a token is only for the master scope.
bool valid_scope(const std::string& scope) {
    return scope == "master" || scope == "imap" || scope == "smtp" || scope == "pop3";
}

json auth_fields(const storage::User& user, const std::string& scope) {
    return {{"id", user.id},
            {"username", user.username},
            {"address", user.primary_address},
            {"scope", scope},
            {"require2fa", false},
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
    for (const char* ignored : {"protocol", "sess", "ip", "appId"}) (void)in.string(ignored, 1024, true);
    if (!in.ok()) co_return in.error_response();
    if (call.principal.role != Role::root) co_return root_only();

    auto user = co_await call.store().find_user_by_login(*username);
    if (!user) {
        if (user.error().code == core::Errc::not_found) co_return auth_failed();
        co_return store_error(user.error(), Resource::user);
    }
    if (user->disabled || user->password_hash.empty()) co_return auth_failed();
    VerifyJob job{std::move(*password), user->password_hash};
    auto verdict = co_await call.context.pool.run(std::move(job));
    if (verdict != auth::Verdict::match) co_return auth_failed();
    json fields = auth_fields(*user, scope);
    if (want_token) {
        auto token = co_await issue_token(call.store(), user->id, call.options().tokens);
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
    json fields = auth_fields(*user, scope);
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
    co_return success({{"role", "user"}, {"id", user->id}, {"username", user->username}, {"scope", "master"}});
}

}  // namespace

void add_auth_routes(RouteTable& table) {
    table.add({"POST", "/authenticate", authenticate});
    table.add({"DELETE", "/authenticate", logout});
    table.add({"GET", "/authenticated", authenticated});
    table.add({"POST", "/preauth", preauth});
}

}  // namespace mallard::http::routes
