// LIST pattern matching (RFC 3501 §6.3.8): '*', '%' and the '/' delimiter, INBOX without case.
#include "protocols/imap/list_pattern.h"

#include <gtest/gtest.h>

namespace mallard::imap {
namespace {

TEST(ListPattern, literal_names_match_exactly) {
    EXPECT_TRUE(list_pattern_match("Sent", "Sent"));
    EXPECT_FALSE(list_pattern_match("Sent", "sent"));
    EXPECT_FALSE(list_pattern_match("Sent", "Sent/x"));
    EXPECT_FALSE(list_pattern_match("Sen", "Sent"));
}

TEST(ListPattern, star_crosses_levels) {
    EXPECT_TRUE(list_pattern_match("*", "a/b/c"));
    EXPECT_TRUE(list_pattern_match("a/*", "a/b/c"));
    EXPECT_TRUE(list_pattern_match("*c", "a/b/c"));
    EXPECT_FALSE(list_pattern_match("a/*", "a"));
    EXPECT_TRUE(list_pattern_match("*", ""));
}

TEST(ListPattern, percent_stays_in_one_level) {
    EXPECT_TRUE(list_pattern_match("%", "Sent"));
    EXPECT_FALSE(list_pattern_match("%", "a/b"));
    EXPECT_TRUE(list_pattern_match("a/%", "a/b"));
    EXPECT_FALSE(list_pattern_match("a/%", "a/b/c"));
    EXPECT_TRUE(list_pattern_match("%/%/c", "a/b/c"));
    EXPECT_TRUE(list_pattern_match("S%t", "Sent"));
    EXPECT_TRUE(list_pattern_match("%*%", "a/b"));
}

TEST(ListPattern, inbox_is_case_insensitive) {
    EXPECT_TRUE(list_pattern_match("inbox", "INBOX"));
    EXPECT_TRUE(list_pattern_match("InBox/%", "INBOX/x"));
    EXPECT_TRUE(list_pattern_match("in%", "INBOX"));
    EXPECT_TRUE(list_pattern_match("%x", "INBOX"));
    EXPECT_FALSE(list_pattern_match("inbox/X", "INBOX/x"));   // only INBOX itself folds
    EXPECT_FALSE(list_pattern_match("inboxes", "INBOXES"));
    EXPECT_FALSE(list_pattern_match("inboxes", "INBOXes"));
}

TEST(ListPattern, canonical_names_capitalise_inbox_only) {
    EXPECT_EQ(canonical_mailbox_name("inbox"), "INBOX");
    EXPECT_EQ(canonical_mailbox_name("Inbox/Work"), "INBOX/Work");
    EXPECT_EQ(canonical_mailbox_name("inboxes"), "inboxes");
    EXPECT_EQ(canonical_mailbox_name("Sent"), "Sent");
}

}  // namespace
}  // namespace mallard::imap
