// The request parser as a client would exercise it: each case is fed whole and one byte at a time.
#include "protocols/http/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mallard::http {
namespace {

struct Fed {
    std::vector<Request> requests;
    std::optional<ParseError> error;
    std::size_t left = 0;  // bytes not consumed at the end
};

// Feeds `bytes` in pieces of `step` bytes (0 = whole), collecting every complete request, as the session does.
Fed feed(const std::string& bytes, std::size_t step, ParserLimits limits = {}) {
    RequestParser parser(limits);
    Fed out;
    std::string buffer;
    std::size_t offset = 0;
    for (;;) {
        std::size_t used = 0;
        ParseStep s = parser.parse(buffer, used);
        buffer.erase(0, used);
        if (auto* r = std::get_if<Request>(&s)) {
            out.requests.push_back(std::move(*r));
            continue;
        }
        if (auto* e = std::get_if<ParseError>(&s)) {
            out.error = *e;
            break;
        }
        if (offset >= bytes.size()) break;
        std::size_t n = step ? std::min(step, bytes.size() - offset) : bytes.size() - offset;
        buffer.append(bytes, offset, n);
        offset += n;
    }
    out.left = buffer.size();
    return out;
}

std::vector<Fed> both_ways(const std::string& bytes, ParserLimits limits = {}) {
    return {feed(bytes, 0, limits), feed(bytes, 1, limits)};
}

TEST(HttpParser, simple_get_with_query) {
    for (const Fed& f : both_ways("GET /users?limit=5&query=a%20b HTTP/1.1\r\nHost: x\r\nX-Access-Token:  t0k \r\n\r\n")) {
        ASSERT_FALSE(f.error);
        ASSERT_EQ(f.requests.size(), 1u);
        const Request& r = f.requests[0];
        EXPECT_EQ(r.method, "GET");
        EXPECT_EQ(r.path, "/users");
        EXPECT_EQ(r.query, "limit=5&query=a%20b");
        ASSERT_TRUE(r.header("x-access-token"));
        EXPECT_EQ(*r.header("x-access-token"), "t0k");
        EXPECT_TRUE(r.keep_alive);
    }
}

TEST(HttpParser, content_length_body_and_pipelined_requests) {
    std::string two = "POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
                      "DELETE /users/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for (const Fed& f : both_ways(two)) {
        ASSERT_FALSE(f.error);
        ASSERT_EQ(f.requests.size(), 2u);
        EXPECT_EQ(f.requests[0].body, "{\"a\":1}");
        EXPECT_TRUE(f.requests[0].keep_alive);
        EXPECT_EQ(f.requests[1].method, "DELETE");
        EXPECT_FALSE(f.requests[1].keep_alive);
        EXPECT_EQ(f.left, 0u);
    }
}

TEST(HttpParser, chunked_body_is_dechunked) {
    std::string req = "PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nTrailer: y\r\n\r\n";
    for (const Fed& f : both_ways(req)) {
        ASSERT_FALSE(f.error) << f.error->text;
        ASSERT_EQ(f.requests.size(), 1u);
        EXPECT_EQ(f.requests[0].body, "abcdefg");
    }
}

TEST(HttpParser, http10_closes_unless_keep_alive) {
    auto a = feed("GET / HTTP/1.0\r\n\r\n", 0);
    ASSERT_EQ(a.requests.size(), 1u);
    EXPECT_FALSE(a.requests[0].keep_alive);
    auto b = feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0);
    ASSERT_EQ(b.requests.size(), 1u);
    EXPECT_TRUE(b.requests[0].keep_alive);
}

TEST(HttpParser, limits_give_413_414_431) {
    ParserLimits small;
    small.max_body_bytes = 4;
    small.max_url_bytes = 16;
    small.max_header_bytes = 128;
    for (const Fed& f : both_ways("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", small)) {
        ASSERT_TRUE(f.error);
        EXPECT_EQ(f.error->status, 413);
    }
    for (const Fed& f : both_ways("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", small)) {
        ASSERT_TRUE(f.error);
        EXPECT_EQ(f.error->status, 413);
    }
    for (const Fed& f : both_ways("GET /" + std::string(40, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", small)) {
        ASSERT_TRUE(f.error);
        EXPECT_EQ(f.error->status, 414);
    }
    for (const Fed& f : both_ways("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(200, 'b') + "\r\n\r\n", small)) {
        ASSERT_TRUE(f.error);
        EXPECT_EQ(f.error->status, 431);
    }
}

TEST(HttpParser, garbage_and_missing_host_are_400) {
    for (const Fed& f : both_ways("HELLO\r\n\r\n")) {
        ASSERT_TRUE(f.error);
        EXPECT_GE(f.error->status, 400);
    }
    auto f = feed("GET / HTTP/1.1\r\n\r\n", 0);
    ASSERT_TRUE(f.error);
    EXPECT_EQ(f.error->status, 400);
    auto g = feed("GET http://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n", 0);
    ASSERT_TRUE(g.error);
    EXPECT_EQ(g.error->status, 400);
}

TEST(HttpParser, in_request_tracks_a_partial_request) {
    RequestParser parser({});
    std::size_t used = 0;
    EXPECT_FALSE(parser.in_request());
    std::string part = "GET / HTTP/1.1\r\nHo";
    ASSERT_TRUE(std::holds_alternative<NeedMore>(parser.parse(part, used)));
    EXPECT_EQ(used, part.size());
    EXPECT_TRUE(parser.in_request());
    std::string rest = "st: x\r\n\r\n";
    ASSERT_TRUE(std::holds_alternative<Request>(parser.parse(rest, used)));
    EXPECT_FALSE(parser.in_request());
}

TEST(HttpParser, expect_continue_is_reported_once_before_the_body) {
    RequestParser parser({});
    std::size_t used = 0;
    std::string head = "POST /users HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n";
    ASSERT_TRUE(std::holds_alternative<NeedMore>(parser.parse(head, used)));
    EXPECT_TRUE(parser.take_continue());
    EXPECT_FALSE(parser.take_continue());
    auto step = parser.parse("{}", used);
    ASSERT_TRUE(std::holds_alternative<Request>(step));
    EXPECT_EQ(std::get<Request>(step).body, "{}");
    EXPECT_FALSE(parser.take_continue());
}

}  // namespace
}  // namespace mallard::http
