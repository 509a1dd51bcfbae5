// SELECT, EXAMINE, CLOSE, UNSELECT and CHECK as a client sees them, over a socket pair with a SqliteStore
// (RFC 3501 §6.3.1, §6.3.2, §6.4.1, §6.4.2; RFC 3691): the untagged responses, READ-WRITE/READ-ONLY, a failed
// SELECT leaving nothing selected, CLOSE expunging silently, and the selected-state commands' state checks.
#include "protocols/imap/session_test_support.h"

namespace mallard::imap {
namespace {

using namespace std::chrono_literals;
using namespace test;

class ImapSelect : public SessionFixture {};

Lines with(Lines lines, std::string last) {
    lines.push_back(std::move(last));
    return lines;
}

// The untagged lines every SELECT of an empty INBOX gives, from FLAGS to HIGHESTMODSEQ.
Lines empty_inbox(const storage::Mailbox& box, const std::string& permanent) {
    return {"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "* OK [PERMANENTFLAGS (" + permanent + ")] " +
                (permanent.empty() ? "No permanent flags permitted" : "Flags permitted"),
            "* 0 EXISTS",
            "* 0 RECENT",
            "* OK [UIDVALIDITY " + std::to_string(box.uidvalidity) + "] UIDs valid",
            "* OK [UIDNEXT 1] Predicted next UID",
            "* OK [HIGHESTMODSEQ " + std::to_string(std::max<storage::ModSeq>(box.highest_modseq, 1)) + "] Highest"};
}

const std::string all_permanent = "\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*";

TEST_F(ImapSelect, select_empty_inbox) {
    auto box = mailbox("INBOX");
    auto all = script({"SELECT INBOX", "NOOP"});
    EXPECT_EQ(response(all, "t1"), with(empty_inbox(box, all_permanent), "t1 OK [READ-WRITE] SELECT completed"));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK NOOP completed"}));
}

TEST_F(ImapSelect, select_lists_flags_counts_and_first_unseen) {
    append("INBOX", "Subject: a\r\n\r\none\r\n", {"\\Seen"});
    append("INBOX", "Subject: b\r\n\r\ntwo\r\n", {"$Forwarded", "\\Seen"});
    append("INBOX", "Subject: c\r\n\r\nthree\r\n", {"\\Flagged"});
    auto box = mailbox("INBOX");
    auto all = script({"select inbox"});
    EXPECT_EQ(response(all, "t1"),
              (Lines{"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)",
                     "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] "
                     "Flags permitted",
                     "* 3 EXISTS",
                     "* 0 RECENT",
                     "* OK [UNSEEN 3] First unseen",
                     "* OK [UIDVALIDITY " + std::to_string(box.uidvalidity) + "] UIDs valid",
                     "* OK [UIDNEXT 4] Predicted next UID",
                     "* OK [HIGHESTMODSEQ " + std::to_string(box.highest_modseq) + "] Highest",
                     "t1 OK [READ-WRITE] SELECT completed"}));
    EXPECT_GE(box.highest_modseq, 3u);
}

TEST_F(ImapSelect, examine_is_read_only) {
    auto box = mailbox("Sent");
    auto all = script({"EXAMINE Sent"});
    auto expected = empty_inbox(box, "");
    EXPECT_EQ(response(all, "t1"), with(expected, "t1 OK [READ-ONLY] EXAMINE completed"));
}

TEST_F(ImapSelect, select_nonexistent_leaves_nothing_selected) {
    auto all = script({"SELECT INBOX", "SELECT Nope", "CHECK", "SELECT \"&Jjo-\"", "CLOSE"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [NONEXISTENT] no such mailbox: Nope"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD CHECK requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t4").back().rfind("t4 NO [NONEXISTENT] ", 0), 0u);
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 BAD CLOSE requires a selected mailbox"}));
}

TEST_F(ImapSelect, reselect_replaces_the_view) {
    append("Drafts", "Subject: d\r\n\r\ndraft\r\n", {"\\Draft"});
    auto all = script({"SELECT INBOX", "EXAMINE Drafts", "CHECK", "SELECT Drafts"});
    auto t2 = response(all, "t2");
    EXPECT_EQ(t2.back(), "t2 OK [READ-ONLY] EXAMINE completed");
    EXPECT_NE(std::find(t2.begin(), t2.end(), "* 1 EXISTS"), t2.end());
    EXPECT_NE(std::find(t2.begin(), t2.end(), "* OK [UNSEEN 1] First unseen"), t2.end());
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 OK CHECK completed"}));
    EXPECT_EQ(response(all, "t4").back(), "t4 OK [READ-WRITE] SELECT completed");
}

TEST_F(ImapSelect, close_expunges_deleted_messages_silently) {
    append("INBOX", "Subject: keep\r\n\r\nkeep\r\n", {});
    append("INBOX", "Subject: gone\r\n\r\ngone\r\n", {"\\Deleted"});
    auto all = script({"SELECT INBOX", "CLOSE", "CHECK", "STATUS INBOX (MESSAGES)"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK CLOSE completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD CHECK requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"* STATUS \"INBOX\" (MESSAGES 1)", "t4 OK STATUS completed"}));
}

TEST_F(ImapSelect, close_after_examine_and_unselect_keep_deleted_messages) {
    append("INBOX", "Subject: gone\r\n\r\ngone\r\n", {"\\Deleted"});
    auto all = script({"EXAMINE INBOX", "CLOSE", "SELECT INBOX", "UNSELECT", "UNSELECT", "STATUS INBOX (MESSAGES)"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK CLOSE completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK UNSELECT completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 BAD UNSELECT requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"* STATUS \"INBOX\" (MESSAGES 1)", "t6 OK STATUS completed"}));
}

TEST_F(ImapSelect, selected_state_commands_need_a_mailbox_and_enable_needs_none) {
    auto all = script({"CHECK", "CLOSE", "UNSELECT", "SELECT INBOX", "ENABLE UTF8=ACCEPT", "CAPABILITY"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 BAD CHECK requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 BAD CLOSE requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD UNSELECT requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 BAD ENABLE not valid in this state"}));
    auto t6 = response(all, "t6");
    ASSERT_EQ(t6.size(), 2u);
    EXPECT_NE(t6[0].find(" UNSELECT"), std::string::npos) << t6[0];
}

}  // namespace
}  // namespace mallard::imap
