// STORE, UID STORE, EXPUNGE and UID EXPUNGE as a client sees them, over a socket pair with a SqliteStore
// (RFC 3501 §6.4.6, §6.4.3, §6.4.8; RFC 7162 §3.1.3 UNCHANGEDSINCE and [MODIFIED]; RFC 4315 §2.1): the three
// flag operations and .SILENT, FETCH responses for unchanged messages too, UID STORE naming UIDs, a
// conditional STORE with a conflict, refusals in an EXAMINEd mailbox, EXPUNGE numbering, UID EXPUNGE of a
// subset, and sets that name nothing.
#include "protocols/imap/session_test_support.h"

namespace mallard::imap {
namespace {

using namespace test;

// A step of a session that runs beside "another client": a command (tagged t1, t2, … after the LOGIN t0),
// or a change made straight in the store between two commands.
struct Step {
    std::string command;
    std::optional<storage::FlagChange> change;  // store_flags on the mailbox
    bool expunge = false;                       // expunge the mailbox's \Deleted messages
};

Task<Lines> exchange(Connection& client, const std::string& tag, const std::string& command) {
    client.queue(tag + " " + command + "\r\n");
    auto sent = co_await client.flush(soon());
    EXPECT_TRUE(sent);
    Lines out;
    for (;;) {
        auto got = co_await client.read_line(1 << 20, soon());
        if (!got) {
            out.push_back("<" + std::string(core::errc_name(got.error().code)) + ">");
            break;
        }
        out.push_back(*got);
        if (got->rfind(tag + " ", 0) == 0) break;
    }
    co_return out;
}

// The lines after the LOGIN, as transcript() returns them, with the store changed between commands.
Task<Lines> interleaved(std::shared_ptr<const Context> context, storage::Store& store, storage::MailboxId box,
                        std::string user, std::vector<Step> steps) {
    auto pair = core::net::test::unix_pair();
    auto client = std::move(pair.first);
    bool done = false;
    core::spawn(run_server(std::move(pair.second), context, &done));
    auto greeting = co_await client->read_line(1 << 20, soon());
    EXPECT_TRUE(greeting);
    auto login = co_await exchange(*client, "t0", "LOGIN " + user + " secret");
    EXPECT_EQ(login.back().rfind("t0 OK ", 0), 0u) << login.back();
    Lines all;
    int tag = 1;
    for (auto& step : steps) {
        if (step.change) {
            auto changed = co_await store.store_flags(box, std::move(*step.change));
            EXPECT_TRUE(changed);
        } else if (step.expunge) {
            auto expunged = co_await store.expunge(box, storage::UidRange{});
            EXPECT_TRUE(expunged);
        } else {
            auto lines = co_await exchange(*client, "t" + std::to_string(tag++), step.command);
            all.insert(all.end(), lines.begin(), lines.end());
        }
    }
    client->close();
    for (int i = 0; i < 1000 && !done; ++i) {
        auto pause = core::sleep_for(std::chrono::milliseconds(5));
        co_await pause;
    }
    EXPECT_TRUE(done);
    co_return all;
}

Step command(std::string text) { return Step{std::move(text), std::nullopt, false}; }
Step flags_elsewhere(storage::Uid uid, storage::Flags flags) {
    storage::FlagChange change{storage::UidRange{uid, uid}, storage::FlagOp::add, std::move(flags), {}};
    return Step{"", std::move(change), false};
}
Step expunge_elsewhere() { return Step{"", std::nullopt, true}; }

class ImapStore : public SessionFixture {
protected:
    std::vector<storage::MessageMeta> messages(const std::string& name) {
        auto listed = run(store_->list_messages(mailbox(name).id, storage::UidRange{}));
        EXPECT_TRUE(listed);
        return listed ? *listed : std::vector<storage::MessageMeta>{};
    }
};

const std::string simple = "Subject: hello\r\nFrom: a@example.com\r\n\r\nBody line\r\n";

TEST_F(ImapStore, add_remove_replace_and_silent) {
    append("INBOX", simple, {});
    append("INBOX", simple, {"\\Seen"});
    append("INBOX", simple, {});
    auto all = script({"SELECT INBOX", "STORE 1:2 +FLAGS (\\Flagged)", "STORE 2 -FLAGS (\\seen)",
                       "STORE 3 FLAGS (\\Draft $Work)", "STORE 1:3 +FLAGS.SILENT (\\Answered)", "FETCH 1:3 FLAGS",
                       "STORE 1 +FLAGS (\\Flagged)", "STORE 1 +FLAGS (\\Bogus)", "STORE 3 -FLAGS.SILENT ($Work)",
                       "FETCH 3 FLAGS"});
    EXPECT_EQ(response(all, "t2"), (Lines{"* 1 FETCH (FLAGS (\\Flagged))", "* 2 FETCH (FLAGS (\\Flagged \\Seen))",
                                          "t2 OK STORE completed"}));
    // System flags are matched without regard to case (RFC 3501 §2.3.2).
    EXPECT_EQ(response(all, "t3"), (Lines{"* 2 FETCH (FLAGS (\\Flagged))", "t3 OK STORE completed"}));
    // $Work is new to the mailbox: FLAGS and PERMANENTFLAGS name it before the FETCH that shows it.
    EXPECT_EQ(response(all, "t4"),
              (Lines{"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
                     "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted",
                     "* 3 FETCH (FLAGS ($Work \\Draft))", "t4 OK STORE completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK STORE completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"* 1 FETCH (FLAGS (\\Answered \\Flagged))",
                                          "* 2 FETCH (FLAGS (\\Answered \\Flagged))",
                                          "* 3 FETCH (FLAGS ($Work \\Answered \\Draft))", "t6 OK FETCH completed"}));
    // Nothing changed, and the flags are still returned (§6.4.6).
    EXPECT_EQ(response(all, "t7"), (Lines{"* 1 FETCH (FLAGS (\\Answered \\Flagged))", "t7 OK STORE completed"}));
    EXPECT_EQ(response(all, "t8"), (Lines{"t8 BAD Invalid system flag"}));
    EXPECT_EQ(response(all, "t9"), (Lines{"t9 OK STORE completed"}));
    EXPECT_EQ(response(all, "t10"), (Lines{"* 3 FETCH (FLAGS (\\Answered \\Draft))", "t10 OK FETCH completed"}));
    auto stored = messages("INBOX");
    ASSERT_EQ(stored.size(), 3u);
    EXPECT_EQ(stored[2].flags, (storage::Flags{"\\Answered", "\\Draft"}));
}

TEST_F(ImapStore, uid_store_names_uids_and_skips_gaps) {
    append("INBOX", simple, {});
    append("INBOX", simple, {"\\Deleted"});
    append("INBOX", simple, {});
    auto all = script({"SELECT INBOX", "CLOSE", "SELECT INBOX", "UID STORE 1:3 +FLAGS (\\Seen)",
                       "UID STORE 2 +FLAGS (\\Seen)", "UID STORE 3 FLAGS.SILENT ()", "STORE 9 +FLAGS (\\Seen)",
                       "UID FETCH 1:* FLAGS"});
    EXPECT_EQ(response(all, "t4"), (Lines{"* 1 FETCH (UID 1 FLAGS (\\Seen))", "* 2 FETCH (UID 3 FLAGS (\\Seen))",
                                          "t4 OK UID STORE completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK UID STORE completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"t6 OK UID STORE completed"}));
    EXPECT_EQ(response(all, "t7"), (Lines{"t7 OK STORE completed"}));
    EXPECT_EQ(response(all, "t8"), (Lines{"* 1 FETCH (UID 1 FLAGS (\\Seen))", "* 2 FETCH (UID 3 FLAGS ())",
                                          "t8 OK UID FETCH completed"}));
}

// RFC 7162 §3.1.3: a message changed since UNCHANGEDSINCE is left alone and named in [MODIFIED] (sequence
// numbers for STORE, UIDs for UID STORE); once used, CONDSTORE adds MODSEQ, also to .SILENT stores.
TEST_F(ImapStore, unchangedsince_reports_conflicts) {
    for (int i = 0; i < 4; ++i) append("INBOX", simple, i == 0 ? storage::Flags{"\\Deleted"} : storage::Flags{});
    // Another client changes UID 3: its modseq rises above the others'.
    storage::FlagChange other{storage::UidRange{3, 3}, storage::FlagOp::add, {"$X"}, {}};
    ASSERT_TRUE(run(store_->store_flags(mailbox("INBOX").id, std::move(other))));
    auto before = messages("INBOX");
    ASSERT_EQ(before.size(), 4u);
    const storage::ModSeq since = before[3].modseq;  // UID 4's: UID 2 and 4 pass, UID 3 fails
    ASSERT_GT(before[2].modseq, since);

    auto all = script({"SELECT INBOX", "CLOSE", "SELECT INBOX",
                       "STORE 1:3 (UNCHANGEDSINCE " + std::to_string(since) + ") +FLAGS (\\Flagged)",
                       "UID STORE 2:4 (UNCHANGEDSINCE 1) +FLAGS.SILENT (\\Seen)", "STORE 2 +FLAGS.SILENT (\\Seen)",
                       "UID STORE 3 -FLAGS ($X)", "STORE 1 +FLAGS (\\Flagged)"});
    auto after = messages("INBOX");
    ASSERT_EQ(after.size(), 3u);  // UIDs 2, 3, 4
    auto modseq = [&](std::size_t i) { return std::to_string(after[i].modseq); };
    EXPECT_EQ(response(all, "t4"), (Lines{"* 1 FETCH (FLAGS (\\Flagged) MODSEQ (" + modseq(0) + "))",
                                          "* 3 FETCH (FLAGS (\\Flagged) MODSEQ (" + modseq(2) + "))",
                                          "t4 OK [MODIFIED 2] Conditional STORE failed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK [MODIFIED 2:4] Conditional STORE failed"}));
    auto t6 = response(all, "t6");
    ASSERT_EQ(t6.size(), 2u);
    EXPECT_EQ(t6[0].rfind("* 2 FETCH (MODSEQ (", 0), 0u) << t6[0];
    EXPECT_EQ(t6[1], "t6 OK STORE completed");
    EXPECT_EQ(response(all, "t7"),
              (Lines{"* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (" + modseq(1) + "))", "t7 OK UID STORE completed"}));
    // Unchanged: the view's modseq, no new one.
    EXPECT_EQ(response(all, "t8"),
              (Lines{"* 1 FETCH (FLAGS (\\Flagged) MODSEQ (" + modseq(0) + "))", "t8 OK STORE completed"}));
    EXPECT_EQ(after[0].flags, (storage::Flags{"\\Flagged"}));
    EXPECT_EQ(after[1].flags, (storage::Flags{"\\Seen"}));
    EXPECT_LT(after[0].modseq, after[2].modseq);
    EXPECT_LT(after[2].modseq, after[1].modseq);
}

// A keyword another client sets reaches this session in FLAGS (and PERMANENTFLAGS) before any FETCH shows it:
// through FETCH's fresh flags, and through the journal on NOOP (imaptest: "Keyword used without being in FLAGS").
TEST_F(ImapStore, keywords_set_elsewhere_are_announced_in_flags_first) {
    append("INBOX", simple, {});
    append("INBOX", simple, {});
    auto context = std::make_shared<const Context>(Context{test_options(), *store_, *pool_, nullptr});
    auto all = run(interleaved(context, *store_, mailbox("INBOX").id, user_,
                               {command("SELECT INBOX"), flags_elsewhere(1, {"$Other"}), command("FETCH 1 FLAGS"),
                                flags_elsewhere(2, {"$Third"}), command("NOOP"), command("FETCH 1:2 FLAGS")}));
    const std::string system = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
    EXPECT_EQ(response(all, "t2"), (Lines{"* FLAGS (" + system + " $Other)",
                                          "* OK [PERMANENTFLAGS (" + system + " $Other \\*)] Flags permitted",
                                          "* 1 FETCH (FLAGS ($Other))", "t2 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"* FLAGS (" + system + " $Other $Third)",
                                          "* OK [PERMANENTFLAGS (" + system + " $Other $Third \\*)] Flags permitted",
                                          "* 1 FETCH (UID 1 FLAGS ($Other))", "* 2 FETCH (UID 2 FLAGS ($Third))",
                                          "t3 OK NOOP completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"* 1 FETCH (FLAGS ($Other))", "* 2 FETCH (FLAGS ($Third))",
                                          "t4 OK FETCH completed"}));  // nothing new: no FLAGS
}

// RFC 3501 §6.1.3: LOGOUT's BYE ends the session; changes made elsewhere are not reported after it (a client
// that closed its view on BYE would read "* n EXPUNGE" for messages it no longer has).
TEST_F(ImapStore, logout_reports_no_changes_after_bye) {
    append("INBOX", simple, {});
    append("INBOX", simple, {"\\Deleted"});
    Options options = test_options();
    options.poll_interval = std::chrono::milliseconds(0);  // every other command reads the journal
    auto context = std::make_shared<const Context>(Context{options, *store_, *pool_, nullptr});
    auto all = run(interleaved(context, *store_, mailbox("INBOX").id, user_,
                               {command("SELECT INBOX"), flags_elsewhere(1, {"\\Seen"}), expunge_elsewhere(),
                                command("LOGOUT")}));
    EXPECT_EQ(response(all, "t2"), (Lines{"* BYE Mallard logging out", "t2 OK LOGOUT completed"}));
}

// RFC 5530 §3: a message expunged elsewhere keeps its sequence number while commands by number run; their OK
// carries [EXPUNGEISSUED] until the EXPUNGE can be sent (imaptest accepts a SEARCH without it only then).
TEST_F(ImapStore, commands_by_number_say_expungeissued_while_an_expunge_waits) {
    append("INBOX", simple, {});
    append("INBOX", simple, {"\\Deleted"});
    append("INBOX", simple, {});
    Options options = test_options();
    options.poll_interval = std::chrono::milliseconds(0);
    auto context = std::make_shared<const Context>(Context{options, *store_, *pool_, nullptr});
    auto all = run(interleaved(context, *store_, mailbox("INBOX").id, user_,
                               {command("SELECT INBOX"), expunge_elsewhere(), command("FETCH 1:3 UID"),
                                command("SEARCH ALL"), command("UID SEARCH ALL"), command("NOOP"),
                                command("SEARCH ALL")}));
    EXPECT_EQ(response(all, "t2"), (Lines{"* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)",
                                          "t2 OK [EXPUNGEISSUED] FETCH completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"* SEARCH 1 3", "t3 OK [EXPUNGEISSUED] SEARCH completed"}));
    // UID SEARCH may send the EXPUNGE (it doesn't use sequence numbers): the OK is plain again.
    EXPECT_EQ(response(all, "t4"), (Lines{"* SEARCH 1 3", "* 2 EXPUNGE", "t4 OK UID SEARCH completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK NOOP completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"* SEARCH 1 2", "t6 OK SEARCH completed"}));
}

// SEARCH reads the journal itself: without a bus or an elapsed poll interval, it still learns of the expunge.
TEST_F(ImapStore, search_learns_of_an_expunge_without_waiting_for_a_poll) {
    append("INBOX", simple, {});
    append("INBOX", simple, {"\\Deleted"});
    auto context = std::make_shared<const Context>(Context{test_options(), *store_, *pool_, nullptr});
    auto all = run(interleaved(context, *store_, mailbox("INBOX").id, user_,
                               {command("SELECT INBOX"), expunge_elsewhere(), command("SEARCH 1:2"), command("NOOP")}));
    EXPECT_EQ(response(all, "t2"), (Lines{"* SEARCH 1", "t2 OK [EXPUNGEISSUED] SEARCH completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"* 2 EXPUNGE", "t3 OK NOOP completed"}));
}

TEST_F(ImapStore, examine_refuses_changes) {
    append("INBOX", simple, {"\\Deleted"});
    auto all = script({"EXAMINE INBOX", "STORE 1 +FLAGS (\\Seen)", "UID STORE 1 -FLAGS.SILENT (\\Deleted)",
                       "EXPUNGE", "UID EXPUNGE 1", "FETCH 1 FLAGS"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [READ-ONLY] Mailbox is read-only"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 NO [READ-ONLY] Mailbox is read-only"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 NO [READ-ONLY] Mailbox is read-only"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 NO [READ-ONLY] Mailbox is read-only"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"* 1 FETCH (FLAGS (\\Deleted))", "t6 OK FETCH completed"}));
    EXPECT_EQ(messages("INBOX").size(), 1u);
}

// RFC 3501 §7.4.1: each EXPUNGE renumbers the messages after it, so removing sequence numbers 2, 3 and 5 is
// announced as 2, 2, 3.
TEST_F(ImapStore, expunge_numbers_each_removal) {
    for (int i = 1; i <= 6; ++i) {
        bool deleted = i == 2 || i == 3 || i == 5;
        append("INBOX", simple, deleted ? storage::Flags{"\\Deleted"} : storage::Flags{});
    }
    auto all = script({"SELECT INBOX", "EXPUNGE", "FETCH 1:* UID", "EXPUNGE", "STORE 2 +FLAGS.SILENT (\\Deleted)",
                       "EXPUNGE", "FETCH 1:* UID"});
    EXPECT_EQ(response(all, "t2"), (Lines{"* 2 EXPUNGE", "* 2 EXPUNGE", "* 3 EXPUNGE", "t2 OK EXPUNGE completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"* 1 FETCH (UID 1)", "* 2 FETCH (UID 4)", "* 3 FETCH (UID 6)",
                                          "t3 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK EXPUNGE completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"* 2 EXPUNGE", "t6 OK EXPUNGE completed"}));
    EXPECT_EQ(response(all, "t7"), (Lines{"* 1 FETCH (UID 1)", "* 2 FETCH (UID 6)", "t7 OK FETCH completed"}));
    EXPECT_EQ(messages("INBOX").size(), 2u);
}

// RFC 4315 §2.1: only the \Deleted messages of the set go.
TEST_F(ImapStore, uid_expunge_removes_a_subset) {
    for (int i = 1; i <= 4; ++i) append("INBOX", simple, {"\\Deleted"});
    append("INBOX", simple, {});
    auto all = script({"SELECT INBOX", "UID EXPUNGE 2:3,9", "FETCH 1:* UID", "UID EXPUNGE 5:7", "UID EXPUNGE 4,1"});
    EXPECT_EQ(response(all, "t2"), (Lines{"* 2 EXPUNGE", "* 2 EXPUNGE", "t2 OK UID EXPUNGE completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"* 1 FETCH (UID 1)", "* 2 FETCH (UID 4)", "* 3 FETCH (UID 5)",
                                          "t3 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK UID EXPUNGE completed"}));  // UID 5 isn't \Deleted
    EXPECT_EQ(response(all, "t5"), (Lines{"* 1 EXPUNGE", "* 1 EXPUNGE", "t5 OK UID EXPUNGE completed"}));
    auto left = messages("INBOX");
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].uid, 5u);
}

TEST_F(ImapStore, empty_mailbox_and_empty_sets) {
    auto all = script({"SELECT Trash", "EXPUNGE", "UID EXPUNGE 1:*", "STORE 1:* +FLAGS (\\Seen)",
                       "UID STORE 1:* (UNCHANGEDSINCE 5) FLAGS ()", "STORE 1 +FLAGS (\\Nope)"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK EXPUNGE completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 OK UID EXPUNGE completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK STORE completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK UID STORE completed"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"t6 BAD Invalid system flag"}));
}

TEST_F(ImapStore, needs_a_selected_mailbox) {
    auto all = script({"STORE 1 +FLAGS (\\Seen)", "EXPUNGE", "UID EXPUNGE 1"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 BAD STORE requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 BAD EXPUNGE requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD UID EXPUNGE requires a selected mailbox"}));
}

}  // namespace
}  // namespace mallard::imap
