// PUT /users/:user/logout — WildDuck's logoutUser (lib/api/users.js): ends the user's IMAP and POP3 sessions
// on every instance, each told `reason` (IMAP "* BYE <reason>", POP3 "-ERR [SYS/TEMP] <reason>"). The event
// goes through the bus (storage/notify/session_control.h); the answer doesn't wait for the sessions to close.
// As in WildDuck: `reason` is at most 128 characters, empty means the default text, and a user token may log
// out its own user (readOwn), root anyone.
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "storage/notify/session_control.h"

namespace mallard::http::routes {

namespace {

constexpr std::size_t max_reason_length = 128;  // WildDuck: Joi.string().max(128)

core::Task<Response> logout_user(Call& call) {
    auto reason = call.input.string("reason", max_reason_length, true);
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    if (call.context.bus) {
        call.context.bus->end_sessions(storage::notify::SessionEvent{
            user->id, "", reason.value_or(storage::notify::default_logout_reason)});
    }
    co_return success();
}

}  // namespace

void add_logout_routes(RouteTable& table) { table.add({"PUT", "/users/:user/logout", logout_user}); }

}  // namespace mallard::http::routes
