// The mailbox commands as a client sees them, over a socket pair with a SqliteStore: LIST (patterns, missing
// parents, LIST-EXTENDED selection and RETURN options, LIST-STATUS), LSUB, CREATE (special-use), DELETE,
// RENAME (children, INBOX), SUBSCRIBE/UNSUBSCRIBE, STATUS, and modified UTF-7 names.
#include "protocols/imap/session_test_support.h"

namespace mallard::imap {
namespace {

using namespace std::chrono_literals;
using namespace test;

class ImapMailboxCommands : public SessionFixture {};

const Lines default_list = {
    R"(* LIST (\HasNoChildren \Archive) "/" "Archive")", R"(* LIST (\HasNoChildren \Drafts) "/" "Drafts")",
    R"(* LIST (\HasNoChildren) "/" "INBOX")",            R"(* LIST (\HasNoChildren \Junk) "/" "Junk")",
    R"(* LIST (\HasNoChildren \Sent) "/" "Sent")",       R"(* LIST (\HasNoChildren \Trash) "/" "Trash")",
};

Lines with(Lines lines, std::string last) {
    lines.push_back(std::move(last));
    return lines;
}

TEST_F(ImapMailboxCommands, list_root_and_all_default_mailboxes) {
    auto all = script({R"(LIST "" "")", R"(LIST "" "*")", R"(LIST "" "inbox")", R"(LIST "" "%z")"});
    EXPECT_EQ(response(all, "t1"), (Lines{R"(* LIST (\Noselect) "/" "")", "t1 OK LIST completed"}));
    EXPECT_EQ(response(all, "t2"), with(default_list, "t2 OK LIST completed"));
    EXPECT_EQ(response(all, "t3"), (Lines{R"(* LIST (\HasNoChildren) "/" "INBOX")", "t3 OK LIST completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK LIST completed"}));
}

TEST_F(ImapMailboxCommands, missing_parents_list_as_noselect) {
    auto all = script({"CREATE a/b/c", R"(LIST "" "a%")", R"(LIST "a/" "%")", R"(LIST "" "a/*")", "LIST a/b/ %"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 OK CREATE completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{R"(* LIST (\Noselect \HasChildren) "/" "a")", "t2 OK LIST completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{R"(* LIST (\Noselect \HasChildren) "/" "a/b")", "t3 OK LIST completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{R"(* LIST (\Noselect \HasChildren) "/" "a/b")",
                                          R"(* LIST (\HasNoChildren) "/" "a/b/c")", "t4 OK LIST completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{R"(* LIST (\HasNoChildren) "/" "a/b/c")", "t5 OK LIST completed"}));
}

TEST_F(ImapMailboxCommands, create_refuses_existing_names_and_sets_special_use) {
    auto all = script({"CREATE INBOX", "CREATE inbox", "CREATE Sent", "CREATE Work/", "CREATE Spam (USE (\\Junk))",
                       "CREATE All (USE (\\All))", R"(LIST "" "Work")", R"(LIST "" "Spam")", "CREATE work/x"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 NO [ALREADYEXISTS] INBOX always exists"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [ALREADYEXISTS] INBOX always exists"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 NO [ALREADYEXISTS] mailbox exists: Sent"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK CREATE completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK CREATE completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"t6 NO [USEATTR] Unsupported special-use attribute"}));
    EXPECT_EQ(response(all, "t7"), (Lines{R"(* LIST (\HasNoChildren) "/" "Work")", "t7 OK LIST completed"}));
    EXPECT_EQ(response(all, "t8"), (Lines{R"(* LIST (\HasNoChildren \Junk) "/" "Spam")", "t8 OK LIST completed"}));
    EXPECT_EQ(response(all, "t9"), (Lines{"t9 OK CREATE completed"}));  // names other than INBOX keep case
}

TEST_F(ImapMailboxCommands, delete_keeps_children_under_a_noselect_parent) {
    auto all = script({"DELETE INBOX", "DELETE Nope", "CREATE p/q", "DELETE p", "CREATE p", "DELETE p",
                       R"(LIST "" "p*")", "DELETE p/q", R"(LIST "" "p*")"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 NO [CANNOT] INBOX can't be deleted"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [NONEXISTENT] no such mailbox: Nope"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 NO [NONEXISTENT] no such mailbox: p"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"t6 OK DELETE completed"}));
    EXPECT_EQ(response(all, "t7"), (Lines{R"(* LIST (\Noselect \HasChildren) "/" "p")",
                                          R"(* LIST (\HasNoChildren) "/" "p/q")", "t7 OK LIST completed"}));
    EXPECT_EQ(response(all, "t8"), (Lines{"t8 OK DELETE completed"}));
    EXPECT_EQ(response(all, "t9"), (Lines{"t9 OK LIST completed"}));
}

TEST_F(ImapMailboxCommands, rename_moves_children_and_refuses_clashes) {
    auto all = script({"RENAME Nope X", "RENAME Sent Drafts", "RENAME Sent INBOX", "CREATE r/s", "CREATE r",
                       "RENAME r t", R"(LIST "" "t*")", R"(LIST "" "r*")", "RENAME INBOX Empty",
                       R"(LIST "" "Empty")"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 NO [NONEXISTENT] no such mailbox: Nope"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [ALREADYEXISTS] mailbox exists: Drafts"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 NO [ALREADYEXISTS] INBOX always exists"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"t6 OK RENAME completed"}));
    EXPECT_EQ(response(all, "t7"), (Lines{R"(* LIST (\HasChildren) "/" "t")", R"(* LIST (\HasNoChildren) "/" "t/s")",
                                          "t7 OK LIST completed"}));
    EXPECT_EQ(response(all, "t8"), (Lines{"t8 OK LIST completed"}));
    EXPECT_EQ(response(all, "t9"), (Lines{"t9 OK RENAME completed"}));  // an empty INBOX too
    EXPECT_EQ(response(all, "t10"), (Lines{R"(* LIST (\HasNoChildren) "/" "Empty")", "t10 OK LIST completed"}));
}

TEST_F(ImapMailboxCommands, rename_inbox_moves_its_messages) {
    append("INBOX", "Subject: one\r\n\r\nbody\r\n", {});
    append("INBOX", "Subject: two\r\n\r\nbody\r\n", {"\\Seen"});
    auto all = script({"RENAME INBOX Old", "STATUS INBOX (MESSAGES)", "STATUS Old (MESSAGES UNSEEN)",
                       "RENAME inbox Old"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 OK RENAME completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{R"(* STATUS "INBOX" (MESSAGES 0))", "t2 OK STATUS completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{R"(* STATUS "Old" (MESSAGES 2 UNSEEN 1))", "t3 OK STATUS completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 NO [ALREADYEXISTS] mailbox exists: Old"}));
}

TEST_F(ImapMailboxCommands, status_reports_counts) {
    const std::string one = "Subject: one\r\n\r\nbody\r\n", two = "Subject: two\r\n\r\nlonger body\r\n";
    append("INBOX", one, {});
    append("INBOX", two, {"\\Deleted", "\\Seen"});
    const auto box = mailbox("INBOX");
    auto all = script({"STATUS inbox (MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT HIGHESTMODSEQ SIZE DELETED)",
                       "STATUS Nope (MESSAGES)", "STATUS Trash (UIDNEXT HIGHESTMODSEQ)"});
    EXPECT_EQ(response(all, "t1"),
              (Lines{"* STATUS \"INBOX\" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY " + std::to_string(box.uidvalidity) +
                         " UNSEEN 1 RECENT 0 HIGHESTMODSEQ " + std::to_string(box.highest_modseq) + " SIZE " +
                         std::to_string(one.size() + two.size()) + " DELETED 1)",
                     "t1 OK STATUS completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [NONEXISTENT] no such mailbox: Nope"}));
    EXPECT_EQ(response(all, "t3"), (Lines{R"(* STATUS "Trash" (UIDNEXT 1 HIGHESTMODSEQ 1))", "t3 OK STATUS completed"}));
}

TEST_F(ImapMailboxCommands, subscriptions_and_lsub) {
    auto all = script({"UNSUBSCRIBE Junk", R"(LSUB "" "*")", "SUBSCRIBE Nope", R"(LIST (SUBSCRIBED) "" "*")",
                       R"(LIST "" "J*" RETURN (SUBSCRIBED))", "SUBSCRIBE Junk", R"(LSUB "" "J%")"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 OK UNSUBSCRIBE completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{R"(* LSUB () "/" "Archive")", R"(* LSUB () "/" "Drafts")",
                                          R"(* LSUB () "/" "INBOX")", R"(* LSUB () "/" "Sent")",
                                          R"(* LSUB () "/" "Trash")", "t2 OK LSUB completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 NO [NONEXISTENT] no such mailbox: Nope"}));
    EXPECT_EQ(response(all, "t4"), (Lines{R"(* LIST (\HasNoChildren \Subscribed \Archive) "/" "Archive")",
                                          R"(* LIST (\HasNoChildren \Subscribed \Drafts) "/" "Drafts")",
                                          R"(* LIST (\HasNoChildren \Subscribed) "/" "INBOX")",
                                          R"(* LIST (\HasNoChildren \Subscribed \Sent) "/" "Sent")",
                                          R"(* LIST (\HasNoChildren \Subscribed \Trash) "/" "Trash")",
                                          "t4 OK LIST completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{R"(* LIST (\HasNoChildren \Junk) "/" "Junk")", "t5 OK LIST completed"}));
    EXPECT_EQ(response(all, "t7"), (Lines{R"(* LSUB () "/" "Junk")", "t7 OK LSUB completed"}));
}

TEST_F(ImapMailboxCommands, list_extended_selection_and_status) {
    append("INBOX", "Subject: one\r\n\r\nbody\r\n", {});
    auto all = script({R"(LIST (SPECIAL-USE) "" "*")", R"(LIST "" ("INBOX" "Sent"))",
                       R"(LIST "" "INBOX" RETURN (STATUS (MESSAGES UNSEEN)))", "CREATE f/g", "UNSUBSCRIBE f/g",
                       "CREATE f/h/i", "UNSUBSCRIBE f/h/i", "SUBSCRIBE f/g",
                       R"(LIST (SUBSCRIBED RECURSIVEMATCH) "" "f*")", R"(LIST "" "f%" RETURN (CHILDREN))"});
    EXPECT_EQ(response(all, "t1"), (Lines{default_list[0], default_list[1], default_list[3], default_list[4],
                                          default_list[5], "t1 OK LIST completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{default_list[2], default_list[4], "t2 OK LIST completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{default_list[2], R"(* STATUS "INBOX" (MESSAGES 1 UNSEEN 1))",
                                          "t3 OK LIST completed"}));
    EXPECT_EQ(response(all, "t9"), (Lines{R"(* LIST (\NonExistent \HasChildren) "/" "f" ("CHILDINFO" ("SUBSCRIBED")))",
                                          R"(* LIST (\HasNoChildren \Subscribed) "/" "f/g")",
                                          "t9 OK LIST completed"}));
    EXPECT_EQ(response(all, "t10"), (Lines{R"(* LIST (\NonExistent \HasChildren) "/" "f")", "t10 OK LIST completed"}));
}

TEST_F(ImapMailboxCommands, names_are_modified_utf7_until_utf8_is_enabled) {
    auto all = script({"CREATE &ZeVnLIqe-", R"(LIST "" "&ZeVnLIqe-*")", "STATUS &ZeVnLIqe- (MESSAGES)", "CREATE &Jjo",
                       "CREATE A&-B", R"(LIST "" "A*")", "ENABLE UTF8=ACCEPT", R"(LIST "" "%)" "\xe6\x97\xa5*\"",
                       "DELETE \"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\""});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 OK CREATE completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{R"(* LIST (\HasNoChildren) "/" "&ZeVnLIqe-")", "t2 OK LIST completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{R"(* STATUS "&ZeVnLIqe-" (MESSAGES 0))", "t3 OK STATUS completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 NO [CANNOT] Invalid mailbox name"}));
    EXPECT_EQ(response(all, "t6"), (Lines{R"(* LIST (\HasNoChildren) "/" "A&-B")",
                                          R"(* LIST (\HasNoChildren \Archive) "/" "Archive")", "t6 OK LIST completed"}));
    EXPECT_EQ(response(all, "t8"), (Lines{"* LIST (\\HasNoChildren) \"/\" \"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"",
                                          "t8 OK LIST completed"}));
    EXPECT_EQ(response(all, "t9"), (Lines{"t9 OK DELETE completed"}));
}

// imaptest's atoms script: a pattern that is not valid modified UTF-7 names no mailbox, so it lists nothing
// and the command still succeeds (the other patterns of an extended LIST are answered as usual).
TEST_F(ImapMailboxCommands, a_pattern_that_is_not_modified_utf7_matches_nothing) {
    auto all = script({R"(LIST "" "!#$&'+,-.0123456789:;<=>?@^_`|[}%*")", R"(LIST "" ("&Jjo" INBOX))",
                       R"(LSUB "" "&Jjo*")"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 OK LIST completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{R"(* LIST (\HasNoChildren) "/" "INBOX")", "t2 OK LIST completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 OK LSUB completed"}));
}

}  // namespace
}  // namespace mallard::imap
