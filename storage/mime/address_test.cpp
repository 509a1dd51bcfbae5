// Address lists (RFC 5322 §3.4, §4.4) in RFC 3501 ENVELOPE shape: names, routes, groups, garbage.
#include "storage/mime/address.h"

#include <gtest/gtest.h>

namespace mallard::storage::mime {
namespace {

using Opt = std::optional<std::string>;

Address addr(Opt name, Opt mailbox, Opt host, Opt adl = std::nullopt) {
    Address a;
    a.name = std::move(name);
    a.adl = std::move(adl);
    a.mailbox = std::move(mailbox);
    a.host = std::move(host);
    return a;
}

Address group_start(std::string name) { return addr(std::nullopt, std::move(name), std::nullopt); }
Address group_end() { return Address{}; }

TEST(MimeAddress, common_forms) {
    auto list = parse_address_list(
        "Alice Example <alice@example.org>, bob@example.net, \"Carol, the Great\" <carol@example.net>,\r\n"
        " dave@example.net (Dave Devlin), <eve@example.com>");
    ASSERT_EQ(list.size(), 5u);
    EXPECT_EQ(list[0], addr("Alice Example", "alice", "example.org"));
    EXPECT_EQ(list[1], addr(std::nullopt, "bob", "example.net"));
    EXPECT_EQ(list[2], addr("Carol, the Great", "carol", "example.net"));
    EXPECT_EQ(list[3], addr("Dave Devlin", "dave", "example.net"));
    EXPECT_EQ(list[4], addr(std::nullopt, "eve", "example.com"));
}

TEST(MimeAddress, names_stay_raw) {
    auto list = parse_address_list("=?utf-8?Q?Zo=C3=AB?= <zoe@example.com>, \"Bob \\\"The Builder\\\"\" <b@x.example>");
    EXPECT_EQ(list[0].name, "=?utf-8?Q?Zo=C3=AB?=");
    EXPECT_EQ(list[1].name, "Bob \"The Builder\"");
    EXPECT_EQ(parse_address_list("Zoë Ångström <zoë@bücher.example>")[0],
              addr("Zoë Ångström", "zoë", "bücher.example"));
}

TEST(MimeAddress, groups_are_marked_the_rfc3501_way) {
    auto list = parse_address_list("undisclosed-recipients:;");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_TRUE(list[0].is_group_start());
    EXPECT_EQ(list[0], group_start("undisclosed-recipients"));
    EXPECT_TRUE(list[1].is_group_end());

    list = parse_address_list("Friends: a@x.example, B <b@y.example>;, c@z.example, Open: d@w.example");
    ASSERT_EQ(list.size(), 8u);
    EXPECT_EQ(list[0], group_start("Friends"));
    EXPECT_EQ(list[1], addr(std::nullopt, "a", "x.example"));
    EXPECT_EQ(list[2], addr("B", "b", "y.example"));
    EXPECT_EQ(list[3], group_end());
    EXPECT_EQ(list[4], addr(std::nullopt, "c", "z.example"));
    EXPECT_EQ(list[5], group_start("Open"));
    EXPECT_EQ(list[7], group_end());  // an unterminated group is closed
}

TEST(MimeAddress, obsolete_forms) {
    auto list = parse_address_list("Daemon <@relay1.example,@relay2.example:daemon@example.com>");
    EXPECT_EQ(list[0], addr("Daemon", "daemon", "example.com", "@relay1.example,@relay2.example"));
    EXPECT_EQ(parse_address_list("john . doe @ example . com")[0], addr(std::nullopt, "john.doe", "example.com"));
    EXPECT_EQ(parse_address_list("\"john doe\"@example.com")[0], addr(std::nullopt, "john doe", "example.com"));
    EXPECT_EQ(parse_address_list("user@[192.0.2.1]")[0], addr(std::nullopt, "user", "[192.0.2.1]"));
    EXPECT_EQ(parse_address_list("John Q. Public <jqp@example.com>")[0].name, "John Q. Public");
    // Comments around the '@' (imaptest's search-addresses); a comment after the domain is still the name.
    EXPECT_EQ(parse_address_list("<user (c1)@ (c2) example.org>")[0], addr(std::nullopt, "user", "example.org"));
    EXPECT_EQ(parse_address_list("user@ (c) example.org (Real)")[0], addr("Real", "user", "example.org"));
}

TEST(MimeAddress, garbage_is_tolerated) {
    auto list = parse_address_list("<<garbage>>, , lonely-local-part, Real Name missing@brackets.example");
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].mailbox, "");
    EXPECT_EQ(list[1], addr(std::nullopt, "lonely-local-part", ""));
    EXPECT_EQ(list[2], addr("Real Name", "missing", "brackets.example"));

    EXPECT_TRUE(parse_address_list("").empty());
    EXPECT_TRUE(parse_address_list(" , ;;  ,").empty());
    auto unterminated = parse_address_list("\"never closed <a@b.example>");
    ASSERT_EQ(unterminated.size(), 1u);
    EXPECT_EQ(unterminated[0].mailbox, "never closed <a@b.example>");
    auto broken = parse_address_list("Name <a@b.example, c@d.example");
    ASSERT_EQ(broken.size(), 2u);
    EXPECT_EQ(broken[0], addr("Name", "a", "b.example"));
    EXPECT_EQ(broken[1], addr(std::nullopt, "c", "d.example"));
    EXPECT_EQ(parse_address_list("a@")[0], addr(std::nullopt, "a", ""));
    EXPECT_EQ(parse_address_list("<>")[0], addr(std::nullopt, "", ""));
}

}  // namespace
}  // namespace mallard::storage::mime
