// Shared route helpers (see route_support.h).
#include "protocols/http/routes/route_support.h"

#include <algorithm>

namespace mallard::http::routes {

using core::Errc;

Response store_error(const core::Error& error, Resource resource) {
    switch (error.code) {
        case Errc::not_found:
            switch (resource) {
                case Resource::user: return error_response(404, "UserNotFound", "This user does not exist");
                case Resource::mailbox: return error_response(404, "NoSuchMailbox", "This mailbox does not exist");
                case Resource::address:
                    return error_response(404, "AddressNotFound", "Invalid or unknown email address identifier");
            }
            break;
        case Errc::exists:
            switch (resource) {
                case Resource::user: return error_response(400, "UserExistsError", "This username already exists");
                case Resource::mailbox: return error_response(400, "MailboxExistsError", "Mailbox already exists");
                case Resource::address:
                    return error_response(400, "AddressExistsError", "This email address already exists");
            }
            break;
        case Errc::permission:
            if (resource == Resource::mailbox)
                return error_response(400, "DisallowedMailboxMethod",
                                      error.detail.empty() ? "Not allowed for this mailbox" : error.detail);
            return error_response(403, "MissingPrivileges", "Not enough privileges");
        case Errc::bad_input:
            return error_response(400, "InputValidationError", error.detail.empty() ? "Invalid input" : error.detail);
        case Errc::quota: return error_response(403, "OverQuotaError", "User is over quota");
        default: break;
    }
    return error_response(500, "InternalDatabaseError", "Database error: " + error.to_string());
}

Response success(nlohmann::json fields) {
    nlohmann::json body = nlohmann::json::object();
    body["success"] = true;
    for (auto& [key, value] : fields.items()) body[key] = std::move(value);
    return json_response(200, body);
}

core::Task<core::Result<storage::User>> load_user(Call& call, std::string id) {
    if (!may_access(call.principal, id)) co_return core::Error(Errc::permission, "not your account");
    auto user = co_await call.store().find_user(std::move(id));
    co_return user;
}

core::Task<core::Result<storage::Mailbox>> load_mailbox(Call& call, const storage::User& user) {
    const std::string id = call.input.string("mailbox").value_or("");
    if (id == "resolve") {
        auto by_path = co_await call.store().find_mailbox(user.id, call.input.string("path", 1024).value_or(""));
        co_return by_path;
    }
    auto box = co_await call.store().get_mailbox(id);
    if (box && box->user != user.id) co_return core::Error(Errc::not_found);
    co_return box;
}

std::optional<Cursor> read_cursor(Input& in) {
    std::optional<Cursor> cursor;
    for (const char* key : {"next", "previous"}) {
        auto text = in.string(key, 1024, true);
        if (!text) continue;
        cursor = decode_cursor(*text);
        if (!cursor || cursor->next != (key[0] == 'n')) {
            in.invalid(key, std::string("\"") + key + "\" must be a valid paging cursor");
            cursor.reset();
        }
    }
    return cursor;
}

ListingRequest read_listing_request(Call& call) {
    Input& in = call.input;
    ListingRequest r;
    auto query = in.string("query", 255, true);
    auto forward = in.string("forward", 255, true);
    auto tags = in.string("tags", 1024, true);
    auto required_tags = in.string("requiredTags", 1024, true);
    r.store.query = query.value_or("");
    r.store.limit = in.number("limit", 1, 250).value_or(20);
    r.page = in.number("page", 1).value_or(1);
    if (auto cursor = read_cursor(in)) (cursor->next ? r.store.after : r.store.before) = cursor->key;
    if (call.principal.role != Role::root) r.store.only_user = call.principal.user;
    r.matches_nothing = forward || tags || required_tags;
    return r;
}

PageWindow page_window(std::size_t count, const std::optional<Cursor>& cursor, std::size_t boundary,
                       std::size_t limit) {
    boundary = std::min(boundary, count);
    if (cursor && cursor->next) return {boundary, boundary + std::min(limit, count - boundary)};
    if (cursor) return {boundary - std::min(limit, boundary), boundary};
    return {0, std::min(limit, count)};
}

std::uint64_t quota_allowed(const Options& options, const storage::User& user) {
    return user.quota_limit_bytes ? user.quota_limit_bytes : options.default_quota_bytes;
}

}  // namespace mallard::http::routes
