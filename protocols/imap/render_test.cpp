// Strings, ENVELOPE, HEADER.FIELDS filtering, flag lists and date-time, compared with hand-written bytes.
#include <gtest/gtest.h>

#include <string>

#include "protocols/imap/date_time.h"
#include "protocols/imap/envelope.h"
#include "protocols/imap/header_fields.h"
#include "protocols/imap/render.h"
#include "storage/mime/parser.h"

namespace mallard::imap {
namespace {

const RenderOptions plain{};
const RenderOptions utf8{.utf8_enabled = true};

std::string str(std::string_view bytes, const RenderOptions& o = plain) {
    std::string out;
    append_string(out, bytes, o);
    return out;
}

std::string envelope_of(std::string_view message, const RenderOptions& o = plain) {
    auto parsed = storage::mime::parse(message);
    std::string out;
    render_envelope(out, parsed.envelope(), o);
    return out;
}

TEST(ImapString, plain_ascii_is_quoted) { EXPECT_EQ(str("hello world"), R"("hello world")"); }

TEST(ImapString, quote_and_backslash_are_escaped) { EXPECT_EQ(str(R"(a"b\c)"), R"("a\"b\\c")"); }

TEST(ImapString, empty_is_an_empty_quoted_string) { EXPECT_EQ(str(""), R"("")"); }

TEST(ImapString, line_breaks_need_a_literal) {
    EXPECT_EQ(str("a\r\nb"), "{4}\r\na\r\nb");
    EXPECT_EQ(str("a\nb"), "{3}\r\na\nb");
}

TEST(ImapString, eight_bit_is_a_literal_without_utf8_accept) {
    EXPECT_EQ(str("caf\xC3\xA9"), "{5}\r\ncaf\xC3\xA9");
    EXPECT_EQ(str("caf\xC3\xA9", utf8), "\"caf\xC3\xA9\"");
}

TEST(ImapString, invalid_utf8_stays_a_literal_with_utf8_accept) {
    EXPECT_EQ(str("caf\xE9", utf8), "{4}\r\ncaf\xE9");           // Latin-1
    EXPECT_EQ(str("\xC0\xAF", utf8), "{2}\r\n\xC0\xAF");           // overlong
    EXPECT_EQ(str("\xED\xA0\x80", utf8), "{3}\r\n\xED\xA0\x80");   // surrogate
    EXPECT_EQ(str("\xF0\x9F\x98", utf8), "{3}\r\n\xF0\x9F\x98");   // truncated
    EXPECT_EQ(str("\xF0\x9F\x98\x80", utf8), "\"\xF0\x9F\x98\x80\"");
}

TEST(ImapString, nul_is_sent_as_0x80_in_a_literal) {
    EXPECT_EQ(str(std::string_view("a\0b", 3)), "{3}\r\na\x80" "b");
}

TEST(ImapString, long_values_become_literals) {
    RenderOptions small{.max_quoted_bytes = 4};
    EXPECT_EQ(str("abcd", small), R"("abcd")");
    EXPECT_EQ(str("abcde", small), "{5}\r\nabcde");
}

TEST(ImapString, nstring_and_literal8) {
    std::string out;
    append_nstring(out, std::nullopt, plain);
    out += ' ';
    append_nstring(out, std::string("x"), plain);
    out += ' ';
    append_literal8(out, std::string_view("\0\r\n", 3));
    EXPECT_EQ(out, std::string("NIL \"x\" ~{3}\r\n\0\r\n", 17));
}

TEST(ImapFlags, flag_list) {
    std::string out;
    append_flag_list(out, {"$Forwarded", "\\Seen"});
    append_flag_list(out, {});
    EXPECT_EQ(out, R"(($Forwarded \Seen)())");
}

// The header of RFC 3501 §7.4.2's FETCH example, whose ENVELOPE the RFC prints; the RFC shows the names as
// the header wrote them, so does Mallard ("KLENSIN" "MIT.EDU").
TEST(ImapEnvelope, rfc3501_example) {
    const std::string message =
        "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
        "From: Terry Gray <gray@cac.washington.edu>\r\n"
        "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
        "To: imap@cac.washington.edu\r\n"
        "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
        "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
        "\r\n"
        "Hello\r\n";
    EXPECT_EQ(envelope_of(message),
              R"x(("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" )x"
              R"((("Terry Gray" NIL "gray" "cac.washington.edu")) )"
              R"((("Terry Gray" NIL "gray" "cac.washington.edu")) )"
              R"((("Terry Gray" NIL "gray" "cac.washington.edu")) )"
              R"(((NIL NIL "imap" "cac.washington.edu")) )"
              R"(((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) )"
              R"(NIL NIL "<B27397-0100000@cac.washington.edu>"))");
}

TEST(ImapEnvelope, missing_headers_are_nil) {
    EXPECT_EQ(envelope_of("\r\nbody\r\n"), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(ImapEnvelope, sender_and_reply_to_come_from_the_headers_when_present) {
    EXPECT_EQ(envelope_of("From: a@x.org\r\nSender: s@x.org\r\nReply-To: r@x.org\r\nBcc: b@x.org\r\n"
                          "In-Reply-To: <p@x>\r\n\r\n"),
              R"((NIL NIL ((NIL NIL "a" "x.org")) ((NIL NIL "s" "x.org")) ((NIL NIL "r" "x.org")) )"
              R"(NIL NIL ((NIL NIL "b" "x.org")) "<p@x>" NIL))");
}

// RFC 3501 §7.4.2: a group starts with (NIL NIL "group name" NIL) and ends with (NIL NIL NIL NIL).
TEST(ImapEnvelope, group_addresses) {
    EXPECT_EQ(envelope_of("To: A Group: a@x.org, \"B\" <b@y.org>;, c@z.org\r\n"
                          "Cc: undisclosed-recipients:;\r\n\r\n"),
              R"((NIL NIL NIL NIL NIL )"
              R"(((NIL NIL "A Group" NIL)(NIL NIL "a" "x.org")("B" NIL "b" "y.org")(NIL NIL NIL NIL))"
              R"((NIL NIL "c" "z.org")) )"
              R"(((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL))");
}

TEST(ImapEnvelope, encoded_words_are_kept_raw) {
    EXPECT_EQ(envelope_of("Subject: =?utf-8?q?caf=C3=A9?= au lait\r\n"
                          "From: =?iso-8859-1?q?Andr=E9?= <andre@x.org>\r\n\r\n"),
              R"((NIL "=?utf-8?q?caf=C3=A9?= au lait" )"
              R"((("=?iso-8859-1?q?Andr=E9?=" NIL "andre" "x.org")) )"
              R"((("=?iso-8859-1?q?Andr=E9?=" NIL "andre" "x.org")) )"
              R"((("=?iso-8859-1?q?Andr=E9?=" NIL "andre" "x.org")) NIL NIL NIL NIL NIL))");
}

TEST(ImapEnvelope, eight_bit_subject_is_a_literal_unless_utf8_accept) {
    const std::string message = "Subject: caf\xC3\xA9\r\n\r\n";
    EXPECT_EQ(envelope_of(message), "(NIL {5}\r\ncaf\xC3\xA9 NIL NIL NIL NIL NIL NIL NIL NIL)");
    EXPECT_EQ(envelope_of(message, utf8), "(NIL \"caf\xC3\xA9\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(ImapEnvelope, quote_and_backslash_in_a_display_name) {
    const std::string message = "From: \"Joe \\\"JJ\\\" Back\\\\slash\" <joe@x.org>\r\n\r\n";
    const std::string name = R"("Joe \"JJ\" Back\\slash")";
    const std::string addr = "((" + name + R"( NIL "joe" "x.org")))";
    EXPECT_EQ(envelope_of(message), "(NIL NIL " + addr + " " + addr + " " + addr + " NIL NIL NIL NIL NIL)");
}

TEST(ImapEnvelope, folded_subject_is_unfolded) {
    EXPECT_EQ(envelope_of("Subject: a long\r\n subject\r\n\r\n"),
              R"((NIL "a long subject" NIL NIL NIL NIL NIL NIL NIL NIL))");
}

const std::string header_block =
    "From: a@x.org\r\n"
    "Subject: long\r\n"
    "  continued\r\n"
    "X-Other: 1\r\n"
    "\tcontinued too\r\n"
    "subject : second\r\n"
    "\r\n";

TEST(ImapHeaderFields, fields_keep_continuations_and_ignore_case) {
    EXPECT_EQ(filter_header_fields(header_block, {"SUBJECT"}, FieldMatch::only),
              "Subject: long\r\n  continued\r\nsubject : second\r\n\r\n");
    EXPECT_EQ(filter_header_fields(header_block, {"x-other", "From"}, FieldMatch::only),
              "From: a@x.org\r\nX-Other: 1\r\n\tcontinued too\r\n\r\n");
}

TEST(ImapHeaderFields, fields_not) {
    EXPECT_EQ(filter_header_fields(header_block, {"Subject"}, FieldMatch::except),
              "From: a@x.org\r\nX-Other: 1\r\n\tcontinued too\r\n\r\n");
    EXPECT_EQ(filter_header_fields(header_block, {}, FieldMatch::except), header_block);
}

TEST(ImapHeaderFields, no_match_is_the_blank_line) {
    EXPECT_EQ(filter_header_fields(header_block, {"Date"}, FieldMatch::only), "\r\n");
}

TEST(ImapHeaderFields, lf_line_endings_are_kept) {
    EXPECT_EQ(filter_header_fields("A: 1\nB: 2\n x\n\n", {"b"}, FieldMatch::only), "B: 2\n x\n\n");
}

TEST(ImapHeaderFields, a_block_without_blank_line_gets_one) {
    EXPECT_EQ(filter_header_fields("A: 1\r\nB: 2", {"B"}, FieldMatch::only), "B: 2\r\n\r\n");
    EXPECT_EQ(filter_header_fields("A: 1\r\nB: 2\r\n", {"a"}, FieldMatch::only), "A: 1\r\n\r\n");
}

TEST(ImapHeaderFields, prefix_of_a_name_does_not_match) {
    EXPECT_EQ(filter_header_fields("Subject-X: 1\r\nSubject: 2\r\n\r\n", {"Subject"}, FieldMatch::only),
              "Subject: 2\r\n\r\n");
}

using namespace std::chrono;

std::string date(TimePoint t, std::int32_t offset) {
    std::string out;
    render_date_time(out, t, offset);
    return out;
}

TEST(ImapDateTime, render) {
    TimePoint t = sys_days{2024y / January / 2} + 10h + 5min + 7s;
    EXPECT_EQ(date(t, 0), R"("02-Jan-2024 10:05:07 +0000")");
    EXPECT_EQ(date(t, 3600), R"("02-Jan-2024 11:05:07 +0100")");
    EXPECT_EQ(date(t, -(11 * 3600 + 30 * 60)), R"("01-Jan-2024 22:35:07 -1130")");
    EXPECT_EQ(date(t + 500ms, 0), R"("02-Jan-2024 10:05:07 +0000")");
}

// The INTERNALDATE of RFC 3501 §7.4.2's FETCH example.
TEST(ImapDateTime, parse_rfc3501_example_and_render_it_back) {
    auto d = parse_date_time(R"("17-Jul-1996 02:44:25 -0700")");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->time, TimePoint(sys_days{1996y / July / 17} + 9h + 44min + 25s));
    EXPECT_EQ(d->utc_offset_seconds, -7 * 3600);
    EXPECT_EQ(date(d->time, d->utc_offset_seconds), R"("17-Jul-1996 02:44:25 -0700")");
}

TEST(ImapDateTime, parse_day_forms_and_month_case) {
    TimePoint expected = sys_days{2024y / January / 2} + 10h;
    for (std::string_view s : {" 2-Jan-2024 10:00:00 +0000", "2-jan-2024 10:00:00 +0000",
                               "02-JAN-2024 10:00:00 +0000", "\"02-Jan-2024 11:00:00 +0100\""}) {
        auto d = parse_date_time(s);
        ASSERT_TRUE(d) << s;
        EXPECT_EQ(d->time, expected) << s;
    }
}

TEST(ImapDateTime, parse_rejects_malformed) {
    for (std::string_view s : {"", "31-Feb-2024 10:00:00 +0000", "02-Foo-2024 10:00:00 +0000",
                               "02-Jan-24 10:00:00 +0000", "02-Jan-2024 24:00:00 +0000",
                               "02-Jan-2024 10:00:00", "02-Jan-2024 10:00:00 +0000 ", "02-Jan-2024 10:00 +0000",
                               "02-Jan-2024 10:00:00 0000", "002-Jan-2024 10:00:00 +0000",
                               "02-Jan-2024 10:00:00 +0060"}) {
        EXPECT_FALSE(parse_date_time(s)) << s;
    }
}

}  // namespace
}  // namespace mallard::imap
