#include "core/net/proxy_protocol.h"

#include <gtest/gtest.h>

namespace mallard::core::net {
namespace {

const ProxyHeader& header(const ProxyParse& p) {
    static ProxyHeader none;
    if (auto* h = std::get_if<ProxyHeader>(&p)) return *h;
    ADD_FAILURE() << "not a header";
    return none;
}

TEST(ProxyProtocol, v1_tcp4_and_tcp6_name_the_client) {
    std::string v4 = "PROXY TCP4 198.51.100.7 192.0.2.1 51234 143\r\nA1 LOGIN";
    auto h = header(parse_proxy_header(v4));
    EXPECT_EQ(h.length, v4.find("A1"));
    ASSERT_TRUE(h.source);
    EXPECT_EQ(h.source->ip(), "198.51.100.7");
    EXPECT_EQ(h.source->port(), 51234);
    auto h6 = header(parse_proxy_header("PROXY TCP6 2001:db8::5 2001:db8::1 4000 993\r\n"));
    ASSERT_TRUE(h6.source);
    EXPECT_EQ(h6.source->ip(), "2001:db8::5");
    EXPECT_FALSE(header(parse_proxy_header("PROXY UNKNOWN\r\n")).source);
}

TEST(ProxyProtocol, v1_needs_more_until_the_line_ends_and_refuses_garbage) {
    std::string line = "PROXY TCP4 198.51.100.7 192.0.2.1 51234 143\r\n";
    for (std::size_t n = 0; n < line.size(); ++n)
        EXPECT_TRUE(std::holds_alternative<ProxyNeedMore>(parse_proxy_header(line.substr(0, n)))) << n;
    for (const char* bad : {"A1 LOGIN x y\r\n", "PROXY TCP4 1.2.3 192.0.2.1 1 2\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 99999 1\r\n",
                            "PROXY TCP5 1.2.3.4 1.2.3.4 1 1\r\n", "PROXY TCP4  1.2.3.4 1.2.3.4 1 1\r\n",
                            "PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n"})
        EXPECT_TRUE(std::holds_alternative<ProxyInvalid>(parse_proxy_header(bad))) << bad;
    EXPECT_TRUE(std::holds_alternative<ProxyInvalid>(parse_proxy_header("PROXY " + std::string(200, 'x'))));
}

std::string v2(unsigned char command, unsigned char family, std::string block) {
    std::string out("\r\n\r\n\0\r\nQUIT\n", 12);
    out.push_back(static_cast<char>(0x20 | command));
    out.push_back(static_cast<char>(family));
    out.push_back(static_cast<char>(block.size() >> 8));
    out.push_back(static_cast<char>(block.size() & 0xff));
    return out + block;
}

TEST(ProxyProtocol, v2_proxy_and_local) {
    std::string block("\xc6\x33\x64\x07" "\xc0\x00\x02\x01" "\xc8\x22" "\x00\x8f", 12);
    std::string bytes = v2(1, 0x11, block) + "tail";
    auto h = header(parse_proxy_header(bytes));
    EXPECT_EQ(h.length, 28u);
    ASSERT_TRUE(h.source);
    EXPECT_EQ(h.source->ip(), "198.51.100.7");
    EXPECT_EQ(h.source->port(), 51234);
    EXPECT_FALSE(header(parse_proxy_header(v2(0, 0x00, ""))).source);
    EXPECT_TRUE(std::holds_alternative<ProxyNeedMore>(parse_proxy_header(bytes.substr(0, 20))));
    EXPECT_TRUE(std::holds_alternative<ProxyInvalid>(parse_proxy_header(v2(1, 0x11, "short"))));
    EXPECT_TRUE(std::holds_alternative<ProxyInvalid>(parse_proxy_header(v2(5, 0x11, block))));
}

}  // namespace
}  // namespace mallard::core::net
