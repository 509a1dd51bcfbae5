// Plain values of the account-security part of the Store (store.h): application-specific passwords, the
// TOTP state of a user, the authentication log and failure counters for rate limits. The store keeps them;
// protocols/auth decides what they mean.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/types.h"

namespace mallard::storage {

using AppPasswordId = std::string;
using AuthEventId = std::string;

// An application-specific password (WildDuck's "ASP"): a generated password limited to some protocols.
struct AppPassword {
    AppPasswordId id;
    UserId user;
    std::string description;
    std::vector<std::string> scopes;     // "imap", "pop3", "smtp" or "*"
    std::string password_hash;           // argon2id
    std::string lookup;                  // a short digest of the password that finds the row to verify (auth/)
    TimePoint created;
    std::optional<TimePoint> expires;    // none: never
};

struct NewAppPassword {
    std::string description;
    std::vector<std::string> scopes;
    std::string password_hash;
    std::string lookup;
    std::optional<TimePoint> expires;
};

// A user's TOTP (RFC 6238) set-up. `secret` is base32; a set-up that was never confirmed has enabled false.
struct TotpState {
    std::string secret;                  // empty: none
    bool enabled = false;
    std::int64_t last_step = 0;          // the last time step a code was accepted for: never again
};

// One authentication attempt or security change, as the user reads it back (WildDuck's authlog).
struct AuthEvent {
    AuthEventId id;
    UserId user;
    TimePoint created;
    std::string action;      // "authentication", "password change", "asp create", "asp delete", "totp enable", ...
    std::string result;      // "success", "fail", "ratelimited", ...
    std::string protocol;    // "IMAP", "POP3", "API", ...
    std::string remote_address;
    AppPasswordId asp;       // the ASP used or changed, if any
    std::string user_agent;  // IMAP ID name/version, HTTP User-Agent
    std::string detail;      // a short reason, e.g. "invalid password", "scope"
};

// A failure counter for a key within its window. `reset_at`: when the count starts again from zero.
struct FailureCount {
    std::uint32_t count = 0;
    TimePoint reset_at;
};

}  // namespace mallard::storage
