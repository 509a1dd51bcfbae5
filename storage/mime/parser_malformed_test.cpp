// The streaming parser on malformed and hostile input: it never crashes, hangs or buffers without
// bound, and still indexes the message as well as it can.
#include <gtest/gtest.h>

#include <string>

#include "storage/mime/parser.h"
#include "storage/mime/serialize.h"
#include "storage/mime/test_util.h"

namespace mallard::storage::mime {
namespace {

using test::body_of;
using test::header_of;
using test::part_at;

std::string nested_multiparts(int depth) {
    std::string msg;
    for (int i = 0; i < depth; ++i) {
        msg += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" + std::to_string(i) + "\n";
    }
    msg += "Content-Type: text/plain\n\ndeep\n";
    for (int i = depth - 1; i >= 0; --i) msg += "--b" + std::to_string(i) + "--\n";
    return msg;
}

std::size_t depth_of(const Part& p) {
    std::size_t d = 0;
    for (const auto& c : p.children) d = std::max(d, 1 + depth_of(c));
    return d;
}

std::size_t count_parts(const Part& p) {
    std::size_t n = 1;
    for (const auto& c : p.children) n += count_parts(c);
    return n;
}

TEST(MimeParserMalformed, missing_closing_boundaries) {
    std::string msg = test::read_data("malformed_missing_close.eml");
    ParsedMessage m = test::parse_checked(msg);
    ASSERT_EQ(m.root.children.size(), 2u);
    EXPECT_EQ(test::slice(msg, m.root.body_start, m.root.body_start + 14), "Preamble text.");
    const Part& alt = part_at(m, {0});
    ASSERT_EQ(alt.children.size(), 2u);
    EXPECT_EQ(body_of(msg, alt.children[0]), "Inner plain part, never closed.");
    EXPECT_EQ(body_of(msg, alt.children[1]), "<p>Inner html part, never closed.</p>");
    EXPECT_EQ(alt.body_end, alt.children[1].body_end);
    EXPECT_EQ(body_of(msg, part_at(m, {1})),
              "Second outer part; the message ends without --outer-- and without a final line break.");
    EXPECT_EQ(m.root.body_end, msg.size());
    EXPECT_EQ(m.issues, issue::unclosed_multipart);
}

TEST(MimeParserMalformed, header_blocks_without_blank_lines) {
    std::string msg = test::read_data("malformed_no_blank.eml");
    ParsedMessage m = test::parse_checked(msg);
    EXPECT_EQ(test::slice(msg, m.root.body_start, m.root.body_start + 5), "--xyz");
    ASSERT_EQ(m.root.children.size(), 4u);
    EXPECT_EQ(header_of(msg, part_at(m, {0})), "Content-Type: text/plain\n");
    EXPECT_EQ(body_of(msg, part_at(m, {0})), "This line starts the body: it is not a header field.\nSecond body line.");
    EXPECT_EQ(header_of(msg, part_at(m, {1})), "");
    EXPECT_EQ(body_of(msg, part_at(m, {1})), "this part has no header at all");
    EXPECT_TRUE(part_at(m, {1}).is("text", "plain"));
    // A blank line right before a boundary: its line break is the boundary's, so the body is empty.
    EXPECT_EQ(header_of(msg, part_at(m, {2})), "Content-Type: text/plain\n");
    EXPECT_EQ(part_at(m, {2}).body_bytes(), 0u);
    EXPECT_EQ(body_of(msg, part_at(m, {3})), "Broken header line without colon\nX-After: this is body now");
    EXPECT_EQ(m.issues, issue::no_header_end);
}

TEST(MimeParserMalformed, deep_nesting_stops_at_the_depth_limit) {
    std::string msg = nested_multiparts(2000);
    ParsedMessage m = test::parse_checked(msg);
    EXPECT_EQ(depth_of(m.root), ParserLimits{}.max_depth);
    EXPECT_TRUE(m.issues & issue::depth_limit);
    EXPECT_EQ(m.root.body_end, msg.size());
    // The innermost opened multipart holds the rest as one opaque leaf.
    const Part* p = &m.root;
    while (!p->children.empty()) p = &p->children[0];
    EXPECT_EQ(p->kind, PartKind::leaf);
    EXPECT_TRUE(p->is("multipart", "mixed"));
}

TEST(MimeParserMalformed, deep_message_rfc822_nesting) {
    std::string msg;
    for (int i = 0; i < 500; ++i) msg += "Subject: level " + std::to_string(i) + "\nContent-Type: message/rfc822\n\n";
    msg += "Subject: bottom\n\ntext\n";
    ParsedMessage m = test::parse_checked(msg);
    EXPECT_EQ(depth_of(m.root), ParserLimits{}.max_depth);
    EXPECT_EQ(m.issues, issue::depth_limit);
}

TEST(MimeParserMalformed, many_parts_stop_at_the_part_limit) {
    std::string msg = "Content-Type: multipart/mixed; boundary=p\n\n";
    for (int i = 0; i < 6000; ++i) msg += "--p\n\npart " + std::to_string(i) + "\n";
    msg += "--p--\nepilogue\n";
    ParsedMessage m = test::parse_checked(msg);
    EXPECT_EQ(count_parts(m.root), ParserLimits{}.max_parts);
    EXPECT_EQ(m.issues, issue::part_limit);
    // The last indexed part still ends at its boundary; the unindexed rest stays in the multipart.
    const Part& last = m.root.children.back();
    EXPECT_EQ(body_of(msg, last), "part 4998");
    EXPECT_EQ(m.root.body_end, msg.size());
}

TEST(MimeParserMalformed, endless_lines_keep_memory_bounded) {
    ParserLimits limits;
    std::string chunk(64 * 1024, 'x');
    // A header line that never ends.
    Parser header(limits);
    header.feed("Subject: ");
    std::size_t peak = 0;
    for (int i = 0; i < 160; ++i) {  // 10 MiB
        header.feed(chunk);
        peak = std::max(peak, header.buffered_bytes());
    }
    EXPECT_LE(peak, limits.max_header_bytes + 4096);
    ParsedMessage h = header.finish();
    EXPECT_EQ(h.root.body_start, h.size);
    EXPECT_EQ(h.issues, issue::header_limit);

    // A body line that never ends, inside a multipart, and a boundary line with endless padding.
    Parser body(limits);
    body.feed("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n");
    peak = 0;
    for (int i = 0; i < 160; ++i) {
        body.feed(chunk);
        peak = std::max(peak, body.buffered_bytes());
    }
    body.feed("\n--b");
    for (int i = 0; i < 16; ++i) body.feed(std::string(64 * 1024, ' '));
    body.feed("\n\nsecond\n--b--\n");
    EXPECT_LE(peak, 4096u);
    ParsedMessage b = body.finish();
    ASSERT_EQ(b.root.children.size(), 2u);
    EXPECT_EQ(b.root.children[0].body_bytes(), 160u * 64 * 1024);
    EXPECT_EQ(b.issues, 0u);
}

TEST(MimeParserMalformed, header_block_over_the_limit_becomes_body) {
    ParserLimits limits;
    limits.max_header_bytes = 100;
    std::string msg = "Subject: s\nX-Long: " + std::string(200, 'y') + "\nFrom: a@b\n\nbody\n";
    ParsedMessage m = test::parse_checked(msg, limits);
    EXPECT_EQ(m.envelope().subject, "s");
    EXPECT_TRUE(m.envelope().from.empty());  // after the cut: part of the body
    EXPECT_EQ(test::slice(msg, m.root.body_start, m.root.body_start + 5), "From:");
    EXPECT_EQ(m.issues, issue::header_limit);
}

TEST(MimeParserMalformed, nul_bytes_and_binary_garbage) {
    std::string msg("Subject: a\0b\nContent-Type: multipart/mixed; boundary=\"z\"\n\n--z\n\0\0\0\n--z--\n", 66);
    ParsedMessage m = test::parse_checked(msg);
    EXPECT_EQ(m.envelope().subject, std::string("a\0b", 3));
    ASSERT_EQ(m.root.children.size(), 1u);

    std::string garbage;
    std::uint32_t x = 12345;
    for (int i = 0; i < 200000; ++i) {
        x = x * 1103515245u + 12345u;
        garbage.push_back(static_cast<char>(x >> 24));
    }
    ParsedMessage g = test::parse_checked(garbage);
    EXPECT_EQ(g.root.body_end, garbage.size());
    EXPECT_TRUE(deserialize(serialize(g)).ok());
}

TEST(MimeParserMalformed, unusable_boundaries_leave_a_leaf) {
    ParsedMessage none = test::parse_checked("Content-Type: multipart/mixed\n\n--x\nbody\n--x--\n");
    EXPECT_EQ(none.root.kind, PartKind::leaf);
    EXPECT_EQ(none.issues, issue::bad_boundary);

    std::string long_boundary(300, 'q');
    ParsedMessage too_long = test::parse_checked("Content-Type: multipart/mixed; boundary=" + long_boundary +
                                                 "\n\n--" + long_boundary + "\n\nx\n");
    EXPECT_EQ(too_long.root.kind, PartKind::leaf);
    EXPECT_EQ(too_long.issues, issue::bad_boundary);
}

TEST(MimeParserMalformed, encoded_message_rfc822_is_a_leaf) {
    ParsedMessage m = test::parse_checked(
        "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5DQo=\n");
    EXPECT_EQ(m.root.kind, PartKind::leaf);
    EXPECT_TRUE(m.root.children.empty());
}

TEST(MimeParserMalformed, inner_boundary_equal_to_the_outer_one) {
    std::string msg =
        "Content-Type: multipart/mixed; boundary=s\n\n--s\nContent-Type: multipart/mixed; boundary=s\n\n"
        "--s\n\ninner\n--s--\n--s\n\nouter second\n--s--\n";
    ParsedMessage m = test::parse_checked(msg);
    // The innermost live boundary wins; once it closes, the outer one takes over.
    ASSERT_EQ(m.root.children.size(), 2u);
    EXPECT_EQ(body_of(msg, part_at(m, {0, 0})), "inner");
    EXPECT_EQ(body_of(msg, part_at(m, {1})), "outer second");
}

TEST(MimeParserMalformed, boundary_lines_in_the_epilogue_are_text) {
    std::string msg = "Content-Type: multipart/mixed; boundary=e\n\n--e\n\none\n--e--\n--e\n\nafter\n";
    ParsedMessage m = test::parse_checked(msg);
    ASSERT_EQ(m.root.children.size(), 1u);
    EXPECT_EQ(m.root.body_end, msg.size());
    EXPECT_EQ(m.issues, 0u);
}

TEST(MimeParserMalformed, finish_twice_and_feed_after_finish) {
    Parser p;
    p.feed("Subject: x\n\nbody\n");
    ParsedMessage first = p.finish();
    p.feed("more");
    EXPECT_EQ(first.envelope().subject, "x");
    EXPECT_EQ(first.size, 17u);
}

}  // namespace
}  // namespace mallard::storage::mime
