// Every API route, by resource.
#include "protocols/http/routes/api_routes.h"

namespace mallard::http {

void add_api_routes(RouteTable& table) {
    routes::add_user_routes(table);
    routes::add_address_routes(table);
    routes::add_mailbox_routes(table);
    routes::add_message_routes(table);
    routes::add_search_routes(table);
    routes::add_filter_routes(table);
    routes::add_health_routes(table);
    routes::add_auth_routes(table);
    routes::add_update_routes(table);
    routes::add_asp_routes(table);
    routes::add_two_factor_routes(table);
    routes::add_authlog_routes(table);
    routes::add_logout_routes(table);
    routes::add_quota_reset_routes(table);
}

}  // namespace mallard::http
