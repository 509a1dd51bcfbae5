// The streaming parser on well-formed, real-world-shaped messages (test/data/mime), each in its stored
// form and with CRLF line endings, fed whole, one byte at a time and in pieces.
#include "storage/mime/parser.h"

#include <gtest/gtest.h>

#include "storage/mime/base64.h"
#include "storage/mime/header_fields.h"
#include "storage/mime/test_util.h"

namespace mallard::storage::mime {
namespace {

using test::body_of;
using test::header_of;
using test::part_at;

// Runs `check` on the stored message and on its CRLF form.
template <class Check>
void both_line_endings(std::string_view name, Check check) {
    std::string stored = test::read_data(name);
    for (const std::string& msg : {stored, test::to_crlf(stored)}) {
        SCOPED_TRACE(std::string(name) + (msg == stored ? " as stored" : " with CRLF"));
        check(msg, test::parse_checked(msg));
    }
}

TEST(MimeParser, plain_message_offsets_and_fields) {
    both_line_endings("plain.eml", [](const std::string& msg, const ParsedMessage& m) {
        const Part& root = m.root;
        EXPECT_EQ(root.kind, PartKind::leaf);
        EXPECT_EQ(root.type, "text");
        EXPECT_EQ(root.subtype, "plain");
        EXPECT_EQ(root.charset(), "us-ascii");
        EXPECT_EQ(root.encoding, "7bit");
        EXPECT_EQ(root.header_start, 0u);
        std::string header = header_of(msg, root);
        EXPECT_EQ(header.substr(0, 12), "Return-Path:");
        EXPECT_EQ(header.substr(header.size() - 2), "\n\n");
        EXPECT_EQ(body_of(msg, root),
                  "Hi Bob,\n\nare we still on for lunch on Thursday? The usual place at noon.\n\n-- \nAlice\n");
        EXPECT_EQ(root.body_end, msg.size());
        EXPECT_EQ(root.body_lines, 6u);
        EXPECT_EQ(m.issues, 0u);
    });
}

TEST(MimeParser, alternative_parts_exclude_the_line_break_before_a_boundary) {
    both_line_endings("alternative.eml", [](const std::string& msg, const ParsedMessage& m) {
        ASSERT_EQ(m.root.kind, PartKind::multipart);
        EXPECT_EQ(m.root.subtype, "alternative");
        ASSERT_EQ(m.root.children.size(), 2u);
        const Part& plain = part_at(m, {0});
        EXPECT_EQ(header_of(msg, plain),
                  "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n");
        EXPECT_EQ(plain.encoding, "quoted-printable");
        EXPECT_EQ(body_of(msg, plain),
                  "Gr=C3=BC=C3=9Fe aus M=C3=BCnchen!\n\nDie Pr=C3=BCfungsergebnisse sind da. Alle haben "
                  "bestanden, bis auf einen =\nsehr langen Satz, der hier weich umbrochen wird.");
        EXPECT_EQ(plain.body_lines, 3u);
        const Part& html = part_at(m, {1});
        EXPECT_TRUE(html.is("text", "html"));
        EXPECT_EQ(body_of(msg, html).substr(0, 6), "<html>");
        EXPECT_EQ(body_of(msg, html).substr(body_of(msg, html).size() - 7), "</html>");
        EXPECT_EQ(html.body_lines, 2u);
        // The preamble runs from the root's body start to the first boundary line.
        EXPECT_EQ(test::slice(msg, m.root.body_start, m.root.body_start + 44),
                  "This is a multi-part message in MIME format.");
        EXPECT_EQ(m.root.body_end, msg.size());
        EXPECT_EQ(m.issues, 0u);
    });
}

TEST(MimeParser, mixed_message_with_attachments_and_extension_fields) {
    both_line_endings("mixed_attachments.eml", [](const std::string& msg, const ParsedMessage& m) {
        ASSERT_EQ(m.root.children.size(), 3u);
        EXPECT_TRUE(part_at(m, {0}).is("multipart", "alternative"));
        EXPECT_TRUE(part_at(m, {0, 0}).is("text", "plain"));
        EXPECT_EQ(part_at(m, {0, 0}).charset(), "iso-8859-1");
        const Part& related = part_at(m, {0, 1});
        EXPECT_TRUE(related.is("multipart", "related"));
        ASSERT_NE(related.param("type"), nullptr);
        EXPECT_EQ(related.param("type")->value, "text/html");
        EXPECT_EQ(part_at(m, {0, 1, 0}).encoding, "8bit");

        const Part& png = part_at(m, {0, 1, 1});
        EXPECT_TRUE(png.is("image", "png"));
        EXPECT_EQ(png.id, "<logo@shop.example>");
        ASSERT_TRUE(png.disposition);
        EXPECT_EQ(png.disposition->type, "inline");
        std::string png_bytes = decode_base64(body_of(msg, png));
        EXPECT_EQ(png_bytes.substr(1, 3), "PNG");
        EXPECT_EQ(png_bytes.size(), 66u);

        const Part& pdf = part_at(m, {1});
        EXPECT_TRUE(pdf.is("application", "pdf"));
        EXPECT_EQ(pdf.param("name")->value, "invoice.pdf");
        EXPECT_EQ(pdf.description, "Invoice INV-2023-0042");
        EXPECT_EQ(pdf.md5, "eCuDR+omB4mmeRiOqcgEBg==");
        EXPECT_EQ(pdf.location, "https://shop.example/invoices/0042.pdf");
        EXPECT_EQ(pdf.languages, (std::vector<std::string>{"de", "en-US"}));
        ASSERT_TRUE(pdf.is_attachment());
        const auto& dparams = pdf.disposition->params;
        ASSERT_EQ(dparams.size(), 3u);
        EXPECT_EQ(dparams[0].name, "filename");
        EXPECT_EQ(dparams[0].value, "Rechnung für Bestellung 42.pdf");
        EXPECT_TRUE(dparams[0].extended);
        EXPECT_EQ(dparams[0].raw, "UTF-8''Rechnung%20f%C3%BCr%20Bestellung%2042.pdf");
        EXPECT_EQ(dparams[1].name, "size");
        EXPECT_EQ(dparams[1].value, "224");
        EXPECT_EQ(dparams[2].value, "Thu, 16 Nov 2023 09:59:58 -0500");
        std::string pdf_bytes = decode_base64(body_of(msg, pdf));
        EXPECT_EQ(pdf_bytes.size(), 224u);
        EXPECT_EQ(pdf_bytes.substr(0, 8), "%PDF-1.4");
        EXPECT_EQ(body_of(msg, pdf).back(), '\n');  // a blank line preceded the boundary

        const Part& terms = part_at(m, {2});
        EXPECT_TRUE(terms.is_attachment());
        EXPECT_EQ(body_of(msg, terms), "These terms are an attachment and not part of the message text.");
        EXPECT_EQ(m.issues, 0u);
    });
}

TEST(MimeParser, nested_message_has_its_own_envelope_and_tree) {
    both_line_endings("nested_rfc822.eml", [](const std::string& msg, const ParsedMessage& m) {
        ASSERT_EQ(m.root.children.size(), 2u);
        EXPECT_EQ(body_of(msg, part_at(m, {0})), "See below — forwarding for the record.\n");
        EXPECT_EQ(part_at(m, {0}).body_lines, 1u);
        const Part& rfc822 = part_at(m, {1});
        ASSERT_EQ(rfc822.kind, PartKind::message);
        EXPECT_FALSE(rfc822.envelope);
        ASSERT_EQ(rfc822.children.size(), 1u);
        const Part& inner = rfc822.children[0];
        EXPECT_EQ(inner.header_start, rfc822.body_start);
        EXPECT_EQ(inner.body_end, rfc822.body_end);
        EXPECT_TRUE(inner.is("multipart", "alternative"));
        ASSERT_TRUE(inner.envelope);
        EXPECT_EQ(inner.envelope->subject, "=?ISO-8859-1?Q?Men=FC?= for Thursday");
        EXPECT_EQ(inner.envelope->message_id, "<menu-13@example.net>");
        ASSERT_EQ(inner.envelope->sender.size(), 1u);
        EXPECT_EQ(inner.envelope->sender[0].mailbox, "secretary");
        EXPECT_EQ(inner.envelope->reply_to[0].mailbox, "carol+replies");
        ASSERT_EQ(inner.children.size(), 2u);
        EXPECT_EQ(body_of(msg, inner.children[0]), "The men=FC: soup, salad, cr=E8me br=FBl=E9e.");
        std::string rfc822_body = body_of(msg, rfc822);
        EXPECT_EQ(rfc822_body.substr(0, 12), "Return-Path:");
        EXPECT_EQ(rfc822_body.substr(rfc822_body.size() - 10), "--inner--\n");
        EXPECT_EQ(rfc822.body_lines, 22u);
        EXPECT_EQ(m.envelope().in_reply_to, "<20231114081230.GA1234@mail.example.org>");
        EXPECT_EQ(m.issues, 0u);
    });
}

TEST(MimeParser, digest_parts_default_to_message_rfc822) {
    both_line_endings("digest.eml", [](const std::string& msg, const ParsedMessage& m) {
        ASSERT_EQ(m.root.children.size(), 3u);
        for (std::size_t i : {0u, 1u}) {
            const Part& p = part_at(m, {i});
            EXPECT_TRUE(p.is("message", "rfc822"));
            ASSERT_EQ(p.kind, PartKind::message);
            EXPECT_EQ(header_of(msg, p), "\n");
            ASSERT_TRUE(p.children[0].envelope);
            EXPECT_TRUE(p.children[0].is("text", "plain"));
        }
        EXPECT_EQ(part_at(m, {0}).children[0].envelope->subject, "First post");
        EXPECT_EQ(part_at(m, {1}).children[0].envelope->in_reply_to, "<post-1@lists.example>");
        EXPECT_EQ(body_of(msg, part_at(m, {1, 0})), "Second post body.\n");
        EXPECT_TRUE(part_at(m, {2}).is("text", "plain"));
    });
}

TEST(MimeParser, inner_boundary_that_prefixes_the_outer_one) {
    both_line_endings("prefix_boundary.eml", [](const std::string& msg, const ParsedMessage& m) {
        ASSERT_EQ(m.root.children.size(), 2u);
        const Part& alt = part_at(m, {0});
        ASSERT_EQ(alt.children.size(), 2u);
        EXPECT_EQ(body_of(msg, alt.children[0]), "plain alternative\n--=_abc_not_a_boundary_line");
        EXPECT_EQ(body_of(msg, alt.children[1]), "<b>html alternative</b>");
        EXPECT_EQ(body_of(msg, alt).substr(body_of(msg, alt).size() - 10), "--=_abc--\t");
        EXPECT_EQ(body_of(msg, part_at(m, {1})),
                  "--=_abc_outer-- followed by text is not a boundary line.\n --=_abc_outer");
        EXPECT_EQ(m.root.body_end, msg.size());
        EXPECT_EQ(m.issues, 0u);
    });
}

TEST(MimeParser, eight_bit_headers_and_nul_bytes) {
    both_line_endings("eight_bit.eml", [](const std::string& msg, const ParsedMessage& m) {
        std::string_view block = std::string_view(msg).substr(m.root.header_start, m.root.body_start);
        auto fields = split_header_fields(block);  // views into msg
        ASSERT_NE(find_field(fields, "X-Ünïcode-Näme"), nullptr);
        EXPECT_NE(find_field(fields, "Date"), nullptr);  // after the 8-bit name: the block went on
        EXPECT_EQ(m.envelope().subject, "Grüße — raw UTF-8 in a header (RFC 6532)");
        ASSERT_EQ(m.envelope().from.size(), 1u);
        EXPECT_EQ(m.envelope().from[0].name, "Zoë Ångström");
        EXPECT_EQ(m.envelope().from[0].host, "bücher.example");
        EXPECT_EQ(m.root.encoding, "8bit");
        EXPECT_NE(body_of(msg, m.root).find(std::string("[\0]", 3)), std::string::npos);
        EXPECT_EQ(m.root.body_lines, 2u);
    });
}

TEST(MimeParser, mixed_line_endings) {
    both_line_endings("mixed_line_endings.eml", [](const std::string& msg, const ParsedMessage& m) {
        ASSERT_EQ(m.root.children.size(), 2u);
        EXPECT_EQ(body_of(msg, part_at(m, {0})), "CRLF line\nLF line\nlast line");
        EXPECT_EQ(part_at(m, {0}).body_lines, 2u);
        EXPECT_EQ(body_of(msg, part_at(m, {1})), "second");
        EXPECT_EQ(m.issues, 0u);
    });
}

TEST(MimeParser, closing_boundary_at_end_without_line_break) {
    std::string msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbody\r\n--b--  ";
    ParsedMessage m = test::parse_checked(msg);
    ASSERT_EQ(m.root.children.size(), 1u);
    EXPECT_EQ(test::slice(msg, m.root.children[0].body_start, m.root.children[0].body_end), "body");
    EXPECT_EQ(m.root.body_end, msg.size());
    EXPECT_EQ(m.issues, 0u);
}

TEST(MimeParser, adjacent_boundaries_make_empty_parts) {
    std::string msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nx\n--b--\n";
    ParsedMessage m = test::parse_checked(msg);
    ASSERT_EQ(m.root.children.size(), 2u);
    const Part& empty = m.root.children[0];
    EXPECT_EQ(empty.header_start, empty.body_end);
    EXPECT_EQ(empty.header_start, msg.find("--b\n--b") + 4);
    EXPECT_EQ(test::slice(msg, m.root.children[1].body_start, m.root.children[1].body_end), "x");
}

TEST(MimeParser, boundary_parameter_forms) {
    // Quoted with a trailing '=' and '?' (legal boundary characters), and in RFC 2231 form.
    std::string quoted = "Content-Type: multipart/mixed; boundary=\"=?q=\"\n\n--=?q=\n\nx\n--=?q=--\n";
    EXPECT_EQ(test::parse_checked(quoted).root.children.size(), 1u);
    std::string extended = "Content-Type: multipart/mixed; boundary*=''a%20b\n\n--a b\n\nx\n--a b--\n";
    EXPECT_EQ(test::parse_checked(extended).root.children.size(), 1u);
}

TEST(MimeParser, a_parser_moved_mid_message_carries_on) {
    std::string msg = test::read_data("nested_rfc822.eml");
    std::size_t half = msg.size() / 2;
    Parser first;
    first.feed(std::string_view(msg).substr(0, half));
    Parser second(std::move(first));
    second.feed(std::string_view(msg).substr(half));
    EXPECT_TRUE(second.finish() == parse(msg));
}

TEST(MimeParser, header_only_and_empty_messages) {
    ParsedMessage empty = test::parse_checked("");
    EXPECT_EQ(empty.root.body_end, 0u);
    EXPECT_TRUE(empty.root.envelope);
    EXPECT_TRUE(empty.root.is("text", "plain"));

    std::string header_only = "Subject: hi\r\nFrom: a@b.example\r\n";
    ParsedMessage h = test::parse_checked(header_only);
    EXPECT_EQ(h.root.body_start, header_only.size());
    EXPECT_EQ(h.envelope().subject, "hi");
    EXPECT_EQ(h.issues, issue::no_header_end);

    std::string body_only = "\r\njust a body\r\n";
    ParsedMessage b = test::parse_checked(body_only);
    EXPECT_EQ(b.root.body_start, 2u);
    EXPECT_EQ(b.root.body_lines, 1u);
    EXPECT_FALSE(b.envelope().subject);
}

TEST(MimeParser, message_rfc822_at_the_end_of_its_part) {
    // The encapsulated message's header block is cut by the boundary: it still gets an envelope.
    std::string msg =
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
        "Subject: inner\n--b--\n";
    ParsedMessage m = test::parse_checked(msg);
    const Part& rfc822 = part_at(m, {0});
    ASSERT_EQ(rfc822.kind, PartKind::message);
    const Part& inner = rfc822.children[0];
    EXPECT_EQ(inner.envelope->subject, "inner");
    EXPECT_EQ(test::slice(msg, inner.header_start, inner.body_start), "Subject: inner");
    EXPECT_EQ(inner.body_end, rfc822.body_end);
}

}  // namespace
}  // namespace mallard::storage::mime
