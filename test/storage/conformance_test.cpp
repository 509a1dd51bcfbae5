// The Store conformance suite: what any backend must do, written against `Store&` only.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "storage/mime/base64.h"
#include "storage/mime/parser.h"
#include "storage/mime/serialize.h"
#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

using core::Errc;

NewUser new_user(std::string name, std::string address = {}) {
    NewUser u;
    u.username = std::move(name);
    u.password_hash = "hash";
    u.primary_address = std::move(address);
    return u;
}

AppendRequest message(std::string raw, Flags flags = {}) {
    AppendRequest m;
    m.raw = std::move(raw);
    m.flags = std::move(flags);
    m.internal_date = TimePoint(std::chrono::seconds(1700000000));
    return m;
}

std::string sample(int i) {
    return "From: a@example.com\r\nSubject: message " + std::to_string(i) + "\r\n\r\nBody " + std::to_string(i) + "\r\n";
}

class StoreConformance : public StoreTest {
protected:
    User alice() { return ok(store().create_user(new_user("alice", "alice@example.com"))); }
    Mailbox inbox(const User& u) { return ok(store().find_mailbox(u.id, "INBOX")); }
    Mailbox box(const User& u, const std::string& name) { return ok(store().find_mailbox(u.id, name)); }
};

// ---- users ----

TEST_F(StoreConformance, new_user_gets_default_mailboxes_with_special_use) {
    auto u = alice();
    auto boxes = ok(store().list_mailboxes(u.id));
    ASSERT_EQ(boxes.size(), 6u);
    for (const auto& expected : default_mailboxes) {
        auto it = std::find_if(boxes.begin(), boxes.end(), [&](const Mailbox& b) { return b.name == expected.name; });
        ASSERT_NE(it, boxes.end()) << expected.name;
        EXPECT_EQ(it->special_use, expected.special_use) << expected.name;
        EXPECT_NE(it->uidvalidity, 0u);
        EXPECT_EQ(it->uidnext, 1u);
        EXPECT_TRUE(it->subscribed);
    }
    EXPECT_EQ(special_use_name(box(u, "Sent").special_use), "\\Sent");
    EXPECT_EQ(special_use_name(box(u, "Archive").special_use), "\\Archive");
}

TEST_F(StoreConformance, users_are_found_by_username_and_address) {
    auto u = alice();
    EXPECT_EQ(ok(store().find_user_by_login("alice")).id, u.id);
    EXPECT_EQ(ok(store().find_user_by_login("Alice@Example.com")).id, u.id);
    EXPECT_EQ(ok(store().find_user(u.id)).primary_address, "alice@example.com");
    EXPECT_EQ(fails(store().find_user_by_login("bob")), Errc::not_found);
    EXPECT_EQ(fails(store().create_user(new_user("alice"))), Errc::exists);
    EXPECT_EQ(fails(store().create_user(new_user("alice2", "ALICE@example.com"))), Errc::exists);
    EXPECT_EQ(fails(store().find_user("no-such-id")), Errc::not_found);
}

TEST_F(StoreConformance, password_quota_and_disable_are_kept) {
    auto u = alice();
    ok(store().set_password_hash(u.id, "new-hash"));
    ok(store().set_quota_limit(u.id, 1000));
    ok(store().set_disabled(u.id, true));
    auto again = ok(store().find_user(u.id));
    EXPECT_EQ(again.password_hash, "new-hash");
    EXPECT_EQ(again.quota_limit_bytes, 1000u);
    EXPECT_TRUE(again.disabled);
    EXPECT_EQ(ok(store().list_users()).size(), 1u);
    ok(store().delete_user(u.id));
    EXPECT_EQ(fails(store().find_user(u.id)), Errc::not_found);
    EXPECT_EQ(fails(store().resolve_address("alice@example.com")), Errc::not_found);
}

// ---- addresses ----

TEST_F(StoreConformance, address_resolution_ignores_case_dots_and_label) {
    auto u = ok(store().create_user(new_user("john", "John.Doe@Example.com")));
    auto r = ok(store().resolve_address("johndoe+lists@EXAMPLE.COM"));
    EXPECT_EQ(r.user, u.id);
    EXPECT_EQ(r.label, "lists");
    EXPECT_EQ(r.address, "john.doe@example.com");  // stored as WildDuck's normalizeAddress keeps it
    EXPECT_EQ(ok(store().resolve_address("j.o.h.n.d.o.e@example.com")).label, "");
    EXPECT_EQ(fails(store().resolve_address("jane@example.com")), Errc::not_found);
    EXPECT_EQ(fails(store().resolve_address("not an address")), Errc::bad_input);
}

TEST_F(StoreConformance, address_resolution_matches_idn_in_both_forms) {
    auto u = alice();
    ok(store().add_address(u.id, "info@bücher.example", false));
    ok(store().add_address(u.id, "Jürgen@xn--mnchen-3ya.example", false));
    EXPECT_EQ(ok(store().resolve_address("INFO@xn--bcher-kva.example")).user, u.id);
    EXPECT_EQ(ok(store().resolve_address("jürgen@münchen.example")).user, u.id);
    auto addresses = ok(store().list_addresses(u.id));
    EXPECT_EQ(addresses.size(), 3u);
    EXPECT_TRUE(addresses.front().primary);
    EXPECT_EQ(fails(store().add_address(u.id, "info@xn--bcher-kva.example", false)), Errc::exists);
    ok(store().remove_address(u.id, "INFO@bücher.example"));
    EXPECT_EQ(fails(store().resolve_address("info@bücher.example")), Errc::not_found);
}

TEST_F(StoreConformance, primary_address_can_change) {
    auto u = alice();
    ok(store().add_address(u.id, "a.smith@example.org", true));
    EXPECT_EQ(ok(store().find_user(u.id)).primary_address, "a.smith@example.org");
}

// ---- mailboxes ----

TEST_F(StoreConformance, mailboxes_create_rename_delete_subscribe) {
    auto u = alice();
    auto work = ok(store().create_mailbox(u.id, "Work", SpecialUse::none));
    ok(store().create_mailbox(u.id, "Work/2024", SpecialUse::none));
    EXPECT_EQ(fails(store().create_mailbox(u.id, "Work", SpecialUse::none)), Errc::exists);
    EXPECT_EQ(fails(store().create_mailbox(u.id, "inbox", SpecialUse::none)), Errc::exists);
    EXPECT_EQ(fails(store().create_mailbox(u.id, "bad//name", SpecialUse::none)), Errc::bad_input);

    auto renamed = ok(store().rename_mailbox(work.id, "Projects"));
    EXPECT_EQ(renamed.name, "Projects");
    EXPECT_EQ(renamed.uidvalidity, work.uidvalidity);
    EXPECT_EQ(box(u, "Projects/2024").name, "Projects/2024");
    EXPECT_EQ(fails(store().find_mailbox(u.id, "Work")), Errc::not_found);
    EXPECT_EQ(fails(store().rename_mailbox(inbox(u).id, "Other")), Errc::permission);
    EXPECT_EQ(fails(store().rename_mailbox(renamed.id, "Sent")), Errc::exists);

    ok(store().set_subscribed(renamed.id, false));
    EXPECT_FALSE(ok(store().get_mailbox(renamed.id)).subscribed);

    ok(store().delete_mailbox(renamed.id));
    EXPECT_EQ(fails(store().get_mailbox(renamed.id)), Errc::not_found);
    EXPECT_EQ(fails(store().delete_mailbox(inbox(u).id)), Errc::permission);

    // A mailbox re-created under an old name gets a new UIDVALIDITY.
    auto again = ok(store().create_mailbox(u.id, "Projects", SpecialUse::none));
    EXPECT_NE(again.uidvalidity, renamed.uidvalidity);
}

TEST_F(StoreConformance, inbox_name_is_case_insensitive) {
    auto u = alice();
    EXPECT_EQ(ok(store().find_mailbox(u.id, "iNbOx")).name, "INBOX");
}

// ---- messages ----

TEST_F(StoreConformance, uid_and_modseq_strictly_increase) {
    auto u = alice();
    auto in = inbox(u);
    Uid last_uid = 0;
    ModSeq last_modseq = 0;
    for (int i = 0; i < 10; ++i) {
        auto a = ok(store().append(in.id, message(sample(i))));
        EXPECT_GT(a.uid, last_uid);
        EXPECT_GT(a.modseq, last_modseq);
        EXPECT_EQ(a.uidvalidity, in.uidvalidity);
        last_uid = a.uid;
        last_modseq = a.modseq;
    }
    auto after = inbox(u);
    EXPECT_EQ(after.uidnext, last_uid + 1);
    EXPECT_EQ(after.highest_modseq, last_modseq);
    // Flag changes advance modseq too; UIDs are never reused after expunge.
    ok(store().store_flags(in.id, FlagChange{{last_uid, last_uid}, FlagOp::add, {"\\Deleted"}, std::nullopt}));
    ok(store().expunge(in.id, UidRange{}));
    auto next = ok(store().append(in.id, message(sample(99))));
    EXPECT_EQ(next.uid, last_uid + 1);
    EXPECT_GT(next.modseq, last_modseq + 2);
}

TEST_F(StoreConformance, append_list_and_read_back) {
    auto u = alice();
    auto in = inbox(u);
    const std::string raw = sample(1);
    auto a = ok(store().append(in.id, message(raw, {"\\Seen", "$Label", "\\Seen"})));
    auto list = ok(store().list_messages(in.id, UidRange{}));
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].uid, a.uid);
    EXPECT_EQ(list[0].modseq, a.modseq);
    EXPECT_EQ(list[0].flags, (Flags{"$Label", "\\Seen"}));
    EXPECT_EQ(list[0].size_bytes, raw.size());
    EXPECT_EQ(list[0].internal_date, TimePoint(std::chrono::seconds(1700000000)));
    EXPECT_EQ(ok(store().read_message(in.id, a.uid, std::nullopt)), raw);
    EXPECT_EQ(ok(store().read_message(in.id, a.uid, ByteRange{6, 13})), raw.substr(6, 13));
    EXPECT_EQ(ok(store().read_message(in.id, a.uid, ByteRange{raw.size() - 3, 100})), raw.substr(raw.size() - 3));
    EXPECT_EQ(ok(store().read_message(in.id, a.uid, ByteRange{10000, 5})), "");
    EXPECT_EQ(fails(store().read_message(in.id, a.uid + 1, std::nullopt)), Errc::not_found);
    EXPECT_EQ(ok(store().list_messages(in.id, UidRange{a.uid + 1, UidRange::max_uid})).size(), 0u);
}

TEST_F(StoreConformance, binary_message_round_trips_exactly) {
    auto u = alice();
    auto in = inbox(u);
    std::string raw;
    for (unsigned i = 0; i < 300000; ++i) raw.push_back(static_cast<char>((i * 7919u) % 256u));
    auto a = ok(store().append(in.id, message(raw)));
    EXPECT_EQ(ok(store().read_message(in.id, a.uid, std::nullopt)), raw);
}

TEST_F(StoreConformance, the_mime_tree_is_computed_at_append) {
    auto u = alice();
    auto in = inbox(u);
    std::string raw = "From: a@example.com\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: multipart/mixed; "
                      "boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n";
    auto a = ok(store().append(in.id, message(raw)));
    auto tree = mime::deserialize(ok(store().read_mime_tree(in.id, a.uid)));
    ASSERT_TRUE(tree) << tree.error().to_string();
    EXPECT_EQ(*tree, mime::parse(raw));
    EXPECT_EQ(tree->root.children.size(), 1u);
}

// read_mime_trees: the trees of the messages in a range, ascending, the same bytes read_mime_tree gives; gone
// messages are left out. The default implementation (Store::, one query per message) agrees with the backend's.
TEST_F(StoreConformance, mime_trees_of_a_range_match_one_by_one) {
    auto u = alice();
    auto in = inbox(u);
    std::vector<Uid> uids;
    for (int i = 1; i <= 6; ++i) uids.push_back(ok(store().append(in.id, message(sample(i)))).uid);
    ok(store().store_flags(in.id, FlagChange{UidRange{uids[2], uids[2]}, FlagOp::add, {"\\Deleted"}, {}}));
    ok(store().expunge(in.id, UidRange{}));
    for (auto trees : {ok(store().read_mime_trees(in.id, UidRange{uids[1], uids[4]})),
                       ok(store().Store::read_mime_trees(in.id, UidRange{uids[1], uids[4]}))}) {
        ASSERT_EQ(trees.size(), 3u);
        const Uid expected[] = {uids[1], uids[3], uids[4]};
        for (std::size_t i = 0; i < trees.size(); ++i) {
            EXPECT_EQ(trees[i].uid, expected[i]);
            EXPECT_EQ(trees[i].bytes, ok(store().read_mime_tree(in.id, expected[i])));
        }
    }
    EXPECT_TRUE(ok(store().read_mime_trees(in.id, UidRange{uids[5] + 1, UidRange::max_uid})).empty());
    EXPECT_EQ(fails(store().read_mime_trees("bogus", UidRange{})), Errc::not_found);
}

// A page of the listing (PageQuery) is what the whole listing, filtered, ordered and cut, would give: the
// backend's own paging against the default's, over gaps, both orders, both cursors and the unseen filter.
TEST_F(StoreConformance, message_pages_match_the_whole_listing_cut) {
    auto u = alice();
    auto in = inbox(u);
    std::vector<Uid> uids;
    for (int i = 1; i <= 9; ++i) {
        Flags flags;
        if (i % 3 == 0) flags = {"\\Seen"};
        if (i == 4) flags = {"$Label", "\\Seen", "\\Seenish"};
        if (i == 5) flags = {"\\Seenish"};  // not \Seen: unseen
        uids.push_back(ok(store().append(in.id, message(sample(i), flags))).uid);
    }
    ok(store().store_flags(in.id, FlagChange{UidRange{uids[6], uids[6]}, FlagOp::add, {"\\Deleted"}, {}}));
    ok(store().expunge(in.id, UidRange{}));  // a gap at the 7th

    auto uids_of = [](const MessagePage& p) {
        std::vector<Uid> out;
        for (const auto& m : p.messages) out.push_back(m.uid);
        return out;
    };
    // Fixed points: the first page, descending; the unseen listing ascending after a cursor.
    auto first = ok(store().list_message_page(in.id, PageQuery{false, false, std::nullopt, std::nullopt, 3}));
    EXPECT_EQ(uids_of(first), (std::vector<Uid>{uids[8], uids[7], uids[5]}));
    EXPECT_EQ(first.total, 8u);
    EXPECT_FALSE(first.more_before);
    EXPECT_TRUE(first.more_after);
    EXPECT_EQ(first.messages[0].flags, (Flags{"\\Seen"}));
    auto unseen = ok(store().list_message_page(in.id, PageQuery{true, true, uids[1], std::nullopt, 2}));
    EXPECT_EQ(uids_of(unseen), (std::vector<Uid>{uids[4], uids[7]}));  // 3rd, 4th, 6th, 9th seen; 7th gone
    EXPECT_EQ(unseen.total, 4u);
    EXPECT_TRUE(unseen.more_before);
    EXPECT_FALSE(unseen.more_after);
    auto before = ok(store().list_message_page(in.id, PageQuery{true, false, std::nullopt, uids[3], 10}));
    EXPECT_EQ(uids_of(before), (std::vector<Uid>{uids[0], uids[1], uids[2]}));
    EXPECT_FALSE(before.more_before);
    EXPECT_TRUE(before.more_after);

    std::vector<std::optional<Uid>> cursors{std::nullopt, Uid{0}, uids[6], uids[8] + 5};
    for (Uid uid : uids) cursors.push_back(uid);
    for (bool ascending : {true, false})
        for (bool unseen_only : {false, true})
            for (std::size_t limit : {0u, 1u, 2u, 4u, 20u})
                for (const auto& cursor : cursors)
                    for (bool next : {true, false}) {
                        PageQuery q{ascending, unseen_only, next ? cursor : std::nullopt,
                                    next ? std::nullopt : cursor, limit};
                        auto got = ok(store().list_message_page(in.id, q));
                        auto want = ok(store().Store::list_message_page(in.id, q));
                        SCOPED_TRACE(::testing::Message() << "asc " << ascending << " unseen " << unseen_only
                                                          << " limit " << limit << " next " << next << " cursor "
                                                          << cursor.value_or(0));
                        EXPECT_EQ(uids_of(got), uids_of(want));
                        EXPECT_EQ(got.total, want.total);
                        EXPECT_EQ(got.more_before, want.more_before);
                        EXPECT_EQ(got.more_after, want.more_after);
                    }
    EXPECT_EQ(fails(store().list_message_page("bogus", PageQuery{})), Errc::not_found);
}

// Slices of several messages read as read_message reads each, in the order asked, expunged ones left out; a
// range near the start of a large compressed message comes back without the rest of it.
TEST_F(StoreConformance, message_slices_match_ranges_read_one_by_one) {
    auto u = alice();
    auto in = inbox(u);
    std::string large = "From: a@example.com\r\nSubject: long\r\n\r\n";
    for (int i = 0; large.size() < 200000; ++i) large += "line " + std::to_string(i) + " of a compressible text\r\n";
    const Uid a = ok(store().append(in.id, message(large))).uid;
    const Uid b = ok(store().append(in.id, message(sample(2)))).uid;
    const Uid gone = ok(store().append(in.id, message(sample(3)))).uid;
    ok(store().store_flags(in.id, FlagChange{UidRange{gone, gone}, FlagOp::add, {"\\Deleted"}, {}}));
    ok(store().expunge(in.id, UidRange{}));
    const std::vector<MessageSlice> asked = {
        {b, ByteRange{5, 20}, {}},      {a, ByteRange{40, 4096}, {}},     {gone, ByteRange{0, 10}, {}},
        {a, ByteRange{150000, 100}, {}}, {b, ByteRange{100000, 5}, {}},   {a, ByteRange{0, 1000000}, {}},
    };
    for (auto slices : {ok(store().read_message_slices(in.id, asked)),
                        ok(store().Store::read_message_slices(in.id, asked))}) {
        ASSERT_EQ(slices.size(), 5u);
        const std::size_t expected[] = {0, 1, 3, 4, 5};
        for (std::size_t i = 0; i < slices.size(); ++i) {
            const MessageSlice& want = asked[expected[i]];
            EXPECT_EQ(slices[i].uid, want.uid) << i;
            EXPECT_EQ(slices[i].bytes, ok(store().read_message(in.id, want.uid, want.range))) << i;
        }
    }
    EXPECT_EQ(ok(store().read_message(in.id, a, ByteRange{40, 30})), large.substr(40, 30));
    EXPECT_EQ(ok(store().read_message(in.id, a, ByteRange{199990, 100})), large.substr(199990, 100));
    EXPECT_EQ(fails(store().read_message_slices("bogus", asked)), Errc::not_found);
}

// A message whose attachment recurs: every copy reads back byte for byte, also by range, also once the
// others are gone, whatever the base64 line layout (regular layouts are stored once; irregular ones raw).
TEST_F(StoreConformance, repeated_attachments_read_back_exactly) {
    auto u = alice();
    auto in = inbox(u);
    std::string content;
    for (unsigned i = 0; i < 120000; ++i) content.push_back(static_cast<char>((i * 2654435761u) >> 24));
    auto with_attachment = [&](const std::string& encoded, const std::string& eol) {
        return "From: b@example.com" + eol + "Subject: report" + eol +
               "Content-Type: multipart/mixed; boundary=\"xyz\"" + eol + eol + "--xyz" + eol +
               "Content-Type: text/plain" + eol + eol + "see attached" + eol + "--xyz" + eol +
               "Content-Type: application/pdf; name=r.pdf" + eol + "Content-Transfer-Encoding: base64" + eol + eol +
               encoded + "--xyz--" + eol;
    };
    std::vector<std::string> raws = {
        with_attachment(mime::encode_base64(content, {76, true, true}), "\r\n"),
        with_attachment(mime::encode_base64(content, {76, true, true}), "\r\n"),
        with_attachment(mime::encode_base64(content, {72, false, true}), "\n"),
        with_attachment(mime::encode_base64(content, {64, true, false}) + "\r\n", "\r\n"),
    };
    std::string irregular = mime::encode_base64(content, {76, true, true});
    irregular.insert(300, "\r\n");  // one short line: can't be re-encoded, must be kept as it came
    raws.push_back(with_attachment(irregular, "\r\n"));
    std::vector<Uid> uids;
    for (const auto& raw : raws) uids.push_back(ok(store().append(in.id, message(raw))).uid);
    for (std::size_t i = 0; i < raws.size(); ++i) {
        EXPECT_EQ(ok(store().read_message(in.id, uids[i], std::nullopt)), raws[i]) << i;
        for (std::uint64_t offset : {0ul, 150ul, 5000ul, 100000ul, raws[i].size() - 10}) {
            EXPECT_EQ(ok(store().read_message(in.id, uids[i], ByteRange{offset, 7777})), raws[i].substr(offset, 7777))
                << i << " at " << offset;
        }
    }
    // Remove all but the last regular copy: it still reads back.
    ok(store().store_flags(in.id, FlagChange{UidRange{uids[0], uids[2]}, FlagOp::add, {"\\Deleted"}, {}}));
    ok(store().expunge(in.id, UidRange{}));
    EXPECT_EQ(ok(store().read_message(in.id, uids[3], std::nullopt)), raws[3]);
    EXPECT_EQ(ok(store().read_message(in.id, uids[4], std::nullopt)), raws[4]);
}

TEST_F(StoreConformance, flags_set_add_remove_with_new_modseq) {
    auto u = alice();
    auto in = inbox(u);
    auto a = ok(store().append(in.id, message(sample(1), {"\\Seen"})));
    auto r = ok(store().store_flags(in.id, FlagChange{{a.uid, a.uid}, FlagOp::add, {"\\Flagged"}, std::nullopt}));
    ASSERT_EQ(r.changed.size(), 1u);
    EXPECT_EQ(r.changed[0].flags, (Flags{"\\Flagged", "\\Seen"}));
    EXPECT_GT(r.changed[0].modseq, a.modseq);
    r = ok(store().store_flags(in.id, FlagChange{{a.uid, a.uid}, FlagOp::remove, {"\\Seen"}, std::nullopt}));
    EXPECT_EQ(r.changed.at(0).flags, (Flags{"\\Flagged"}));
    r = ok(store().store_flags(in.id, FlagChange{{a.uid, a.uid}, FlagOp::set, {"$A", "$B"}, std::nullopt}));
    EXPECT_EQ(r.changed.at(0).flags, (Flags{"$A", "$B"}));
    // No change, no new modseq.
    auto before = inbox(u).highest_modseq;
    r = ok(store().store_flags(in.id, FlagChange{{a.uid, a.uid}, FlagOp::add, {"$A"}, std::nullopt}));
    EXPECT_TRUE(r.changed.empty());
    EXPECT_EQ(inbox(u).highest_modseq, before);
}

TEST_F(StoreConformance, unchangedsince_conflict_is_reported_and_not_applied) {
    auto u = alice();
    auto in = inbox(u);
    auto a1 = ok(store().append(in.id, message(sample(1))));
    auto a2 = ok(store().append(in.id, message(sample(2))));
    // Message 1 changes after the client's snapshot at a2.modseq.
    ok(store().store_flags(in.id, FlagChange{{a1.uid, a1.uid}, FlagOp::add, {"$Other"}, std::nullopt}));
    auto r = ok(store().store_flags(in.id, FlagChange{{1, UidRange::max_uid}, FlagOp::add, {"\\Seen"}, a2.modseq}));
    EXPECT_EQ(r.conflicts, std::vector<Uid>{a1.uid});
    ASSERT_EQ(r.changed.size(), 1u);
    EXPECT_EQ(r.changed[0].uid, a2.uid);
    auto list = ok(store().list_messages(in.id, UidRange{}));
    EXPECT_EQ(list[0].flags, Flags{"$Other"});
    EXPECT_EQ(list[1].flags, Flags{"\\Seen"});
}

TEST_F(StoreConformance, copy_move_expunge_write_journal_entries) {
    auto u = alice();
    auto in = inbox(u);
    auto archive = box(u, "Archive");
    auto a1 = ok(store().append(in.id, message(sample(1), {"\\Seen"})));
    auto a2 = ok(store().append(in.id, message(sample(2))));
    auto archive_mark = archive.highest_modseq;

    auto copied = ok(store().copy(in.id, UidRange{}, archive.id));
    EXPECT_EQ(copied.dest_uidvalidity, archive.uidvalidity);
    EXPECT_EQ(copied.source_uids, (std::vector<Uid>{a1.uid, a2.uid}));
    ASSERT_EQ(copied.dest_uids.size(), 2u);
    EXPECT_LT(copied.dest_uids[0], copied.dest_uids[1]);
    EXPECT_EQ(ok(store().read_message(archive.id, copied.dest_uids[1], std::nullopt)), sample(2));
    auto journal = ok(store().journal_since(archive.id, archive_mark));
    ASSERT_EQ(journal.size(), 2u);
    EXPECT_EQ(journal[0].kind, JournalKind::append);
    EXPECT_EQ(journal[0].uid, copied.dest_uids[0]);
    EXPECT_EQ(journal[0].flags, Flags{"\\Seen"});

    auto inbox_mark = inbox(u).highest_modseq;
    auto trash = box(u, "Trash");
    auto moved = ok(store().move(in.id, UidRange{a1.uid, a1.uid}, trash.id));
    ASSERT_EQ(moved.dest_uids.size(), 1u);
    EXPECT_EQ(ok(store().read_message(trash.id, moved.dest_uids[0], std::nullopt)), sample(1));
    EXPECT_EQ(fails(store().read_message(in.id, a1.uid, std::nullopt)), Errc::not_found);
    journal = ok(store().journal_since(in.id, inbox_mark));
    ASSERT_EQ(journal.size(), 1u);
    EXPECT_EQ(journal[0].kind, JournalKind::expunge);
    EXPECT_EQ(journal[0].uid, a1.uid);
    EXPECT_EQ(ok(store().journal_since(trash.id, 0)).at(0).kind, JournalKind::append);

    // Expunge removes only \Deleted messages, within the given range.
    ok(store().store_flags(archive.id, FlagChange{{1, UidRange::max_uid}, FlagOp::add, {"\\Deleted"}, std::nullopt}));
    auto mark = ok(store().get_mailbox(archive.id)).highest_modseq;
    auto gone = ok(store().expunge(archive.id, UidRange{copied.dest_uids[0], copied.dest_uids[0]}));
    EXPECT_EQ(gone.uids, std::vector<Uid>{copied.dest_uids[0]});
    gone = ok(store().expunge(archive.id, UidRange{}));
    EXPECT_EQ(gone.uids, std::vector<Uid>{copied.dest_uids[1]});
    journal = ok(store().journal_since(archive.id, mark));
    ASSERT_EQ(journal.size(), 2u);
    EXPECT_EQ(journal[0].kind, JournalKind::expunge);
    EXPECT_EQ(journal[1].kind, JournalKind::expunge);
    EXPECT_LT(journal[0].modseq, journal[1].modseq);
    EXPECT_TRUE(ok(store().list_messages(archive.id, UidRange{})).empty());
    // The copy in INBOX is untouched by expunging its copy.
    EXPECT_EQ(ok(store().read_message(in.id, a2.uid, std::nullopt)), sample(2));
}

TEST_F(StoreConformance, journal_since_returns_later_changes_in_order) {
    auto u = alice();
    auto in = inbox(u);
    auto a1 = ok(store().append(in.id, message(sample(1))));
    auto a2 = ok(store().append(in.id, message(sample(2))));
    ok(store().store_flags(in.id, FlagChange{{a1.uid, a1.uid}, FlagOp::add, {"\\Seen"}, std::nullopt}));
    auto all = ok(store().journal_since(in.id, 0));
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].kind, JournalKind::append);
    EXPECT_EQ(all[1].kind, JournalKind::append);
    EXPECT_EQ(all[2].kind, JournalKind::flags);
    EXPECT_EQ(all[2].flags, Flags{"\\Seen"});
    EXPECT_EQ(all[2].modseq, inbox(u).highest_modseq);
    auto later = ok(store().journal_since(in.id, a2.modseq));
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].uid, a1.uid);
    EXPECT_TRUE(ok(store().journal_since(in.id, later[0].modseq)).empty());

    auto renamed = ok(store().create_mailbox(u.id, "Old", SpecialUse::none));
    ok(store().rename_mailbox(renamed.id, "New"));
    auto entries = ok(store().journal_since(renamed.id, 0));
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].kind, JournalKind::rename);
    EXPECT_EQ(entries[0].name, "New");
    EXPECT_EQ(fails(store().journal_since("999999", 0)), Errc::not_found);
}

// ---- quota ----

TEST_F(StoreConformance, quota_usage_follows_appends_copies_and_expunges) {
    auto u = alice();
    auto in = inbox(u);
    auto a = ok(store().append(in.id, message(std::string(100, 'x'))));
    ok(store().append(in.id, message(std::string(50, 'y'))));
    EXPECT_EQ(ok(store().find_user(u.id)).quota_used_bytes, 150u);
    ok(store().copy(in.id, UidRange{a.uid, a.uid}, box(u, "Archive").id));
    EXPECT_EQ(ok(store().find_user(u.id)).quota_used_bytes, 250u);
    ok(store().move(in.id, UidRange{a.uid, a.uid}, box(u, "Trash").id));
    EXPECT_EQ(ok(store().find_user(u.id)).quota_used_bytes, 250u);
    ok(store().store_flags(box(u, "Trash").id, FlagChange{{}, FlagOp::add, {"\\Deleted"}, std::nullopt}));
    ok(store().expunge(box(u, "Trash").id, UidRange{}));
    EXPECT_EQ(ok(store().find_user(u.id)).quota_used_bytes, 150u);
    ok(store().delete_mailbox(box(u, "Archive").id));
    EXPECT_EQ(ok(store().find_user(u.id)).quota_used_bytes, 50u);

    ok(store().set_quota_limit(u.id, 120));
    EXPECT_EQ(fails(store().append(in.id, message(std::string(71, 'z')))), Errc::quota);
    ok(store().append(in.id, message(std::string(70, 'z'))));
    EXPECT_EQ(ok(store().find_user(u.id)).quota_used_bytes, 120u);
    EXPECT_EQ(ok(store().list_messages(in.id, UidRange{})).size(), 2u);
}

TEST_F(StoreConformance, quota_recount_sums_every_mailbox_and_reports_the_old_figure) {
    auto u = alice();
    auto bob = ok(store().create_user(new_user("bob", "bob@example.com")));
    ok(store().append(inbox(u).id, message(std::string(100, 'x'))));
    ok(store().append(box(u, "Archive").id, message(std::string(60, 'y'))));
    const std::uint64_t used = ok(store().find_user(u.id)).quota_used_bytes;
    EXPECT_GE(used, 160u);
    QuotaRecount r = ok(store().recalculate_quota(u.id));
    EXPECT_EQ(r.previous, used);  // a counter that never drifted stays as it was
    EXPECT_EQ(r.current, used);
    EXPECT_EQ(ok(store().recalculate_quota(bob.id)).current, 0u);
    EXPECT_EQ(ok(store().recalculate_all_quotas()), 2u);
    EXPECT_EQ(ok(store().find_user(u.id)).quota_used_bytes, used);
    EXPECT_EQ(fails(store().recalculate_quota("424242")), Errc::not_found);
    EXPECT_EQ(fails(store().recalculate_quota("bogus")), Errc::not_found);
}

TEST_F(StoreConformance, operations_on_missing_things_fail_cleanly) {
    EXPECT_EQ(fails(store().append("424242", message("x"))), Errc::not_found);
    EXPECT_EQ(fails(store().list_messages("bogus", UidRange{})), Errc::not_found);
    EXPECT_EQ(fails(store().expunge("424242", UidRange{})), Errc::not_found);
    EXPECT_EQ(fails(store().list_mailboxes("bogus")), Errc::not_found);
    auto u = alice();
    EXPECT_EQ(fails(store().copy(inbox(u).id, UidRange{}, "424242")), Errc::not_found);
}

// ---- several instances on one data directory ----

TEST_F(StoreConformance, two_instances_on_one_data_dir_see_each_others_writes) {
    auto other = open_or_fail();
    auto u = alice();
    auto in = inbox(u);
    auto via_other = run(other->find_user_by_login("alice@example.com"));
    ASSERT_TRUE(via_other);
    EXPECT_EQ(via_other->id, u.id);
    auto a = run(other->append(in.id, message(sample(1))));
    ASSERT_TRUE(a);
    EXPECT_EQ(ok(store().read_message(in.id, a->uid, std::nullopt)), sample(1));
    auto b = ok(store().append(in.id, message(sample(2))));
    EXPECT_GT(b.uid, a->uid);
    auto seen = run(other->journal_since(in.id, a->modseq));
    ASSERT_TRUE(seen);
    ASSERT_EQ(seen->size(), 1u);
    EXPECT_EQ((*seen)[0].uid, b.uid);
}

core::Task<void> append_many(Store& store, MailboxId box, int count, std::vector<Uid>* uids) {
    for (int i = 0; i < count; ++i) {
        auto a = co_await store.append(box, message(sample(i)));
        if (a) uids->push_back(a->uid);
    }
}

TEST_F(StoreConformance, concurrent_writers_get_distinct_uids) {
    auto other = open_or_fail();
    auto u = alice();
    auto in = inbox(u);
    constexpr int per_writer = 25;
    std::vector<Uid> mine, theirs;
    std::thread writer([&] {
        core::Reactor loop;
        loop.block_on(append_many(*other, in.id, per_writer, &theirs));
    });
    run(append_many(store(), in.id, per_writer, &mine));
    writer.join();
    ASSERT_EQ(mine.size(), std::size_t{per_writer});
    ASSERT_EQ(theirs.size(), std::size_t{per_writer});
    std::vector<Uid> all = mine;
    all.insert(all.end(), theirs.begin(), theirs.end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
    EXPECT_EQ(ok(store().list_messages(in.id, UidRange{})).size(), 2u * per_writer);
}

// Two processes append to one mailbox at the same time: every append succeeds with its own UID.
TEST_F(StoreConformance, two_processes_write_one_mailbox) {
    auto u = alice();
    auto in = inbox(u);
    constexpr int per_writer = 25;
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // A fresh engine and store in the child: nothing of the parent's connections or threads is used.
        core::Reactor loop;
        core::ThreadPool pool(1);
        auto other = open_store(options_for(dir_), pool);
        if (!other) _exit(2);
        std::vector<Uid> uids;
        loop.block_on(append_many(**other, in.id, per_writer, &uids));
        _exit(uids.size() == per_writer ? 0 : 3);
    }
    std::vector<Uid> mine;
    run(append_many(store(), in.id, per_writer, &mine));
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "child status " << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_EQ(mine.size(), std::size_t{per_writer});
    auto list = ok(store().list_messages(in.id, UidRange{}));
    EXPECT_EQ(list.size(), 2u * per_writer);
    EXPECT_EQ(ok(store().journal_since(in.id, 0)).size(), 2u * per_writer);
}

// ---- durability ----

// A child process appends, reports the UID it was given, and is killed with SIGKILL at once: the message
// must be there when the store is opened again.
TEST(StoreDurability, acknowledged_append_survives_kill_9) {
    const std::string dir = make_temp_dir();
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(fds[0]);
        core::Reactor loop;
        core::ThreadPool pool(1);
        auto store = open_store(options_for(dir), pool);
        if (!store) _exit(2);
        auto user = loop.block_on((*store)->create_user(new_user("dave", "dave@example.com")));
        if (!user) _exit(3);
        auto box = loop.block_on((*store)->find_mailbox(user->id, "INBOX"));
        if (!box) _exit(4);
        auto a = loop.block_on((*store)->append(box->id, message("Subject: durable\r\n\r\nkept\r\n")));
        if (!a) _exit(5);
        std::string ack = box->id + " " + std::to_string(a->uid) + "\n";
        [[maybe_unused]] auto n = write(fds[1], ack.data(), ack.size());
        kill(getpid(), SIGKILL);
        _exit(6);
    }
    close(fds[1]);
    std::string ack;
    char buf[64];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) ack.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
    ASSERT_FALSE(ack.empty());

    const std::string box_id = ack.substr(0, ack.find(' '));
    const Uid uid = static_cast<Uid>(std::stoul(ack.substr(ack.find(' ') + 1)));
    {
        core::Reactor loop;
        core::ThreadPool pool(1);
        auto store = open_store(options_for(dir), pool);
        ASSERT_TRUE(store);
        auto raw = loop.block_on((*store)->read_message(box_id, uid, std::nullopt));
        ASSERT_TRUE(raw);
        EXPECT_EQ(*raw, "Subject: durable\r\n\r\nkept\r\n");
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mallard::storage::test
