// Authentication shared by IMAP, POP3 and the HTTP API: one place decides whether a login and a password
// open a session, so every protocol gets the same rules, rate limits and audit trail.
//
// In order: the failure rate limit (failure_limits.h) refuses before any password is checked; the user is
// found by name or address; a password of 16 lowercase letters is tried as an application-specific password
// (ASP) first, then — unless the user has 2FA on and the protocol is IMAP/POP3/SMTP, where only ASPs are
// accepted (as in WildDuck) — as the account password. An ASP must carry the protocol's scope (or "*") and
// not have expired. A match on an imported hash (bcrypt, PBKDF2) is upgraded to argon2id. Every attempt
// for a known user goes to the auth log. Hashing runs on the thread pool.
//
// ASP revocation: DELETE of an ASP removes it from the store (no login with it succeeds after) and ends the
// sessions opened with it, on every instance, through the bus (storage/notify/session_control.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/task.h"
#include "core/thread_pool.h"
#include "protocols/auth/failure_limits.h"
#include "protocols/auth/password.h"
#include "storage/store.h"

namespace mallard::auth {

// The scope an ASP must allow, and the name the auth log shows.
enum class Service : std::uint8_t { imap, pop3, smtp, api };
std::string_view scope_name(Service service);      // "imap", "pop3", "smtp", "api"
std::string_view protocol_label(Service service);  // "IMAP", "POP3", "SMTP", "API"
bool valid_scope(std::string_view scope);           // imap, pop3, smtp, *

struct AuthOptions {
    Argon2Params argon2;
    FailureLimitOptions limits;
    std::chrono::seconds authlog_keep{30 * 24 * 3600};
    std::string totp_issuer = "Mallard";  // otpauth:// issuer
};

struct AuthAttempt {
    std::string login;
    std::string password;
    Service service = Service::imap;
    std::string remote_address;  // the client's IP (after PROXY protocol)
    std::string user_agent;      // IMAP ID "name/version", HTTP User-Agent; may be empty
};

struct AuthResult {
    enum class Status : std::uint8_t { ok, failed, disabled, rate_limited, unavailable };
    Status status = Status::failed;
    storage::User user;                  // ok, disabled
    storage::AppPasswordId asp;          // ok: the ASP that matched; empty: the account password
    bool needs_totp = false;             // ok with the account password while 2FA is on (API only)
    std::chrono::seconds retry_after{0}; // rate_limited
};

// A short digest of an ASP that finds its row: 16 hex digits of SHA-256. ASPs are 16 random letters (75
// bits), so this reveals nothing usable; the stored argon2 hash is what is verified.
std::string asp_lookup(std::string_view password);
// Whether `password` has the shape of a generated ASP (16 lowercase letters, spaces ignored).
bool looks_like_asp(std::string_view password);
std::string normalize_asp(std::string_view password);

class Authenticator {
public:
    // `counters` null: no rate limits (tests, tools).
    Authenticator(storage::Store& store, core::ThreadPool& pool, FailureCounters* counters, AuthOptions options);

    core::Task<AuthResult> authenticate(AuthAttempt attempt) const;

    // Writes a security change or an attempt to the user's auth log; a store error is logged, not returned.
    core::Task<void> record(storage::AuthEvent event) const;

    // Rate limit check alone (the HTTP routes that take a code or password): retry-after if blocked.
    core::Task<std::optional<std::chrono::seconds>> blocked(std::string login, std::string ip) const;
    core::Task<void> record_failure(std::string login, std::string ip) const;

    const AuthOptions& options() const { return options_; }
    storage::Store& store() const { return store_; }
    core::ThreadPool& pool() const { return pool_; }

private:
    storage::Store& store_;
    core::ThreadPool& pool_;
    FailureCounters* counters_;
    AuthOptions options_;
};

}  // namespace mallard::auth
