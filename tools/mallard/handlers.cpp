#include "tools/mallard/handlers.h"

#include "tools/mallard/placeholder_handlers.h"

namespace mallard::server {

core::ConnectionHandler imap_handler(Services& services) {
    std::string host = services.config.server.hostname;
    return [host](std::unique_ptr<core::net::Connection> c) { return imap_unavailable(std::move(c), host); };
}

core::ConnectionHandler pop3_handler(Services& services) {
    std::string host = services.config.server.hostname;
    return [host](std::unique_ptr<core::net::Connection> c) { return pop3_unavailable(std::move(c), host); };
}

core::ConnectionHandler lmtp_handler(Services& services) {
    std::string host = services.config.server.hostname;
    return [host](std::unique_ptr<core::net::Connection> c) { return lmtp_unavailable(std::move(c), host); };
}

core::ConnectionHandler http_handler(Services& services) {
    std::string host = services.config.server.hostname;
    return [host](std::unique_ptr<core::net::Connection> c) { return http_unavailable(std::move(c), host); };
}

}  // namespace mallard::server
