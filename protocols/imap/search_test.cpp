// SEARCH and UID SEARCH as a client sees them, over a socket pair with a SqliteStore (RFC 3501 §6.4.4,
// §6.4.8, §7.2.5; RFC 7162 §3.1.5): flag keys, sequence and UID sets with "*", header/body/text keys with
// non-ASCII strings in literals, internal and sent dates, sizes, NOT/OR nesting, CHARSET, MODSEQ, UIDs over
// gaps, the keys Mallard refuses and the store's limits.
#include <string>

#include "protocols/imap/session_test_support.h"

namespace mallard::imap {
namespace {

using namespace test;
using namespace std::chrono;

class ImapSearch : public SessionFixture {
protected:
    void append_at(std::string raw, storage::Flags flags, sys_days day, seconds at = hours(12)) {
        storage::AppendRequest request;
        request.raw = std::move(raw);
        request.flags = std::move(flags);
        request.internal_date = day + at;
        auto appended = run(store_->append(mailbox("INBOX").id, std::move(request)));
        ASSERT_TRUE(appended) << appended.error().to_string();
    }

    // Four messages: see each below.
    void append_four() {
        // 1: UTF-8 in a raw header, an encoded-word subject, an 8-bit body; \Seen.
        append_at("From: Jörg Müller <joerg@example.de>\r\n"
                  "To: team@example.com\r\n"
                  "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n"
                  "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                  "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: 8bit\r\n"
                  "\r\n"
                  "Die Straße ist lang.\r\n",
                  {"\\Seen"}, sys_days(2024y / February / 1));
        // 2: sent late on 15 March in its own zone (16 March in UTC); \Answered \Flagged $Important.
        append_at("From: bob@example.org\r\n"
                  "To: ann@example.com\r\n"
                  "Cc: carol@example.net\r\n"
                  "Subject: Meeting\r\n"
                  "Date: Wed, 15 Mar 2023 23:30:00 -0500\r\n"
                  "\r\n"
                  "The agenda is attached.\r\n",
                  {"$Important", "\\Answered", "\\Flagged"}, sys_days(2023y / March / 16));
        // 3: large, no Date header, a custom field; \Deleted \Draft.
        append_at("From: ann@example.com\r\n"
                  "Subject: hello\r\n"
                  "X-Custom: Value42\r\n"
                  "\r\n" +
                      std::string(5000, 'x') + "\r\n",
                  {"\\Deleted", "\\Draft"}, sys_days(2025y / June / 30));
        // 4: an upper-case Latin-1 subject, no Date; internal date the last second of 1 February (UTC).
        append_at("From: dave@example.com\r\n"
                  "Subject: ÉCOLE\r\n"
                  "\r\n"
                  "short\r\n",
                  {}, sys_days(2024y / February / 1), hours(23) + minutes(59) + seconds(59));
    }

    // The one untagged SEARCH line and the tagged line of each command, t2 onwards (t1 is the SELECT).
    std::vector<Lines> searches(const std::vector<std::string>& commands) {
        std::vector<std::string> all = {"SELECT INBOX"};
        all.insert(all.end(), commands.begin(), commands.end());
        Lines lines = script(all);
        std::vector<Lines> out;
        for (std::size_t i = 0; i < commands.size(); ++i) out.push_back(response(lines, "t" + std::to_string(i + 2)));
        return out;
    }
};

// A literal as the client sends it: LITERAL+ ("{n+}") needs no continuation, the synchronising form gets "+ …".
std::string literal(const std::string& text, bool non_sync = true) {
    return "{" + std::to_string(text.size()) + (non_sync ? "+" : "") + "}\r\n" + text;
}

Lines found(const std::string& numbers, const std::string& tag, const char* done = "SEARCH completed") {
    return Lines{numbers.empty() ? "* SEARCH" : "* SEARCH " + numbers, tag + " OK " + done};
}

TEST_F(ImapSearch, flag_keys) {
    append_four();
    auto r = searches({"SEARCH ALL", "SEARCH SEEN", "SEARCH UNSEEN", "SEARCH FLAGGED ANSWERED", "SEARCH DELETED",
                       "SEARCH UNDELETED", "SEARCH DRAFT", "SEARCH UNDRAFT UNFLAGGED UNANSWERED",
                       "SEARCH KEYWORD $Important", "SEARCH KEYWORD $important", "SEARCH UNKEYWORD $Important",
                       "SEARCH NEW", "SEARCH RECENT", "SEARCH OLD", "search seen"});
    EXPECT_EQ(r[0], found("1 2 3 4", "t2"));
    EXPECT_EQ(r[1], found("1", "t3"));
    EXPECT_EQ(r[2], found("2 3 4", "t4"));
    EXPECT_EQ(r[3], found("2", "t5"));
    EXPECT_EQ(r[4], found("3", "t6"));
    EXPECT_EQ(r[5], found("1 2 4", "t7"));
    EXPECT_EQ(r[6], found("3", "t8"));
    EXPECT_EQ(r[7], found("1 4", "t9"));
    EXPECT_EQ(r[8], found("2", "t10"));
    EXPECT_EQ(r[9], found("", "t11"));  // keywords are case-sensitive
    EXPECT_EQ(r[10], found("1 3 4", "t12"));
    // No \Recent in Mallard: nothing is new or recent, everything is old.
    EXPECT_EQ(r[11], found("", "t13"));
    EXPECT_EQ(r[12], found("", "t14"));
    EXPECT_EQ(r[13], found("1 2 3 4", "t15"));
    EXPECT_EQ(r[14], found("1", "t16"));
}

TEST_F(ImapSearch, sequence_and_uid_sets) {
    append_four();
    auto r = searches({"SEARCH 2:*", "SEARCH *", "SEARCH 1,3", "SEARCH 4:2 SEEN", "SEARCH 5", "SEARCH 3:9",
                       "SEARCH UID 2:3", "SEARCH UID *", "SEARCH UID 9:*", "SEARCH NOT 1:2"});
    EXPECT_EQ(r[0], found("2 3 4", "t2"));
    EXPECT_EQ(r[1], found("4", "t3"));
    EXPECT_EQ(r[2], found("1 3", "t4"));
    EXPECT_EQ(r[3], found("", "t5"));
    EXPECT_EQ(r[4], found("", "t6"));   // past the last message: nothing
    EXPECT_EQ(r[5], found("3 4", "t7"));
    EXPECT_EQ(r[6], found("2 3", "t8"));
    EXPECT_EQ(r[7], found("4", "t9"));
    EXPECT_EQ(r[8], found("4", "t10"));  // n:* with n past the largest UID names the last message (§6.4.8)
    EXPECT_EQ(r[9], found("3 4", "t11"));
}

TEST_F(ImapSearch, uid_search_over_gaps) {
    append_four();  // CLOSE expunges 3 (\Deleted): UIDs 1, 2, 4 remain as sequence numbers 1, 2, 3
    auto all = script({"SELECT INBOX", "CLOSE", "SELECT INBOX", "SEARCH ALL", "UID SEARCH ALL", "UID SEARCH 3",
                       "UID SEARCH UID 3:*", "SEARCH UID 3:*", "UID SEARCH *", "UID SEARCH 2:* UNFLAGGED",
                       "UID SEARCH UID 3"});
    EXPECT_EQ(response(all, "t4"), found("1 2 3", "t4"));
    EXPECT_EQ(response(all, "t5"), found("1 2 4", "t5", "UID SEARCH completed"));
    EXPECT_EQ(response(all, "t6"), found("4", "t6", "UID SEARCH completed"));  // sequence number 3
    EXPECT_EQ(response(all, "t7"), found("4", "t7", "UID SEARCH completed"));
    EXPECT_EQ(response(all, "t8"), found("3", "t8"));
    EXPECT_EQ(response(all, "t9"), found("4", "t9", "UID SEARCH completed"));
    EXPECT_EQ(response(all, "t10"), found("4", "t10", "UID SEARCH completed"));
    EXPECT_EQ(response(all, "t11"), found("", "t11", "UID SEARCH completed"));
}

TEST_F(ImapSearch, header_body_and_text) {
    append_four();
    auto r = searches({"SEARCH FROM bob", "SEARCH FROM \"EXAMPLE.COM\"", "SEARCH TO ann", "SEARCH CC carol",
                       "SEARCH BCC carol", "SEARCH SUBJECT meeting", "SEARCH HEADER X-Custom value42",
                       "SEARCH HEADER x-custom \"\"", "SEARCH BODY agenda", "SEARCH TEXT meeting",
                       "SEARCH TEXT agenda", "SEARCH BODY meeting", "SEARCH HEADER Subject agenda"});
    EXPECT_EQ(r[0], found("2", "t2"));
    EXPECT_EQ(r[1], found("3 4", "t3"));
    EXPECT_EQ(r[2], found("2", "t4"));
    EXPECT_EQ(r[3], found("2", "t5"));
    EXPECT_EQ(r[4], found("", "t6"));
    EXPECT_EQ(r[5], found("2", "t7"));
    EXPECT_EQ(r[6], found("3", "t8"));
    EXPECT_EQ(r[7], found("3", "t9"));  // "": every message with that field
    EXPECT_EQ(r[8], found("2", "t10"));
    EXPECT_EQ(r[9], found("2", "t11"));
    EXPECT_EQ(r[10], found("2", "t12"));
    EXPECT_EQ(r[11], found("", "t13"));
    EXPECT_EQ(r[12], found("", "t14"));
}

TEST_F(ImapSearch, non_ascii_strings_in_literals) {
    append_four();
    auto all = script({"SELECT INBOX", "SEARCH CHARSET UTF-8 FROM " + literal("müller"),
                       "SEARCH CHARSET UTF-8 SUBJECT " + literal("grüße"),
                       "SEARCH CHARSET utf-8 SUBJECT " + literal("école"),
                       "SEARCH CHARSET UTF-8 BODY " + literal("STRAßE", false),
                       "SEARCH CHARSET UTF-8 TEXT " + literal("köln"), "SEARCH CHARSET US-ASCII TEXT agenda",
                       "SEARCH FROM " + literal("JÖRG")});
    EXPECT_EQ(response(all, "t2"), found("1", "t2"));
    EXPECT_EQ(response(all, "t3"), found("1", "t3"));  // the encoded-word is decoded, ü folded
    EXPECT_EQ(response(all, "t4"), found("4", "t4"));  // É folds to é
    auto t5 = response(all, "t5");
    ASSERT_EQ(t5.size(), 3u);
    EXPECT_EQ(t5[0].rfind("+ ", 0), 0u) << t5[0];
    EXPECT_EQ(Lines(t5.begin() + 1, t5.end()), found("1", "t5"));
    EXPECT_EQ(response(all, "t6"), found("1", "t6"));
    EXPECT_EQ(response(all, "t7"), found("2", "t7"));
    EXPECT_EQ(response(all, "t8"), found("1", "t8"));  // no CHARSET: taken as UTF-8
}

TEST_F(ImapSearch, dates) {
    append_four();
    auto r = searches({"SEARCH BEFORE 1-Feb-2024", "SEARCH ON 1-Feb-2024", "SEARCH SINCE 1-Feb-2024",
                       "SEARCH SINCE 2-Feb-2024", "SEARCH SENTBEFORE 1-Jan-2024", "SEARCH SENTON 15-Mar-2023",
                       "SEARCH SENTON 16-Mar-2023", "SEARCH SENTSINCE 1-Jan-2024", "SEARCH NOT SENTBEFORE 1-Jan-2024",
                       "SEARCH SINCE \"16-Mar-2023\" BEFORE 1-Jan-2025"});
    EXPECT_EQ(r[0], found("2", "t2"));
    EXPECT_EQ(r[1], found("1 4", "t3"));  // 4 arrived at 23:59:59 UTC: still 1 February
    EXPECT_EQ(r[2], found("1 3 4", "t4"));
    EXPECT_EQ(r[3], found("3", "t5"));
    EXPECT_EQ(r[4], found("2", "t6"));
    EXPECT_EQ(r[5], found("2", "t7"));  // the day as written, not in UTC
    EXPECT_EQ(r[6], found("", "t8"));
    EXPECT_EQ(r[7], found("1", "t9"));  // 3 and 4 have no Date: no sent-date key matches them
    EXPECT_EQ(r[8], found("1 3 4", "t10"));
    EXPECT_EQ(r[9], found("1 2 4", "t11"));
}

TEST_F(ImapSearch, sizes) {
    append_four();
    auto r = searches({"SEARCH LARGER 4000", "SEARCH SMALLER 4000", "SEARCH LARGER 0", "SEARCH SMALLER 1"});
    EXPECT_EQ(r[0], found("3", "t2"));
    EXPECT_EQ(r[1], found("1 2 4", "t3"));
    EXPECT_EQ(r[2], found("1 2 3 4", "t4"));
    EXPECT_EQ(r[3], found("", "t5"));
}

TEST_F(ImapSearch, not_or_and_parentheses) {
    append_four();
    auto r = searches({"SEARCH OR SEEN FLAGGED", "SEARCH NOT OR SEEN FLAGGED", "SEARCH (OR (SEEN) (DELETED)) NOT FROM ann",
                       "SEARCH OR OR SEEN DELETED NOT ALL", "SEARCH NOT (NOT SEEN)", "SEARCH ((SEEN) (FROM joerg))",
                       "SEARCH OR 1 (UID 4 UNSEEN)", "SEARCH NOT NOT NOT 2:*"});
    EXPECT_EQ(r[0], found("1 2", "t2"));
    EXPECT_EQ(r[1], found("3 4", "t3"));
    EXPECT_EQ(r[2], found("1", "t4"));
    EXPECT_EQ(r[3], found("1 3", "t5"));
    EXPECT_EQ(r[4], found("1", "t6"));
    EXPECT_EQ(r[5], found("1", "t7"));
    EXPECT_EQ(r[6], found("1 4", "t8"));
    EXPECT_EQ(r[7], found("1", "t9"));
}

TEST_F(ImapSearch, charset) {
    append_four();
    auto r = searches({"SEARCH CHARSET ISO-8859-1 ALL", "SEARCH CHARSET \"us-ascii\" SEEN", "SEARCH CHARSET UTF-8 SEEN"});
    EXPECT_EQ(r[0], (Lines{"t2 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset"}));
    EXPECT_EQ(r[1], found("1", "t3"));
    EXPECT_EQ(r[2], found("1", "t4"));
    // RFC 6855 §3: after ENABLE UTF8=ACCEPT a CHARSET conflicts.
    auto all = script({"ENABLE UTF8=ACCEPT", "SELECT INBOX", "SEARCH CHARSET UTF-8 ALL", "SEARCH SUBJECT \"grüße\""});
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD CHARSET not allowed after ENABLE UTF8=ACCEPT"}));
    EXPECT_EQ(response(all, "t4"), found("1", "t4"));
}

TEST_F(ImapSearch, modseq) {
    append_four();
    const storage::ModSeq highest = mailbox("INBOX").highest_modseq;
    auto r = searches({"SEARCH MODSEQ 1", "SEARCH MODSEQ " + std::to_string(highest), "SEARCH SEEN MODSEQ 1",
                       "SEARCH MODSEQ " + std::to_string(highest + 1), "SEARCH MODSEQ \"/flags/\\\\draft\" all 1",
                       "UID SEARCH OR MODSEQ 1 SEEN"});
    const std::string h = std::to_string(highest);
    EXPECT_EQ(r[0], found("1 2 3 4 (MODSEQ " + h + ")", "t2"));
    EXPECT_EQ(r[1], found("4 (MODSEQ " + h + ")", "t3"));
    ASSERT_EQ(r[2].size(), 2u);
    EXPECT_EQ(r[2][0].rfind("* SEARCH 1 (MODSEQ ", 0), 0u) << r[2][0];
    EXPECT_NE(r[2][0], "* SEARCH 1 (MODSEQ " + h + ")");  // message 1's own modseq, below message 4's
    EXPECT_EQ(r[3], found("", "t5"));                       // nothing matched: no MODSEQ (§3.1.5)
    EXPECT_EQ(r[4], found("1 2 3 4 (MODSEQ " + h + ")", "t6"));
    EXPECT_EQ(r[5], found("1 2 3 4 (MODSEQ " + h + ")", "t7", "UID SEARCH completed"));
}

TEST_F(ImapSearch, empty_mailbox) {
    auto r = searches({"SEARCH ALL", "SEARCH *", "UID SEARCH 1:*", "SEARCH MODSEQ 1"});
    EXPECT_EQ(r[0], found("", "t2"));
    EXPECT_EQ(r[1], found("", "t3"));
    EXPECT_EQ(r[2], found("", "t4", "UID SEARCH completed"));
    EXPECT_EQ(r[3], found("", "t5"));
}

TEST_F(ImapSearch, refused) {
    append_four();
    std::string many = "SEARCH";
    for (int i = 0; i < 1001; ++i) many += " SEEN";
    auto r = searches({"SEARCH RETURN (ALL) ALL", "SEARCH $", "SEARCH OLDER 60", "SEARCH BOGUS", "SEARCH", many,
                       "SEARCH ALL"});
    EXPECT_EQ(r[0], (Lines{"t2 BAD SEARCH RETURN is not supported"}));
    EXPECT_EQ(r[1], (Lines{"t3 BAD SEARCHRES ($) is not supported"}));
    EXPECT_EQ(r[2], (Lines{"t4 BAD OLDER and YOUNGER are not supported"}));
    ASSERT_EQ(r[3].size(), 1u);
    EXPECT_EQ(r[3][0].rfind("t5 BAD ", 0), 0u) << r[3][0];
    ASSERT_EQ(r[4].size(), 1u);
    EXPECT_EQ(r[4][0].rfind("t6 BAD ", 0), 0u) << r[4][0];
    EXPECT_EQ(r[5], (Lines{"t7 NO [LIMIT] Search too complex: too many search keys"}));
    EXPECT_EQ(r[6], found("1 2 3 4", "t8"));  // the session goes on
}

TEST_F(ImapSearch, needs_a_selected_mailbox) {
    auto all = script({"SEARCH ALL", "UID SEARCH ALL"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 BAD SEARCH requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 BAD UID SEARCH requires a selected mailbox"}));
}

TEST_F(ImapSearch, long_result_is_one_line) {
    constexpr int count = 1500;
    for (int i = 0; i < count; ++i) {
        append_at("Subject: m\r\n\r\nx\r\n", {}, sys_days(2024y / January / 1));
    }
    auto r = searches({"SEARCH ALL", "UID SEARCH 2:* NOT 1500"});
    std::string expected = "* SEARCH";
    for (int i = 1; i <= count; ++i) expected += " " + std::to_string(i);
    EXPECT_EQ(r[0], (Lines{expected, "t2 OK SEARCH completed"}));
    std::string uids = "* SEARCH";
    for (int i = 2; i < count; ++i) uids += " " + std::to_string(i);
    EXPECT_EQ(r[1], (Lines{uids, "t3 OK UID SEARCH completed"}));
}

}  // namespace
}  // namespace mallard::imap
