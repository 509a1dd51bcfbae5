// ENVELOPE data (RFC 3501 §7.4.2) built from real header blocks.
#include "storage/mime/envelope.h"

#include <gtest/gtest.h>

#include "storage/mime/parser.h"
#include "storage/mime/test_util.h"

namespace mallard::storage::mime {
namespace {

TEST(MimeEnvelope, plain_message) {
    ParsedMessage m = test::parse_checked(test::to_crlf(test::read_data("plain.eml")));
    const Envelope& e = m.envelope();
    EXPECT_EQ(e.date, "Tue, 14 Nov 2023 09:12:30 +0100");
    EXPECT_EQ(e.subject, "Lunch on Thursday?");  // unfolded, not otherwise changed
    ASSERT_EQ(e.from.size(), 1u);
    EXPECT_EQ(e.from[0].name, "Alice Example");
    EXPECT_EQ(e.sender, e.from);  // RFC 3501: absent Sender and Reply-To default to From
    EXPECT_EQ(e.reply_to, e.from);
    ASSERT_EQ(e.to.size(), 2u);
    EXPECT_EQ(e.to[1].name, "Carol, the Great");
    ASSERT_EQ(e.cc.size(), 1u);
    EXPECT_EQ(e.cc[0].name, "Dave Devlin");
    EXPECT_TRUE(e.bcc.empty());
    EXPECT_EQ(e.message_id, "<20231114081230.GA1234@mail.example.org>");
    EXPECT_FALSE(e.in_reply_to);
}

TEST(MimeEnvelope, groups_routes_and_comments) {
    ParsedMessage m = test::parse_checked(test::read_data("groups.eml"));
    const Envelope& e = m.envelope();
    ASSERT_EQ(e.to.size(), 2u);
    EXPECT_TRUE(e.to[0].is_group_start());
    EXPECT_EQ(e.to[0].mailbox, "undisclosed-recipients");
    EXPECT_TRUE(e.to[1].is_group_end());
    ASSERT_EQ(e.cc.size(), 8u);
    EXPECT_EQ(e.cc[0].mailbox, "Friends");
    EXPECT_EQ(e.cc[2].name, "Bob \"The Builder\"");
    EXPECT_TRUE(e.cc[3].is_group_end());
    EXPECT_EQ(e.cc[5].name, "Carol C.");
    EXPECT_EQ(e.cc[7].name, "=?utf-8?Q?Zo=C3=AB?=");
    ASSERT_EQ(e.sender.size(), 1u);
    EXPECT_EQ(e.sender[0].adl, "@relay1.example,@relay2.example");
    EXPECT_EQ(e.reply_to[0].name, "John (home)");
    EXPECT_EQ(e.from[0].name, "Doe, John");
    EXPECT_EQ(e.bcc.size(), 3u);
    EXPECT_EQ(e.message_id, "<groups-1@example.com>");
    EXPECT_EQ(e.in_reply_to, "<parent@example.com> (comment)");
    EXPECT_EQ(e.references, "<root@example.com> <middle@example.com> <parent@example.com>");
}

TEST(MimeEnvelope, absent_fields_are_nil_and_empty_ones_are_not) {
    ParsedMessage m = test::parse_checked("Subject:\r\nFrom: a@b.example\r\nSender:\r\n\r\n");
    const Envelope& e = m.envelope();
    EXPECT_EQ(e.subject, "");
    EXPECT_FALSE(e.date);
    EXPECT_FALSE(e.message_id);
    EXPECT_EQ(e.sender, e.from);  // present but empty also defaults
}

TEST(MimeEnvelope, first_occurrence_counts) {
    ParsedMessage m = test::parse_checked("Subject: first\nsubject: second\nFROM: x@y.example\n\n");
    EXPECT_EQ(m.envelope().subject, "first");
    EXPECT_EQ(m.envelope().from[0].mailbox, "x");
}

}  // namespace
}  // namespace mallard::storage::mime
