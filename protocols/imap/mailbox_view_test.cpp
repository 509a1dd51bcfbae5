// MailboxView: sequence numbers and UIDs both ways, sequence sets by number and by UID (RFC 3501 §6.4.8,
// "*" and ranges past the end), UID ranges for the store, first unseen, keywords, UIDNEXT and modseq floors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocols/imap/mailbox_view.h"

namespace mallard::imap {
namespace {

storage::MessageMeta message(storage::Uid uid, storage::Flags flags, storage::ModSeq modseq = 1) {
    storage::MessageMeta m;
    m.uid = uid;
    m.modseq = modseq;
    m.flags = std::move(flags);
    return m;
}

storage::Mailbox box(storage::Uid uidnext = 20, storage::ModSeq modseq = 9) {
    storage::Mailbox b;
    b.id = "7";
    b.name = "INBOX";
    b.uidvalidity = 1234;
    b.uidnext = uidnext;
    b.highest_modseq = modseq;
    return b;
}

// UIDs 3, 5, 6, 10.
MailboxView sample(bool read_only = false) {
    std::vector<storage::MessageMeta> messages{message(3, {"\\Seen"}), message(5, {"$Work", "\\Seen"}),
                                               message(6, {"\\Flagged"}), message(10, {"$Work", "Later"})};
    return MailboxView(box(), std::move(messages), read_only);
}

SequenceSet set(const std::string& text) {
    auto parsed = parse_sequence_set(text, 100);
    EXPECT_TRUE(parsed) << text;
    return parsed ? *parsed : SequenceSet{};
}

TEST(MailboxView, carries_the_mailbox_attributes) {
    auto view = sample(true);
    EXPECT_EQ(view.id(), "7");
    EXPECT_EQ(view.name(), "INBOX");
    EXPECT_EQ(view.uidvalidity(), 1234u);
    EXPECT_EQ(view.uidnext(), 20u);
    EXPECT_EQ(view.highest_modseq(), 9u);
    EXPECT_TRUE(view.read_only());
    EXPECT_FALSE(sample().read_only());
}

TEST(MailboxView, sequence_numbers_and_uids_both_ways) {
    auto view = sample();
    ASSERT_EQ(view.exists(), 4u);
    EXPECT_EQ(view.uid(1), 3u);
    EXPECT_EQ(view.uid(4), 10u);
    EXPECT_EQ(view.seq(3), 1u);
    EXPECT_EQ(view.seq(6), 3u);
    EXPECT_EQ(view.seq(10), 4u);
    EXPECT_EQ(view.seq(4), std::nullopt);
    EXPECT_EQ(view.seq(11), std::nullopt);
    EXPECT_EQ(view.flags(2), (storage::Flags{"$Work", "\\Seen"}));
}

TEST(MailboxView, messages_out_of_order_are_sorted_by_uid) {
    std::vector<storage::MessageMeta> messages{message(8, {}), message(2, {}), message(5, {})};
    MailboxView view(box(), std::move(messages), false);
    EXPECT_EQ(view.uid(1), 2u);
    EXPECT_EQ(view.uid(2), 5u);
    EXPECT_EQ(view.uid(3), 8u);
}

TEST(MailboxView, first_unseen_and_keywords) {
    auto view = sample();
    EXPECT_EQ(view.first_unseen(), 3u);
    EXPECT_EQ(view.keywords(), (std::vector<std::string>{"$Work", "Later"}));
    MailboxView seen(box(), {message(1, {"\\Seen"})}, false);
    EXPECT_EQ(seen.first_unseen(), std::nullopt);
    EXPECT_TRUE(seen.keywords().empty());
}

TEST(MailboxView, uidnext_and_modseq_never_behind_the_messages) {
    MailboxView empty(box(1, 0), {}, false);
    EXPECT_EQ(empty.exists(), 0u);
    EXPECT_EQ(empty.uidnext(), 1u);
    EXPECT_EQ(empty.highest_modseq(), 1u);  // RFC 7162: a mod-sequence is at least 1
    MailboxView raced(box(5, 3), {message(4, {}, 3), message(7, {}, 8)}, false);
    EXPECT_EQ(raced.uidnext(), 8u);
    EXPECT_EQ(raced.highest_modseq(), 8u);
}

TEST(MailboxView, resolves_sequence_number_sets) {
    auto view = sample();
    EXPECT_EQ(view.resolve(set("1:*"), false), (std::vector<SeqNum>{1, 2, 3, 4}));
    EXPECT_EQ(view.resolve(set("*"), false), (std::vector<SeqNum>{4}));
    EXPECT_EQ(view.resolve(set("3:2,2,4:9"), false), (std::vector<SeqNum>{2, 3, 4}));
    EXPECT_EQ(view.resolve(set("5:9"), false), (std::vector<SeqNum>{}));
    EXPECT_EQ(view.resolve(set("9:*"), false), (std::vector<SeqNum>{4}));  // "9:*" is "4:9"
}

TEST(MailboxView, resolves_uid_sets) {
    auto view = sample();
    EXPECT_EQ(view.resolve(set("1:*"), true), (std::vector<SeqNum>{1, 2, 3, 4}));
    EXPECT_EQ(view.resolve(set("4:6"), true), (std::vector<SeqNum>{2, 3}));
    EXPECT_EQ(view.resolve(set("4,7:9"), true), (std::vector<SeqNum>{}));
    EXPECT_EQ(view.resolve(set("10,3"), true), (std::vector<SeqNum>{1, 4}));
    // RFC 3501 §6.4.8: "n:*" with n past the largest UID still names the last message.
    EXPECT_EQ(view.resolve(set("50:*"), true), (std::vector<SeqNum>{4}));
}

TEST(MailboxView, empty_mailbox_resolves_nothing) {
    MailboxView empty(box(), {}, false);
    EXPECT_TRUE(empty.resolve(set("1:*"), false).empty());
    EXPECT_TRUE(empty.resolve(set("*"), true).empty());
    EXPECT_EQ(empty.first_unseen(), std::nullopt);
}

TEST(MailboxView, uid_ranges_join_consecutive_sequence_numbers) {
    auto view = sample();
    auto ranges = view.uid_ranges({1, 2, 4});
    ASSERT_EQ(ranges.size(), 2u);
    EXPECT_EQ(ranges[0].first, 3u);
    EXPECT_EQ(ranges[0].last, 5u);
    EXPECT_EQ(ranges[1].first, 10u);
    EXPECT_EQ(ranges[1].last, 10u);
    EXPECT_TRUE(view.uid_ranges({}).empty());
}

}  // namespace
}  // namespace mallard::imap
