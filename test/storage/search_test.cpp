// SEARCH through the Store interface (RFC 3501 §6.4.4, RFC 7162 §3.1.5): every key alone and combined, text
// matched on decoded content, case-insensitive. Written against `Store&` only, like the conformance suite.
#include <chrono>

#include "storage/mime/base64.h"
#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

using std::chrono::sys_days;
using std::chrono::year_month_day;
namespace s = storage::search;

year_month_day ymd(int y, unsigned m, unsigned d) {
    return year_month_day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

TimePoint at(int y, unsigned m, unsigned d, int hour = 12) {
    return TimePoint(sys_days(ymd(y, m, d))) + std::chrono::hours(hour);
}

using Uids = std::vector<Uid>;

class Search : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        auto user = ok(store().create_user(NewUser{"alice", "x", "alice@example.com", 0}));
        inbox_ = ok(store().find_mailbox(user.id, "INBOX"));
        archive_ = ok(store().find_mailbox(user.id, "Archive"));
    }

    Uid add(std::string raw, Flags flags = {}, TimePoint when = at(2024, 1, 2), const Mailbox* box = nullptr) {
        return ok(store().append((box ? *box : inbox_).id, AppendRequest{std::move(raw), std::move(flags), when})).uid;
    }

    Uids find(SearchKey key, const Mailbox* box = nullptr) {
        return ok(store().search((box ? *box : inbox_).id, std::move(key)));
    }

    Mailbox inbox_, archive_;
};

std::string plain(const std::string& headers, const std::string& body) {
    return headers + "\r\n" + body;
}

// ---- keys alone ----

TEST_F(Search, all_and_uid_sets) {
    for (int i = 0; i < 6; ++i) add(plain("Subject: m\r\n", "x\r\n"));
    EXPECT_EQ(find(s::all()), (Uids{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(find(s::uids({{2, 3}, {5, 5}})), (Uids{2, 3, 5}));
    EXPECT_EQ(find(s::uids({{5, UidRange::max_uid}})), (Uids{5, 6}));
    EXPECT_EQ(find(s::uids({{4, 4}, {1, 2}, {2, 3}})), (Uids{1, 2, 3, 4}));  // unordered, overlapping
    EXPECT_EQ(find(s::uids({})), Uids{});
    EXPECT_EQ(find(s::uids({{7, 9}})), Uids{});
    std::vector<UidRange> many;
    for (Uid u = 1; u <= 5000; u += 2) many.push_back({u, u});  // more than SQLite has parameters or depth for
    EXPECT_EQ(find(s::uids(many)), (Uids{1, 3, 5}));
}

TEST_F(Search, flags_present_and_absent) {
    add(plain("Subject: a\r\n", "x\r\n"), {"\\Seen"});
    add(plain("Subject: b\r\n", "x\r\n"), {"\\Seen", "$Forwarded"});
    add(plain("Subject: c\r\n", "x\r\n"), {"$Forwarded2"});
    EXPECT_EQ(find(s::flag("\\Seen")), (Uids{1, 2}));
    EXPECT_EQ(find(s::no_flag("\\Seen")), (Uids{3}));
    EXPECT_EQ(find(s::flag("$Forwarded")), (Uids{2}));  // not a prefix of $Forwarded2
    EXPECT_EQ(find(s::flag("$forwarded")), Uids{});     // keywords compare as stored (the caller canonicalises)
    EXPECT_EQ(find(s::no_flag("\\Deleted")), (Uids{1, 2, 3}));
}

TEST_F(Search, internal_date_by_utc_day) {
    add(plain("Subject: a\r\n", "x\r\n"), {}, at(2024, 1, 1, 23));
    add(plain("Subject: b\r\n", "x\r\n"), {}, at(2024, 1, 2, 0));
    add(plain("Subject: c\r\n", "x\r\n"), {}, at(2024, 1, 3, 0));
    EXPECT_EQ(find(s::internal_date(DateOp::before, ymd(2024, 1, 2))), (Uids{1}));
    EXPECT_EQ(find(s::internal_date(DateOp::on, ymd(2024, 1, 2))), (Uids{2}));
    EXPECT_EQ(find(s::internal_date(DateOp::since, ymd(2024, 1, 2))), (Uids{2, 3}));
}

TEST_F(Search, sent_date_by_the_day_written_in_odd_formats) {
    add(plain("Date: Tue, 2 Jan 2024 23:30:00 -0500\r\n", "x\r\n"));  // 3 Jan in UTC, 2 Jan as written
    add(plain("Date: 3 Jan 24 01:00 (CET)\r\n", "x\r\n"));
    add(plain("Date: Wed Jan  3 10:00:00 2024\r\n", "x\r\n"));
    add(plain("Date: Thursday, 4 January 2024 10:00:00 +0000\r\n", "x\r\n"));
    add(plain("Subject: no date\r\n", "x\r\n"));
    add(plain("Date: sometime last week\r\n", "x\r\n"));
    EXPECT_EQ(find(s::sent_date(DateOp::on, ymd(2024, 1, 2))), (Uids{1}));
    EXPECT_EQ(find(s::sent_date(DateOp::on, ymd(2024, 1, 3))), (Uids{2, 3}));
    EXPECT_EQ(find(s::sent_date(DateOp::before, ymd(2024, 1, 3))), (Uids{1}));
    EXPECT_EQ(find(s::sent_date(DateOp::since, ymd(2024, 1, 3))), (Uids{2, 3, 4}));
    // Messages without a readable date match no sent-date key, so they do match its negation.
    EXPECT_EQ(find(s::negation(s::sent_date(DateOp::since, ymd(2000, 1, 1)))), (Uids{5, 6}));
}

TEST_F(Search, sizes_and_modseq) {
    add(plain("Subject: s\r\n", "x\r\n"));                        // 17 bytes
    add(plain("Subject: s\r\n", std::string(100, 'y') + "\r\n"));  // 116 bytes
    EXPECT_EQ(find(s::larger(17)), (Uids{2}));
    EXPECT_EQ(find(s::larger(16)), (Uids{1, 2}));
    EXPECT_EQ(find(s::smaller(17)), Uids{});
    EXPECT_EQ(find(s::smaller(18)), (Uids{1}));
    EXPECT_EQ(find(s::larger(UINT64_MAX)), Uids{});
    auto changed = ok(store().store_flags(inbox_.id, FlagChange{UidRange{1, 1}, FlagOp::add, {"\\Seen"}, {}}));
    const ModSeq m = changed.changed.at(0).modseq;
    EXPECT_EQ(find(s::modseq(m)), (Uids{1}));
    EXPECT_EQ(find(s::modseq(1)), (Uids{1, 2}));
    EXPECT_EQ(find(s::modseq(m + 1)), Uids{});
}

// ---- text ----

TEST_F(Search, header_body_and_text_are_case_insensitive) {
    add(plain("From: Bob <bob@example.com>\r\nSubject: Quarterly Report\r\n", "Numbers are UP this quarter.\r\n"));
    add(plain("From: carol@example.com\r\nSubject: lunch\r\n", "see the report\r\n"));
    EXPECT_EQ(find(s::header("Subject", "REPORT")), (Uids{1}));
    EXPECT_EQ(find(s::header("subject", "quarterly report")), (Uids{1}));
    EXPECT_EQ(find(s::header("FROM", "BOB@EXAMPLE")), (Uids{1}));
    EXPECT_EQ(find(s::body("report")), (Uids{2}));
    EXPECT_EQ(find(s::body("numbers are up")), (Uids{1}));
    EXPECT_EQ(find(s::text("report")), (Uids{1, 2}));
    EXPECT_EQ(find(s::text("carol@")), (Uids{2}));
    EXPECT_EQ(find(s::text("subject: lunch")), (Uids{2}));  // TEXT includes the header lines
    EXPECT_EQ(find(s::body("")), (Uids{1, 2}));             // the empty string is in every text
    EXPECT_EQ(find(s::text("nowhere to be found")), Uids{});
}

TEST_F(Search, non_ascii_case_folding) {
    add(plain("Subject: =?UTF-8?B?w4RQRkVMIHVuZCDQnNCe0KHQmtCS0JA=?=\r\n", "Ελλάδα\r\n"));  // ÄPFEL und МОСКВА
    EXPECT_EQ(find(s::header("Subject", "äpfel")), (Uids{1}));
    EXPECT_EQ(find(s::header("Subject", "москва")), (Uids{1}));
    EXPECT_EQ(find(s::body("ΕΛΛΆΔΑ")), (Uids{1}));
    EXPECT_EQ(find(s::body("ελλάδα")), (Uids{1}));
}

TEST_F(Search, encoded_words_are_found_by_their_decoded_text) {
    add(plain("From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <jm@example.de>\r\n"
              "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?UTF-8?B?IGF1cyBLw7Zsbg==?=\r\n",
              "hallo\r\n"));
    EXPECT_EQ(find(s::header("From", "jörg müller")), (Uids{1}));
    EXPECT_EQ(find(s::header("Subject", "grüße aus köln")), (Uids{1}));
    EXPECT_EQ(find(s::text("JÖRG")), (Uids{1}));
    EXPECT_EQ(find(s::header("Subject", "=?UTF-8?")), Uids{});  // the encoded form is not the text
}

TEST_F(Search, bodies_are_found_by_their_decoded_text) {
    add(plain("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
              "Caf=C3=A9 cr=C3=A8me, soft=\r\nbreak here\r\n"));
    add(plain("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
              mime::encode_base64("Secret base64 treasure map\n")));
    add(plain("Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n",
              "Stra\xDF" "e und \xC4pfel\r\n"));
    EXPECT_EQ(find(s::body("café crème")), (Uids{1}));
    EXPECT_EQ(find(s::body("softbreak")), (Uids{1}));  // the soft line break is gone
    EXPECT_EQ(find(s::body("=C3=A9")), Uids{});
    EXPECT_EQ(find(s::body("treasure map")), (Uids{2}));
    EXPECT_EQ(find(s::body("U2VjcmV0")), Uids{});        // the base64 form is not the text
    EXPECT_EQ(find(s::body("straße und äpfel")), (Uids{3}));
    EXPECT_EQ(find(s::text("STRASSE")), Uids{});           // no ß → SS folding: documented
}

TEST_F(Search, an_attachment_is_not_matched_by_its_base64_form) {
    const std::string encoded = mime::encode_base64("PDF-ish binary payload with zebra stripes");
    add("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
        "Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename=\"x.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        encoded + "--b--\r\n");
    EXPECT_EQ(find(s::body("see attached")), (Uids{1}));
    EXPECT_EQ(find(s::body(encoded.substr(4, 12))), Uids{});
    EXPECT_EQ(find(s::text(encoded.substr(4, 12))), Uids{});
}

TEST_F(Search, html_only_messages_are_found_by_their_text) {
    add(plain("Content-Type: text/html; charset=utf-8\r\n", "<html><body><p>Hello <b>world</b></p></body></html>\r\n"));
    EXPECT_EQ(find(s::body("hello world")), (Uids{1}));
}

TEST_F(Search, header_keys_match_within_one_field) {
    add(plain("Subject: alpha\r\nTo: beta@example.com\r\nX-Note: gamma\r\n\tdelta\r\n", "body\r\n"));
    add(plain("Subject: beta\r\n", "body\r\n"));
    EXPECT_EQ(find(s::header("Subject", "alpha")), (Uids{1}));
    EXPECT_EQ(find(s::header("Subject", "beta")), (Uids{2}));   // message 1's beta is in To
    EXPECT_EQ(find(s::header("To", "alpha")), Uids{});
    EXPECT_EQ(find(s::header("Subject", "alpha to")), Uids{});  // across the line into the next field
    EXPECT_EQ(find(s::header("X-Note", "gamma delta")), (Uids{1}));  // unfolded
    EXPECT_EQ(find(s::header("Subj", "alpha")), Uids{});        // the whole name, not a prefix
    EXPECT_EQ(find(s::header("Subject", "al")), (Uids{1}));     // short: checked without the index
    EXPECT_EQ(find(s::header("To", "al")), Uids{});
}

// imaptest's search-addresses: an address written with comments inside is found by its plain form too.
TEST_F(Search, addresses_are_found_without_their_comments) {
    add(plain("From: <user-from (comment)@ (comment) domain.org>\r\nTo: a@b.example (Real A), c @ d.example\r\n",
              "x\r\n"));
    add(plain("From: RealFrom <user-from@domain.org>\r\nSubject: <p (c)@ q.example>\r\n", "x\r\n"));
    EXPECT_EQ(find(s::header("From", "user-from@domain.org")), (Uids{1, 2}));
    EXPECT_EQ(find(s::header("From", "comment")), (Uids{1}));  // the value as written is still there
    EXPECT_EQ(find(s::header("To", "c@d.example")), (Uids{1}));
    EXPECT_EQ(find(s::header("To", "real a")), (Uids{1}));
    EXPECT_EQ(find(s::header("Subject", "p@q.example")), Uids{});  // only address fields
}

TEST_F(Search, empty_header_text_means_has_the_field) {
    add(plain("Subject: a\r\nX-Mailer: Mutt\r\n", "x\r\n"));
    add(plain("Subject: b\r\nX-Mailer:\r\n", "x\r\n"));
    add(plain("Subject: c\r\n", "x\r\n"));
    EXPECT_EQ(find(s::header("x-mailer", "")), (Uids{1, 2}));
    EXPECT_EQ(find(s::negation(s::header("X-Mailer", ""))), (Uids{3}));
    EXPECT_EQ(find(s::header("Cc", "")), Uids{});
}

TEST_F(Search, short_patterns_work_without_the_index) {
    add(plain("Subject: ox\r\n", "an ox\r\n"));
    add(plain("Subject: cat\r\n", "a cat\r\n"));
    EXPECT_EQ(find(s::body("ox")), (Uids{1}));
    EXPECT_EQ(find(s::text("OX")), (Uids{1}));
    EXPECT_EQ(find(s::body("a")), (Uids{1, 2}));
    EXPECT_EQ(find(s::header("subject", "ca")), (Uids{2}));
    EXPECT_EQ(find(s::negation(s::body("ox"))), (Uids{2}));
}

TEST_F(Search, wildcard_characters_are_literal) {
    add(plain("Subject: 50%_off\r\n", "a*b?c[d]e\\f\r\n"));
    add(plain("Subject: 50 percent off\r\n", "axxbyc and de f\r\n"));
    EXPECT_EQ(find(s::header("Subject", "50%_off")), (Uids{1}));
    EXPECT_EQ(find(s::header("Subject", "%")), (Uids{1}));
    EXPECT_EQ(find(s::header("Subject", "%_o")), (Uids{1}));
    EXPECT_EQ(find(s::body("a*b?c[d]e\\f")), (Uids{1}));
    EXPECT_EQ(find(s::body("*")), (Uids{1}));
    EXPECT_EQ(find(s::body("[d]")), (Uids{1}));
    EXPECT_EQ(find(s::body("e\\f")), (Uids{1}));
    EXPECT_EQ(find(s::body("a*b")), (Uids{1}));
    EXPECT_EQ(find(s::body("x?c")), Uids{});
    EXPECT_EQ(find(s::body("a_x")), Uids{});
}

// ---- combinations ----

TEST_F(Search, nested_and_or_not) {
    add(plain("From: bob@example.com\r\nSubject: invoice\r\n", "pay\r\n"), {"\\Seen"});         // 1
    add(plain("From: bob@example.com\r\nSubject: hello\r\n", "hi\r\n"), {});                  // 2
    add(plain("From: carol@example.com\r\nSubject: invoice\r\n", "pay\r\n"), {"\\Flagged"});  // 3
    add(plain("From: dave@example.com\r\nSubject: party\r\n", "fun\r\n"), {"\\Seen"});        // 4
    EXPECT_EQ(find(s::all_of({s::header("From", "bob"), s::flag("\\Seen")})), (Uids{1}));
    EXPECT_EQ(find(s::any_of({s::header("From", "carol"), s::body("fun")})), (Uids{3, 4}));
    EXPECT_EQ(find(s::negation(s::any_of({s::header("From", "carol"), s::body("fun")}))), (Uids{1, 2}));
    // (invoice AND NOT seen) OR (bob AND NOT invoice)
    EXPECT_EQ(find(s::any_of({s::all_of({s::header("Subject", "invoice"), s::negation(s::flag("\\Seen"))}),
                              s::all_of({s::header("From", "bob"), s::negation(s::text("invoice"))})})),
              (Uids{2, 3}));
    // UID set AND (OR ...): the set bounds the rest
    EXPECT_EQ(find(s::all_of({s::uids({{2, 4}}), s::any_of({s::flag("\\Seen"), s::flag("\\Flagged")})})),
              (Uids{3, 4}));
    EXPECT_EQ(find(s::all_of({})), (Uids{1, 2, 3, 4}));
    EXPECT_EQ(find(s::any_of({})), Uids{});
    EXPECT_EQ(find(s::negation(s::negation(s::flag("\\Seen")))), (Uids{1, 4}));
    EXPECT_EQ(find(s::all_of({s::larger(10), s::negation(s::smaller(1000)), s::all()})), Uids{});
}

// ---- copies, expunge, errors ----

TEST_F(Search, copies_share_a_body_and_are_found_in_both_mailboxes) {
    add(plain("Subject: shared body\r\n", "unique marmalade\r\n"));
    add(plain("Subject: other\r\n", "x\r\n"));
    ok(store().copy(inbox_.id, UidRange{1, 1}, archive_.id));
    EXPECT_EQ(find(s::body("marmalade")), (Uids{1}));
    EXPECT_EQ(find(s::body("marmalade"), &archive_), (Uids{1}));
    ok(store().store_flags(inbox_.id, FlagChange{UidRange{1, 1}, FlagOp::add, {"\\Deleted"}, {}}));
    ok(store().expunge(inbox_.id, UidRange{}));
    EXPECT_EQ(find(s::body("marmalade")), Uids{});  // expunged
    EXPECT_EQ(find(s::all()), (Uids{2}));
    EXPECT_EQ(find(s::body("marmalade"), &archive_), (Uids{1}));  // the copy keeps the shared body
    ok(store().store_flags(archive_.id, FlagChange{UidRange{}, FlagOp::add, {"\\Deleted"}, {}}));
    ok(store().expunge(archive_.id, UidRange{}));
    EXPECT_EQ(find(s::body("marmalade"), &archive_), Uids{});
    add(plain("Subject: again\r\n", "unique marmalade\r\n"));  // a new body, found anew
    EXPECT_EQ(find(s::body("marmalade")), (Uids{3}));
}

TEST_F(Search, moved_messages_are_found_in_their_new_mailbox_only) {
    add(plain("Subject: moving\r\n", "walrus\r\n"));
    ok(store().move(inbox_.id, UidRange{1, 1}, archive_.id));
    EXPECT_EQ(find(s::body("walrus")), Uids{});
    EXPECT_EQ(find(s::body("walrus"), &archive_), (Uids{1}));
}

TEST_F(Search, other_mailboxes_are_not_searched) {
    add(plain("Subject: here\r\n", "needle\r\n"), {}, at(2024, 1, 2), &archive_);
    EXPECT_EQ(find(s::body("needle")), Uids{});
    EXPECT_EQ(find(s::all()), Uids{});
}

TEST_F(Search, bad_queries_and_missing_mailboxes_fail_cleanly) {
    SearchKey deep = s::all();
    for (std::size_t i = 0; i < max_search_depth + 1; ++i) deep = s::negation(std::move(deep));
    EXPECT_EQ(fails(store().search(inbox_.id, deep)), core::Errc::bad_input);
    SearchKey broken;
    broken.kind = SearchKey::Kind::negation;  // no child
    EXPECT_EQ(fails(store().search(inbox_.id, broken)), core::Errc::bad_input);
    EXPECT_EQ(fails(store().search("no-such-mailbox", s::all())), core::Errc::not_found);
    EXPECT_EQ(fails(store().search("999999", s::all())), core::Errc::not_found);
}

}  // namespace
}  // namespace mallard::storage::test
