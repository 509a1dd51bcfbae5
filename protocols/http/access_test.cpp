// Access tokens (WildDuck api.js; RFC 6750 §2.1, §2.3, §3.1) and CORS.
#include "protocols/http/access.h"

#include <gtest/gtest.h>

#include "protocols/http/cors.h"

namespace mallard::http {
namespace {

Request with(std::string header, std::string value, std::string query = {}) {
    Request r;
    r.method = "GET";
    r.path = "/users";
    r.query = std::move(query);
    if (!header.empty()) r.headers.emplace_back(std::move(header), std::move(value));
    return r;
}

TEST(HttpAccess, token_sources) {
    AccessPolicy p{"secret"};
    EXPECT_TRUE(std::holds_alternative<Principal>(authorize(with("x-access-token", "secret"), p, false)));
    EXPECT_TRUE(std::holds_alternative<Principal>(authorize(with("authorization", "Bearer secret"), p, false)));
    EXPECT_TRUE(std::holds_alternative<Principal>(authorize(with("", "", "a=1&accessToken=secret"), p, false)));
    auto missing = authorize(with("", ""), p, true);
    ASSERT_TRUE(std::holds_alternative<Denied>(missing));
    EXPECT_EQ(std::get<Denied>(missing).status, 401);
    auto wrong = authorize(with("x-access-token", "secreT"), p, true);
    ASSERT_TRUE(std::holds_alternative<Denied>(wrong));
    EXPECT_EQ(std::get<Denied>(wrong).status, 403);
    EXPECT_EQ(std::get<Denied>(wrong).code, "InvalidToken");
    // A 40-hex token that is not the root token is a user token for the store to check, with or without a root.
    const std::string user_token(40, 'a');
    auto check = authorize(with("x-access-token", user_token), p, false);
    ASSERT_TRUE(std::holds_alternative<CheckUserToken>(check));
    EXPECT_EQ(std::get<CheckUserToken>(check).token, user_token);
    EXPECT_TRUE(std::holds_alternative<CheckUserToken>(authorize(with("x-access-token", user_token), AccessPolicy{}, true)));
    EXPECT_TRUE(std::holds_alternative<Principal>(authorize(with("x-access-token", user_token), AccessPolicy{user_token}, false)));
}

TEST(HttpAccess, no_token_means_loopback_only) {
    AccessPolicy open{};
    EXPECT_TRUE(std::holds_alternative<Principal>(authorize(with("", ""), open, true)));
    EXPECT_TRUE(std::holds_alternative<Denied>(authorize(with("", ""), open, false)));
}

TEST(HttpCors, preflight_and_actual_headers) {
    Request pre = with("origin", "https://a.example");
    pre.method = "OPTIONS";
    pre.headers.emplace_back("access-control-request-method", "PUT");
    auto allowed = cors_preflight(pre, {"https://a.example"});
    ASSERT_TRUE(allowed);
    EXPECT_EQ(allowed->status, 204);
    auto refused = cors_preflight(pre, {"https://b.example"});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
    EXPECT_FALSE(cors_preflight(with("", ""), {"*"}));

    Response r;
    add_cors_headers(r, with("origin", "https://a.example"), {"*"});
    ASSERT_FALSE(r.headers.empty());
    EXPECT_EQ(r.headers[0].second, "https://a.example");
    Response none;
    add_cors_headers(none, with("origin", "https://a.example"), {});
    EXPECT_TRUE(none.headers.empty());
}

}  // namespace
}  // namespace mallard::http
