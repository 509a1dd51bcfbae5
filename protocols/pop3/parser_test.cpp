// What a POP3 client observes of the pure pieces: command lines, dot-stuffing, TOP, SASL PLAIN, the maildrop.
#include "protocols/pop3/parser.h"

#include <gtest/gtest.h>

namespace mallard::pop3 {
namespace {

Command command_of(std::string_view line) {
    Parsed p = parse_command(line);
    EXPECT_TRUE(std::holds_alternative<Command>(p)) << line;
    return std::holds_alternative<Command>(p) ? std::get<Command>(p) : Command{};
}

bool is_bad(std::string_view line) { return std::holds_alternative<Bad>(parse_command(line)); }

TEST(Pop3Parser, keyword_is_case_insensitive_and_arguments_split) {
    Command c = command_of("top 3 10");
    EXPECT_EQ(c.verb, "TOP");
    ASSERT_EQ(c.args.size(), 2u);
    EXPECT_EQ(c.args[0], "3");
    EXPECT_EQ(c.args[1], "10");
    EXPECT_TRUE(command_of("STAT").args.empty());
}

TEST(Pop3Parser, pass_keeps_spaces_in_the_password) {
    Command c = command_of("PASS correct horse  battery");
    ASSERT_EQ(c.args.size(), 1u);
    EXPECT_EQ(c.args[0], "correct horse  battery");
}

TEST(Pop3Parser, malformed_lines_are_bad) {
    EXPECT_TRUE(is_bad(""));
    EXPECT_TRUE(is_bad("RE"));
    EXPECT_TRUE(is_bad("RETRIEVE 1"));
    EXPECT_TRUE(is_bad("R3TR 1"));
    EXPECT_TRUE(is_bad("LIST  1"));
    EXPECT_TRUE(is_bad("LIST 1 "));
    EXPECT_TRUE(is_bad("TOP 1 2 3"));
    EXPECT_TRUE(is_bad(std::string_view("USER a\0b", 8)));
    EXPECT_TRUE(is_bad("LIST " + std::string(41, '1')));
    EXPECT_FALSE(is_bad("USER " + std::string(100, 'a') + "@example.com"));
}

TEST(Pop3Parser, numbers_are_plain_decimal_within_32_bits) {
    EXPECT_EQ(parse_number("42"), 42u);
    EXPECT_EQ(parse_number("4294967295"), 4294967295u);
    EXPECT_FALSE(parse_number("4294967296"));
    EXPECT_FALSE(parse_number("-1"));
    EXPECT_FALSE(parse_number("+1"));
    EXPECT_FALSE(parse_number(""));
    EXPECT_FALSE(parse_number("1a"));
}

std::string multiline(std::string_view message) {
    std::string out;
    append_multiline(out, message);
    return out;
}

TEST(Pop3Multiline, lines_starting_with_a_dot_are_stuffed) {
    EXPECT_EQ(multiline("a\r\n.b\r\n.\r\n..c\r\n"), "a\r\n..b\r\n..\r\n...c\r\n.\r\n");
    EXPECT_EQ(multiline(".first\r\n"), "..first\r\n.\r\n");
}

TEST(Pop3Multiline, a_missing_final_line_break_is_added_before_the_terminator) {
    EXPECT_EQ(multiline("a\r\nb"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(multiline(""), ".\r\n");
}

TEST(Pop3Multiline, other_bytes_pass_unchanged) {
    std::string eight_bit = "Subject: \xc3\xa9t\xc3\xa9\r\n\r\n\xff\x80 body\nbare lf\r\n";
    EXPECT_EQ(multiline(eight_bit), eight_bit + ".\r\n");
    EXPECT_EQ(multiline("a\n.b\n"), "a\n..b\n.\r\n");
}

TEST(Pop3Top, header_blank_line_and_k_body_lines) {
    std::string_view m = "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3";
    EXPECT_EQ(top_of_message(m, 0), "A: 1\r\nB: 2\r\n\r\n");
    EXPECT_EQ(top_of_message(m, 2), "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n");
    EXPECT_EQ(top_of_message(m, 3), m);
    EXPECT_EQ(top_of_message(m, 100), m);
    EXPECT_EQ(top_of_message("A: 1\r\nB: 2", 5), "A: 1\r\nB: 2");
    EXPECT_EQ(top_of_message("A: 1\n\nbody\nmore\n", 1), "A: 1\n\nbody\n");
}

TEST(Pop3Sasl, plain_with_and_without_authzid) {
    auto c = decode_sasl_plain("AGFsaWNlAHNlY3JldA==");  // "\0alice\0secret"
    ASSERT_TRUE(c);
    EXPECT_EQ(c->login, "alice");
    EXPECT_EQ(c->password, "secret");
    auto same = decode_sasl_plain("YWxpY2UAYWxpY2UAc2VjcmV0");  // "alice\0alice\0secret"
    ASSERT_TRUE(same);
    EXPECT_EQ(same->login, "alice");
}

TEST(Pop3Sasl, malformed_or_proxy_is_refused) {
    EXPECT_FALSE(decode_sasl_plain(""));
    EXPECT_FALSE(decode_sasl_plain("not base64!"));
    EXPECT_FALSE(decode_sasl_plain("YWxpY2U="));                // no NULs
    EXPECT_FALSE(decode_sasl_plain("Ym9iAGFsaWNlAHNlY3JldA=="));  // "bob\0alice\0secret": proxy
    EXPECT_FALSE(decode_sasl_plain("AGFsaWNlAA=="));              // empty password
}

storage::MessageMeta meta(storage::Uid uid, std::uint64_t size) {
    storage::MessageMeta m;
    m.uid = uid;
    m.size_bytes = size;
    return m;
}

TEST(Pop3Maildrop, newest_n_numbered_oldest_first) {
    std::vector<storage::MessageMeta> listing = {meta(9, 90), meta(3, 30), meta(5, 50), meta(7, 70)};
    auto drop = build_maildrop(listing, 3);
    ASSERT_EQ(drop.size(), 3u);
    EXPECT_EQ(drop[0].uid, 5u);
    EXPECT_EQ(drop[1].uid, 7u);
    EXPECT_EQ(drop[2].uid, 9u);
    EXPECT_EQ(drop[2].size_bytes, 90u);
    EXPECT_EQ(build_maildrop(listing, 250).size(), 4u);
}

TEST(Pop3Maildrop, unique_ids_combine_uidvalidity_and_uid) {
    EXPECT_EQ(unique_id(1700000000, 42), "1700000000.42");
}

TEST(Pop3Maildrop, uid_runs_cover_exactly_the_picked_neighbours) {
    std::vector<DropMessage> drop = {{2, 1, true, false}, {4, 1, true, false}, {5, 1, false, false},
                                     {9, 1, true, false}, {12, 1, true, false}};
    auto runs = uid_runs(drop, [](const DropMessage& m) { return m.deleted; });
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].first, 2u);
    EXPECT_EQ(runs[0].last, 4u);
    EXPECT_EQ(runs[1].first, 9u);
    EXPECT_EQ(runs[1].last, 12u);
    EXPECT_TRUE(uid_runs(drop, [](const DropMessage& m) { return m.retrieved; }).empty());
}

}  // namespace
}  // namespace mallard::pop3
