// Properties every test message must have, in both line-ending forms: the streaming contract, nesting
// and ordering of offsets, part boundaries where RFC 2046 puts them, and a lossless stored form.
#include <gtest/gtest.h>

#include <filesystem>

#include "storage/mime/serialize.h"
#include "storage/mime/test_util.h"
#include "storage/mime/text_extract.h"

namespace mallard::storage::mime {
namespace {

void check_part(std::string_view msg, const Part& p, std::uint64_t lo, std::uint64_t hi) {
    ASSERT_LE(lo, p.header_start);
    ASSERT_LE(p.header_start, p.body_start);
    ASSERT_LE(p.body_start, p.body_end);
    ASSERT_LE(p.body_end, hi);
    std::string_view body = msg.substr(p.body_start, p.body_bytes());
    EXPECT_EQ(p.body_lines, static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n')));
    if (p.header_start > 0) {
        EXPECT_EQ(msg[p.header_start - 1], '\n') << "a part starts at a line start";
    }
    EXPECT_EQ(p.kind == PartKind::message, p.children.size() == 1 && p.children[0].envelope.has_value());
    std::uint64_t next = p.body_start;
    for (const auto& c : p.children) {
        check_part(msg, c, next, p.body_end);
        if (p.kind == PartKind::multipart) {
            // The line before a body part is its boundary line: "--" boundary.
            std::string_view before = msg.substr(0, c.header_start);
            before.remove_suffix(1);
            std::size_t line = before.rfind('\n');
            line = line == std::string_view::npos ? 0 : line + 1;
            EXPECT_EQ(before.substr(line, 2 + p.param("boundary")->raw.size()), "--" + p.param("boundary")->raw);
        }
        next = c.body_end;
    }
}

TEST(MimeCorpus, every_test_message) {
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(MIME_TEST_DATA)) {
        if (entry.path().extension() != ".eml") continue;
        ++files;
        std::string stored = test::read_data(entry.path().filename().string());
        for (const std::string& msg : {stored, test::to_crlf(stored)}) {
            SCOPED_TRACE(entry.path().filename().string() + (msg == stored ? "" : " (CRLF)"));
            ParsedMessage m = test::parse_checked(msg);
            check_part(msg, m.root, 0, msg.size());
            EXPECT_EQ(m.root.body_end, msg.size());
            ASSERT_TRUE(m.root.envelope);
            auto back = deserialize(serialize(m));
            ASSERT_TRUE(back.ok());
            EXPECT_TRUE(*back == m);
            ExtractedText t = extract_text(m, msg);
            EXPECT_FALSE(t.plain.empty());
        }
    }
    EXPECT_GE(files, 12u);
}

}  // namespace
}  // namespace mallard::storage::mime
