// User access tokens of the API (WildDuck's POST /authenticate with token: true): 40 lower-case hex digits
// from 20 random bytes, as WildDuck makes them, kept by the store only as their SHA-256 (storage/types.h
// ApiToken). A token lives `token_ttl` past its last use (a sliding session, like WildDuck's Redis TTL) but
// never longer than `token_max_lifetime` from its creation.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"
#include "core/task.h"
#include "protocols/http/access.h"
#include "storage/store.h"

namespace mallard::http {

struct TokenLifetime {
    std::chrono::seconds ttl{3600};                     // WildDuck's default accessControl.tokenTTL
    std::chrono::seconds max_lifetime{30 * 24 * 3600};  // its ACCESS_TOKEN_MAX_LIFETIME
};

// The hex SHA-256 under which the store keeps a token.
std::string token_hash(std::string_view token);

// A fresh token (OpenSSL's RAND_bytes), or internal when there is no randomness.
core::Result<std::string> new_token();

// Stores a new token for `user` and returns it (the only time it exists outside the client). `needs_totp`: the
// login was a password of a user with TOTP on, so the token waits for a TOTP check (ApiToken::needs_totp).
core::Task<core::Result<std::string>> issue_token(storage::Store& store, storage::UserId user, TokenLifetime lifetime,
                                                  bool needs_totp = false);

// The Principal a user token stands for (with the token's needs_totp): 403 InvalidToken when unknown or
// expired, or when its user is gone or disabled. Slides the expiry forward when less than half the TTL is
// left (one write per half TTL, not one per request).
core::Task<std::variant<Principal, Denied>> authorize_user_token(storage::Store& store, std::string token,
                                                                 TokenLifetime lifetime);

}  // namespace mallard::http
