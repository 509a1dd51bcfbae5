// The login rules of authenticator.h over a real store: imported hashes upgraded, ASP scopes, 2FA, the
// failure rate limit and the auth log.
#include "protocols/auth/authenticator.h"

#include <gtest/gtest.h>

#include "protocols/auth/totp.h"
#include "test/storage/store_fixture.h"

namespace mallard::auth {
namespace {

using Status = AuthResult::Status;

class AuthenticatorTest : public storage::test::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        counters_ = std::make_unique<StoreFailureCounters>(store());
        AuthOptions options;
        options.argon2 = {1, 1024, 1};  // fast for tests
        options.limits = {3, 5, std::chrono::seconds(600)};
        auth_ = std::make_unique<Authenticator>(store(), pool_, counters_.get(), options);
    }

    storage::User user(std::string name, std::string hash) {
        storage::NewUser u;
        u.username = std::move(name);
        u.password_hash = std::move(hash);
        return ok(store().create_user(std::move(u)));
    }

    AuthResult login(std::string name, std::string password, Service service = Service::imap,
                     std::string ip = "192.0.2.1") {
        return run(auth_->authenticate(AuthAttempt{std::move(name), std::move(password), service, std::move(ip), "test"}));
    }

    std::string add_asp(const storage::User& u, std::string password, std::vector<std::string> scopes) {
        storage::NewAppPassword asp;
        asp.description = "test";
        asp.scopes = std::move(scopes);
        asp.password_hash = *hash_password(password, {1, 1024, 1});
        asp.lookup = asp_lookup(password);
        return ok(store().create_app_password(u.id, std::move(asp))).id;
    }

    std::unique_ptr<StoreFailureCounters> counters_;
    std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, an_imported_bcrypt_hash_logs_in_and_is_upgraded_to_argon2id) {
    // Made by Python's crypt module (libxcrypt).
    auto u = user("alice", "$2b$04$MJ4iJlG/Ru07vPwgyCuw/.jGGic25I4qLLBiAdidloSQkaGaUYF7u");
    EXPECT_EQ(login("alice", "hunter3").status, Status::failed);
    auto r = login("alice", "hunter2");
    ASSERT_EQ(r.status, Status::ok);
    EXPECT_TRUE(r.asp.empty());
    auto after = ok(store().find_user(u.id));
    EXPECT_EQ(after.password_hash.rfind("$argon2id$", 0), 0u);
    EXPECT_EQ(login("alice", "hunter2").status, Status::ok);
}

TEST_F(AuthenticatorTest, a_bad_hash_format_fails_the_login_without_crashing) {
    user("bob", "$2b$04$garbage");
    EXPECT_EQ(login("bob", "anything").status, Status::failed);
    user("carol", "{SSHA}abcdef");
    EXPECT_EQ(login("carol", "anything").status, Status::failed);
}

TEST_F(AuthenticatorTest, an_application_password_works_only_for_its_scopes) {
    auto u = user("dave", *hash_password("account pw", {1, 1024, 1}));
    auto id = add_asp(u, "abcdefghijklmnop", {"imap"});
    auto imap = login("dave", "abcd efgh ijkl mnop");  // spaces as the password was shown
    ASSERT_EQ(imap.status, Status::ok);
    EXPECT_EQ(imap.asp, id);
    EXPECT_EQ(login("dave", "abcdefghijklmnop", Service::pop3).status, Status::failed);
    auto all = add_asp(u, "qrstuvwxyzabcdef", {"*"});
    EXPECT_EQ(login("dave", "qrstuvwxyzabcdef", Service::pop3).asp, all);
    ok(store().delete_app_password(u.id, all));
    EXPECT_EQ(login("dave", "qrstuvwxyzabcdef", Service::pop3).status, Status::failed);
}

TEST_F(AuthenticatorTest, an_expired_application_password_is_refused) {
    auto u = user("erin", *hash_password("account pw", {1, 1024, 1}));
    storage::NewAppPassword asp;
    asp.scopes = {"*"};
    asp.password_hash = *hash_password("abcdefghijklmnop", {1, 1024, 1});
    asp.lookup = asp_lookup("abcdefghijklmnop");
    asp.expires = std::chrono::system_clock::now() - std::chrono::seconds(5);
    ok(store().create_app_password(u.id, std::move(asp)));
    EXPECT_EQ(login("erin", "abcdefghijklmnop").status, Status::failed);
}

TEST_F(AuthenticatorTest, with_two_factor_on_mail_protocols_take_only_application_passwords) {
    auto u = user("frank", *hash_password("account pw", {1, 1024, 1}));
    add_asp(u, "abcdefghijklmnop", {"imap", "pop3"});
    ok(store().set_totp(u.id, storage::TotpState{generate_totp_secret(), true, 0}));
    EXPECT_EQ(login("frank", "account pw").status, Status::failed);
    EXPECT_EQ(login("frank", "abcdefghijklmnop").status, Status::ok);
    auto api = login("frank", "account pw", Service::api);
    EXPECT_EQ(api.status, Status::ok);
    EXPECT_TRUE(api.needs_totp);
}

TEST_F(AuthenticatorTest, failures_lock_the_user_out_without_checking_the_password_until_released) {
    auto u = user("gina", *hash_password("right", {1, 1024, 1}));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(login("gina", "wrong", Service::imap, "192.0.2.9").status, Status::failed);
    auto locked = login("gina", "right");
    EXPECT_EQ(locked.status, Status::rate_limited);
    EXPECT_GT(locked.retry_after.count(), 0);
    EXPECT_LE(locked.retry_after.count(), 600);
    // Released: the window is over (here: the counter cleared, as an expired window reads).
    ok(store().clear_auth_failures(user_failure_key("gina")));
    EXPECT_EQ(login("gina", "right").status, Status::ok);
}

TEST_F(AuthenticatorTest, failures_from_one_address_lock_out_that_address_only) {
    user("hank", *hash_password("right", {1, 1024, 1}));
    for (int i = 0; i < 5; ++i) login("nobody" + std::to_string(i), "x", Service::pop3, "2001:db8:1:2::7");
    EXPECT_EQ(login("hank", "right", Service::pop3, "2001:db8:1:2::99").status, Status::rate_limited);
    EXPECT_EQ(login("hank", "right", Service::pop3, "192.0.2.1").status, Status::ok);
}

TEST_F(AuthenticatorTest, every_attempt_is_in_the_auth_log_newest_first) {
    auto u = user("ivy", *hash_password("right", {1, 1024, 1}));
    auto asp = add_asp(u, "abcdefghijklmnop", {"imap"});
    login("ivy", "wrong", Service::pop3, "192.0.2.5");
    login("ivy", "abcdefghijklmnop", Service::imap, "192.0.2.6");
    auto events = ok(store().list_auth_events(u.id, 10));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].result, "success");
    EXPECT_EQ(events[0].protocol, "IMAP");
    EXPECT_EQ(events[0].asp, asp);
    EXPECT_EQ(events[0].remote_address, "192.0.2.6");
    EXPECT_EQ(events[0].user_agent, "test");
    EXPECT_EQ(events[1].result, "fail");
    EXPECT_EQ(events[1].protocol, "POP3");
    EXPECT_EQ(ok(store().get_auth_event(u.id, events[1].id)).detail, "invalid password");
}

TEST(AspShape, lookup_and_shape) {
    EXPECT_TRUE(looks_like_asp("abcdefghijklmnop"));
    EXPECT_TRUE(looks_like_asp("abcd efgh ijkl mnop"));
    EXPECT_FALSE(looks_like_asp("abcdefghijklmnoP"));
    EXPECT_FALSE(looks_like_asp("abcdefghijklmno"));
    EXPECT_EQ(asp_lookup("abcdefghijklmnop").size(), 16u);
}

}  // namespace
}  // namespace mallard::auth
