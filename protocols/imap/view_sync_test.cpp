// Journal → view → untagged responses (view_sync.h): the ordering and numbering rules of RFC 3501 §7.4.1.
#include "protocols/imap/view_sync.h"

#include <gtest/gtest.h>

namespace mallard::imap {
namespace {

using storage::JournalEntry;
using storage::JournalKind;

MailboxView view_with(std::vector<storage::Uid> uids, storage::ModSeq highest) {
    storage::Mailbox box;
    box.id = "1";
    box.name = "INBOX";
    box.uidvalidity = 42;
    box.uidnext = uids.empty() ? 1 : uids.back() + 1;
    box.highest_modseq = highest;
    std::vector<storage::MessageMeta> metas;
    for (auto uid : uids) metas.push_back(storage::MessageMeta{uid, 1, {}, {}, 10, {}});
    return MailboxView(box, std::move(metas), false);
}

JournalEntry entry(storage::ModSeq modseq, JournalKind kind, storage::Uid uid, storage::Flags flags = {}) {
    JournalEntry e;
    e.modseq = modseq;
    e.kind = kind;
    e.uid = uid;
    e.flags = std::move(flags);
    return e;
}

TEST(ViewSync, ArrivalsAreOneExists) {
    auto view = view_with({1, 2}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::append, 3), entry(7, JournalKind::append, 4)}, {});
    EXPECT_EQ(out, "* 4 EXISTS\r\n");
    EXPECT_EQ(view.exists(), 4u);
    EXPECT_EQ(view.journal_modseq(), 7u);
    EXPECT_EQ(view.uidnext(), 5u);
}

TEST(ViewSync, ExpungesNumberAsTheClientSeesThem) {
    auto view = view_with({1, 2, 3, 4}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::expunge, 2), entry(7, JournalKind::expunge, 3)}, {});
    EXPECT_EQ(out, "* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n");
    EXPECT_EQ(view.exists(), 2u);
    EXPECT_EQ(view.uid(2), 4u);
}

TEST(ViewSync, AMessageThatCameAndWentIsNeverMentioned) {
    auto view = view_with({1}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::append, 2), entry(7, JournalKind::append, 3),
                                    entry(8, JournalKind::expunge, 2)}, {});
    EXPECT_EQ(out, "* 2 EXISTS\r\n");
    EXPECT_EQ(view.uid(2), 3u);
}

TEST(ViewSync, ExpungeThenArrivalCountsRight) {
    auto view = view_with({1, 2}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::expunge, 1), entry(7, JournalKind::append, 3)}, {});
    EXPECT_EQ(out, "* 1 EXPUNGE\r\n* 2 EXISTS\r\n");
}

TEST(ViewSync, ExpungesWaitWhileSequenceNumbersAreInUse) {
    auto view = view_with({1, 2, 3}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::expunge, 2)}, SyncRules{false, false});
    EXPECT_EQ(out, "");
    EXPECT_EQ(view.exists(), 3u);  // message 2 keeps its number for now
    out = apply_journal(view, {entry(7, JournalKind::append, 4)}, SyncRules{false, false});
    EXPECT_EQ(out, "* 4 EXISTS\r\n");
    out = apply_journal(view, {}, SyncRules{true, false});
    EXPECT_EQ(out, "* 2 EXPUNGE\r\n");
    EXPECT_EQ(view.exists(), 3u);
}

TEST(ViewSync, FlagChangesFromOthersAreFetchResponses) {
    auto view = view_with({1, 2}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::flags, 2, {"\\Seen"})}, {});
    EXPECT_EQ(out, "* 2 FETCH (UID 2 FLAGS (\\Seen))\r\n");
    out = apply_journal(view, {entry(7, JournalKind::flags, 2, {"\\Flagged", "\\Seen"})}, SyncRules{true, true});
    EXPECT_EQ(out, "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Seen) MODSEQ (7))\r\n");
}

TEST(ViewSync, OwnChangesAreNotRepeated) {
    auto view = view_with({1, 2}, 5);
    view.set_flags(1, {"\\Seen"}, 6);  // this session's STORE, already answered
    auto out = apply_journal(view, {entry(6, JournalKind::flags, 1, {"\\Seen"})}, SyncRules{true, true});
    EXPECT_EQ(out, "");
    view.remove(2);  // this session's EXPUNGE, already answered
    out = apply_journal(view, {entry(7, JournalKind::expunge, 2)}, {});
    EXPECT_EQ(out, "");
    out = apply_journal(view, {entry(7, JournalKind::append, 9)}, {});  // at or below the position: skipped
    EXPECT_EQ(out, "");
}

TEST(ViewSync, FlagChangeOfANewArrivalIsNotAnnounced) {
    // The client hasn't seen message 2 yet: EXISTS is all it is told, and the flags are what it fetches.
    auto view = view_with({1}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::append, 2), entry(7, JournalKind::flags, 2, {"\\Seen"})},
                             SyncRules{true, true});
    EXPECT_EQ(out, "* 2 EXISTS\r\n");
    EXPECT_EQ(view.flags(2), storage::Flags{"\\Seen"});
    EXPECT_EQ(view.modseq(2), 7u);
}

TEST(ViewSync, FlagChangesOfKnownMessagesStillGoOutBesideArrivals) {
    // Message 2 is expunged, 3 changes flags (known: it is FETCH 2 now), 4 arrives and changes flags.
    auto view = view_with({1, 2, 3}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::expunge, 2), entry(7, JournalKind::flags, 3, {"\\Flagged"}),
                                    entry(8, JournalKind::append, 4), entry(9, JournalKind::flags, 4, {"\\Seen"})},
                             {});
    EXPECT_EQ(out, "* 2 EXPUNGE\r\n* 3 EXISTS\r\n* 2 FETCH (UID 3 FLAGS (\\Flagged))\r\n");
}

TEST(ViewSync, WhileExpungesWaitArrivalsStillGetNoFetch) {
    // During FETCH by sequence number an expunge is deferred: message 2 keeps its number, 4 is new.
    auto view = view_with({1, 2, 3}, 5);
    auto out = apply_journal(view,
                             {entry(6, JournalKind::expunge, 2), entry(7, JournalKind::append, 4),
                              entry(8, JournalKind::flags, 4, {"\\Seen"}), entry(9, JournalKind::flags, 3, {"\\Seen"})},
                             SyncRules{false, false});
    EXPECT_EQ(out, "* 4 EXISTS\r\n* 3 FETCH (UID 3 FLAGS (\\Seen))\r\n");
}

// A keyword new to the client is announced in FLAGS (and PERMANENTFLAGS) before the FETCH that shows it, once;
// FLAGS keeps every keyword announced before (RFC 3501 §7.2.6).
TEST(ViewSync, NewKeywordsAreAnnouncedBeforeTheyAreShown) {
    auto view = view_with({1, 2}, 5);
    auto out = apply_journal(view, {entry(6, JournalKind::flags, 1, {"$A"})}, {});
    EXPECT_EQ(out,
              "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $A)\r\n"
              "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $A \\*)] Flags permitted\r\n"
              "* 1 FETCH (UID 1 FLAGS ($A))\r\n");
    out = apply_journal(view, {entry(7, JournalKind::flags, 1, {}), entry(8, JournalKind::flags, 2, {"$A"})}, {});
    EXPECT_EQ(out, "* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID 2 FLAGS ($A))\r\n");  // nothing new
    out = apply_journal(view, {entry(9, JournalKind::append, 3, {"$B"})}, {});
    EXPECT_EQ(out,
              "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $A $B)\r\n"
              "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $A $B \\*)] Flags permitted\r\n"
              "* 3 EXISTS\r\n");
    EXPECT_EQ(view.announced_keywords(), (std::vector<std::string>{"$A", "$B"}));
    EXPECT_EQ(announce_new_keywords(view, {"$B", "\\Seen"}), "");
}

// ---- compute_delta + apply_delta == apply_journal (the shared path of mailbox_feed.h) ----

// A small deterministic generator: the same journals on every run.
struct Lcg {
    std::uint64_t state;
    std::uint32_t next(std::uint32_t bound) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>((state >> 33) % bound);
    }
};

storage::Flags random_flags(Lcg& rng) {
    static const std::vector<std::string> pool = {"\\Seen", "\\Flagged", "$Label1", "$Junk", "\\Deleted"};
    storage::Flags flags;
    for (const auto& f : pool) {
        if (rng.next(3) == 0) flags.push_back(f);
    }
    return flags;
}

TEST(ViewSync, SharedDeltaRendersWhatApplyJournalWould) {
    Lcg rng{7};
    for (int round = 0; round < 400; ++round) {
        std::vector<storage::Uid> uids;
        for (storage::Uid u = 1; u <= 12; ++u) {
            if (rng.next(3) != 0) uids.push_back(u);
        }
        const storage::ModSeq start = 20;
        auto base = view_with(uids, start);
        // Entries from before the view's position too: both must skip them.
        std::vector<JournalEntry> entries;
        storage::ModSeq modseq = start - 2;
        storage::Uid next_uid = 13;
        const int count = static_cast<int>(rng.next(8));
        for (int i = 0; i < count; ++i) {
            modseq += 1 + rng.next(2);
            switch (rng.next(5)) {
                case 0: entries.push_back(entry(modseq, JournalKind::append, next_uid++, random_flags(rng))); break;
                case 1: entries.push_back(entry(modseq, JournalKind::expunge, 1 + rng.next(next_uid))); break;
                case 2:
                case 3: entries.push_back(entry(modseq, JournalKind::flags, 1 + rng.next(next_uid), random_flags(rng))); break;
                default: entries.push_back(entry(modseq, JournalKind::rename, 0)); break;
            }
        }
        for (bool condstore : {false, true}) {
            for (bool allow_expunge : {true, false}) {
                MailboxView by_journal = base;
                MailboxView by_delta = base;
                auto delta = compute_delta(by_delta.messages(), by_delta.journal_modseq(), entries);
                if (!allow_expunge && delta.removes) continue;  // the feed sends these through apply_journal
                auto expected = apply_journal(by_journal, entries, SyncRules{allow_expunge, condstore});
                auto got = apply_delta(by_delta, delta, condstore);
                ASSERT_EQ(got, expected) << "round " << round;
                EXPECT_TRUE(by_delta.messages() == by_journal.messages()) << "round " << round;
                EXPECT_EQ(by_delta.journal_modseq(), by_journal.journal_modseq());
                EXPECT_EQ(by_delta.highest_modseq(), by_journal.highest_modseq());
                EXPECT_EQ(by_delta.uidnext(), by_journal.uidnext());
                EXPECT_EQ(by_delta.announced_keywords(), by_journal.announced_keywords());
                EXPECT_TRUE(by_journal.deferred_expunges().empty());
            }
        }
    }
}

TEST(ViewSync, DeltaLeavesTheBeforeListUntouched) {
    auto view = view_with({1, 2, 3}, 5);
    UidList before = view.messages();
    auto delta = compute_delta(before, 5, {entry(6, JournalKind::expunge, 2), entry(7, JournalKind::append, 9)});
    EXPECT_EQ(before.size(), 3u);
    EXPECT_TRUE(view.messages().shares_with(before));
    EXPECT_EQ(delta.after.size(), 3u);
    EXPECT_EQ(delta.expunged, std::vector<SeqNum>{2});
}

}  // namespace
}  // namespace mallard::imap
