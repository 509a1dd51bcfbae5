// IMAP section addressing (RFC 3501 §6.4.5) over a message with every shape: a single-part message, a
// multipart with a nested multipart, and a message/rfc822 part containing a multipart of its own.
#include "storage/section.h"

#include <gtest/gtest.h>

#include "storage/mime/parser.h"
#include "test/storage/store_fixture.h"

namespace mallard::storage {
namespace {

const std::string nested =
    "From: a@example.com\r\n"
    "Subject: outer\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "part one\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"alt\"\r\n"
    "\r\n"
    "--alt\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "two dot one\r\n"
    "--alt\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>two dot two</p>\r\n"
    "--alt--\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "From: b@example.com\r\n"
    "Subject: inner\r\n"
    "Content-Type: multipart/mixed; boundary=\"in\"\r\n"
    "\r\n"
    "--in\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "inner one\r\n"
    "--in--\r\n"
    "\r\n"
    "--outer--\r\n";

std::string slice(const std::string& msg, const std::string& spec) {
    auto section = parse_section(spec);
    EXPECT_TRUE(section) << spec;
    if (!section) return "<unparsed>";
    auto range = locate_section(mime::parse(msg), *section);
    if (!range) return "<" + range.error().to_string() + ">";
    return msg.substr(range->offset, range->length);
}

TEST(Section, parses_the_rfc_3501_forms) {
    EXPECT_TRUE(parse_section(""));
    EXPECT_TRUE(parse_section("HEADER"));
    EXPECT_TRUE(parse_section("text"));
    EXPECT_TRUE(parse_section("1.2.3"));
    EXPECT_TRUE(parse_section("3.MIME"));
    EXPECT_TRUE(parse_section("3.HEADER"));
    EXPECT_FALSE(parse_section("MIME"));
    EXPECT_FALSE(parse_section("1."));
    EXPECT_FALSE(parse_section("0"));
    EXPECT_FALSE(parse_section("1..2"));
    EXPECT_FALSE(parse_section("1.FOO"));
    EXPECT_FALSE(parse_section("99999999999999999999"));
    EXPECT_EQ(parse_section("2.1.MIME")->part, (std::vector<unsigned>{2, 1}));
}

TEST(Section, the_message_header_text_and_whole) {
    EXPECT_EQ(slice(nested, ""), nested);
    EXPECT_EQ(slice(nested, "HEADER"),
              "From: a@example.com\r\nSubject: outer\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n");
    EXPECT_EQ(slice(nested, "TEXT"), nested.substr(slice(nested, "HEADER").size()));
}

TEST(Section, numbered_parts_and_their_mime_headers) {
    EXPECT_EQ(slice(nested, "1"), "part one");
    EXPECT_EQ(slice(nested, "1.MIME"), "Content-Type: text/plain\r\n\r\n");
    EXPECT_EQ(slice(nested, "2.1"), "two dot one");
    EXPECT_EQ(slice(nested, "2.2"), "<p>two dot two</p>");
    EXPECT_EQ(slice(nested, "2.2.MIME"), "Content-Type: text/html\r\n\r\n");
    EXPECT_EQ(slice(nested, "4"), "<not found: no such body part>");
    EXPECT_EQ(slice(nested, "2.3"), "<not found: no such body part>");
}

TEST(Section, an_encapsulated_message_has_its_own_header_text_and_parts) {
    std::string inner = slice(nested, "3");
    EXPECT_EQ(inner.rfind("From: b@example.com\r\n", 0), 0u) << inner;
    EXPECT_EQ(slice(nested, "3.HEADER"),
              "From: b@example.com\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=\"in\"\r\n\r\n");
    EXPECT_EQ(slice(nested, "3.TEXT"), inner.substr(slice(nested, "3.HEADER").size()));
    EXPECT_EQ(slice(nested, "3.1"), "inner one");
    EXPECT_EQ(slice(nested, "3.1.MIME"), "Content-Type: text/plain\r\n\r\n");
    EXPECT_EQ(slice(nested, "1.HEADER"), "<bad input: HEADER and TEXT need a message/rfc822 part>");
}

TEST(Section, a_single_part_message_is_its_own_part_one) {
    const std::string single = "Subject: s\r\n\r\nbody text\r\n";
    EXPECT_EQ(slice(single, "1"), "body text\r\n");
    EXPECT_EQ(slice(single, "TEXT"), "body text\r\n");
    EXPECT_EQ(slice(single, "2"), "<not found: no such body part>");
}

// imaptest's fetch-body-message-rfc822: a message whose own body is message/rfc822 has that body as its part 1,
// and the encapsulated message's header, text and parts are 1.HEADER, 1.TEXT and 1.1.
TEST(Section, a_top_level_message_rfc822_body_is_part_one) {
    const std::string forwarded =
        "From: a@example.com\r\n"
        "Content-Type: message/rfc822\r\n"
        "\r\n"
        "From: b@example.com\r\n"
        "Subject: inner\r\n"
        "\r\n"
        "Hello world\r\n";
    const std::string inner = "From: b@example.com\r\nSubject: inner\r\n\r\nHello world\r\n";
    EXPECT_EQ(slice(forwarded, "1"), inner);
    EXPECT_EQ(slice(forwarded, "TEXT"), inner);
    EXPECT_EQ(slice(forwarded, "1.HEADER"), "From: b@example.com\r\nSubject: inner\r\n\r\n");
    EXPECT_EQ(slice(forwarded, "1.TEXT"), "Hello world\r\n");
    EXPECT_EQ(slice(forwarded, "1.1"), "Hello world\r\n");
    EXPECT_EQ(slice(forwarded, "1.MIME"), "From: a@example.com\r\nContent-Type: message/rfc822\r\n\r\n");
    EXPECT_EQ(slice(forwarded, "2"), "<not found: no such body part>");
    EXPECT_EQ(slice(forwarded, "1.2"), "<not found: no such body part>");
}

TEST(Section, partial_ranges_are_relative_and_cut_at_the_end) {
    ByteRange section{100, 50};
    EXPECT_EQ(narrow(section, std::nullopt).offset, 100u);
    EXPECT_EQ(narrow(section, ByteRange{10, 5}).offset, 110u);
    EXPECT_EQ(narrow(section, ByteRange{10, 5}).length, 5u);
    EXPECT_EQ(narrow(section, ByteRange{40, 100}).length, 10u);
    EXPECT_EQ(narrow(section, ByteRange{60, 5}).length, 0u);
}

class SectionStore : public test::StoreTest {};

TEST_F(SectionStore, reads_sections_from_the_store_byte_for_byte) {
    auto user = ok(store().create_user(NewUser{"alice", "x", "", 0}));
    auto box = ok(store().find_mailbox(user.id, "INBOX"));
    auto uid = ok(store().append(box.id, AppendRequest{nested, {}, {}})).uid;
    auto read = [&](const std::string& spec, std::optional<ByteRange> partial) {
        return ok(read_section(store(), box.id, uid, *parse_section(spec), partial));
    };
    for (const char* spec : {"", "HEADER", "TEXT", "1", "1.MIME", "2", "2.1", "2.2.MIME", "3", "3.HEADER", "3.TEXT",
                             "3.1", "3.1.MIME"}) {
        EXPECT_EQ(read(spec, std::nullopt), slice(nested, spec)) << spec;
        EXPECT_EQ(read(spec, ByteRange{2, 7}), slice(nested, spec).substr(2, 7)) << spec;
    }
    EXPECT_EQ(run(read_section(store(), box.id, uid, *parse_section("9"), std::nullopt)).error().code,
              core::Errc::not_found);
}

}  // namespace
}  // namespace mallard::storage
