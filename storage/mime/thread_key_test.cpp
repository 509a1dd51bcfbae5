// Thread keys: RFC 5256 §2.1 base subjects and the References/In-Reply-To chain.
#include "storage/mime/thread_key.h"

#include <gtest/gtest.h>

#include "storage/mime/parser.h"
#include "storage/mime/test_util.h"

namespace mallard::storage::mime {
namespace {

TEST(MimeBaseSubject, rfc5256_rules) {
    EXPECT_EQ(base_subject("Lunch"), "Lunch");
    EXPECT_EQ(base_subject("Re: Lunch"), "Lunch");
    EXPECT_EQ(base_subject("RE: re: Fwd: FW: Lunch"), "Lunch");
    EXPECT_EQ(base_subject("Re[2]: Lunch"), "Lunch");
    EXPECT_EQ(base_subject("[list] Re: [other] Lunch"), "Lunch");
    EXPECT_EQ(base_subject("Lunch (fwd) (FWD)  "), "Lunch");
    EXPECT_EQ(base_subject("[Fwd: Re: Lunch]"), "Lunch");
    EXPECT_EQ(base_subject("  Re:   Lunch \t on\r\n  Thursday  "), "Lunch on Thursday");
    EXPECT_EQ(base_subject("[only a blob]"), "[only a blob]");  // removing it would leave nothing
    EXPECT_EQ(base_subject("[a][b]"), "[b]");
    EXPECT_EQ(base_subject("Re: =?utf-8?Q?Men=C3=BC?="), "Menü");
    EXPECT_EQ(base_subject("Reply: not a prefix"), "Reply: not a prefix");
    EXPECT_EQ(base_subject(""), "");
    EXPECT_EQ(base_subject("re:"), "");
}

TEST(MimeBaseSubject, long_hostile_subjects_are_linear) {
    std::string many;
    for (int i = 0; i < 50000; ++i) many += "[x]";
    EXPECT_EQ(base_subject(many), "[x]");
    std::string nested;
    for (int i = 0; i < 20000; ++i) nested += "[fwd:";
    nested += "s" + std::string(20000, ']');
    EXPECT_EQ(base_subject(nested), "s");
}

TEST(MimeThreadKey, message_ids) {
    EXPECT_EQ(parse_message_ids("<a@b> <c@d>\r\n\t<e@f>"), (std::vector<std::string>{"a@b", "c@d", "e@f"}));
    EXPECT_EQ(parse_message_ids("<a@b> (comment)"), (std::vector<std::string>{"a@b"}));
    EXPECT_EQ(parse_message_ids("bare@id other@id"), (std::vector<std::string>{"bare@id", "other@id"}));
    EXPECT_TRUE(parse_message_ids("<>").empty());
}

TEST(MimeThreadKey, from_a_reply) {
    ParsedMessage m = test::parse_checked(test::read_data("groups.eml"));
    ThreadKey k = thread_key(m.envelope());
    EXPECT_EQ(k.message_id, "groups-1@example.com");
    EXPECT_EQ(k.references, (std::vector<std::string>{"root@example.com", "middle@example.com", "parent@example.com"}));
    EXPECT_EQ(k.base_subject, "Groups and comments");
}

TEST(MimeThreadKey, in_reply_to_without_references_and_bounds) {
    Envelope e;
    e.message_id = "<self@x>";
    e.in_reply_to = "<parent@x>";
    e.references = "<root@x> <self@x> <root@x>";
    EXPECT_EQ(thread_key(e).references, (std::vector<std::string>{"root@x", "parent@x"}));
    std::string refs;
    for (int i = 0; i < 1000; ++i) refs += "<r" + std::to_string(i) + "@x> ";
    e.references = refs;
    e.in_reply_to.reset();
    ThreadKey k = thread_key(e);
    ASSERT_EQ(k.references.size(), max_thread_references);
    EXPECT_EQ(k.references.front(), "r0@x");
    EXPECT_EQ(k.references.back(), "r999@x");
}

}  // namespace
}  // namespace mallard::storage::mime
