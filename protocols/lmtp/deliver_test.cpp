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
    std::vector<storage::MessageMeta> inbox_messages(const storage::User& u) {
        auto box = ok(store().find_mailbox(u.id, "INBOX"));
        return ok(store().list_messages(box.id, storage::UidRange{}));
    }
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

TEST_F(LmtpDeliver, store_errors_map_to_permanent_or_temporary_replies) {
    EXPECT_EQ(reply_for(core::Error(core::Errc::unavailable)).code, 451);
    EXPECT_EQ(reply_for(core::Error(core::Errc::unavailable)).status, "4.3.0");
    EXPECT_EQ(reply_for(core::Error(core::Errc::internal)).code, 451);
    EXPECT_EQ(reply_for(core::Error(core::Errc::quota)).status, "4.2.2");
    EXPECT_EQ(reply_for(core::Error(core::Errc::not_found)).status, "5.1.1");
}

}  // namespace
}  // namespace mallard::lmtp
