// Shared route helpers (see route_support.h).
#include "protocols/http/routes/route_support.h"

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

std::uint64_t quota_allowed(const Options& options, const storage::User& user) {
    return user.quota_limit_bytes ? user.quota_limit_bytes : options.default_quota_bytes;
}

}  // namespace mallard::http::routes
