// The API's route table: one add_*_routes() per resource file, all registered by add_api_routes().
// Adding a route is one handler in its resource's file plus one row there.
#pragma once

#include "protocols/http/router.h"

namespace mallard::http {

struct Call;
struct Response;

void add_api_routes(RouteTable& table);

namespace routes {
void add_user_routes(RouteTable& table);       // users.cpp
void add_address_routes(RouteTable& table);    // addresses.cpp
void add_mailbox_routes(RouteTable& table);    // mailboxes.cpp
void add_message_routes(RouteTable& table);    // messages.cpp
void add_search_routes(RouteTable& table);     // search.cpp
void add_filter_routes(RouteTable& table);     // filters.cpp
void add_health_routes(RouteTable& table);     // health.cpp
void add_auth_routes(RouteTable& table);       // auth.cpp
void add_update_routes(RouteTable& table);     // updates.cpp
void add_asp_routes(RouteTable& table);        // asps.cpp
void add_two_factor_routes(RouteTable& table); // two_factor.cpp
void add_authlog_routes(RouteTable& table);    // authlog.cpp
void add_logout_routes(RouteTable& table);     // logout.cpp
void add_quota_reset_routes(RouteTable& table); // quota_reset.cpp
}  // namespace routes

}  // namespace mallard::http
