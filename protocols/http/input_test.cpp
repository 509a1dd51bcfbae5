// API parameters: sources merged like restify's req.params, Joi-like conversions and error shapes.
#include "protocols/http/input.h"

#include <gtest/gtest.h>

namespace mallard::http {
namespace {

Request post(std::string body, std::string type, std::string query = {}) {
    Request r;
    r.method = "POST";
    r.path = "/x";
    r.query = std::move(query);
    r.body = std::move(body);
    if (!type.empty()) r.headers.emplace_back("content-type", std::move(type));
    return r;
}

TEST(HttpInput, query_body_and_path_merge_with_path_last) {
    nlohmann::json values;
    auto failure = build_input(post(R"({"limit": 5, "user": "evil"})", "application/json", "accessToken=t&q=1"),
                               {{"user", "42"}}, "accessToken", values);
    ASSERT_FALSE(failure);
    EXPECT_EQ(values["limit"], 5);
    EXPECT_EQ(values["q"], "1");
    EXPECT_EQ(values["user"], "42");
    EXPECT_FALSE(values.contains("accessToken"));
}

TEST(HttpInput, form_bodies_and_refusals) {
    nlohmann::json values;
    ASSERT_FALSE(build_input(post("a=1&b=x+y", "application/x-www-form-urlencoded"), {}, "", values));
    EXPECT_EQ(values["b"], "x y");
    EXPECT_EQ(build_input(post("[1]", "application/json"), {}, "", values)->status, 400);
    EXPECT_EQ(build_input(post("{bad", ""), {}, "", values)->status, 400);
    EXPECT_EQ(build_input(post("x", "text/plain"), {}, "", values)->status, 415);
    std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
    EXPECT_EQ(build_input(post(deep, "application/json"), {}, "", values)->status, 400);
}

TEST(HttpInput, conversions_like_joi) {
    Input in(nlohmann::json{{"n", "20"}, {"b", "yes"}, {"f", 0}, {"s", ""}, {"bad", "x"}, {"big", 300}});
    EXPECT_EQ(in.number("n", 1, 250), 20u);
    EXPECT_EQ(in.boolean("b"), true);
    EXPECT_EQ(in.boolean("f"), false);
    EXPECT_EQ(in.string("s", 10, true), std::nullopt);
    EXPECT_TRUE(in.ok());
    EXPECT_EQ(in.number("bad"), std::nullopt);
    EXPECT_EQ(in.number("big", 1, 250), std::nullopt);
    EXPECT_FALSE(in.ok());
    Response r = in.error_response();
    EXPECT_EQ(r.status, 400);
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["code"], "InputValidationError");
    EXPECT_EQ(body["error"], "\"bad\" must be a number. \"big\" must be less than or equal to 250");
    EXPECT_EQ(body["details"]["big"], "\"big\" must be less than or equal to 250");
}

TEST(HttpResponse, render_head_and_close) {
    Response r = error_response(404, "UserNotFound", "This user does not exist");
    std::string full = render(r, false, true);
    EXPECT_EQ(full.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
    EXPECT_NE(full.find("Content-Length: " + std::to_string(r.body.size()) + "\r\n"), std::string::npos);
    EXPECT_EQ(full.find("Connection: close"), std::string::npos);
    EXPECT_TRUE(full.ends_with(R"({"code":"UserNotFound","error":"This user does not exist"})"));
    std::string head = render(r, true, false);
    EXPECT_TRUE(head.ends_with("Connection: close\r\n\r\n"));
}

}  // namespace
}  // namespace mallard::http
