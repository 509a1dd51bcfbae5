// Sequence sets: RFC 3501 §9, RFC 5182.
#include "protocols/imap/sequence_set.h"

#include <gtest/gtest.h>

namespace mallard::imap {
namespace {

using Range = SequenceSet::Range;
constexpr auto star = SequenceSet::star;

TEST(ImapSequenceSet, single_numbers_ranges_and_star) {
    auto set = parse_sequence_set("1,3:5,*", 100);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->ranges, (std::vector<Range>{{1, 1}, {3, 5}, {star, star}}));
    EXPECT_FALSE(set->saved);
}

TEST(ImapSequenceSet, reversed_range_resolves_in_order) {
    auto set = parse_sequence_set("5:2,*:3,7:*", 100);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->ranges, (std::vector<Range>{{5, 2}, {star, 3}, {7, star}}));
    EXPECT_EQ(set->resolve(10), (std::vector<Range>{{2, 5}, {3, 10}, {7, 10}}));
    EXPECT_EQ(set->resolve(4), (std::vector<Range>{{2, 5}, {3, 4}, {4, 7}}));
}

TEST(ImapSequenceSet, star_in_an_empty_mailbox_resolves_to_zero) {
    auto set = parse_sequence_set("1:*", 100);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->resolve(0), (std::vector<Range>{{0, 1}}));
}

TEST(ImapSequenceSet, saved_result) {
    auto set = parse_sequence_set("$", 100);
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->saved);
    EXPECT_TRUE(set->ranges.empty());
}

TEST(ImapSequenceSet, largest_number) {
    auto set = parse_sequence_set("4294967295", 1);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->ranges[0].first, 4294967295u);
}

TEST(ImapSequenceSet, malformed_sets_are_rejected) {
    for (const char* text : {"", "0", "1:0", "01", "1:", ":1", ",", "1,", ",1", "1,,2", "1::2", "4294967296",
                             "1:2:3", "$,1", "1,$", "a", "1 2", "**", "-1"}) {
        EXPECT_FALSE(parse_sequence_set(text, 100)) << text;
    }
}

TEST(ImapSequenceSet, range_limit) {
    EXPECT_TRUE(parse_sequence_set("1,2,3", 3));
    EXPECT_FALSE(parse_sequence_set("1,2,3,4", 3));
}

}  // namespace
}  // namespace mallard::imap
