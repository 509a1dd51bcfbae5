// The delivery pipeline against a real store: recipient checks, one copy per user with its trace headers,
// per-recipient replies in order, and the stored bytes read back exactly.
#include "protocols/lmtp/deliver.h"

#include <gtest/gtest.h>

#include "test/storage/store_fixture.h"

namespace mallard::lmtp {
namespace {

using storage::test::StoreTest;

class LmtpDeliver : public StoreTest {
protected:
    storage::User user(std::string name, std::string address) {
        storage::NewUser u;
        u.username = std::move(name);
        u.password_hash = "x";
        u.primary_address = std::move(address);
        return ok(store().create_user(std::move(u)));
    }
    RecipientCheck check(std::string address, std::uint64_t size = 0) {
        return run(check_recipient(store(), std::move(address), size));
    }
    std::vector<storage::MessageMeta> inbox_messages(const storage::User& u) { return messages(u, "INBOX"); }
    std::vector<storage::MessageMeta> messages(const storage::User& u, const std::string& mailbox) {
        auto box = ok(store().find_mailbox(u.id, mailbox));
        return ok(store().list_messages(box.id, storage::UidRange{}));
    }
    storage::Filter add_filter(const storage::User& u, storage::FilterQuery query, storage::FilterAction action) {
        storage::NewFilter f;
        f.name = "test";
        f.query = std::move(query);
        f.action = std::move(action);
        return ok(store().create_filter(u.id, std::move(f)));
    }
    // Delivers `message` to alice@example.com alone, with the default spam rules.
    Reply deliver_one(const std::string& message) {
        auto d = delivery({{"alice@example.com", alice_.id}});
        d.policy.spam_rules = *parse_spam_rules({"X-Spam-Status: Yes", "X-Spam-Flag: YES"});
        d.policy.pool = &pool_;
        d.policy.pool_parse_min_bytes = 0;  // the pool path, even for small test messages
        auto replies = run(deliver(store(), std::move(d), message));
        return replies.at(0);
    }
    storage::User alice_;
    std::string read(const storage::User& u, storage::Uid uid) {
        auto box = ok(store().find_mailbox(u.id, "INBOX"));
        return ok(store().read_message(box.id, uid, std::nullopt));
    }
    Delivery delivery(std::vector<Recipient> recipients) {
        Delivery d;
        d.sender = "sender@example.org";
        d.recipients = std::move(recipients);
        d.lhlo_name = "mx.example.org";
        d.peer = "[127.0.0.1]";
        d.hostname = "mail.example.com";
        d.id = "1.1";
        return d;
    }
};

TEST_F(LmtpDeliver, recipients_resolve_through_aliases_dots_case_and_labels) {
    auto alice = user("alice", "Alice.Smith@example.com");
    ok(store().add_address(alice.id, "postmaster@example.com", false));
    for (std::string a : {"alice.smith@example.com", "ALICESMITH+lists@Example.COM", "postmaster@example.com"}) {
        auto c = check(a);
        EXPECT_EQ(c.reply.code, 250) << a;
        ASSERT_TRUE(c.accepted) << a;
        EXPECT_EQ(c.accepted->user, alice.id);
        EXPECT_EQ(c.accepted->address, a);  // kept as given, +label included
    }
}

TEST_F(LmtpDeliver, unknown_disabled_and_full_accounts_are_refused_at_rcpt) {
    auto c = check("nobody@example.com");
    EXPECT_EQ(c.reply.code, 550);
    EXPECT_EQ(c.reply.status, "5.1.1");
    EXPECT_FALSE(c.accepted);

    auto bob = user("bob", "bob@example.com");
    ok(store().set_disabled(bob.id, true));
    EXPECT_EQ(check("bob@example.com").reply.status, "5.2.1");

    auto carol = user("carol", "carol@example.com");
    ok(store().set_quota_limit(carol.id, 100));
    EXPECT_EQ(check("carol@example.com", 50).reply.code, 250);
    EXPECT_EQ(check("carol@example.com", 101).reply.code, 452);  // the declared SIZE would not fit
    EXPECT_EQ(check("carol@example.com", 101).reply.status, "4.2.2");
}

TEST_F(LmtpDeliver, one_copy_per_user_one_reply_per_recipient_in_order) {
    auto alice = user("alice", "alice@example.com");
    auto bob = user("bob", "bob@example.com");
    std::string message = "Subject: hi\r\n\r\n.dot and caf\xc3\xa9\r\n";
    auto replies = run(deliver(store(), delivery({{"alice@example.com", alice.id},
                                                  {"bob@example.com", bob.id},
                                                  {"Alice+x@example.com", alice.id}}),
                               message));
    ASSERT_EQ(replies.size(), 3u);
    for (const auto& r : replies) EXPECT_EQ(r.code, 250) << r.text;
    EXPECT_NE(replies[0].text.find("<alice@example.com>"), std::string::npos);
    EXPECT_NE(replies[2].text.find("<Alice+x@example.com>"), std::string::npos);
    ASSERT_EQ(inbox_messages(alice).size(), 1u);
    ASSERT_EQ(inbox_messages(bob).size(), 1u);

    std::string stored = read(alice, inbox_messages(alice)[0].uid);
    ASSERT_GT(stored.size(), message.size());
    EXPECT_EQ(stored.substr(stored.size() - message.size()), message);  // the body byte for byte
    EXPECT_EQ(stored.rfind("Return-Path: <sender@example.org>\r\n"
                           "Delivered-To: alice@example.com\r\n"
                           "Delivered-To: Alice+x@example.com\r\n"
                           "Received: from mx.example.org ([127.0.0.1])\r\n",
                           0),
              0u);
    std::string bobs = read(bob, inbox_messages(bob)[0].uid);
    EXPECT_NE(bobs.find("Delivered-To: bob@example.com\r\n"), std::string::npos);
    EXPECT_EQ(bobs.find("Alice"), std::string::npos);  // no other user's address in bob's copy
    EXPECT_EQ(bobs.find("Return-Path"), bobs.rfind("Return-Path"));  // once
}

TEST_F(LmtpDeliver, a_copy_over_quota_fails_for_that_user_only) {
    auto alice = user("alice", "alice@example.com");
    auto bob = user("bob", "bob@example.com");
    ok(store().set_quota_limit(bob.id, 300));
    std::string message = "Subject: big\r\n\r\n" + std::string(400, 'x') + "\r\n";
    auto replies = run(deliver(store(), delivery({{"bob@example.com", bob.id}, {"alice@example.com", alice.id}}),
                               message));
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0].code, 452);
    EXPECT_EQ(replies[0].status, "4.2.2");
    EXPECT_EQ(replies[1].code, 250);
    EXPECT_TRUE(inbox_messages(bob).empty());
    EXPECT_EQ(inbox_messages(alice).size(), 1u);
}

// ---- filters and spam verdicts ----

const std::string newsletter = "From: news@shop.example\r\nSubject: Weekly deals\r\nList-ID: <deals.shop.example>\r\n\r\nBuy now.\r\n";
const std::string spam = "From: x@spam.example\r\nX-Spam-Status: Yes, score=12.0\r\nSubject: win\r\n\r\nPrize.\r\n";

TEST_F(LmtpDeliver, filters_set_flags_and_move_to_a_mailbox) {
    alice_ = user("alice", "alice@example.com");
    storage::FilterQuery from_shop;
    from_shop.from = "shop.example";
    storage::FilterAction seen;
    seen.seen = true;
    add_filter(alice_, from_shop, seen);
    storage::FilterQuery deals;
    deals.list_id = "deals.shop.example";
    storage::FilterAction flag_and_move;
    flag_and_move.flag = true;
    flag_and_move.mailbox = ok(store().find_mailbox(alice_.id, "Archive")).id;
    add_filter(alice_, deals, flag_and_move);

    EXPECT_EQ(deliver_one(newsletter).code, 250);
    ASSERT_EQ(messages(alice_, "Archive").size(), 1u);
    EXPECT_EQ(messages(alice_, "Archive")[0].flags, (storage::Flags{"\\Flagged", "\\Seen"}));
    EXPECT_TRUE(inbox_messages(alice_).empty());
    // A message no filter matches goes to INBOX unflagged.
    EXPECT_EQ(deliver_one("Subject: hello\r\n\r\nhi\r\n").code, 250);
    ASSERT_EQ(inbox_messages(alice_).size(), 1u);
    EXPECT_TRUE(inbox_messages(alice_)[0].flags.empty());
}

TEST_F(LmtpDeliver, a_delete_filter_accepts_and_stores_nothing) {
    alice_ = user("alice", "alice@example.com");
    storage::FilterQuery big_text;
    big_text.text = "buy now";
    storage::FilterAction drop;
    drop.discard = true;
    add_filter(alice_, big_text, drop);
    auto reply = deliver_one(newsletter);
    EXPECT_EQ(reply.code, 250);
    EXPECT_EQ(reply.status, "2.0.0");
    for (const auto& box : ok(store().list_mailboxes(alice_.id))) EXPECT_TRUE(messages(alice_, box.name).empty());
    EXPECT_EQ(ok(store().find_user(alice_.id)).quota_used_bytes, 0u);
}

TEST_F(LmtpDeliver, a_spam_verdict_goes_to_junk_unless_a_filter_says_otherwise) {
    alice_ = user("alice", "alice@example.com");
    EXPECT_EQ(deliver_one(spam).code, 250);
    EXPECT_EQ(messages(alice_, "Junk").size(), 1u);
    EXPECT_TRUE(inbox_messages(alice_).empty());
    EXPECT_EQ(deliver_one("X-Spam-Status: No, score=0.1\r\n\r\nok\r\n").code, 250);
    EXPECT_EQ(inbox_messages(alice_).size(), 1u);

    // spam: false keeps the sender's mail out of Junk.
    storage::FilterQuery from_friend;
    from_friend.from = "spam.example";
    storage::FilterAction not_spam;
    not_spam.spam = false;
    auto trusted = add_filter(alice_, from_friend, not_spam);
    EXPECT_EQ(deliver_one(spam).code, 250);
    EXPECT_EQ(inbox_messages(alice_).size(), 2u);
    EXPECT_EQ(messages(alice_, "Junk").size(), 1u);

    // A filter's mailbox wins over the verdict; a mailbox that is gone falls back to the verdict's Junk.
    ok(store().delete_filter(alice_.id, trusted.id));
    auto lists = ok(store().create_mailbox(alice_.id, "Lists", storage::SpecialUse::none));
    storage::FilterAction move;
    move.mailbox = lists.id;
    add_filter(alice_, from_friend, move);
    EXPECT_EQ(deliver_one(spam).code, 250);
    EXPECT_EQ(messages(alice_, "Lists").size(), 1u);
    ok(store().delete_mailbox(lists.id));
    EXPECT_EQ(deliver_one(spam).code, 250);
    EXPECT_EQ(messages(alice_, "Junk").size(), 2u);
}

TEST_F(LmtpDeliver, a_spam_filter_routes_to_junk_without_a_verdict) {
    alice_ = user("alice", "alice@example.com");
    storage::FilterQuery attachment;
    attachment.has_attachment = false;
    attachment.subject = "deals";
    storage::FilterAction junk;
    junk.spam = true;
    add_filter(alice_, attachment, junk);
    EXPECT_EQ(deliver_one(newsletter).code, 250);
    EXPECT_EQ(messages(alice_, "Junk").size(), 1u);
}

TEST_F(LmtpDeliver, store_errors_map_to_permanent_or_temporary_replies) {
    EXPECT_EQ(reply_for(core::Error(core::Errc::unavailable)).code, 451);
    EXPECT_EQ(reply_for(core::Error(core::Errc::unavailable)).status, "4.3.0");
    EXPECT_EQ(reply_for(core::Error(core::Errc::internal)).code, 451);
    EXPECT_EQ(reply_for(core::Error(core::Errc::quota)).status, "4.2.2");
    EXPECT_EQ(reply_for(core::Error(core::Errc::not_found)).status, "5.1.1");
}

}  // namespace
}  // namespace mallard::lmtp
