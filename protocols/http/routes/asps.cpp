// Application-specific passwords: GET/POST /users/:user/asps, GET/DELETE /users/:user/asps/:asp — WildDuck's
// parameters and fields (lib/api/asps.js). A new password is 16 lowercase letters, shown once in the POST
// response and stored as an argon2id hash with a lookup digest (protocols/auth/authenticator.h). Deleting
// one revokes it: the IMAP and POP3 sessions opened with it end at once, on every instance (through the bus:
// storage/notify/session_control.h), IDLE included.
#include <algorithm>

#include "protocols/auth/password.h"
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/security_support.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

constexpr std::size_t max_asps_per_user = 100;

// WildDuck shows "*" as every scope it stands for.
json scopes_json(const std::vector<std::string>& scopes) {
    if (std::find(scopes.begin(), scopes.end(), "*") != scopes.end()) return json::array({"imap", "pop3", "smtp"});
    return scopes;
}

json asp_json(const storage::AppPassword& a) {
    json out = {{"id", a.id},
                {"description", a.description},
                {"scopes", scopes_json(a.scopes)},
                {"lastUse", {{"time", false}, {"event", false}}},
                {"created", iso_time(a.created)}};
    out["expires"] = a.expires ? json(iso_time(*a.expires)) : json(false);
    return out;
}

Response asp_error(const core::Error& error) {
    if (error.code == core::Errc::not_found && error.detail.find("application password") != std::string::npos)
        return error_response(404, "AspNotFound", "Invalid or unknown ASP key");
    return store_error(error, Resource::user);
}

// `scopes`: a JSON array of strings, or one string (form bodies: "imap" or "imap,pop3"). Default ["*"].
std::vector<std::string> scopes_field(Input& in) {
    std::vector<std::string> scopes;
    auto it = in.values().find("scopes");
    if (it == in.values().end() || it->is_null()) return {"*"};
    auto add = [&](const std::string& text) {
        std::size_t start = 0;
        while (start <= text.size()) {
            std::size_t end = std::min(text.find(',', start), text.size());
            std::string s = text.substr(start, end - start);
            if (!s.empty()) scopes.push_back(s);
            start = end + 1;
        }
    };
    if (it->is_string()) add(it->get<std::string>());
    else if (it->is_array() && it->size() <= 8)
        for (const auto& v : *it) {
            if (v.is_string()) add(v.get<std::string>());
            else scopes.push_back("");  // reported below
        }
    else in.invalid("scopes", "\"scopes\" must be an array");
    for (const auto& s : scopes)
        if (!auth::valid_scope(s)) in.invalid("scopes", "\"scopes\" must be one of [imap, pop3, smtp, *]");
    if (scopes.empty()) in.invalid("scopes", "\"scopes\" must contain at least 1 items");
    if (std::find(scopes.begin(), scopes.end(), "*") != scopes.end()) return {"*"};
    std::sort(scopes.begin(), scopes.end());
    scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
    return scopes;
}

core::Task<Response> list_asps(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto listed = co_await call.store().list_app_passwords(user->id);
    if (!listed) co_return store_error(listed.error(), Resource::user);
    json results = json::array();
    for (const auto& a : *listed) results.push_back(asp_json(a));
    co_return success({{"results", results}});
}

core::Task<Response> create_asp(Call& call) {
    Input& in = call.input;
    auto description = in.string("description", 255);
    if (!description) in.invalid("description", "\"description\" is required");
    auto scopes = scopes_field(in);
    auto given = in.string("password", 64, true);
    if (given && !auth::looks_like_asp(*given))
        in.invalid("password", "\"password\" must be 16 lowercase latin letters");
    std::optional<storage::TimePoint> expires;
    if (auto text = in.string("expires", 64, true)) {
        expires = parse_iso_time(*text);
        if (!expires) in.invalid("expires", "\"expires\" must be a valid date");
        else if (*expires <= std::chrono::system_clock::now()) in.invalid("expires", "\"expires\" must be in the future");
    }
    if (!in.ok()) co_return in.error_response();
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto existing = co_await call.store().list_app_passwords(user->id);
    if (!existing) co_return store_error(existing.error(), Resource::user);
    if (existing->size() >= max_asps_per_user)
        co_return error_response(400, "TooManyAsps", "Too many application passwords for this user");

    std::optional<auth::Authenticator> fallback;
    const auth::Authenticator& authenticator = authenticator_of(call, fallback);
    const std::string password = given ? auth::normalize_asp(*given) : auth::generate_password(16);
    auth::HashJob job{password, authenticator.options().argon2};
    auto hashed = co_await call.context.pool.run(std::move(job));
    if (!hashed) co_return store_error(hashed.error(), Resource::user);
    storage::NewAppPassword asp{*description, scopes, std::move(*hashed), auth::asp_lookup(password), expires};
    auto created = co_await call.store().create_app_password(user->id, std::move(asp));
    if (!created) co_return store_error(created.error(), Resource::user);
    co_await record_security_event(call, user->id, "create asp", created->id, "success");
    json out = {{"id", created->id}, {"password", password}, {"name", user->username}, {"address", user->primary_address}};
    if (expires) out["expires"] = iso_time(*expires);
    co_return success(std::move(out));
}

core::Task<Response> get_asp(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto asp = co_await call.store().get_app_password(user->id, call.input.string("asp").value_or(""));
    if (!asp) co_return asp_error(asp.error());
    co_return success(asp_json(*asp));
}

core::Task<Response> delete_asp(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    const std::string id = call.input.string("asp").value_or("");
    auto removed = co_await call.store().delete_app_password(user->id, id);
    if (!removed) co_return asp_error(removed.error());
    // The sessions opened with it end, on every instance (storage/notify/session_control.h).
    if (call.context.bus)
        call.context.bus->end_sessions(
            storage::notify::SessionEvent{user->id, id, storage::notify::asp_revoked_reason});
    co_await record_security_event(call, user->id, "delete asp", id, "success");
    co_return success();
}

}  // namespace

void add_asp_routes(RouteTable& table) {
    table.add({"GET", "/users/:user/asps", list_asps});
    table.add({"POST", "/users/:user/asps", create_asp});
    table.add({"GET", "/users/:user/asps/:asp", get_asp});
    table.add({"DELETE", "/users/:user/asps/:asp", delete_asp});
}

}  // namespace mallard::http::routes
