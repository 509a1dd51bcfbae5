// The API's message shapes from a parsed message: addresses, attachments and their ids, cid: rewriting,
// decoded bodies, intros, headers and list fields.
#include "protocols/http/routes/message_view.h"

#include <gtest/gtest.h>

#include "protocols/http/routes/validate.h"
#include "storage/ingest.h"

namespace mallard::http::routes {
namespace {

using nlohmann::json;

const std::string related_message =
    "From: =?UTF-8?Q?J=C3=BCrgen?= <jurgen@example.com>\r\n"
    "To: Alice <alice@example.com>, team: bob@example.com;\r\n"
    "Subject: =?UTF-8?B?SGVsbG8gd8O2cmxk?=\r\n"
    "Date: Tue, 2 Jan 2024 10:00:00 +0200\r\n"
    "Message-ID: <m1@example.com>\r\n"
    "List-ID: Team list <team.example.com>\r\n"
    "List-Unsubscribe: <mailto:leave@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=outer\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/related; boundary=rel\r\n"
    "\r\n"
    "--rel\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<p>Hi <img src=3D\"cid:logo@x\"> and <img src=3D\"cid:other@x\"></p>\r\n"
    "--rel\r\n"
    "Content-Type: image/png\r\n"
    "Content-ID: <logo@x>\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "iVBORw0KGgoAAAANSUhEUg==\r\n"
    "--rel--\r\n"
    "--outer\r\n"
    "Content-Type: text/plain; name=\"notes.txt\"\r\n"
    "Content-Disposition: attachment; filename=\"notes.txt\"\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=C3=A9 =\r\nnotes\r\n"
    "--outer--\r\n";

storage::mime::ParsedMessage parse(const std::string& raw) { return storage::ingest(raw, {}).parsed; }

TEST(MessageView, attachments_are_numbered_in_tree_order) {
    auto parsed = parse(related_message);
    auto found = find_attachments(parsed, related_message);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].id, "ATT00001");
    EXPECT_EQ(found[0].content_type, "image/png");
    EXPECT_EQ(found[0].content_id, "logo@x");
    EXPECT_TRUE(found[0].related);
    EXPECT_EQ(found[0].size, 16u);  // 24 base64 characters with two padding: 16 bytes
    EXPECT_EQ(found[1].id, "ATT00002");
    EXPECT_EQ(found[1].filename, "notes.txt");
    EXPECT_EQ(found[1].disposition, "attachment");
    EXPECT_FALSE(found[1].related);
    EXPECT_EQ(decoded_body(*found[1].part, related_message), "café notes");  // the CRLF before a boundary is the boundary's
    ASSERT_TRUE(find_attachment(parsed, "ATT00002"));
    EXPECT_FALSE(find_attachment(parsed, "ATT00003"));
    std::string png = decoded_body(*found[0].part, related_message);
    EXPECT_EQ(png.substr(1, 3), "PNG");
}

TEST(MessageView, full_view_decodes_and_rewrites_cid_links) {
    auto parsed = parse(related_message);
    json view = full_message_json(parsed, related_message);
    EXPECT_EQ(view["from"]["name"], "Jürgen");
    EXPECT_EQ(view["from"]["address"], "jurgen@example.com");
    ASSERT_EQ(view["to"].size(), 2u);  // the group's members, without its markers
    EXPECT_EQ(view["to"][1]["address"], "bob@example.com");
    EXPECT_EQ(view["subject"], "Hello wörld");
    EXPECT_EQ(view["date"], "2024-01-02T08:00:00.000Z");
    EXPECT_EQ(view["messageId"], "<m1@example.com>");
    ASSERT_EQ(view["html"].size(), 1u);
    const std::string html = view["html"][0];
    EXPECT_NE(html.find("src=\"attachment:ATT00001\""), std::string::npos) << html;
    EXPECT_NE(html.find("cid:other@x"), std::string::npos);  // no such part: left alone
    EXPECT_EQ(view["attachments"].size(), 2u);
    EXPECT_EQ(view["attachments"][1]["sizeKb"], 1);
    EXPECT_EQ(view["list"]["id"], json({{"name", "Team list"}, {"address", "team.example.com"}}));
    EXPECT_EQ(view["list"]["unsubscribe"], json::array({{{"name", ""}, {"address", "mailto:leave@example.com"}}}));
    EXPECT_FALSE(view.contains("cc"));  // no Cc header: no field, as WildDuck answers
    EXPECT_FALSE(view.contains("replyTo"));
    EXPECT_EQ(view["metaData"], json::object());
    EXPECT_EQ(view["headers"][0]["key"], "from");
    EXPECT_EQ(view["contentType"]["value"], "multipart/mixed");
    EXPECT_EQ(view["contentType"]["params"]["boundary"], "outer");
}

TEST(MessageView, full_view_breaks_out_reply_to_references_and_the_delivery_envelope) {
    const std::string raw =
        "Return-Path: <bounce+x@lists.example.org>\r\n"
        "Delivered-To: Alice.Smith+news@Example.com\r\n"
        "Sender: Robot <robot@example.org>\r\n"
        "Reply-To: Team <team@example.org>, other@example.org\r\n"
        "References: <a@x>\r\n <b@x>\r\n"
        "Subject: no from\r\n\r\nbody\r\n";
    auto parsed = parse(raw);
    json view = full_message_json(parsed, raw);
    EXPECT_EQ(view["from"], json({{"name", "Robot"}, {"address", "robot@example.org"}}));  // Sender stands in
    ASSERT_EQ(view["replyTo"].size(), 2u);
    EXPECT_EQ(view["replyTo"][0]["name"], "Team");
    EXPECT_EQ(view["references"], json::array({"<a@x>", "<b@x>"}));
    EXPECT_EQ(view["envelope"]["from"], "bounce+x@lists.example.org");
    ASSERT_EQ(view["envelope"]["rcpt"].size(), 1u);
    EXPECT_EQ(view["envelope"]["rcpt"][0]["value"], "Alice.Smith+news@Example.com");
    EXPECT_EQ(view["envelope"]["rcpt"][0]["formatted"], "alicesmith@example.com");
    EXPECT_FALSE(view.contains("to"));

    const std::string bare = "Return-Path: <mailer@example.net>\r\nSubject: x\r\n\r\nbody\r\n";
    auto bare_parsed = parse(bare);
    EXPECT_EQ(full_message_json(bare_parsed, bare)["from"]["address"], "mailer@example.net");
}

TEST(MessageView, forwarded_is_not_answered) {
    json flags;
    add_flag_fields(flags, {"$Forwarded", "\\Answered"});
    EXPECT_EQ(flags["answered"], false);
    EXPECT_EQ(flags["forwarded"], true);
}

TEST(MessageView, summary_and_intro_of_a_plain_message) {
    const std::string raw = "Subject: plain\r\n\r\nHello   there,\r\n\r\nthis is   the body.\r\n";
    auto parsed = parse(raw);
    json summary = summary_json(parsed);
    EXPECT_EQ(summary["attachments"], false);
    EXPECT_FALSE(summary.contains("from"));
    EXPECT_TRUE(summary["date"].is_null());
    const storage::mime::Part* part = intro_part(parsed);
    ASSERT_NE(part, nullptr);
    EXPECT_EQ(intro_from_body(*part, std::string_view(raw).substr(part->body_start)), "Hello there, this is the body.");
    std::string long_text(300, 'x');
    EXPECT_LE(make_intro(long_text).size(), 128u + 3);
    EXPECT_EQ(make_intro("  a\n b  "), "a b");
}

TEST(MessageView, flag_fields_and_times) {
    json out;
    add_flag_fields(out, {"\\Flagged", "\\Seen"});
    EXPECT_EQ(out["seen"], true);
    EXPECT_EQ(out["flagged"], true);
    EXPECT_EQ(out["draft"], false);
    EXPECT_EQ(iso_time(std::int64_t{0}), "1970-01-01T00:00:00.000Z");
}

TEST(Validate, uid_ranges_and_dates) {
    auto r = parse_uid_ranges("1:100");
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].first, 1u);
    EXPECT_EQ((*r)[0].last, 100u);
    r = parse_uid_ranges("5,9:7,3:*");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[1].first, 7u);
    EXPECT_EQ((*r)[2].last, storage::UidRange::max_uid);
    for (const char* bad : {"", "0", "a", "1:", ":2", "1,,2", "-1"}) EXPECT_FALSE(parse_uid_ranges(bad)) << bad;

    EXPECT_EQ(parse_date_param("2024-01-02"), 1704153600);
    EXPECT_EQ(parse_date_param("2024-01-02T10:00:00Z"), 1704153600 + 36000);
    EXPECT_EQ(parse_date_param("2024-01-02T10:00:00.123+02:00"), 1704153600 + 28800);
    EXPECT_EQ(parse_date_param("1704153600000"), 1704153600);
    EXPECT_EQ(parse_date_param("Tue, 2 Jan 2024 00:00:00 +0000"), 1704153600);
    EXPECT_FALSE(parse_date_param("2024-13-01"));
    EXPECT_FALSE(parse_date_param("yesterday"));
}

}  // namespace
}  // namespace mallard::http::routes
