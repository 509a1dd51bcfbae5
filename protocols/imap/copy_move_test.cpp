// COPY, UID COPY, MOVE and UID MOVE as a client sees them, over a socket pair with a SqliteStore (RFC 3501
// §6.4.7, RFC 4315 §3 COPYUID, RFC 6851 §3-4): COPYUID's parallel compact sets, TRYCREATE, a COPY over quota
// left without partial copies, MOVE's untagged COPYUID and EXPUNGE lines, a read-only source, and sets that
// name nothing. Also the compact set renderer they share.
#include "protocols/imap/message_updates.h"
#include "protocols/imap/session_test_support.h"

namespace mallard::imap {
namespace {

using namespace test;

class ImapCopyMove : public SessionFixture {
protected:
    std::vector<storage::MessageMeta> messages(const std::string& name) {
        auto listed = run(store_->list_messages(mailbox(name).id, storage::UidRange{}));
        EXPECT_TRUE(listed);
        return listed ? *listed : std::vector<storage::MessageMeta>{};
    }
    std::string uidvalidity(const std::string& name) { return std::to_string(mailbox(name).uidvalidity); }
};

const std::string simple = "Subject: hello\r\nFrom: a@example.com\r\n\r\nBody line\r\n";

TEST(ImapNumberSet, compact_runs_in_the_order_given) {
    EXPECT_EQ(render_number_set({}), "");
    EXPECT_EQ(render_number_set({7}), "7");
    EXPECT_EQ(render_number_set({1, 2, 3, 7}), "1:3,7");
    EXPECT_EQ(render_number_set({5, 4, 9, 10}), "5,4,9:10");
    EXPECT_EQ(render_number_set({4294967294u, 4294967295u}), "4294967294:4294967295");
}

TEST_F(ImapCopyMove, copy_reports_copyuid) {
    append("Trash", simple, {});  // the copies start at UID 2
    append("INBOX", simple, {"\\Seen"});
    append("INBOX", simple, {});
    append("INBOX", simple, {"\\Flagged"});
    append("INBOX", simple, {"$Work"});
    const std::string v = uidvalidity("Trash");
    auto all = script({"SELECT INBOX", "COPY 1:2,4 Trash", "UID COPY 3 trash", "COPY 1 INBOX", "FETCH 1:* UID"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK [COPYUID " + v + " 1:2,4 2:4] COPY completed"}));
    // Mailbox names are looked up as stored: "trash" isn't "Trash" (only INBOX is case-insensitive).
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 NO [TRYCREATE] No such mailbox"}));
    // Into the selected mailbox itself: the copy is announced later, through the journal, not by COPY.
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK [COPYUID " + uidvalidity("INBOX") + " 1 5] COPY completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)",
                                          "* 4 FETCH (UID 4)", "t5 OK FETCH completed"}));
    auto trash = messages("Trash");
    ASSERT_EQ(trash.size(), 4u);
    EXPECT_EQ(trash[1].flags, (storage::Flags{"\\Seen"}));
    EXPECT_EQ(trash[3].flags, (storage::Flags{"$Work"}));
    EXPECT_EQ(messages("INBOX").size(), 5u);
}

TEST_F(ImapCopyMove, trycreate_and_empty_sets) {
    append("INBOX", simple, {});
    auto all = script({"SELECT INBOX", "COPY 1 Nowhere", "UID COPY 99 Nowhere", "COPY 5 Trash", "UID COPY 99 Trash",
                       "MOVE 1 Nowhere", "UID MOVE 7 Trash", "COPY 1 &Jjo", "FETCH 1 UID"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [TRYCREATE] No such mailbox"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 NO [TRYCREATE] No such mailbox"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK COPY completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK UID COPY completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"t6 NO [TRYCREATE] No such mailbox"}));
    EXPECT_EQ(response(all, "t7"), (Lines{"t7 OK UID MOVE completed"}));
    EXPECT_EQ(response(all, "t8"), (Lines{"t8 NO [CANNOT] Invalid mailbox name"}));
    EXPECT_EQ(response(all, "t9"), (Lines{"* 1 FETCH (UID 1)", "t9 OK FETCH completed"}));
    EXPECT_TRUE(messages("Trash").empty());
}

// RFC 3501 §6.4.7: a COPY that fails leaves the destination as it was, even when the set took the store
// several calls and the first ones had succeeded.
TEST_F(ImapCopyMove, copy_over_quota_leaves_no_copies) {
    for (int i = 0; i < 3; ++i) append("INBOX", simple, {});
    ASSERT_TRUE(run(store_->set_quota_limit(user_id_, 4 * simple.size())));
    auto all = script({"SELECT INBOX", "COPY 1,3 Trash", "COPY 2 Trash"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [OVERQUOTA] over quota"}));
    auto trash = messages("Trash");
    ASSERT_EQ(trash.size(), 1u);  // only t3's copy
    EXPECT_EQ(response(all, "t3"),
              (Lines{"t3 OK [COPYUID " + uidvalidity("Trash") + " 2 " + std::to_string(trash[0].uid) +
                     "] COPY completed"}));
    auto user = run(store_->find_user(user_id_));
    ASSERT_TRUE(user);
    EXPECT_EQ(user->quota_used_bytes, 4 * simple.size());
}

// RFC 6851 §4.3: the COPYUID comes untagged, before the EXPUNGEs, which number as EXPUNGE's do.
TEST_F(ImapCopyMove, move_announces_expunges) {
    append("Archive", simple, {});
    for (int i = 0; i < 5; ++i) append("INBOX", simple, i == 3 ? storage::Flags{"\\Answered"} : storage::Flags{});
    const std::string v = uidvalidity("Archive");
    auto all = script({"SELECT INBOX", "MOVE 2,4:5 Archive", "FETCH 1:* (UID FLAGS)", "UID MOVE 3 Archive",
                       "UID MOVE 9 Archive", "FETCH 1:* UID"});
    EXPECT_EQ(response(all, "t2"), (Lines{"* OK [COPYUID " + v + " 2,4:5 2:4] Moved", "* 2 EXPUNGE", "* 3 EXPUNGE",
                                          "* 3 EXPUNGE", "t2 OK MOVE completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"* 1 FETCH (UID 1 FLAGS ())", "* 2 FETCH (UID 3 FLAGS ())",
                                          "t3 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"* OK [COPYUID " + v + " 3 5] Moved", "* 2 EXPUNGE",
                                          "t4 OK UID MOVE completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK UID MOVE completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"* 1 FETCH (UID 1)", "t6 OK FETCH completed"}));
    auto archive = messages("Archive");
    ASSERT_EQ(archive.size(), 5u);
    EXPECT_EQ(archive[2].flags, (storage::Flags{"\\Answered"}));  // INBOX UID 4 became Archive UID 3
    EXPECT_EQ(messages("INBOX").size(), 1u);
}

TEST_F(ImapCopyMove, read_only_source_copies_but_does_not_move) {
    append("INBOX", simple, {});
    auto all = script({"EXAMINE INBOX", "MOVE 1 Trash", "UID MOVE 1 Trash", "COPY 1 Trash"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [READ-ONLY] Mailbox is read-only"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 NO [READ-ONLY] Mailbox is read-only"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK [COPYUID " + uidvalidity("Trash") + " 1 1] COPY completed"}));
    EXPECT_EQ(messages("INBOX").size(), 1u);
    EXPECT_EQ(messages("Trash").size(), 1u);
}

TEST_F(ImapCopyMove, needs_a_selected_mailbox) {
    auto all = script({"COPY 1 Trash", "MOVE 1 Trash", "UID MOVE 1 Trash"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 BAD COPY requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 BAD MOVE requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD UID MOVE requires a selected mailbox"}));
}

}  // namespace
}  // namespace mallard::imap
