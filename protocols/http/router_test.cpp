// Route matching: params, literal-over-param, 405 with Allow, HEAD served by GET, decoding.
#include "protocols/http/router.h"

#include <gtest/gtest.h>

#include "core/task.h"
#include "protocols/http/response.h"

namespace mallard::http {
namespace {

core::Task<Response> a(Call&) { co_return Response{}; }
core::Task<Response> b(Call&) { co_return Response{}; }
core::Task<Response> c(Call&) { co_return Response{}; }

RouteTable table() {
    RouteTable t;
    t.add({"GET", "/users/:user", a});
    t.add({"GET", "/users/resolve/:username", b});
    t.add({"DELETE", "/users/:user", c});
    t.add({"GET", "/users/:user/mailboxes/:mailbox", c});
    return t;
}

TEST(HttpRouter, params_are_captured_and_decoded) {
    RouteTable t = table();
    auto r = t.match("GET", "/users/u%40x.com/mailboxes/42/");
    auto* m = std::get_if<RouteMatch>(&r);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->params.size(), 2u);
    EXPECT_EQ(m->params[0].first, "user");
    EXPECT_EQ(m->params[0].second, "u@x.com");
    EXPECT_EQ(m->params[1].second, "42");
}

TEST(HttpRouter, literal_segment_wins_and_head_uses_get) {
    RouteTable t = table();
    auto r = t.match("HEAD", "/users/resolve/bob");
    auto* m = std::get_if<RouteMatch>(&r);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->route->handler, &b);
}

TEST(HttpRouter, unknown_path_and_wrong_method) {
    RouteTable t = table();
    auto none = t.match("GET", "/nothing");
    ASSERT_TRUE(std::holds_alternative<NoRoute>(none));
    EXPECT_TRUE(std::get<NoRoute>(none).allow.empty());
    auto wrong = t.match("PUT", "/users/1");
    ASSERT_TRUE(std::holds_alternative<NoRoute>(wrong));
    EXPECT_EQ(std::get<NoRoute>(wrong).allow, "GET, HEAD, DELETE");
    EXPECT_TRUE(std::holds_alternative<NoRoute>(t.match("GET", "/users//mailboxes/1")));
    EXPECT_TRUE(std::holds_alternative<BadPath>(t.match("GET", "/users/%zz")));
}

}  // namespace
}  // namespace mallard::http
