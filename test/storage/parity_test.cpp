// What the store does for WildDuck's API parity (issue 9): address ids, paged listings, mailbox counters and
// message threads. Written against `Store&` only, like the conformance suite.
#include <algorithm>

#include "storage/forwarding_store.h"
#include "storage/search.h"
#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

using core::Errc;

// A backend that keeps the Store's default listings and counters (store.cpp): what a backend gets before it
// writes its own.
class DefaultsStore final : public ForwardingStore {
public:
    using ForwardingStore::ForwardingStore;
    StoreTask<Page<User>> list_users_page(PageRequest r) override { return Store::list_users_page(std::move(r)); }
    StoreTask<Page<Address>> list_addresses_page(PageRequest r) override {
        return Store::list_addresses_page(std::move(r));
    }
    StoreTask<Address> get_address(AddressId id) override { return Store::get_address(std::move(id)); }
    StoreTask<MailboxCounters> mailbox_counters(MailboxId box) override {
        return Store::mailbox_counters(std::move(box));
    }
};

class StoreParity : public StoreTest, public ::testing::WithParamInterface<bool> {
protected:
    // The SQLite backend itself, or the defaults over it (the parameter).
    Store& st() {
        if (!GetParam()) return store();
        if (!defaults_) defaults_ = std::make_unique<DefaultsStore>(store());
        return *defaults_;
    }
    std::unique_ptr<DefaultsStore> defaults_;

    User user(std::string name, std::string address) {
        NewUser u;
        u.username = std::move(name);
        u.password_hash = "hash";
        u.primary_address = std::move(address);
        return ok(store().create_user(std::move(u)));
    }
    Mailbox box(const User& u, const std::string& name) { return ok(store().find_mailbox(u.id, name)); }
    Appended deliver(const Mailbox& b, const std::string& headers, Flags flags = {}) {
        AppendRequest m;
        m.raw = headers + "\r\nBody\r\n";
        m.flags = std::move(flags);
        return ok(store().append(b.id, std::move(m)));
    }
    ThreadId thread_of(const Mailbox& b, Uid uid) {
        auto metas = ok(store().list_messages(b.id, UidRange{uid, uid}));
        return metas.empty() ? ThreadId{} : metas.front().thread;
    }
};

TEST_P(StoreParity, addresses_have_ids_and_keep_the_unicode_form) {
    auto u = user("alice", "alice@example.com");
    auto added = ok(store().add_address(u.id, "Info@XN--EXMPLE-CUA.com", false));
    EXPECT_FALSE(added.id.empty());
    EXPECT_EQ(added.address, "info@exämple.com");
    EXPECT_NE(added.created, TimePoint{});
    auto got = ok(st().get_address(added.id));
    EXPECT_EQ(got.address, "info@exämple.com");
    EXPECT_EQ(got.user, u.id);
    EXPECT_EQ(ok(store().resolve_address("info@exämple.com")).id, added.id);
    EXPECT_EQ(fails(st().get_address("999999")), Errc::not_found);
    EXPECT_EQ(fails(st().get_address("not-an-id")), Errc::not_found);
}

TEST_P(StoreParity, update_address_renames_and_makes_main) {
    if (GetParam()) GTEST_SKIP() << "the defaults keep no threads and re-add a renamed address under a new id";
    auto u = user("alice", "alice@example.com");
    auto bob = user("bob", "bob@example.com");
    auto added = ok(store().add_address(u.id, "old@example.com", false));
    auto renamed = ok(store().update_address(u.id, added.id, std::string("New@Example.com"), false));
    EXPECT_EQ(renamed.id, added.id);
    EXPECT_EQ(renamed.address, "new@example.com");
    EXPECT_EQ(fails(store().resolve_address("old@example.com")), Errc::not_found);
    EXPECT_EQ(ok(store().resolve_address("new@example.com")).user, u.id);
    ok(store().update_address(u.id, added.id, std::nullopt, true));
    EXPECT_EQ(ok(store().find_user(u.id)).primary_address, "new@example.com");
    EXPECT_EQ(fails(store().update_address(u.id, added.id, std::string("bob@example.com"), false)), Errc::exists);
    EXPECT_EQ(fails(store().update_address(bob.id, added.id, std::nullopt, true)), Errc::not_found);
}

TEST_P(StoreParity, users_page_by_id_with_cursors_and_total) {
    std::vector<User> users;
    for (int i = 0; i < 5; ++i) users.push_back(user("user" + std::to_string(i), "u" + std::to_string(i) + "@example.com"));
    PageRequest r;
    r.limit = 2;
    auto first = ok(st().list_users_page(r));
    EXPECT_EQ(first.total, 5u);
    ASSERT_EQ(first.items.size(), 2u);
    EXPECT_EQ(first.items[0].id, users[0].id);
    EXPECT_FALSE(first.more_before);
    EXPECT_TRUE(first.more_after);
    r.after = first.keys.back();
    auto second = ok(st().list_users_page(r));
    ASSERT_EQ(second.items.size(), 2u);
    EXPECT_EQ(second.items[0].id, users[2].id);
    EXPECT_TRUE(second.more_before);
    r.after.reset();
    r.before = second.keys.front();
    auto back = ok(st().list_users_page(r));
    ASSERT_EQ(back.items.size(), 2u);
    EXPECT_EQ(back.items[1].id, users[1].id);
    EXPECT_FALSE(back.more_before);

    PageRequest q;
    q.query = "U3@";
    auto found = ok(st().list_users_page(q));
    ASSERT_EQ(found.items.size(), 1u);
    EXPECT_EQ(found.items[0].username, "user3");
    EXPECT_EQ(found.total, 1u);
    PageRequest own;
    own.only_user = users[4].id;
    EXPECT_EQ(ok(st().list_users_page(own)).total, 1u);
}

TEST_P(StoreParity, addresses_page_by_lookup_key) {
    auto a = user("alice", "zed@example.com");
    auto b = user("bob", "amy@example.com");
    ok(store().add_address(a.id, "mid@example.com", false));
    PageRequest r;
    r.limit = 2;
    auto first = ok(st().list_addresses_page(r));
    EXPECT_EQ(first.total, 3u);
    ASSERT_EQ(first.items.size(), 2u);
    EXPECT_EQ(first.items[0].address, "amy@example.com");
    EXPECT_EQ(first.items[0].user, b.id);
    EXPECT_EQ(first.items[1].address, "mid@example.com");
    r.after = first.keys.back();
    auto second = ok(st().list_addresses_page(r));
    ASSERT_EQ(second.items.size(), 1u);
    EXPECT_EQ(second.items[0].address, "zed@example.com");
    EXPECT_FALSE(second.more_after);
    PageRequest own;
    own.only_user = a.id;
    EXPECT_EQ(ok(st().list_addresses_page(own)).total, 2u);
}

TEST_P(StoreParity, mailbox_counters_count_unseen_and_bytes) {
    auto u = user("alice", "alice@example.com");
    auto inbox = box(u, "INBOX");
    deliver(inbox, "Subject: a\r\n", {"\\Seen"});
    deliver(inbox, "Subject: b\r\n");
    auto c = ok(st().mailbox_counters(inbox.id));
    EXPECT_EQ(c.total, 2u);
    EXPECT_EQ(c.unseen, 1u);
    auto listed = ok(store().list_messages(inbox.id, UidRange{}));
    EXPECT_EQ(c.size, listed[0].size_bytes + listed[1].size_bytes);
    EXPECT_EQ(fails(st().mailbox_counters("424242")), Errc::not_found);
}

TEST_P(StoreParity, replies_join_the_thread_of_what_they_reference) {
    if (GetParam()) GTEST_SKIP() << "the defaults keep no threads and re-add a renamed address under a new id";
    auto u = user("alice", "alice@example.com");
    auto inbox = box(u, "INBOX");
    auto sent = box(u, "Sent");
    auto first = deliver(inbox, "Subject: Lunch\r\nMessage-ID: <m1@x>\r\n");
    auto reply = deliver(sent, "Subject: Re: Lunch\r\nMessage-ID: <m2@x>\r\nIn-Reply-To: <m1@x>\r\n");
    auto later = deliver(inbox, "Subject: RE: [team] Lunch\r\nMessage-ID: <m3@x>\r\nReferences: <m1@x> <m2@x>\r\n");
    auto other = deliver(inbox, "Subject: Dinner\r\nMessage-ID: <m4@x>\r\nIn-Reply-To: <m1@x>\r\n");
    auto lone = deliver(inbox, "Subject: Lunch\r\n");
    const ThreadId t = thread_of(inbox, first.uid);
    ASSERT_FALSE(t.empty());
    EXPECT_EQ(thread_of(sent, reply.uid), t);
    EXPECT_EQ(thread_of(inbox, later.uid), t);
    EXPECT_NE(thread_of(inbox, other.uid), t);  // same ids, another subject: a thread of its own (WildDuck)
    EXPECT_NE(thread_of(inbox, lone.uid), t);   // same subject, no ids in common

    auto counts = ok(store().thread_counts(u.id, {t, thread_of(inbox, lone.uid), "999999"}));
    ASSERT_EQ(counts.size(), 2u);
    EXPECT_EQ(counts[0].thread, t);
    EXPECT_EQ(counts[0].messages, 3u);
    EXPECT_EQ(counts[1].messages, 1u);

    // A copy keeps its thread; search finds a thread's messages.
    auto archive = box(u, "Archive");
    auto copied = ok(store().copy(inbox.id, UidRange{first.uid, first.uid}, archive.id));
    EXPECT_EQ(thread_of(archive, copied.dest_uids.at(0)), t);
    EXPECT_EQ(ok(store().search(inbox.id, search::thread(t))), (std::vector<Uid>{first.uid, later.uid}));
    EXPECT_TRUE(ok(store().search(inbox.id, search::thread("not-a-thread"))).empty());

    // Threads are per user: bob's message with the same ids starts his own.
    auto bob = user("bob", "bob@example.com");
    auto bobs = deliver(box(bob, "INBOX"), "Subject: Re: Lunch\r\nIn-Reply-To: <m1@x>\r\n");
    EXPECT_NE(thread_of(box(bob, "INBOX"), bobs.uid), t);
    EXPECT_TRUE(ok(store().thread_counts(bob.id, {t})).empty());
}

std::string backend_name(const ::testing::TestParamInfo<bool>& param) { return param.param ? "defaults" : "sqlite"; }

INSTANTIATE_TEST_SUITE_P(Backends, StoreParity, ::testing::Bool(), backend_name);

}  // namespace
}  // namespace mallard::storage::test
