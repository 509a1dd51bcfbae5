// PUT /users/:user/logout and the quota resets (logout.cpp, quota_reset.cpp): the logout event on the bus
// with the reason or WildDuck's default, reason validation, a user token only for itself, and the recount.
#include <gtest/gtest.h>

#include "protocols/http/routes/routes_test_support.h"
#include "storage/notify/bus.h"

namespace mallard::http::test {
namespace {

struct Ended final : storage::notify::SessionListener {
    std::vector<storage::notify::SessionEvent> heard;
    void on_session_event(const storage::notify::SessionEvent& event) override { heard.push_back(event); }
};

// A registration made on the loop's thread while it runs, as sessions make them (the requests run there too).
core::Task<storage::notify::Bus::SessionRegistration> register_on_loop(storage::notify::Bus& bus, std::string user,
                                                                      storage::notify::SessionListener& listener) {
    co_return bus.register_session(user, listener);
}

class SessionRoutes : public HttpRoutes {
protected:
    void SetUp() override {
        HttpRoutes::SetUp();
        context_->bus = &bus_;
    }
    storage::notify::Bus bus_;
};

TEST_F(SessionRoutes, logout_ends_the_users_sessions_with_the_reason) {
    std::string ann = create("ann"), bob = create("bob");
    Ended ann_session, bob_session;
    auto a = run(register_on_loop(bus_, ann, ann_session));
    auto b = run(register_on_loop(bus_, bob, bob_session));
    Answer out = call("PUT", "/users/" + ann + "/logout", {{"reason", "Down for maintenance"}});
    ASSERT_EQ(out.status, 200) << out.raw;
    EXPECT_EQ(out.body, json({{"success", true}}));
    ASSERT_EQ(ann_session.heard.size(), 1u);
    EXPECT_EQ(ann_session.heard[0].reason, "Down for maintenance");
    EXPECT_TRUE(ann_session.heard[0].asp.empty());
    EXPECT_TRUE(bob_session.heard.empty());
    // No reason, or an empty one: WildDuck's default text.
    EXPECT_EQ(call("PUT", "/users/" + ann + "/logout").status, 200);
    EXPECT_EQ(call("PUT", "/users/" + ann + "/logout", {{"reason", ""}}).status, 200);
    ASSERT_EQ(ann_session.heard.size(), 3u);
    EXPECT_EQ(ann_session.heard[1].reason, "Logout requested from API");
    EXPECT_EQ(ann_session.heard[2].reason, "Logout requested from API");
}

TEST_F(SessionRoutes, logout_validates_the_reason_and_the_user) {
    std::string ann = create("ann");
    Answer long_reason = call("PUT", "/users/" + ann + "/logout", {{"reason", std::string(129, 'x')}});
    EXPECT_EQ(long_reason.status, 400);
    EXPECT_EQ(long_reason.body["code"], "InputValidationError");
    EXPECT_EQ(call("PUT", "/users/" + ann + "/logout", {{"reason", 42}}).status, 400);
    EXPECT_EQ(call("PUT", "/users/" + ann + "/logout", {{"reason", std::string(128, 'x')}}).status, 200);
    EXPECT_EQ(call("PUT", "/users/999999/logout").body["code"], "UserNotFound");
}

TEST_F(SessionRoutes, a_user_token_acts_on_its_own_user_only) {
    Answer made = call("POST", "/users", {{"username", "tina"}, {"password", "tina's secret"}});
    ASSERT_EQ(made.status, 200);
    const std::string tina = made.body["id"];
    const std::string otto = create("otto");
    Answer login =
        call("POST", "/authenticate", {{"username", "tina"}, {"password", "tina's secret"}, {"token", true}});
    ASSERT_EQ(login.status, 200) << login.body.dump();
    const std::string token = login.body["token"];
    EXPECT_EQ(call("PUT", "/users/" + tina + "/logout", nullptr, token).status, 200);
    EXPECT_EQ(call("PUT", "/users/" + otto + "/logout", nullptr, token).status, 403);
    EXPECT_EQ(call("POST", "/users/" + tina + "/quota/reset", nullptr, token).status, 200);
    EXPECT_EQ(call("POST", "/users/" + otto + "/quota/reset", nullptr, token).status, 403);
    EXPECT_EQ(call("POST", "/quota/reset", nullptr, token).status, 403);  // root only
}

TEST_F(SessionRoutes, quota_reset_answers_the_recount_and_the_previous_figure) {
    std::string ann = create("ann");
    auto inbox = run(store().find_mailbox(ann, "INBOX"));
    ASSERT_TRUE(inbox);
    ASSERT_TRUE(run(store().append(inbox->id, storage::AppendRequest{"Subject: x\r\n\r\nhello\r\n", {}, {}})));
    Answer out = call("POST", "/users/" + ann + "/quota/reset");
    ASSERT_EQ(out.status, 200) << out.raw;
    EXPECT_EQ(out.body["success"], true);
    EXPECT_GT(out.body["storageUsed"].get<std::uint64_t>(), 0u);
    EXPECT_EQ(out.body["previousStorageUsed"], out.body["storageUsed"]);
    EXPECT_EQ(call("POST", "/users/999999/quota/reset").body["code"], "UserNotFound");

    Answer all = call("POST", "/quota/reset");
    ASSERT_EQ(all.status, 200) << all.raw;
    EXPECT_EQ(all.body["success"], true);
    EXPECT_EQ(all.body["task"].get<std::string>().size(), 24u);
}

}  // namespace
}  // namespace mallard::http::test
