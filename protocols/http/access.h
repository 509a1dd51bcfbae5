// Access control for the API, as WildDuck does it (api.js): a token from `?accessToken=`, the
// X-Access-Token header or `Authorization: Bearer`, compared with the configured root token.
// Without a configured token the API is open, so it answers only peers on loopback.
//
// User tokens (POST /authenticate, WildDuck's 40-hex tokens): authorize() answers CheckUserToken for a token of
// that shape that is not the root token, and dispatch looks it up in the store (tokens.h) — so a user token is
// honoured even where no root token is configured, as WildDuck checks any token it is given. Routes receive a
// Principal and check `may_access(principal, user)`; "me" in a path stands for the token's user.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "protocols/http/request.h"

namespace mallard::http {

struct AccessPolicy {
    std::string root_token;   // empty: no token, loopback peers only
};

enum class Role { root, user };

struct Principal {
    Role role = Role::root;
    std::string user;         // Role::user: the user the token belongs to
    std::string token_hash;   // Role::user: the token's store key (DELETE /authenticate removes it)
    bool needs_totp = false;  // Role::user: the token waits for its TOTP check (storage ApiToken::needs_totp)
};

// A token to look up in the store (see above).
struct CheckUserToken {
    std::string token;
};

struct Denied {
    int status;               // 401 no token given, 403 a wrong token or a non-loopback peer
    std::string code;         // "InvalidToken", "MissingPrivileges"
    std::string message;
};

// The token the request carries, in WildDuck's order: query parameter, X-Access-Token, Authorization Bearer.
std::string request_token(const Request& request);

std::variant<Principal, Denied, CheckUserToken> authorize(const Request& request, const AccessPolicy& policy, bool peer_is_loopback);

// Whether `token` has the shape of a user token: 40 hex digits (looked up rather than compared with the root).
bool is_user_token(std::string_view token);

// Whether `principal` may act on `user`'s data (root: everyone; a user token: only its own).
bool may_access(const Principal& principal, std::string_view user);

}  // namespace mallard::http
