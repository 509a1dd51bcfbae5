// TOTP two-factor authentication (RFC 6238): POST /users/:user/2fa/totp/setup, POST .../enable,
// POST .../check, DELETE /users/:user/2fa/totp and DELETE /users/:user/2fa — WildDuck's routes
// (lib/api/2fa/totp.js). Setup stores a fresh secret, not yet enabled, and returns it with its otpauth://
// URL, and the URL as a QR code (`qrcode`, a PNG data URL, qr_png.h; absent in a build without libqrencode
// and for a label and issuer too long to fit a QR symbol);
// enable confirms it with a code; check verifies a code. A code is accepted within one step either side of now
// and never twice (the store's claim_totp_step), and failed checks count towards the user's failed-login
// limit: over it the answer is 429 with Retry-After, the code unchecked.
//
// A check made with a user token that waits for its second factor (POST /authenticate of a user with TOTP on:
// ApiToken::needs_totp) clears the wait: from then on the token reaches the user's other routes (dispatch.cpp).
#include "protocols/auth/qr_png.h"
#include "protocols/auth/totp.h"
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/security_support.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

Response too_many(std::chrono::seconds retry_after) {
    Response r = error_response(429, "RateLimitedError", "Too many failed attempts, try again later");
    r.set_header("Retry-After", std::to_string(retry_after.count()));
    return r;
}

// Choosing the QR mask and deflating the PNG take milliseconds (a long label or issuer makes a large symbol):
// on the pool, not the loop. nullopt without libqrencode or when the URL is too long for a QR code.
struct QrJob {
    std::string url;
    std::optional<std::string> operator()() const { return auth::qr_data_url(url); }
};

// The failure key of TOTP checks: the user's id, apart from login names.
std::string totp_key(const storage::User& user) { return "totp:" + user.id; }

// Checks `token` against the user's secret: 200 path returns nullopt; otherwise the response to send.
core::Task<std::optional<Response>> verify_code(Call& call, const storage::User& user, const storage::TotpState& state,
                                                std::string token, std::string action) {
    std::optional<auth::Authenticator> fallback;
    const auth::Authenticator& authenticator = authenticator_of(call, fallback);
    const std::string ip = call.input.string("ip", 64, true).value_or("");
    auto wait = co_await authenticator.blocked(totp_key(user), ip);
    if (wait) co_return too_many(*wait);
    auto secret = auth::base32_decode(state.secret);
    std::optional<std::int64_t> step;
    if (secret) step = auth::match_totp(*secret, token, auth::totp_step_now(), 1);
    bool fresh = false;
    if (step) {
        auto claimed = co_await call.store().claim_totp_step(user.id, *step);
        if (!claimed) co_return store_error(claimed.error(), Resource::user);
        fresh = *claimed;  // false: this code (or a later one) was used already
    }
    if (!fresh) {
        co_await authenticator.record_failure(totp_key(user), ip);
        co_await record_security_event(call, user.id, action, "", "fail");
        co_return error_response(403, "InvalidToken", "Failed to validate TOTP");
    }
    co_return std::nullopt;
}

core::Task<Response> setup_totp(Call& call) {
    Input& in = call.input;
    auto label = in.string("label", 255, true);
    auto issuer = in.string("issuer", 255, true);
    const bool fresh = in.boolean("fresh").value_or(false);
    if (!in.ok()) co_return in.error_response();
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto state = co_await call.store().get_totp(user->id);
    if (!state) co_return store_error(state.error(), Resource::user);
    if (state->enabled && !fresh)
        co_return error_response(400, "TotpEnabled", "TOTP 2FA is already enabled for this user");
    std::optional<auth::Authenticator> fallback;
    const auth::Authenticator& authenticator = authenticator_of(call, fallback);
    // With `fresh` an enabled set-up is replaced: 2FA stays off until the new secret is enabled.
    storage::TotpState pending{auth::generate_totp_secret(), false, 0};
    auto saved = co_await call.store().set_totp(user->id, pending);
    if (!saved) co_return store_error(saved.error(), Resource::user);
    const std::string account = label.value_or(user->primary_address.empty() ? user->username : user->primary_address);
    const std::string url =
        auth::otpauth_url(issuer.value_or(authenticator.options().totp_issuer), account, pending.secret);
    json fields = {{"seed", pending.secret}, {"otpauth", url}};
    QrJob job{url};
    auto qrcode = co_await call.context.pool.run(std::move(job));
    if (qrcode) fields["qrcode"] = std::move(*qrcode);
    co_return success(std::move(fields));
}

core::Task<Response> enable_totp(Call& call) {
    auto token = call.input.string("token", 16);
    if (!token) call.input.invalid("token", "\"token\" is required");
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto state = co_await call.store().get_totp(user->id);
    if (!state) co_return store_error(state.error(), Resource::user);
    if (state->secret.empty()) co_return error_response(400, "TotpNotInitialized", "TOTP 2FA is not initialized");
    if (state->enabled) co_return error_response(400, "TotpEnabled", "TOTP 2FA is already enabled for this user");
    auto refused = co_await verify_code(call, *user, *state, *token, "enable 2fa totp");
    if (refused) co_return std::move(*refused);
    auto current = co_await call.store().get_totp(user->id);  // keeps the step just claimed
    if (!current) co_return store_error(current.error(), Resource::user);
    current->enabled = true;
    auto saved = co_await call.store().set_totp(user->id, *current);
    if (!saved) co_return store_error(saved.error(), Resource::user);
    co_await record_security_event(call, user->id, "enable 2fa totp", "", "success");
    co_return success();
}

core::Task<Response> check_totp(Call& call) {
    auto token = call.input.string("token", 16);
    if (!token) call.input.invalid("token", "\"token\" is required");
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto state = co_await call.store().get_totp(user->id);
    if (!state) co_return store_error(state.error(), Resource::user);
    if (!state->enabled) co_return error_response(400, "TotpDisabled", "TOTP 2FA is not enabled for this user");
    auto refused = co_await verify_code(call, *user, *state, *token, "check 2fa totp");
    if (refused) co_return std::move(*refused);
    if (call.principal.role == Role::user && call.principal.needs_totp) {
        // dispatch only lets such a token reach its own user's check, so the token and the code agree.
        auto confirmed = co_await call.store().confirm_api_token_totp(call.principal.token_hash);
        if (!confirmed) co_return store_error(confirmed.error(), Resource::user);
    }
    co_await record_security_event(call, user->id, "check 2fa totp", "", "success");
    co_return success();
}

core::Task<Response> disable(Call& call, std::string action) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    storage::TotpState off;  // named: a braced temporary in a co_await is destroyed twice by g++ 12
    auto saved = co_await call.store().set_totp(user->id, std::move(off));
    if (!saved) co_return store_error(saved.error(), Resource::user);
    co_await record_security_event(call, user->id, std::move(action), "", "success");
    co_return success();
}

core::Task<Response> disable_totp(Call& call) {
    auto done = co_await disable(call, "disable 2fa totp");
    co_return done;
}

core::Task<Response> disable_2fa(Call& call) {
    auto done = co_await disable(call, "disable 2fa");
    co_return done;
}

}  // namespace

void add_two_factor_routes(RouteTable& table) {
    table.add({"POST", "/users/:user/2fa/totp/setup", setup_totp});
    table.add({"POST", "/users/:user/2fa/totp/enable", enable_totp});
    table.add({"POST", "/users/:user/2fa/totp/check", check_totp});
    table.add({"DELETE", "/users/:user/2fa/totp", disable_totp});
    table.add({"DELETE", "/users/:user/2fa", disable_2fa});
}

}  // namespace mallard::http::routes
