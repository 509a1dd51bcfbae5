// Access control for the API, as WildDuck does it (api.js): a token from `?accessToken=`, the
// X-Access-Token header or `Authorization: Bearer`, compared with the configured root token.
// Without a configured token the API is open, so it answers only peers on loopback.
//
// Hook for user tokens (POST /authenticate, WildDuck's 40-hex tokens with a user role and scopes): when they
// land, authorize() looks an unknown token up through a store call and returns Principal{Role::user, id};
// routes already receive a Principal and check `may_access(principal, user)`.
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
};

struct Denied {
    int status;               // 401 no token given, 403 a wrong token or a non-loopback peer
    std::string code;         // "InvalidToken", "MissingPrivileges"
    std::string message;
};

// The token the request carries, in WildDuck's order: query parameter, X-Access-Token, Authorization Bearer.
std::string request_token(const Request& request);

std::variant<Principal, Denied> authorize(const Request& request, const AccessPolicy& policy, bool peer_is_loopback);

// Whether `principal` may act on `user`'s data (root: everyone; a user token: only its own).
bool may_access(const Principal& principal, std::string_view user);

}  // namespace mallard::http
