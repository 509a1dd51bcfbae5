// The Store conformance suite for HTTP API tokens (storage/types.h ApiToken): what any backend must keep,
// written against `Store&` only, like conformance_test.cpp.
#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

using core::Errc;
using std::chrono::hours;
using std::chrono::seconds;

class TokenConformance : public StoreTest {
protected:
    User user(std::string name) {
        NewUser u;
        u.username = name;
        u.password_hash = "hash";
        return ok(store().create_user(std::move(u)));
    }
    static TimePoint at(std::int64_t s) { return TimePoint(seconds(s)); }
    static ApiToken token(std::string hash, const User& u, std::int64_t created, std::int64_t expires) {
        return ApiToken{std::move(hash), u.id, "master", at(created), at(expires), false};
    }
};

TEST_F(TokenConformance, a_token_round_trips_until_it_expires) {
    auto alice = user("alice");
    const std::string hash(64, 'a');
    ok(store().create_api_token(token(hash, alice, 1000, 5000)));
    ApiToken found = ok(store().find_api_token(hash, at(4999)));
    EXPECT_EQ(found.user, alice.id);
    EXPECT_EQ(found.scope, "master");
    EXPECT_EQ(found.created, at(1000));
    EXPECT_EQ(found.expires, at(5000));
    EXPECT_EQ(fails(store().find_api_token(hash, at(5000))), Errc::not_found);  // expiry is exclusive
    // An expired token is gone for good, even when asked with an earlier clock.
    EXPECT_EQ(fails(store().find_api_token(hash, at(2000))), Errc::not_found);
}

TEST_F(TokenConformance, extend_delete_and_duplicates) {
    auto alice = user("alice");
    const std::string hash(64, 'b');
    ok(store().create_api_token(token(hash, alice, 0, 100)));
    EXPECT_EQ(fails(store().create_api_token(token(hash, alice, 0, 100))), Errc::exists);
    ok(store().extend_api_token(hash, at(500)));
    EXPECT_EQ(ok(store().find_api_token(hash, at(400))).expires, at(500));
    ok(store().delete_api_token(hash));
    EXPECT_EQ(fails(store().find_api_token(hash, at(1))), Errc::not_found);
    ok(store().delete_api_token(hash));  // twice is fine
    EXPECT_EQ(fails(store().extend_api_token(hash, at(900))), Errc::not_found);
    EXPECT_EQ(fails(store().create_api_token(ApiToken{std::string(64, 'c'), "999999", "master", at(0), at(9), false})),
              Errc::not_found);
}

TEST_F(TokenConformance, a_token_waiting_for_totp_keeps_the_mark_until_confirmed) {
    auto alice = user("alice");
    const std::string hash(64, 'e');
    ApiToken pending = token(hash, alice, 0, 100);
    pending.needs_totp = true;
    ok(store().create_api_token(std::move(pending)));
    EXPECT_TRUE(ok(store().find_api_token(hash, at(1))).needs_totp);
    ok(store().extend_api_token(hash, at(200)));  // sliding the expiry keeps the mark
    EXPECT_TRUE(ok(store().find_api_token(hash, at(1))).needs_totp);
    ok(store().confirm_api_token_totp(hash));
    EXPECT_FALSE(ok(store().find_api_token(hash, at(1))).needs_totp);
    EXPECT_FALSE(ok(store().find_api_token(std::string(64, 'e'), at(2))).needs_totp);
    ok(store().create_api_token(token(std::string(64, '0'), alice, 0, 100)));
    EXPECT_FALSE(ok(store().find_api_token(std::string(64, '0'), at(1))).needs_totp);
    ok(store().delete_api_token(hash));
    EXPECT_EQ(fails(store().confirm_api_token_totp(hash)), Errc::not_found);
}

TEST_F(TokenConformance, deleting_the_user_or_its_tokens_removes_them) {
    auto alice = user("alice");
    auto bob = user("bob");
    ok(store().create_api_token(token(std::string(64, 'd'), alice, 0, 100)));
    ok(store().create_api_token(token(std::string(64, 'f'), bob, 0, 100)));
    ok(store().delete_user_api_tokens(bob.id));  // a password change
    EXPECT_EQ(fails(store().find_api_token(std::string(64, 'f'), at(1))), Errc::not_found);
    ok(store().create_api_token(token(std::string(64, 'e'), bob, 0, 100)));
    ok(store().delete_user_api_tokens("999999"));  // nobody: nothing to do
    ok(store().delete_user(alice.id));
    EXPECT_EQ(fails(store().find_api_token(std::string(64, 'd'), at(1))), Errc::not_found);
    EXPECT_EQ(ok(store().find_api_token(std::string(64, 'e'), at(1))).user, bob.id);
}

}  // namespace
}  // namespace mallard::storage::test
