// CONDSTORE (RFC 7162 §3.1) as a client sees it, over a socket pair with a SqliteStore: the enabling
// commands (ENABLE, SELECT/EXAMINE (CONDSTORE), STATUS and LIST-STATUS HIGHESTMODSEQ, FETCH MODSEQ and
// CHANGEDSINCE), FETCH MODSEQ against the store's modseqs, MODSEQ riding along with every FLAGS once enabled
// (the FLAGS a body fetch adds included), CHANGEDSINCE filtering before \Seen is set, HIGHESTMODSEQ in
// SELECT/EXAMINE and STATUS, and VANISHED refused without QRESYNC.
#include "protocols/imap/session_test_support.h"

namespace mallard::imap {
namespace {

using namespace test;

class ImapCondstore : public SessionFixture {
protected:
    std::vector<storage::MessageMeta> metas(const std::string& name) {
        auto listed = run(store_->list_messages(mailbox(name).id, storage::UidRange{}));
        EXPECT_TRUE(listed);
        return listed ? *listed : std::vector<storage::MessageMeta>{};
    }

    // Adds `flag` to message `uid` of `name` behind the session's back; returns the change's modseq.
    storage::ModSeq add_flag(const std::string& name, storage::Uid uid, const std::string& flag) {
        storage::FlagChange change;
        change.uids = storage::UidRange{uid, uid};
        change.op = storage::FlagOp::add;
        change.flags.push_back(flag);
        auto result = run(store_->store_flags(mailbox(name).id, std::move(change)));
        EXPECT_TRUE(result);
        if (!result || result->changed.size() != 1) return 0;
        return result->changed.front().modseq;
    }
};

std::string joined(const Lines& lines) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) out += "\r\n";
        out += lines[i];
    }
    return out;
}

std::string modseq(storage::ModSeq n) { return "MODSEQ (" + std::to_string(n) + ")"; }

const std::string simple = "Subject: hello\r\n\r\nBody line\r\n";

TEST_F(ImapCondstore, enable_lists_condstore_once_and_then_flags_carry_modseq) {
    append("INBOX", simple, {"\\Flagged"});
    auto m = metas("INBOX");
    ASSERT_EQ(m.size(), 1u);
    auto all = script({"ENABLE CONDSTORE", "ENABLE CONDSTORE UTF8=ACCEPT", "SELECT INBOX", "FETCH 1 FLAGS",
                       "FETCH 1 UID"});
    EXPECT_EQ(response(all, "t1"), (Lines{"* ENABLED CONDSTORE", "t1 OK ENABLE completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"* ENABLED UTF8=ACCEPT", "t2 OK ENABLE completed"}));
    EXPECT_EQ(response(all, "t4"),
              (Lines{"* 1 FETCH (FLAGS (\\Flagged) " + modseq(m[0].modseq) + ")", "t4 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"* 1 FETCH (UID 1)", "t5 OK FETCH completed"}));
}

TEST_F(ImapCondstore, fetch_modseq_enables_and_announces_highestmodseq_once) {
    append("INBOX", simple, {});
    append("INBOX", simple, {"\\Seen"});
    auto m = metas("INBOX");
    ASSERT_EQ(m.size(), 2u);
    auto box = mailbox("INBOX");
    const std::string highest = std::to_string(box.highest_modseq);
    auto all = script({"SELECT INBOX", "FETCH 1 FLAGS", "FETCH 1:* (MODSEQ FLAGS)", "FETCH 2 (FLAGS)",
                       "UID FETCH 2 MODSEQ"});
    EXPECT_EQ(response(all, "t2"), (Lines{"* 1 FETCH (FLAGS ())", "t2 OK FETCH completed"}));  // not yet on
    EXPECT_EQ(response(all, "t3"), (Lines{"* OK [HIGHESTMODSEQ " + highest + "] Highest",
                                          "* 1 FETCH (" + modseq(m[0].modseq) + " FLAGS ())",
                                          "* 2 FETCH (" + modseq(m[1].modseq) + " FLAGS (\\Seen))",
                                          "t3 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t4"),
              (Lines{"* 2 FETCH (FLAGS (\\Seen) " + modseq(m[1].modseq) + ")", "t4 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t5"),
              (Lines{"* 2 FETCH (UID 2 " + modseq(m[1].modseq) + ")", "t5 OK UID FETCH completed"}));
    EXPECT_LT(m[0].modseq, m[1].modseq);
}

TEST_F(ImapCondstore, changedsince_keeps_newer_messages_and_implies_modseq) {
    append("INBOX", simple, {});
    append("INBOX", simple, {});
    append("INBOX", simple, {});
    auto before = metas("INBOX");
    ASSERT_EQ(before.size(), 3u);
    const storage::ModSeq since = before[2].modseq;  // after every append
    const storage::ModSeq changed = add_flag("INBOX", 2, "$Label");
    ASSERT_GT(changed, since);
    auto all = script({"SELECT INBOX", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + std::to_string(since) + ")",
                       "FETCH 1:* (UID) (CHANGEDSINCE " + std::to_string(changed) + ")",
                       "FETCH 1:* (FLAGS) (CHANGEDSINCE 1)"});
    auto t2 = response(all, "t2");
    ASSERT_EQ(t2.size(), 3u);
    EXPECT_EQ(t2[0].rfind("* OK [HIGHESTMODSEQ ", 0), 0u) << t2[0];
    EXPECT_EQ(t2[1], "* 2 FETCH (UID 2 FLAGS ($Label) " + modseq(changed) + ")");
    EXPECT_EQ(t2[2], "t2 OK UID FETCH completed");
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 OK FETCH completed"}));
    auto after = metas("INBOX");
    auto newer = std::count_if(after.begin(), after.end(), [](const auto& m) { return m.modseq > 1; });
    EXPECT_EQ(response(all, "t4").size(), static_cast<std::size_t>(newer) + 1);
}

TEST_F(ImapCondstore, body_fetch_adds_flags_with_the_new_modseq) {
    append("INBOX", simple, {});
    append("INBOX", simple, {});
    auto all = script({"SELECT INBOX (CONDSTORE)", "FETCH 1 BODY[TEXT]", "FETCH 1 MODSEQ",
                       "FETCH 1:2 (BODY[TEXT]) (CHANGEDSINCE 100000)", "FETCH 2 FLAGS"});
    auto after = metas("INBOX");
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(response(all, "t1").back(), "t1 OK [READ-WRITE] SELECT completed");
    EXPECT_EQ(joined(response(all, "t2")), "* 1 FETCH (BODY[TEXT] {11}\r\nBody line\r\n FLAGS (\\Seen) " +
                                               modseq(after[0].modseq) + ")\r\nt2 OK FETCH completed");
    EXPECT_EQ(response(all, "t3"), (Lines{"* 1 FETCH (" + modseq(after[0].modseq) + ")", "t3 OK FETCH completed"}));
    // Nothing changed since 100000: nothing answered and message 2 stays unseen.
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK FETCH completed"}));
    EXPECT_EQ(response(all, "t5"),
              (Lines{"* 2 FETCH (FLAGS () " + modseq(after[1].modseq) + ")", "t5 OK FETCH completed"}));
    EXPECT_GT(after[0].modseq, after[1].modseq);
}

TEST_F(ImapCondstore, select_and_examine_condstore_send_highestmodseq) {
    append("INBOX", simple, {});
    auto box = mailbox("INBOX");
    const std::string highest = "* OK [HIGHESTMODSEQ " + std::to_string(box.highest_modseq) + "] Highest";
    auto all = script({"EXAMINE INBOX (CONDSTORE)", "FETCH 1 FLAGS", "SELECT Nope (CONDSTORE)", "SELECT INBOX"});
    auto t1 = response(all, "t1");
    EXPECT_NE(std::find(t1.begin(), t1.end(), highest), t1.end());
    EXPECT_EQ(t1.back(), "t1 OK [READ-ONLY] EXAMINE completed");
    EXPECT_NE(response(all, "t2").front().find(" MODSEQ ("), std::string::npos) << response(all, "t2").front();
    EXPECT_EQ(response(all, "t3").back().rfind("t3 NO [NONEXISTENT]", 0), 0u);
    auto t4 = response(all, "t4");
    EXPECT_EQ(std::count(t4.begin(), t4.end(), highest), 1);
}

TEST_F(ImapCondstore, status_highestmodseq_enables_it_in_any_state) {
    append("INBOX", simple, {});
    append("Sent", simple, {});
    auto inbox = mailbox("INBOX");
    auto sent = mailbox("Sent");
    auto junk = mailbox("Junk");
    auto all = script({"SELECT INBOX", "STATUS Sent (HIGHESTMODSEQ MESSAGES)", "STATUS Junk (HIGHESTMODSEQ)",
                       "FETCH 1 FLAGS"});
    EXPECT_EQ(response(all, "t2"),
              (Lines{"* OK [HIGHESTMODSEQ " + std::to_string(inbox.highest_modseq) + "] Highest",
                     "* STATUS \"Sent\" (HIGHESTMODSEQ " + std::to_string(sent.highest_modseq) + " MESSAGES 1)",
                     "t2 OK STATUS completed"}));
    // An untouched mailbox reports 1, the smallest mod-sequence (RFC 7162 §3.1.6).
    EXPECT_EQ(response(all, "t3"), (Lines{"* STATUS \"Junk\" (HIGHESTMODSEQ " +
                                              std::to_string(std::max<storage::ModSeq>(junk.highest_modseq, 1)) + ")",
                                          "t3 OK STATUS completed"}));
    EXPECT_NE(response(all, "t4").front().find(" MODSEQ ("), std::string::npos);
}

TEST_F(ImapCondstore, list_status_highestmodseq_enables_it) {
    append("INBOX", simple, {});
    auto inbox = mailbox("INBOX");
    auto all = script({"LIST \"\" INBOX RETURN (STATUS (HIGHESTMODSEQ))", "ENABLE CONDSTORE"});
    auto t1 = response(all, "t1");
    EXPECT_NE(std::find(t1.begin(), t1.end(),
                        "* STATUS \"INBOX\" (HIGHESTMODSEQ " + std::to_string(inbox.highest_modseq) + ")"),
              t1.end());
    EXPECT_EQ(response(all, "t2"), (Lines{"* ENABLED", "t2 OK ENABLE completed"}));
}

TEST_F(ImapCondstore, vanished_needs_qresync) {
    append("INBOX", simple, {});
    auto all = script({"SELECT INBOX", "UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)", "FETCH 1 (FLAGS) (FOO)"});
    EXPECT_EQ(response(all, "t2").back().rfind("t2 BAD ", 0), 0u);
    EXPECT_EQ(response(all, "t3").back().rfind("t3 BAD ", 0), 0u);
}

}  // namespace
}  // namespace mallard::imap
