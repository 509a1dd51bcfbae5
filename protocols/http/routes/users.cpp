// Users: GET/POST /users, GET /users/resolve/:username, GET/PUT/DELETE /users/:user — WildDuck's parameters
// and response fields (lib/api/users.js). Fields the store has no data for get the value WildDuck shows for
// a user who never set them (empty lists, false, {}); fields WildDuck omits when unset are omitted.
#include <algorithm>
#include <chrono>
#include <ctime>

#include "protocols/auth/password.h"
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/security_support.h"
#include "protocols/http/routes/validate.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

json quota_json(const Options& options, const storage::User& user) {
    return {{"allowed", quota_allowed(options, user)}, {"used", user.quota_used_bytes}};
}

json listed_user(const Options& options, const storage::User& u) {
    return {{"id", u.id},
            {"username", u.username},
            {"address", u.primary_address},
            {"tags", json::array()},
            {"targets", json::array()},
            {"enabled2fa", json::array()},
            {"autoreply", false},
            {"encryptMessages", false},
            {"encryptForwarded", false},
            {"quota", quota_json(options, u)},
            {"hasPasswordSet", !u.password_hash.empty()},
            {"activated", true},
            {"disabled", u.disabled},
            {"suspended", false}};
}

// A per-period limit WildDuck counts in Redis; none is counted here yet: nothing used, no period running.
json period_limit(std::uint64_t allowed) { return {{"allowed", allowed}, {"used", 0}, {"ttl", false}}; }

json full_user(const Options& options, const storage::User& u) {
    json limits = {
        {"quota", quota_json(options, u)},
        {"recipients", period_limit(0)},
        {"forwards", period_limit(0)},
        {"received", period_limit(0)},
        {"filters", {{"allowed", 0}, {"used", 0}}},
        {"imapUpload", period_limit(0)},
        {"imapDownload", period_limit(0)},
        {"pop3Download", period_limit(0)},
        {"pop3MaxMessages", {{"allowed", options.pop3_max_messages}}},
        {"imapMaxConnections", {{"allowed", options.imap_max_connections}, {"used", 0}}},
    };
    return {{"id", u.id},
            {"username", u.username},
            {"address", u.primary_address},
            {"enabled2fa", json::array()},
            {"autoreply", false},
            {"encryptMessages", false},
            {"encryptForwarded", false},
            {"pubKey", ""},
            {"keyInfo", false},
            {"smimeCerts", json::array()},
            {"smimeCertInfo", json::array()},
            {"spamLevel", 50},
            {"metaData", json::object()},
            {"internalData", json::object()},
            {"targets", json::array()},
            {"limits", limits},
            {"tags", json::array()},
            {"fromWhitelist", json::array()},
            {"featureFlags", json::object()},
            {"disabledScopes", json::array()},
            {"hasPasswordSet", !u.password_hash.empty()},
            {"activated", true},
            {"disabled", u.disabled},
            {"suspended", false},
            {"passwordPwned", false},
            {"require2faEnabled", false},
            {"requirePasswordChange", false}};
}

// The `password` field: a string, or false / "" for "no password" (WildDuck's Joi: .allow(false, '')).
// Sets `present`; an invalid value is recorded on the input.
std::optional<std::string> password_field(Input& in, bool& present) {
    present = false;
    auto it = in.values().find("password");
    if (it == in.values().end() || it->is_null()) return std::nullopt;
    present = true;
    if (it->is_boolean() && !it->get<bool>()) return std::string{};
    auto text = in.string("password", 256);
    return text;
}

// The stored hash for a new password: hashed here, or given already hashed (argon2, or an imported bcrypt,
// SHA-crypt or PBKDF2 hash that protocols/auth verifies and upgrades at the next login). An empty password
// stays empty (no password login).
core::Task<core::Result<std::string>> password_hash(Call& call, std::string password, bool prehashed) {
    if (password.empty()) co_return std::string{};
    if (prehashed) {
        if (!auth::is_supported_hash(password))
            co_return core::Error(core::Errc::bad_input,
                                  "Unsupported password hash format: use argon2, bcrypt, sha-crypt or pbkdf2");
        co_return password;
    }
    std::optional<auth::Authenticator> fallback;
    // The configured cost ([auth] argon2_*), the same logins rehash with; on the pool.
    auth::HashJob job{std::move(password), authenticator_of(call, fallback).options().argon2};
    auto hashed = co_await call.context.pool.run(std::move(job));
    co_return hashed;
}

core::Task<Response> list_users(Call& call) {
    // The page comes from the store (by id, in the database): nothing here holds more than `limit` users.
    ListingRequest request = read_listing_request(call);
    if (!call.input.ok()) co_return call.input.error_response();
    storage::Page<storage::User> listed;
    // Users have no tags or forwarding targets yet: a filter on them matches nobody.
    if (!request.matches_nothing) {
        auto found = co_await call.store().list_users_page(request.store);
        if (!found) co_return store_error(found.error(), Resource::user);
        listed = std::move(*found);
    }
    json results = json::array();
    for (const storage::User& u : listed.items) results.push_back(listed_user(call.options(), u));
    co_return listing_response(request, listed, std::move(results));
}

core::Task<Response> create_user(Call& call) {
    Input& in = call.input;
    auto username = in.string("username", 128);
    if (!in.has("username")) in.invalid("username", "\"username\" is required");
    if (username) {
        *username = lowercase_ascii(*username);
        if (!valid_username(*username))
            in.invalid("username", "\"username\" with value \"" + *username + "\" fails to match the username pattern");
    }
    bool has_password = false;
    auto password = password_field(in, has_password);
    if (!has_password) in.invalid("password", "\"password\" is required");
    const bool prehashed = in.boolean("hashedPassword").value_or(false);
    auto address = in.string("address", 320);
    if (address && !valid_email(*address)) in.invalid("address", "\"address\" must be a valid email");
    const bool empty_address = in.boolean("emptyAddress").value_or(false);
    const std::uint64_t quota = in.number("quota").value_or(0);
    if (!in.ok()) co_return in.error_response();
    if (call.principal.role != Role::root)
        co_return error_response(403, "MissingPrivileges", "Not enough privileges");

    auto hash = co_await password_hash(call, password.value_or(""), prehashed);
    if (!hash) co_return store_error(hash.error(), Resource::user);
    storage::NewUser user;
    user.username = *username;
    user.password_hash = std::move(*hash);
    user.quota_limit_bytes = quota;
    // WildDuck generates the address when none is given: the username if it is one, else user@domain.
    if (address)
        user.primary_address = *address;
    else if (!empty_address)
        user.primary_address = user.username.find('@') != std::string::npos
                                   ? user.username
                                   : user.username + "@" + lowercase_ascii(call.options().hostname);
    auto created = co_await call.store().create_user(std::move(user));
    if (!created) {
        const bool address_taken = created.error().detail.find("address") != std::string::npos;
        co_return store_error(created.error(), address_taken ? Resource::address : Resource::user);
    }
    co_return success({{"id", created->id}});
}

core::Task<Response> resolve_user(Call& call) {
    auto username = call.input.string("username", 320);
    if (!call.input.ok()) co_return call.input.error_response();
    auto found = co_await call.store().find_user_by_login(lowercase_ascii(username.value_or("")));
    if (!found) co_return store_error(found.error(), Resource::user);
    if (!may_access(call.principal, found->id))
        co_return error_response(403, "MissingPrivileges", "Not enough privileges");
    co_return success({{"id", found->id}});
}

core::Task<Response> get_user(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    co_return success(full_user(call.options(), *user));
}

core::Task<Response> update_user(Call& call) {
    Input& in = call.input;
    bool has_password = false;
    auto password = password_field(in, has_password);
    const bool prehashed = in.boolean("hashedPassword").value_or(false);
    auto existing = in.string("existingPassword", 256, true);
    auto quota = in.number("quota");
    auto disabled = in.boolean("disabled");
    if (!in.ok()) co_return in.error_response();
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    storage::Store& store = call.store();

    if (existing) {
        auth::VerifyJob job{*existing, user->password_hash};
        auto verdict = co_await call.context.pool.run(std::move(job));
        if (verdict != auth::Verdict::match)
            co_return error_response(403, "AuthFailed", "Password verification failed");
    }
    if (has_password && password) {
        auto hash = co_await password_hash(call, std::move(*password), prehashed);
        if (!hash) co_return store_error(hash.error(), Resource::user);
        auto set = co_await store.set_password_hash(user->id, std::move(*hash));
        if (!set) co_return store_error(set.error(), Resource::user);
        // A new password ends every API session of the user (WildDuck bumps authVersion for the same end).
        auto ended = co_await store.delete_user_api_tokens(user->id);
        if (!ended) co_return store_error(ended.error(), Resource::user);
        co_await record_security_event(call, user->id, "password change", "", "success");
    }
    if (quota) {
        auto set = co_await store.set_quota_limit(user->id, *quota);
        if (!set) co_return store_error(set.error(), Resource::user);
    }
    if (disabled) {
        auto set = co_await store.set_disabled(user->id, *disabled);
        if (!set) co_return store_error(set.error(), Resource::user);
    }
    co_return success();
}

std::string iso_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return std::string(buf, n);
}

core::Task<Response> delete_user(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto addresses = co_await call.store().list_addresses(user->id);
    const std::size_t address_count = addresses ? addresses->size() : 0;
    auto deleted = co_await call.store().delete_user(user->id);
    if (!deleted) co_return store_error(deleted.error(), Resource::user);
    // WildDuck deletes messages in a background task; here everything is gone already, so the task is done.
    co_return success({{"code", "TaskScheduled"},
                       {"user", user->id},
                       {"addresses", {{"deleted", address_count}}},
                       {"deleteAfter", iso_now()}});
}

}  // namespace

void add_user_routes(RouteTable& table) {
    table.add({"GET", "/users", list_users});
    table.add({"POST", "/users", create_user});
    table.add({"GET", "/users/resolve/:username", resolve_user});
    table.add({"GET", "/users/:user", get_user});
    table.add({"PUT", "/users/:user", update_user});
    table.add({"DELETE", "/users/:user", delete_user});
}

}  // namespace mallard::http::routes
