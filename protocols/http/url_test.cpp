// Percent-decoding and key=value lists (RFC 3986 §2.1, WHATWG URL §5.1).
#include "protocols/http/url.h"

#include <gtest/gtest.h>

namespace mallard::http {
namespace {

TEST(HttpUrl, percent_decoding) {
    EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
    EXPECT_EQ(percent_decode("a+b", true), "a b");
    EXPECT_EQ(percent_decode("a+b", false), "a+b");
    EXPECT_EQ(percent_decode("%C3%A9", false), "\xc3\xa9");
    EXPECT_FALSE(percent_decode("%", false));
    EXPECT_FALSE(percent_decode("%4", false));
    EXPECT_FALSE(percent_decode("%G0", false));
    EXPECT_FALSE(percent_decode("%00", false));
}

TEST(HttpUrl, pairs) {
    auto p = parse_pairs("a=1&&b=x%20y&c&=skip&d=");
    ASSERT_TRUE(p);
    ASSERT_EQ(p->size(), 4u);
    EXPECT_EQ((*p)[0], (std::pair<std::string, std::string>{"a", "1"}));
    EXPECT_EQ((*p)[1], (std::pair<std::string, std::string>{"b", "x y"}));
    EXPECT_EQ((*p)[2], (std::pair<std::string, std::string>{"c", ""}));
    EXPECT_EQ((*p)[3], (std::pair<std::string, std::string>{"d", ""}));
    EXPECT_FALSE(parse_pairs("a=%zz"));
}

TEST(HttpUrl, percent_encode_round_trips) {
    std::string s = "user@example.com/with space";
    EXPECT_EQ(percent_encode(s), "user%40example.com%2Fwith%20space");
    EXPECT_EQ(percent_decode(percent_encode(s), false), s);
}

}  // namespace
}  // namespace mallard::http
