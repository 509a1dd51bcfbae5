// Addresses: GET /addresses, GET/POST /users/:user/addresses, GET/PUT/DELETE /users/:user/addresses/:address,
// GET /addresses/resolve/:address (WildDuck's lib/api/addresses.js).
//
// An address has its own id (Store Address::id), which every :address / :id path parameter accepts, as
// WildDuck's does; the address itself is accepted too (either IDN form), as WildDuck's resolve route allows.
// Addresses are stored and shown as WildDuck's normalizeAddress keeps them: the local part lower-cased, the
// domain in Unicode (storage/address_normalize.h). Wildcard addresses ("*@example.com") are not supported
// yet; nor are names, tags and forwarded addresses (shown as WildDuck shows an address without them).
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/message_view.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/validate.h"
#include "storage/address_normalize.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

// An :address parameter names an address when it has an '@', else an id.
bool names_address(const std::string& selector) { return selector.find('@') != std::string::npos; }

bool same_address(const storage::Address& a, const std::string& selector) {
    if (!names_address(selector)) return a.id == selector;
    auto wanted = storage::normalize_address(selector);
    auto stored = storage::normalize_address(a.address);
    return wanted && stored && wanted->key() == stored->key() && wanted->label.empty();
}

bool is_main(const storage::Address& a, const storage::User& user) {
    return a.primary || a.address == user.primary_address;
}

// The user's address the path names: not_found when it is someone else's or nobody's.
core::Task<core::Result<storage::Address>> user_address(Call& call, const storage::User& user, std::string selector) {
    auto addresses = co_await call.store().list_addresses(user.id);
    if (!addresses) co_return addresses.take_error();
    for (storage::Address& a : *addresses)
        if (same_address(a, selector)) co_return std::move(a);
    co_return core::Error(core::Errc::not_found, "no such address");
}

json user_address_json(const storage::Address& a, const storage::User& user) {
    // `name` is omitted (no identity names yet), as WildDuck omits an unset one.
    return {{"id", a.id},
            {"address", a.address},
            {"main", is_main(a, user)},
            {"tags", json::array()},
            {"created", iso_time(a.created)}};
}

core::Task<Response> list_all_addresses(Call& call) {
    ListingRequest request = read_listing_request(call);
    (void)call.input.boolean("metaData");
    (void)call.input.boolean("internalData");
    if (!call.input.ok()) co_return call.input.error_response();

    // One page from the store, by the addresses' lookup keys (WildDuck pages on `addrview`).
    storage::Page<storage::Address> listed;
    // No address has tags or forwarding targets yet: a filter on them matches nothing.
    if (!request.matches_nothing) {
        auto found = co_await call.store().list_addresses_page(request.store);
        if (!found) co_return store_error(found.error(), Resource::address);
        listed = std::move(*found);
    }
    json results = json::array();
    for (const storage::Address& a : listed.items)
        results.push_back({{"id", a.id},
                           {"address", a.address},
                           {"user", a.user},
                           {"forwarded", false},
                           {"forwardedDisabled", false},
                           {"tags", json::array()}});
    co_return listing_response(request, listed, std::move(results));
}

core::Task<Response> list_addresses(Call& call) {
    (void)call.input.boolean("metaData");
    (void)call.input.boolean("internalData");
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto addresses = co_await call.store().list_addresses(user->id);
    if (!addresses) co_return store_error(addresses.error(), Resource::address);
    json results = json::array();
    for (const storage::Address& a : *addresses) results.push_back(user_address_json(a, *user));
    co_return success({{"results", results}});
}

// "address": a valid address without '*' (wildcards are not supported yet) — shared by POST and PUT.
void check_address(Input& in, const std::optional<std::string>& address, bool allow_wildcard) {
    if (address && address->find('*') != std::string::npos) {
        in.invalid("address", allow_wildcard ? "Wildcard addresses are not supported yet"
                                             : "Invalid character in email address: *");
    } else if (address && !valid_email(*address)) {
        in.invalid("address", "\"address\" must be a valid email");
    }
}

core::Task<Response> create_address(Call& call) {
    Input& in = call.input;
    auto address = in.string("address", 320);
    if (!in.has("address")) in.invalid("address", "\"address\" is required");
    const bool main = in.boolean("main").value_or(false);
    const bool allow_wildcard = in.boolean("allowWildcard").value_or(false);
    (void)in.string("name", 128, true);
    check_address(in, address, allow_wildcard);
    if (!in.ok()) co_return in.error_response();
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    // WildDuck makes the first address of a user without one its main address.
    const bool make_primary = main || user->primary_address.empty();
    auto added = co_await call.store().add_address(user->id, *address, make_primary);
    if (!added) co_return store_error(added.error(), Resource::address);
    co_return success({{"id", added->id}});
}

core::Task<Response> get_address(Call& call) {
    const std::string selector = call.input.string("address", 320).value_or("");
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto found = co_await user_address(call, *user, selector);
    if (!found) co_return store_error(found.error(), Resource::address);
    co_return success(user_address_json(*found, *user));
}

// WildDuck's PUT /users/:user/addresses/:id: `address` renames, `main: true` makes it the main address.
core::Task<Response> update_address(Call& call) {
    Input& in = call.input;
    const std::string selector = in.string("id", 320).value_or("");
    auto address = in.string("address", 320, true);
    auto main = in.boolean("main");
    (void)in.string("name", 128, true);
    check_address(in, address, false);
    if (!in.ok()) co_return in.error_response();
    if (main && !*main) co_return error_response(400, "InputValidationError", "Cannot unset main status");
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto found = co_await user_address(call, *user, selector);
    if (!found) co_return store_error(found.error(), Resource::address);
    if (!address && !main) co_return success();
    auto updated = co_await call.store().update_address(user->id, found->id, address, main.value_or(false));
    if (!updated) co_return store_error(updated.error(), Resource::address);
    co_return success();
}

core::Task<Response> delete_address(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto found = co_await user_address(call, *user, call.input.string("address", 320).value_or(""));
    if (!found) co_return store_error(found.error(), Resource::address);
    if (is_main(*found, *user)) co_return error_response(400, "NotPermitted", "Can not delete main address");
    auto removed = co_await call.store().remove_address(user->id, found->address);
    if (!removed) co_return store_error(removed.error(), Resource::address);
    co_return success();
}

core::Task<Response> resolve_address(Call& call) {
    const std::string selector = call.input.string("address", 320).value_or("");
    if (!call.input.ok()) co_return call.input.error_response();
    storage::Address found;
    if (names_address(selector)) {
        auto resolved = co_await call.store().resolve_address(selector);
        if (!resolved) {
            if (resolved.error().code == core::Errc::not_found || resolved.error().code == core::Errc::bad_input)
                co_return error_response(404, "AddressNotFound", "Invalid or unknown address");
            co_return store_error(resolved.error(), Resource::address);
        }
        auto by_id = co_await call.store().get_address(resolved->id);
        if (!by_id) co_return store_error(by_id.error(), Resource::address);
        found = std::move(*by_id);
    } else {
        auto by_id = co_await call.store().get_address(selector);
        if (!by_id) {
            if (by_id.error().code == core::Errc::not_found)
                co_return error_response(404, "AddressNotFound", "Invalid or unknown address");
            co_return store_error(by_id.error(), Resource::address);
        }
        found = std::move(*by_id);
    }
    if (!may_access(call.principal, found.user))
        co_return error_response(403, "MissingPrivileges", "Not enough privileges");
    co_return success({{"id", found.id},
                       {"address", found.address},
                       {"user", found.user},
                       {"tags", json::array()},
                       {"created", iso_time(found.created)}});
}

}  // namespace

void add_address_routes(RouteTable& table) {
    table.add({"GET", "/addresses", list_all_addresses});
    table.add({"GET", "/users/:user/addresses", list_addresses});
    table.add({"POST", "/users/:user/addresses", create_address});
    table.add({"GET", "/users/:user/addresses/:address", get_address});
    table.add({"PUT", "/users/:user/addresses/:id", update_address});
    table.add({"DELETE", "/users/:user/addresses/:address", delete_address});
    table.add({"GET", "/addresses/resolve/:address", resolve_address});
}

}  // namespace mallard::http::routes
