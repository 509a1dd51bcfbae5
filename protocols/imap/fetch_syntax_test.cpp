// FETCH items: RFC 3501 §6.4.5, RFC 3516, RFC 7162. Fed whole and byte by byte.
#include "protocols/imap/fetch_syntax.h"

#include <gtest/gtest.h>

#include "protocols/imap/parser_test_support.h"

namespace mallard::imap {
namespace {

using namespace mallard::imap::test;
using Kind = FetchItem::Kind;
using SKind = FetchSection::Kind;

FetchCommand fetch(const std::string& rest) { return args<FetchCommand>("f FETCH " + rest + "\r\n"); }

std::vector<Kind> kinds(const FetchCommand& f) {
    std::vector<Kind> out;
    for (const auto& i : f.items) out.push_back(i.kind);
    return out;
}

FetchItem item(const std::string& att) {
    FetchCommand f = fetch("1 " + att);
    if (f.items.size() != 1) {
        ADD_FAILURE() << att;
        return {};
    }
    return f.items[0];
}

TEST(ImapFetch, macros) {
    EXPECT_EQ(kinds(fetch("1 ALL")), (std::vector<Kind>{Kind::flags, Kind::internal_date, Kind::rfc822_size,
                                                        Kind::envelope}));
    EXPECT_EQ(kinds(fetch("1 fast")), (std::vector<Kind>{Kind::flags, Kind::internal_date, Kind::rfc822_size}));
    EXPECT_EQ(kinds(fetch("1 FULL")), (std::vector<Kind>{Kind::flags, Kind::internal_date, Kind::rfc822_size,
                                                         Kind::envelope, Kind::body}));
    EXPECT_EQ(bad("f FETCH 1 (ALL)\r\n").tag, "f");
}

TEST(ImapFetch, simple_items) {
    FetchCommand f = fetch("2:4 (ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT BODY "
                           "BODYSTRUCTURE UID MODSEQ)");
    EXPECT_EQ(kinds(f), (std::vector<Kind>{Kind::envelope, Kind::flags, Kind::internal_date, Kind::rfc822,
                                           Kind::rfc822_header, Kind::rfc822_size, Kind::rfc822_text, Kind::body,
                                           Kind::bodystructure, Kind::uid, Kind::modseq}));
    EXPECT_EQ(f.set.ranges, (std::vector<SequenceSet::Range>{{2, 4}}));
    EXPECT_EQ(item("uid").kind, Kind::uid);
}

TEST(ImapFetch, body_sections) {
    FetchItem i = item("BODY[]");
    EXPECT_EQ(i.kind, Kind::body_section);
    EXPECT_FALSE(i.peek);
    EXPECT_EQ(i.section, FetchSection{});
    i = item("BODY.PEEK[HEADER]");
    EXPECT_TRUE(i.peek);
    EXPECT_EQ(i.section.kind, SKind::header);
    i = item("BODY[TEXT]");
    EXPECT_EQ(i.section.kind, SKind::text);
    i = item("BODY[1.2.3]");
    EXPECT_EQ(i.section.part, (std::vector<unsigned>{1, 2, 3}));
    EXPECT_EQ(i.section.kind, SKind::whole);
    i = item("BODY[2.MIME]");
    EXPECT_EQ(i.section.kind, SKind::mime);
    EXPECT_EQ(i.section.part, (std::vector<unsigned>{2}));
    i = item("BODY[4.2.HEADER]");
    EXPECT_EQ(i.section.kind, SKind::header);
    EXPECT_EQ(i.section.part, (std::vector<unsigned>{4, 2}));
    i = item("BODY[3.text]");
    EXPECT_EQ(i.section.kind, SKind::text);
}

TEST(ImapFetch, header_fields_with_partial) {
    FetchItem i = item("BODY.PEEK[1.2.HEADER.FIELDS (From To)]<0.100>");
    EXPECT_EQ(i.kind, Kind::body_section);
    EXPECT_TRUE(i.peek);
    EXPECT_EQ(i.section.part, (std::vector<unsigned>{1, 2}));
    EXPECT_EQ(i.section.kind, SKind::header_fields);
    EXPECT_EQ(i.section.fields, (std::vector<std::string>{"From", "To"}));
    ASSERT_TRUE(i.partial);
    EXPECT_EQ(*i.partial, (FetchPartial{0, 100}));
    i = item("BODY[HEADER.FIELDS.NOT (\"Received\" X-Spam)]");
    EXPECT_EQ(i.section.kind, SKind::header_fields_not);
    EXPECT_EQ(i.section.fields, (std::vector<std::string>{"Received", "X-Spam"}));
    FetchCommand f = fetch("1 (UID BODY.PEEK[HEADER.FIELDS (DATE FROM)] BODY[]<1024.2048> FLAGS)");
    ASSERT_EQ(f.items.size(), 4u);
    EXPECT_EQ(f.items[2].partial, (FetchPartial{1024, 2048}));
    EXPECT_EQ(f.items[3].kind, Kind::flags);
}

TEST(ImapFetch, binary) {
    FetchItem i = item("BINARY[1.2]<5.10>");
    EXPECT_EQ(i.kind, Kind::binary);
    EXPECT_EQ(i.section.part, (std::vector<unsigned>{1, 2}));
    EXPECT_EQ(i.partial, (FetchPartial{5, 10}));
    i = item("BINARY.PEEK[]");
    EXPECT_TRUE(i.peek);
    EXPECT_TRUE(i.section.part.empty());
    i = item("BINARY.SIZE[3]");
    EXPECT_EQ(i.kind, Kind::binary_size);
    EXPECT_EQ(bad("f FETCH 1 BINARY[1.TEXT]\r\n").tag, "f");
    EXPECT_EQ(bad("f FETCH 1 BINARY.SIZE[1]<0.1>\r\n").tag, "f");
}

TEST(ImapFetch, malformed_items) {
    for (const char* b : {"1 BODY[", "1 BODY[1.]", "1 BODY[MIME]", "1 BODY[0]", "1 BODY[HEADER.FIELDS]",
                          "1 BODY[HEADER.FIELDS ()]", "1 BODY[]<0>", "1 BODY[]<0.0>", "1 BODY[]<a.1>",
                          "1 BODY.PEEK", "1 FOO", "1 (FLAGS", "1 ()", "1 (FLAGS  UID)", "1", "FLAGS",
                          "1 BODY[1.2.FOO]", "1 BODY[TEXT.MIME]", "1 RFC822.PEEK", "1 BODY [TEXT]"}) {
        EXPECT_EQ(bad(std::string("f FETCH ") + b + "\r\n").tag, "f") << b;
    }
}

TEST(ImapFetch, changedsince_and_vanished) {
    FetchCommand f = fetch("1:* (FLAGS) (CHANGEDSINCE 12345)");
    EXPECT_EQ(f.changed_since, 12345u);
    EXPECT_FALSE(f.vanished);
    Command cmd = command("f UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n");
    EXPECT_EQ(cmd.name, "UID FETCH");
    EXPECT_TRUE(std::get<FetchCommand>(cmd.args).vanished);
    EXPECT_EQ(bad("f FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n").tag, "f");
    EXPECT_EQ(bad("f UID FETCH 1 (FLAGS) (VANISHED)\r\n").tag, "f");
    EXPECT_EQ(bad("f FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n").tag, "f");
    EXPECT_EQ(bad("f FETCH 1 FLAGS (FOO)\r\n").tag, "f");
}

TEST(ImapFetch, saved_result_and_star) {
    FetchCommand f = fetch("$ FLAGS");
    EXPECT_TRUE(f.set.saved);
    f = fetch("*:5 UID");
    EXPECT_EQ(f.set.resolve(3), (std::vector<SequenceSet::Range>{{3, 5}}));
}

}  // namespace
}  // namespace mallard::imap
