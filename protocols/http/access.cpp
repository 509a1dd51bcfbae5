// Token checks (see access.h). RFC 6750 §2.1 (Bearer header), §2.3 (query parameter), §3.1 (401 vs 403).
#include "protocols/http/access.h"

#include <algorithm>

#include "protocols/http/url.h"

namespace mallard::http {

namespace {

// Equal-length inputs are compared in time independent of where they differ.
bool same_token(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::string query_token(std::string_view query) {
    auto pairs = parse_pairs(query);
    if (!pairs) return {};
    for (const auto& [key, value] : *pairs)
        if (key == "accessToken") return value;
    return {};
}

std::string bearer_token(std::string_view value) {
    // "Bearer <token>", scheme case-insensitive (RFC 9110 §11.1); WildDuck strips it the same way.
    constexpr std::string_view scheme = "bearer";
    if (value.size() < scheme.size()) return std::string(value);
    bool matches = true;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        char c = value[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        matches = matches && c == scheme[i];
    }
    if (matches && (value.size() == scheme.size() || value[scheme.size()] == ' ')) value.remove_prefix(scheme.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return std::string(value);
}

}  // namespace

std::string request_token(const Request& request) {
    std::string token = query_token(request.query);
    if (!token.empty()) return token;
    if (const std::string* h = request.header("x-access-token"); h && !h->empty()) return *h;
    if (const std::string* h = request.header("authorization"); h && !h->empty()) return bearer_token(*h);
    return {};
}

std::variant<Principal, Denied, CheckUserToken> authorize(const Request& request, const AccessPolicy& policy,
                                                          bool peer_is_loopback) {
    std::string token = request_token(request);
    const bool user_token = is_user_token(token) && !same_token(token, policy.root_token);
    if (user_token) return CheckUserToken{std::move(token)};
    if (policy.root_token.empty()) {
        if (peer_is_loopback) return Principal{Role::root, {}, {}, false};
        return Denied{403, "MissingPrivileges", "The API has no access token configured and only answers on loopback"};
    }
    if (token.empty()) return Denied{401, "InvalidToken", "Access token required"};
    if (same_token(token, policy.root_token)) return Principal{Role::root, {}, {}, false};
    return Denied{403, "InvalidToken", "Invalid accessToken value"};
}

bool is_user_token(std::string_view token) {
    return token.size() == 40 && std::all_of(token.begin(), token.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

bool may_access(const Principal& principal, std::string_view user) {
    return principal.role == Role::root || principal.user == user;
}

}  // namespace mallard::http
