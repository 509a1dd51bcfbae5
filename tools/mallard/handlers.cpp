#include "tools/mallard/handlers.h"

#include "core/log.h"
#include "protocols/http/session.h"
#include "protocols/imap/session.h"
#include "protocols/lmtp/session.h"
#include "protocols/pop3/session.h"

namespace mallard::server {

auth::AuthOptions auth_options(const config::Config& config) {
    const config::AuthConfig& cfg = config.auth;
    auth::AuthOptions options;
    options.argon2 = {cfg.argon2_time_cost, static_cast<std::uint32_t>(cfg.argon2_memory_bytes / 1024),
                      cfg.argon2_parallelism};
    options.limits = {cfg.max_failures_per_user, cfg.max_failures_per_address, cfg.failure_window};
    options.authlog_keep = cfg.authlog_keep;
    options.totp_issuer = cfg.totp_issuer.empty() ? config.server.hostname : cfg.totp_issuer;
    return options;
}

core::ConnectionHandler imap_handler(Services& services) {
    const config::ImapConfig& cfg = services.config.imap;
    imap::Options options;
    options.hostname = services.config.server.hostname;
    options.starttls = cfg.starttls;
    options.login_disabled_without_tls = cfg.login_disabled_without_tls;
    options.compress = cfg.compress;
    options.preauth_timeout = cfg.preauth_timeout;
    options.autologout = cfg.autologout;
    options.poll_interval = cfg.poll_interval;
    options.limits.max_line_bytes = static_cast<std::size_t>(cfg.max_line_bytes);
    options.limits.max_append_bytes = cfg.max_literal_bytes;
    options.append_limit = cfg.max_literal_bytes;
    auto context = std::make_shared<const imap::Context>(imap::Context{
        std::move(options), services.store, services.pool, services.tls, &services.bus, &services.imap_limits,
        &services.authenticator});
    return [context](std::unique_ptr<core::net::Connection> c) { return imap::serve(std::move(c), context); };
}

core::ConnectionHandler pop3_handler(Services& services) {
    const config::Pop3Config& cfg = services.config.pop3;
    pop3::Options options;
    options.hostname = services.config.server.hostname;
    options.max_messages = cfg.max_messages;
    options.delete_to_trash = cfg.delete_to_trash;
    options.starttls = cfg.starttls;
    options.idle_timeout = cfg.idle_timeout;
    options.max_line_bytes = static_cast<std::size_t>(cfg.max_line_bytes);
    auto context = std::make_shared<const pop3::Context>(
        pop3::Context{std::move(options), services.store, services.pool, services.tls, &services.pop3_limits,
                      &services.authenticator, &services.bus});
    return [context](std::unique_ptr<core::net::Connection> c) { return pop3::serve(std::move(c), context); };
}

core::ConnectionHandler lmtp_handler(Services& services) {
    lmtp::SessionOptions options;
    options.hostname = services.config.server.hostname;
    options.max_message_bytes = services.config.lmtp.max_message_bytes;
    options.max_recipients = services.config.lmtp.max_recipients;
    options.idle_timeout = services.config.lmtp.idle_timeout;
    options.pool = &services.pool;
    // The loader checked every rule's syntax, so this can only fail if the two checks ever disagree.
    auto rules = lmtp::parse_spam_rules(services.config.lmtp.spam_headers);
    if (rules) options.spam_rules = std::move(*rules);
    else MLOG(error) << "lmtp.spam_headers: " << rules.error().detail << ": spam verdicts are off";
    storage::Store* store = &services.store;
    return [options, store](std::unique_ptr<core::net::Connection> c) {
        return lmtp::serve(std::move(c), *store, options);
    };
}

core::ConnectionHandler http_handler(Services& services) {
    const config::HttpConfig& cfg = services.config.http;
    http::Options options;
    options.hostname = services.config.server.hostname;
    options.limits.max_url_bytes = static_cast<std::size_t>(cfg.max_url_bytes);
    options.limits.max_header_bytes = static_cast<std::size_t>(cfg.max_header_bytes);
    options.limits.max_body_bytes = static_cast<std::size_t>(cfg.max_body_bytes);
    options.request_timeout = cfg.request_timeout;
    options.idle_timeout = cfg.idle_timeout;
    options.access.root_token = cfg.access_token;
    options.cors_origins = cfg.cors_origins;
    options.default_quota_bytes = services.config.limits.default_quota_bytes;
    options.pop3_max_messages = services.config.pop3.max_messages;
    options.imap_max_connections = services.config.imap.max_connections_per_user;
    if (cfg.access_token.empty() && cfg.listener.enabled)
        MLOG(warn) << "http: no access_token configured: the API answers only clients on loopback";
    std::shared_ptr<http::Context> made =
        http::make_context(std::move(options), services.store, services.pool, &services.bus);
    made->authenticator = &services.authenticator;
    std::shared_ptr<const http::Context> context = std::move(made);
    return [context](std::unique_ptr<core::net::Connection> c) { return http::serve(std::move(c), context); };
}

}  // namespace mallard::server
