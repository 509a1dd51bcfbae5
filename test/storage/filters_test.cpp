// The Store conformance suite for delivery filters (storage/types.h): what any backend must keep, written
// against `Store&` only, like conformance_test.cpp.
#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

using core::Errc;

class FilterConformance : public StoreTest {
protected:
    User user(std::string name) {
        NewUser u;
        u.username = name;
        u.password_hash = "hash";
        u.primary_address = name + "@example.com";
        return ok(store().create_user(std::move(u)));
    }
    Mailbox box(const User& u, const std::string& name) { return ok(store().find_mailbox(u.id, name)); }
};

NewFilter sample_filter(std::string name) {
    NewFilter f;
    f.name = std::move(name);
    f.query.from = "boss@example.org";
    f.query.to = "team";
    f.query.subject = "Urgent";
    f.query.list_id = "dev.lists.example.org";
    f.query.text = "deadline";
    f.query.has_attachment = false;
    f.query.size = -50000;
    f.action.seen = true;
    f.action.flag = false;
    f.action.spam = false;
    return f;
}

TEST_F(FilterConformance, a_filter_round_trips_every_field) {
    auto alice = user("alice");
    NewFilter wanted = sample_filter("from the boss");
    wanted.action.mailbox = box(alice, "Archive").id;
    auto before = std::chrono::system_clock::now() - std::chrono::seconds(2);
    auto created = ok(store().create_filter(alice.id, wanted));
    EXPECT_FALSE(created.id.empty());
    EXPECT_EQ(created.user, alice.id);
    EXPECT_EQ(created.name, "from the boss");
    EXPECT_EQ(created.query, wanted.query);
    EXPECT_EQ(created.action, wanted.action);
    EXPECT_FALSE(created.action.discard);  // unset stays unset, not false
    EXPECT_FALSE(created.disabled);
    EXPECT_GE(created.created, before);

    auto got = ok(store().get_filter(alice.id, created.id));
    EXPECT_EQ(got.query, wanted.query);
    EXPECT_EQ(got.action, wanted.action);
    EXPECT_EQ(got.created, created.created);
}

TEST_F(FilterConformance, filters_list_in_creation_order_per_user) {
    auto alice = user("alice");
    auto bob = user("bob");
    std::vector<FilterId> ids;
    for (std::string name : {"first", "second", "third"}) ids.push_back(ok(store().create_filter(alice.id, sample_filter(name))).id);
    ok(store().create_filter(bob.id, sample_filter("bob's")));
    ok(store().delete_filter(alice.id, ids[2]));
    ids.pop_back();
    ids.push_back(ok(store().create_filter(alice.id, sample_filter("fourth"))).id);  // after a delete: still last

    auto listed = ok(store().list_filters(alice.id));
    ASSERT_EQ(listed.size(), 3u);
    for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(listed[i].id, ids[i]);
    EXPECT_EQ(listed[2].name, "fourth");
    EXPECT_EQ(ok(store().list_filters(bob.id)).size(), 1u);
    EXPECT_EQ(fails(store().list_filters("no-such-user")), Errc::not_found);
}

TEST_F(FilterConformance, update_replaces_everything_but_id_and_created) {
    auto alice = user("alice");
    auto created = ok(store().create_filter(alice.id, sample_filter("old")));
    NewFilter next;
    next.name = "new";
    next.query.subject = "invoice";
    next.action.mailbox = box(alice, "Archive").id;
    next.disabled = true;
    auto updated = ok(store().update_filter(alice.id, created.id, next));
    EXPECT_EQ(updated.id, created.id);
    EXPECT_EQ(updated.created, created.created);
    EXPECT_EQ(updated.name, "new");
    EXPECT_EQ(updated.query, next.query);
    EXPECT_EQ(updated.action, next.action);
    EXPECT_TRUE(updated.disabled);
    EXPECT_TRUE(ok(store().list_filters(alice.id))[0].disabled);  // disabled filters are still listed
}

TEST_F(FilterConformance, filters_belong_to_their_user) {
    auto alice = user("alice");
    auto bob = user("bob");
    auto f = ok(store().create_filter(alice.id, sample_filter("mine")));
    EXPECT_EQ(fails(store().get_filter(bob.id, f.id)), Errc::not_found);
    EXPECT_EQ(fails(store().update_filter(bob.id, f.id, sample_filter("x"))), Errc::not_found);
    EXPECT_EQ(fails(store().delete_filter(bob.id, f.id)), Errc::not_found);
    // An action mailbox must be the user's own.
    NewFilter to_bobs = sample_filter("to bob's box");
    to_bobs.action.mailbox = box(bob, "INBOX").id;
    EXPECT_EQ(fails(store().create_filter(alice.id, to_bobs)), Errc::not_found);
    to_bobs.action.mailbox = "no-such-box";
    EXPECT_EQ(fails(store().update_filter(alice.id, f.id, to_bobs)), Errc::not_found);
    EXPECT_EQ(fails(store().create_filter("no-such-user", sample_filter("x"))), Errc::not_found);
    EXPECT_EQ(fails(store().get_filter(alice.id, "no-such-filter")), Errc::not_found);

    ok(store().delete_filter(alice.id, f.id));
    EXPECT_EQ(fails(store().get_filter(alice.id, f.id)), Errc::not_found);
    EXPECT_EQ(fails(store().delete_filter(alice.id, f.id)), Errc::not_found);
}

TEST_F(FilterConformance, limits_are_enforced) {
    auto alice = user("alice");
    NewFilter long_subject = sample_filter("long");
    long_subject.query.subject.assign(max_filter_field_bytes + 1, 'x');
    EXPECT_EQ(fails(store().create_filter(alice.id, long_subject)), Errc::bad_input);
    for (std::size_t i = 0; i < max_filters_per_user; ++i) ok(store().create_filter(alice.id, NewFilter{}));
    EXPECT_EQ(fails(store().create_filter(alice.id, NewFilter{})), Errc::quota);
}

TEST_F(FilterConformance, deleting_the_user_deletes_its_filters) {
    auto alice = user("alice");
    ok(store().create_filter(alice.id, sample_filter("x")));
    ok(store().delete_user(alice.id));
    auto again = user("alice");  // may or may not reuse the id: no filter must come back either way
    EXPECT_TRUE(ok(store().list_filters(again.id)).empty());
}

}  // namespace
}  // namespace mallard::storage::test
