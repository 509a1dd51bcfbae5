// The Store conformance suite for account security (storage/security_types.h): ASPs, TOTP state, the auth
// log and failure counters, written against `Store&` only.
#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

using core::Errc;

class SecurityConformance : public StoreTest {
protected:
    User user(std::string name) {
        NewUser u;
        u.username = std::move(name);
        u.password_hash = "hash";
        return ok(store().create_user(std::move(u)));
    }
};

TEST_F(SecurityConformance, application_passwords_round_trip_and_are_per_user) {
    auto alice = user("alice");
    auto bob = user("bob");
    NewAppPassword a{"phone", {"imap", "smtp"}, "$argon2id$x", "0011223344556677", std::nullopt};
    auto created = ok(store().create_app_password(alice.id, a));
    EXPECT_EQ(created.scopes, (std::vector<std::string>{"imap", "smtp"}));
    EXPECT_EQ(created.description, "phone");
    EXPECT_FALSE(created.expires);
    EXPECT_EQ(ok(store().list_app_passwords(alice.id)).size(), 1u);
    EXPECT_TRUE(ok(store().list_app_passwords(bob.id)).empty());
    EXPECT_EQ(fails(store().get_app_password(bob.id, created.id)), Errc::not_found);
    EXPECT_EQ(ok(store().find_app_passwords(alice.id, "0011223344556677")).size(), 1u);
    EXPECT_TRUE(ok(store().find_app_passwords(alice.id, "ffffffffffffffff")).empty());
    EXPECT_EQ(fails(store().delete_app_password(bob.id, created.id)), Errc::not_found);
    ok(store().delete_app_password(alice.id, created.id));
    EXPECT_EQ(fails(store().get_app_password(alice.id, created.id)), Errc::not_found);
    // Ids are never reused, so a revoked id can't come back as a new password.
    auto again = ok(store().create_app_password(alice.id, a));
    EXPECT_NE(again.id, created.id);
}

TEST_F(SecurityConformance, expired_application_passwords_are_not_found_for_login) {
    auto alice = user("alice");
    NewAppPassword a{"old", {"*"}, "h", "aaaa", std::chrono::system_clock::now() - std::chrono::seconds(2)};
    ok(store().create_app_password(alice.id, a));
    EXPECT_TRUE(ok(store().find_app_passwords(alice.id, "aaaa")).empty());
    EXPECT_EQ(ok(store().list_app_passwords(alice.id)).size(), 1u);  // listed, so it can be deleted
}

TEST_F(SecurityConformance, a_totp_step_is_claimed_once) {
    auto alice = user("alice");
    EXPECT_FALSE(ok(store().get_totp(alice.id)).enabled);
    ok(store().set_totp(alice.id, TotpState{"SECRET", true, 0}));
    EXPECT_TRUE(ok(store().claim_totp_step(alice.id, 100)));
    EXPECT_FALSE(ok(store().claim_totp_step(alice.id, 100)));
    EXPECT_FALSE(ok(store().claim_totp_step(alice.id, 99)));
    EXPECT_TRUE(ok(store().claim_totp_step(alice.id, 101)));
    auto state = ok(store().get_totp(alice.id));
    EXPECT_EQ(state.secret, "SECRET");
    EXPECT_EQ(state.last_step, 101);
}

TEST_F(SecurityConformance, the_auth_log_lists_newest_first_and_drops_old_events) {
    auto alice = user("alice");
    AuthEvent e;
    e.user = alice.id;
    e.action = "authentication";
    e.result = "fail";
    auto first = ok(store().record_auth_event(e, std::chrono::hours(1)));
    e.result = "success";
    ok(store().record_auth_event(e, std::chrono::hours(1)));
    auto events = ok(store().list_auth_events(alice.id, 10));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].result, "success");
    EXPECT_EQ(ok(store().get_auth_event(alice.id, first.id)).result, "fail");
    // A negative keep drops everything older than a second from now: only the new event stays.
    ok(store().record_auth_event(e, std::chrono::seconds(-1)));
    EXPECT_EQ(ok(store().list_auth_events(alice.id, 10)).size(), 1u);
    ok(store().delete_user(alice.id));
}

TEST_F(SecurityConformance, failure_counters_count_within_their_window) {
    EXPECT_EQ(ok(store().read_auth_failures("k")).count, 0u);
    EXPECT_EQ(ok(store().add_auth_failure("k", std::chrono::seconds(60))).count, 1u);
    EXPECT_EQ(ok(store().add_auth_failure("k", std::chrono::seconds(60))).count, 2u);
    EXPECT_EQ(ok(store().read_auth_failures("k")).count, 2u);
    ok(store().clear_auth_failures("k"));
    EXPECT_EQ(ok(store().read_auth_failures("k")).count, 0u);
    // A window of zero has passed at once: the next failure starts a new one.
    ok(store().add_auth_failure("z", std::chrono::seconds(0)));
    EXPECT_EQ(ok(store().read_auth_failures("z")).count, 0u);
    EXPECT_EQ(ok(store().add_auth_failure("z", std::chrono::seconds(60))).count, 1u);
}

}  // namespace
}  // namespace mallard::storage::test
