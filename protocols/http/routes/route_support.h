// What every API route file shares: WildDuck's error codes for store failures, the success envelope, and
// loading the user a path names (with the caller's right to it checked).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/task.h"
#include "protocols/http/context.h"
#include "protocols/http/response.h"
#include "protocols/http/routes/validate.h"
#include "storage/types.h"

namespace mallard::http::routes {

// Which resource a store error is about: not_found is UserNotFound, NoSuchMailbox or AddressNotFound.
enum class Resource { user, mailbox, address };

// Maps a store Error to WildDuck's status and code (docs/api-error-codes.md in WildDuck):
// not_found 404, exists 400 (UserExistsError, MailboxExistsError, AddressExistsError), permission 400
// DisallowedMailboxMethod for mailboxes and 403 MissingPrivileges otherwise, bad_input 400
// InputValidationError, quota 403 OverQuotaError, anything else 500 InternalDatabaseError.
Response store_error(const core::Error& error, Resource resource);

// 200 {"success": true, ...fields}.
Response success(nlohmann::json fields = nlohmann::json::object());

// The user named by the path: permission (a user token for someone else) or not_found.
core::Task<core::Result<storage::User>> load_user(Call& call, std::string id);

// The mailbox the path's `mailbox` names, if it belongs to `user`; "resolve" takes the `path` parameter.
core::Task<core::Result<storage::Mailbox>> load_mailbox(Call& call, const storage::User& user);

// The `next` / `previous` paging cursor of a listing (one of them), invalid ones recorded on the input.
std::optional<Cursor> read_cursor(Input& in);

// GET /users and GET /addresses: WildDuck's listing parameters (query, forward, tags, requiredTags, limit,
// page, next/previous) as a page request to the store. A user token lists only its own user's entries. The
// caller answers in.error_response() when the input isn't ok.
struct ListingRequest {
    storage::PageRequest store;
    std::uint64_t page = 1;
    bool matches_nothing = false;  // a forward or tags filter: nothing carries those yet
};
ListingRequest read_listing_request(Call& call);

// The listing's answer: query, total, page, the previous/next cursors from the page's keys, and the results.
template <class T>
Response listing_response(const ListingRequest& request, const storage::Page<T>& listed, nlohmann::json results) {
    nlohmann::json previous =
        listed.more_before ? nlohmann::json(encode_cursor({false, listed.keys.front()})) : nlohmann::json(false);
    nlohmann::json next =
        listed.more_after ? nlohmann::json(encode_cursor({true, listed.keys.back()})) : nlohmann::json(false);
    return success({{"query", request.store.query},
                    {"total", listed.total},
                    {"page", request.page},
                    {"previousCursor", previous},
                    {"nextCursor", next},
                    {"results", std::move(results)}});
}

// One page of a listing of `count` items: [first, last). For a `next` cursor `boundary` is how many items are
// listed up to and including the cursor's key; for a `previous` cursor, how many are listed before it.
struct PageWindow {
    std::size_t first = 0;
    std::size_t last = 0;
};
PageWindow page_window(std::size_t count, const std::optional<Cursor>& cursor, std::size_t boundary,
                       std::size_t limit);

// The user's quota as WildDuck shows it: its own limit, else the server default.
std::uint64_t quota_allowed(const Options& options, const storage::User& user);

}  // namespace mallard::http::routes
