// Addresses: GET/POST /users/:user/addresses, DELETE /users/:user/addresses/:address,
// GET /addresses/resolve/:address (WildDuck's lib/api/addresses.js).
//
// The store has no address ids, so an address's "id" is the address itself as it was added; the DELETE
// route takes it (percent-encoded in the path). Wildcard addresses ("*@example.com") are not supported yet.
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/validate.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

core::Task<Response> list_addresses(Call& call) {
    (void)call.input.boolean("metaData");
    (void)call.input.boolean("internalData");
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto addresses = co_await call.store().list_addresses(user->id);
    if (!addresses) co_return store_error(addresses.error(), Resource::address);
    json results = json::array();
    for (const storage::Address& a : *addresses) {
        // `name` is omitted (no identity names yet), as WildDuck omits an unset one; `created` is unknown.
        results.push_back({{"id", a.address},
                           {"address", a.address},
                           {"main", a.primary || a.address == user->primary_address},
                           {"tags", json::array()}});
    }
    co_return success({{"results", results}});
}

core::Task<Response> create_address(Call& call) {
    Input& in = call.input;
    auto address = in.string("address", 320);
    if (!in.has("address")) in.invalid("address", "\"address\" is required");
    const bool main = in.boolean("main").value_or(false);
    const bool allow_wildcard = in.boolean("allowWildcard").value_or(false);
    (void)in.string("name", 128, true);
    if (address && address->find('*') != std::string::npos) {
        in.invalid("address", allow_wildcard ? "Wildcard addresses are not supported yet"
                                             : "Invalid character in email address: *");
    } else if (address && !valid_email(*address)) {
        in.invalid("address", "\"address\" must be a valid email");
    }
    if (!in.ok()) co_return in.error_response();
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    // WildDuck makes the first address of a user without one its main address.
    const bool make_primary = main || user->primary_address.empty();
    auto added = co_await call.store().add_address(user->id, *address, make_primary);
    if (!added) co_return store_error(added.error(), Resource::address);
    co_return success({{"id", added->address}});
}

core::Task<Response> delete_address(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    const std::string id = call.input.string("address", 320).value_or("");
    auto addresses = co_await call.store().list_addresses(user->id);
    if (!addresses) co_return store_error(addresses.error(), Resource::address);
    const storage::Address* found = nullptr;
    for (const storage::Address& a : *addresses)
        if (lowercase_ascii(a.address) == lowercase_ascii(id)) found = &a;
    if (!found) co_return store_error(core::Error(core::Errc::not_found), Resource::address);
    if (found->primary || found->address == user->primary_address)
        co_return error_response(400, "NotPermitted", "Can not delete main address");
    auto removed = co_await call.store().remove_address(user->id, found->address);
    if (!removed) co_return store_error(removed.error(), Resource::address);
    co_return success();
}

core::Task<Response> resolve_address(Call& call) {
    const std::string address = call.input.string("address", 320).value_or("");
    if (!call.input.ok()) co_return call.input.error_response();
    auto resolved = co_await call.store().resolve_address(address);
    if (!resolved) {
        if (resolved.error().code == core::Errc::not_found)
            co_return error_response(404, "AddressNotFound", "Invalid or unknown address");
        co_return store_error(resolved.error(), Resource::address);
    }
    if (!may_access(call.principal, resolved->user))
        co_return error_response(403, "MissingPrivileges", "Not enough privileges");
    co_return success({{"id", resolved->address},
                       {"address", resolved->address},
                       {"user", resolved->user},
                       {"tags", json::array()}});
}

}  // namespace

void add_address_routes(RouteTable& table) {
    table.add({"GET", "/users/:user/addresses", list_addresses});
    table.add({"POST", "/users/:user/addresses", create_address});
    table.add({"DELETE", "/users/:user/addresses/:address", delete_address});
    table.add({"GET", "/addresses/resolve/:address", resolve_address});
}

}  // namespace mallard::http::routes
