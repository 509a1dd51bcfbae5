// The typed configuration the rest of Mallard sees. Loaded from config/default.toml (compiled in) with an
// optional override file merged on top; see config/loader.h and mallard.toml(5).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mallard::config {

enum class LogLevel { trace, debug, info, warn, error };

// One listening socket. `tls` means implicit TLS (993, 995); STARTTLS on plain ports is a protocol option.
struct Listener {
    bool enabled = true;
    std::string host;     // "0.0.0.0", "::", "127.0.0.1", ...
    std::uint16_t port = 0;  // the configured port; the effective one adds Server::port_offset
    bool tls = false;
    bool proxy_protocol = false;  // a PROXY v1/v2 header (from a load balancer) must open every connection
    friend bool operator==(const Listener&, const Listener&) = default;
};

struct ServerConfig {
    std::string hostname;             // shown in greetings and trace headers; empty = gethostname()
    unsigned workers = 0;             // reactor threads; 0 = one per core
    unsigned pool_threads = 0;        // thread pool for blocking work; 0 = automatic
    std::string data_dir = "data";    // embedded store, generated certificates; relative to the working dir
    std::uint16_t port_offset = 0;    // added to every listener port, for non-root runs
    std::chrono::seconds shutdown_grace{10};  // SIGTERM: time sessions get to finish
    friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

struct TlsConfig {
    std::string cert_file;            // PEM chain; empty = a self-signed certificate in data_dir/tls/
    std::string key_file;             // PEM private key
    std::string min_version = "TLSv1.2";  // or "TLSv1.3"
    std::string ciphers;              // OpenSSL cipher list for TLS <= 1.2; empty = OpenSSL's default
    friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

struct ImapConfig {
    Listener plain{true, "0.0.0.0", 143, false};   // STARTTLS
    Listener secure{true, "0.0.0.0", 993, true};   // implicit TLS
    bool starttls = true;
    bool login_disabled_without_tls = false;  // LOGINDISABLED on plaintext before STARTTLS
    std::chrono::seconds autologout{1800};   // RFC 3501: at least 30 minutes; IDLE allowed up to it
    std::chrono::seconds preauth_timeout{60};
    std::uint64_t max_line_bytes = 65536;
    std::uint64_t max_literal_bytes = 64ull << 20;
    bool compress = true;             // COMPRESS=DEFLATE
    std::chrono::seconds poll_interval{120};  // journal read without a bus announcement (other writers)
    std::uint32_t max_connections_per_user = 15;      // simultaneous sessions of one user; 0 = unlimited
    std::uint32_t max_connections_per_address = 500;  // from one IPv4 address or IPv6 /64; 0 = unlimited
    friend bool operator==(const ImapConfig&, const ImapConfig&) = default;
};

struct Pop3Config {
    Listener plain{true, "0.0.0.0", 110, false};   // STLS
    Listener secure{true, "0.0.0.0", 995, true};   // implicit TLS
    bool starttls = true;
    unsigned max_messages = 250;      // the maildrop is INBOX's newest N messages
    bool delete_to_trash = true;      // DELE moves to Trash; false = expunge
    std::chrono::seconds idle_timeout{600};
    std::uint64_t max_line_bytes = 1024;
    std::uint32_t max_connections_per_user = 3;       // simultaneous sessions of one user; 0 = unlimited
    std::uint32_t max_connections_per_address = 100;  // from one IPv4 address or IPv6 /64; 0 = unlimited
    friend bool operator==(const Pop3Config&, const Pop3Config&) = default;
};

struct LmtpConfig {
    Listener listener{true, "127.0.0.1", 24, false};  // [lmtp.listen]: no authentication, so loopback
    std::string unix_socket;          // optional path; empty = none
    std::uint64_t max_message_bytes = 64ull << 20;
    std::uint32_t max_recipients = 1000;
    std::chrono::seconds idle_timeout{300};
    // Upstream spam verdicts, "Header-Name: value prefix" each: a message with a matching field goes to \Junk.
    std::vector<std::string> spam_headers{"X-Spam-Flag: YES",          "X-Spam-Status: Yes",
                                          "X-Spam: Yes",               "Deliver-To: Junk",
                                          "X-Spamd-Result: default: True", "X-Rspamd-Action: add header",
                                          "X-Rspamd-Action: rewrite subject", "X-Rspamd-Action: reject"};
    friend bool operator==(const LmtpConfig&, const LmtpConfig&) = default;
};

struct HttpConfig {
    Listener listener{true, "127.0.0.1", 8080, false};  // [http.listen]
    std::string access_token;         // root token; empty = listen on loopback only
    std::uint64_t max_body_bytes = 64ull << 20;
    std::uint64_t max_header_bytes = 16384;
    std::chrono::seconds request_timeout{60};
    std::chrono::seconds idle_timeout{120};  // a keep-alive connection waiting for its next request
    std::uint64_t max_url_bytes = 8192;      // the request-target; longer: 414
    std::vector<std::string> cors_origins;  // empty = no CORS headers
    friend bool operator==(const HttpConfig&, const HttpConfig&) = default;
};

struct LimitsConfig {
    std::uint32_t max_connections = 200000;       // per process, all protocols
    std::uint64_t write_queue_bytes = 1ull << 20; // a client that does not read is suspended past this
    std::uint64_t default_quota_bytes = 1ull << 30; // for new users; 0 = unlimited
    friend bool operator==(const LimitsConfig&, const LimitsConfig&) = default;
};

// Account security (protocols/auth): password hashing, failed-login limits, the auth log, TOTP.
struct AuthConfig {
    std::uint32_t argon2_time_cost = 2;             // passes
    std::uint64_t argon2_memory_bytes = 19ull << 20; // 19 MiB (OWASP's minimum for argon2id)
    std::uint32_t argon2_parallelism = 1;
    std::uint32_t max_failures_per_user = 10;       // within failure_window; 0 = unlimited
    std::uint32_t max_failures_per_address = 30;    // from one IPv4 address or IPv6 /64; 0 = unlimited
    std::chrono::seconds failure_window{600};
    std::chrono::seconds authlog_keep{30 * 24 * 3600};
    std::string totp_issuer;                        // otpauth:// issuer; empty = server.hostname
    friend bool operator==(const AuthConfig&, const AuthConfig&) = default;
};

struct StorageConfig {
    std::string backend = "sqlite";   // or "mongodb"
    bool sqlite_sync_full = false;    // synchronous=FULL (survives power loss) instead of NORMAL
    unsigned sqlite_connections = 4;
    std::uint64_t attachment_min_bytes = 16384;  // leaf bodies above this are stored content-addressed
    friend bool operator==(const StorageConfig&, const StorageConfig&) = default;
};

struct RedisConfig {
    bool enabled = false;
    std::string host = "127.0.0.1";   // an IP address (hiredis resolves names blocking)
    std::uint16_t port = 6379;
    unsigned db = 0;
    std::string password;
    std::string channel_prefix = "mallard:";
    std::chrono::seconds reconnect_max{5};          // longest wait between reconnection attempts
    std::chrono::seconds outage_poll_interval{5};   // journal reads while the subscription is down
    std::chrono::seconds command_timeout{2};        // connecting and each command (counters, limits)
    std::chrono::seconds instance_timeout{15};      // a silent instance's sessions stop counting after this
    friend bool operator==(const RedisConfig&, const RedisConfig&) = default;
};

struct MongoConfig {
    std::string uri = "mongodb://127.0.0.1:27017";  // used when storage.backend = "mongodb"
    std::string database = "mallard";
    friend bool operator==(const MongoConfig&, const MongoConfig&) = default;
};

struct LogConfig {
    LogLevel level = LogLevel::info;
    std::string file;                 // empty = standard error
    friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

struct Config {
    ServerConfig server;
    TlsConfig tls;
    ImapConfig imap;
    Pop3Config pop3;
    LmtpConfig lmtp;
    HttpConfig http;
    LimitsConfig limits;
    AuthConfig auth;
    StorageConfig storage;
    RedisConfig redis;
    MongoConfig mongodb;
    LogConfig log;
    // Member-wise; lets a reload tell whether anything changed.
    friend bool operator==(const Config&, const Config&) = default;
};

// The port a listener actually binds: the configured one plus server.port_offset. Port 0 ("any free port")
// stays 0. load() rejects an enabled listener whose sum exceeds 65535; for a disabled one the result is clamped.
std::uint16_t effective_port(const Config& config, const Listener& listener);

}  // namespace mallard::config
