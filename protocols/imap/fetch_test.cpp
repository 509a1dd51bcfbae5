// FETCH and UID FETCH as a client sees them, over a socket pair with a SqliteStore (RFC 3501 §6.4.5, §6.4.8,
// §7.4.2): the metadata items, ENVELOPE and BODYSTRUCTURE against the renderers' own output, body sections
// as literals byte for byte, partials, \Seen set by BODY[] and not by BODY.PEEK[] or in a read-only mailbox,
// UID ranges with gaps, the state check, and BINARY (RFC 3516): decoded parts, literal8, UNKNOWN-CTE.
#include "protocols/imap/bodystructure.h"
#include "protocols/imap/date_time.h"
#include "protocols/imap/envelope.h"
#include "protocols/imap/session_test_support.h"
#include "storage/mime/parser.h"

namespace mallard::imap {
namespace {

using namespace test;

class ImapFetch : public SessionFixture {};

// A response's lines joined as they were sent (the literals split them), without the final CRLF.
std::string joined(const Lines& lines) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) out += "\r\n";
        out += lines[i];
    }
    return out;
}

const std::string simple = "Subject: hello\r\nFrom: a@example.com\r\n\r\nBody line\r\n";

const std::string multipart =
    "From: Ann <ann@example.com>\r\n"
    "To: bob@example.org\r\n"
    "Subject: parts\r\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    "Message-ID: <m1@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"xyz\"\r\n"
    "\r\n"
    "--xyz\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello part\r\n"
    "--xyz\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<b>Hi</b>\r\n"
    "--xyz--\r\n";

TEST_F(ImapFetch, metadata_items) {
    append("INBOX", simple, {"\\Flagged"});
    auto metas = run(store_->list_messages(mailbox("INBOX").id, storage::UidRange{}));
    ASSERT_TRUE(metas);
    ASSERT_EQ(metas->size(), 1u);
    std::string date;
    render_date_time(date, metas->front().internal_date);
    auto all = script({"SELECT INBOX", "FETCH 1 (FLAGS UID RFC822.SIZE INTERNALDATE)", "FETCH 1:* FAST"});
    EXPECT_EQ(response(all, "t2"), (Lines{"* 1 FETCH (FLAGS (\\Flagged) UID 1 RFC822.SIZE " +
                                              std::to_string(simple.size()) + " INTERNALDATE " + date + ")",
                                          "t2 OK FETCH completed"}));
    auto t3 = response(all, "t3");
    ASSERT_EQ(t3.size(), 2u);
    EXPECT_EQ(t3[0].rfind("* 1 FETCH (FLAGS (\\Flagged) INTERNALDATE ", 0), 0u) << t3[0];
}

TEST_F(ImapFetch, envelope_and_bodystructure_match_the_renderers) {
    append("INBOX", multipart, {});
    auto parsed = storage::mime::parse(multipart);
    RenderOptions options;
    std::string expected = "* 1 FETCH (ENVELOPE ";
    render_envelope(expected, parsed.envelope(), options);
    expected += " BODYSTRUCTURE ";
    render_bodystructure(expected, parsed.root, options);
    expected += " BODY ";
    render_body(expected, parsed.root, options);
    expected += ")";
    auto all = script({"EXAMINE INBOX", "FETCH 1 (ENVELOPE BODYSTRUCTURE BODY)"});
    EXPECT_EQ(response(all, "t2"), (Lines{expected, "t2 OK FETCH completed"}));
    EXPECT_NE(expected.find("\"mixed\""), std::string::npos) << expected;
}

// The trees are read 256 messages at a time (commands/fetch.cpp): every message still gets its own, across the
// batches and over a sparse set.
TEST_F(ImapFetch, envelopes_of_many_messages_are_each_their_own) {
    constexpr int count = 300;
    for (int i = 1; i <= count; ++i) append("INBOX", "Subject: m" + std::to_string(i) + "\r\n\r\nx\r\n", {});
    auto all = script({"EXAMINE INBOX", "FETCH 2:* (ENVELOPE)", "FETCH 1,255:258,300 (UID ENVELOPE)"});
    auto t2 = response(all, "t2");
    ASSERT_EQ(t2.size(), static_cast<std::size_t>(count));
    for (int i = 2; i <= count; ++i) {
        const std::string n = std::to_string(i);
        EXPECT_EQ(t2[i - 2].rfind("* " + n + " FETCH (ENVELOPE (NIL \"m" + n + "\" ", 0), 0u) << t2[i - 2];
    }
    auto t3 = response(all, "t3");
    ASSERT_EQ(t3.size(), 7u);
    const int sparse[] = {1, 255, 256, 257, 258, 300};
    for (int k = 0; k < 6; ++k) {
        const std::string n = std::to_string(sparse[k]);
        EXPECT_EQ(t3[k].rfind("* " + n + " FETCH (UID " + n + " ENVELOPE (NIL \"m" + n + "\" ", 0), 0u) << t3[k];
    }
}

TEST_F(ImapFetch, body_is_byte_exact_and_sets_seen) {
    append("INBOX", simple, {});
    auto all = script({"SELECT INBOX", "FETCH 1 BODY[]", "FETCH 1 FLAGS", "FETCH 1 BODY[]"});
    EXPECT_EQ(joined(response(all, "t2")), "* 1 FETCH (BODY[] {" + std::to_string(simple.size()) + "}\r\n" + simple +
                                               " FLAGS (\\Seen))\r\nt2 OK FETCH completed");
    EXPECT_EQ(response(all, "t3"), (Lines{"* 1 FETCH (FLAGS (\\Seen))", "t3 OK FETCH completed"}));
    // Already seen: no FLAGS added.
    EXPECT_EQ(joined(response(all, "t4")), "* 1 FETCH (BODY[] {" + std::to_string(simple.size()) + "}\r\n" + simple +
                                               ")\r\nt4 OK FETCH completed");
}

TEST_F(ImapFetch, peek_and_read_only_leave_seen_alone) {
    append("INBOX", simple, {});
    auto all = script({"SELECT INBOX", "FETCH 1 BODY.PEEK[]", "FETCH 1 RFC822.HEADER", "FETCH 1 FLAGS",
                       "EXAMINE INBOX", "FETCH 1 RFC822.TEXT", "FETCH 1 FLAGS"});
    EXPECT_EQ(joined(response(all, "t2")),
              "* 1 FETCH (BODY[] {" + std::to_string(simple.size()) + "}\r\n" + simple + ")\r\nt2 OK FETCH completed");
    const std::string header = "Subject: hello\r\nFrom: a@example.com\r\n\r\n";
    EXPECT_EQ(joined(response(all, "t3")), "* 1 FETCH (RFC822.HEADER {" + std::to_string(header.size()) + "}\r\n" +
                                               header + ")\r\nt3 OK FETCH completed");
    EXPECT_EQ(response(all, "t4"), (Lines{"* 1 FETCH (FLAGS ())", "t4 OK FETCH completed"}));
    EXPECT_EQ(joined(response(all, "t6")),
              "* 1 FETCH (RFC822.TEXT {11}\r\nBody line\r\n)\r\nt6 OK FETCH completed");
    EXPECT_EQ(response(all, "t7"), (Lines{"* 1 FETCH (FLAGS ())", "t7 OK FETCH completed"}));
}

TEST_F(ImapFetch, sections_and_partials) {
    append("INBOX", multipart, {});
    auto all = script({"SELECT INBOX", "FETCH 1 BODY.PEEK[1.MIME]", "FETCH 1 BODY.PEEK[2]",
                       "FETCH 1 BODY[HEADER.FIELDS (Subject)]", "FETCH 1 BODY.PEEK[]<2.5>",
                       "FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (From To Date Message-ID MIME-Version Content-Type)]<0.4>",
                       "FETCH 1 BODY.PEEK[7]"});
    const std::string mime = "Content-Type: text/plain; charset=utf-8\r\n\r\n";
    EXPECT_EQ(joined(response(all, "t2")), "* 1 FETCH (BODY[1.MIME] {" + std::to_string(mime.size()) + "}\r\n" +
                                               mime + ")\r\nt2 OK FETCH completed");
    EXPECT_EQ(joined(response(all, "t3")), "* 1 FETCH (BODY[2] {9}\r\n<b>Hi</b>)\r\nt3 OK FETCH completed");
    EXPECT_EQ(joined(response(all, "t4")),
              "* 1 FETCH (BODY[HEADER.FIELDS (Subject)] {18}\r\nSubject: parts\r\n\r\n FLAGS (\\Seen))\r\n"
              "t4 OK FETCH completed");
    EXPECT_EQ(response(all, "t5"), (Lines{"* 1 FETCH (BODY[]<2> {5}", "om: A)", "t5 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t6"),
              (Lines{"* 1 FETCH (BODY[HEADER.FIELDS.NOT (From To Date Message-ID MIME-Version Content-Type)]<0> {4}",
                     "Subj)", "t6 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t7"), (Lines{"* 1 FETCH (BODY[7] NIL)", "t7 OK FETCH completed"}));
}

TEST_F(ImapFetch, uid_fetch_over_gaps) {
    append("INBOX", simple, {});
    append("INBOX", simple, {"\\Deleted"});
    append("INBOX", simple, {"\\Deleted"});
    append("INBOX", simple, {"\\Answered"});
    auto all = script({"SELECT INBOX", "CLOSE", "SELECT INBOX", "UID FETCH 1:5 FLAGS", "UID FETCH 2:3 FLAGS",
                       "UID FETCH 4 (UID FLAGS)", "FETCH 3 FLAGS"});
    EXPECT_EQ(response(all, "t4"), (Lines{"* 1 FETCH (UID 1 FLAGS ())", "* 2 FETCH (UID 4 FLAGS (\\Answered))",
                                          "t4 OK UID FETCH completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK UID FETCH completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"* 2 FETCH (UID 4 FLAGS (\\Answered))", "t6 OK UID FETCH completed"}));
    EXPECT_EQ(response(all, "t7"), (Lines{"t7 OK FETCH completed"}));
}

// RFC 3516 BINARY: parts decoded from quoted-printable and base64, literal8 only for content with a NUL.
const std::string encoded =
    "Subject: enc\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=C3=A9 =\r\n"
    "soft\r\n"
    "--b\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAw==\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "plain\r\n"
    "--b\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: x-uuencode\r\n"
    "\r\n"
    "begin 644 x\r\n"
    "--b--\r\n";

TEST_F(ImapFetch, binary_decodes_parts) {
    append("INBOX", encoded, {});
    auto all = script({"SELECT INBOX", "FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2] BINARY.SIZE[3] BINARY.SIZE[])",
                       "FETCH 1 BINARY.PEEK[1]", "FETCH 1 BINARY.PEEK[2]", "FETCH 1 BINARY.PEEK[2]<1.2>",
                       "FETCH 1 (BINARY.PEEK[3]<1.3> BINARY.PEEK[9])", "FETCH 1 FLAGS", "FETCH 1 BINARY[1]<0.3>",
                       "FETCH 1 BINARY.PEEK[]"});
    EXPECT_EQ(response(all, "t2"),
              (Lines{"* 1 FETCH (BINARY.SIZE[1] 10 BINARY.SIZE[2] 4 BINARY.SIZE[3] 5 BINARY.SIZE[] " +
                         std::to_string(encoded.size()) + ")",
                     "t2 OK FETCH completed"}));
    EXPECT_EQ(joined(response(all, "t3")), "* 1 FETCH (BINARY[1] {10}\r\ncaf\xc3\xa9 soft)\r\nt3 OK FETCH completed");
    using namespace std::string_literals;
    EXPECT_EQ(joined(response(all, "t4")), "* 1 FETCH (BINARY[2] ~{4}\r\n\0\1\2\3)\r\nt4 OK FETCH completed"s);
    // No NUL in the range: a plain literal.
    EXPECT_EQ(joined(response(all, "t5")), "* 1 FETCH (BINARY[2]<1> {2}\r\n\1\2)\r\nt5 OK FETCH completed"s);
    EXPECT_EQ(joined(response(all, "t6")),
              "* 1 FETCH (BINARY[3]<1> {3}\r\nlai BINARY[9] NIL)\r\nt6 OK FETCH completed");
    EXPECT_EQ(response(all, "t7"), (Lines{"* 1 FETCH (FLAGS ())", "t7 OK FETCH completed"}));
    EXPECT_EQ(joined(response(all, "t8")),
              "* 1 FETCH (BINARY[1]<0> {3}\r\ncaf FLAGS (\\Seen))\r\nt8 OK FETCH completed");
    EXPECT_EQ(joined(response(all, "t9")), "* 1 FETCH (BINARY[] {" + std::to_string(encoded.size()) + "}\r\n" +
                                               encoded + ")\r\nt9 OK FETCH completed");
}

TEST_F(ImapFetch, binary_refuses_unknown_encodings_and_missing_sizes) {
    append("INBOX", encoded, {});
    auto all = script({"EXAMINE INBOX", "FETCH 1 BINARY.PEEK[4]", "FETCH 1 BINARY.SIZE[4]", "FETCH 1 BINARY.SIZE[5]",
                       "FETCH 1 BINARY[1.MIME]", "FETCH 1 BINARY.PEEK[4.1]"});
    EXPECT_EQ(response(all, "t2"),
              (Lines{"t2 NO [UNKNOWN-CTE] Cannot decode Content-Transfer-Encoding x-uuencode"}));
    EXPECT_EQ(response(all, "t3").back().rfind("t3 NO [UNKNOWN-CTE] ", 0), 0u);
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 NO [NONEXISTENT] No such body part"}));
    EXPECT_EQ(response(all, "t5").back().rfind("t5 BAD ", 0), 0u);
    EXPECT_EQ(response(all, "t6").back().rfind("t6 NO [UNKNOWN-CTE] ", 0), 0u);  // a leaf's part 1 is itself
}

TEST_F(ImapFetch, needs_a_selected_mailbox) {
    auto all = script({"FETCH 1 FLAGS", "UID FETCH 1 FLAGS", "SELECT INBOX", "FETCH 1:* FLAGS"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 BAD FETCH requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 BAD UID FETCH requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK FETCH completed"}));
}

}  // namespace
}  // namespace mallard::imap
