// The account-security routes (asps.cpp, two_factor.cpp, authlog.cpp) against a real store, with an
// Authenticator whose failure limits are small, and TOTP codes computed here from RFC 6238 directly.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "protocols/auth/qr_png.h"
#include "protocols/auth/totp.h"
#include "protocols/http/dispatch.h"
#include "protocols/http/session.h"
#include "test/storage/store_fixture.h"

namespace mallard::http {
namespace {

using nlohmann::json;

// A registration made on the loop's thread while it runs, as sessions make them (the requests run there too).
core::Task<storage::notify::Bus::SessionRegistration> register_on_loop(storage::notify::Bus& bus, std::string user,
                                                                      storage::notify::SessionListener& listener) {
    co_return bus.register_session(user, listener);
}

class SecurityRoutes : public storage::test::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        context_ = make_context(Options{}, store(), pool_);
        counters_ = std::make_unique<auth::StoreFailureCounters>(store());
        auth::AuthOptions options;
        options.argon2 = {1, 1024, 1};
        options.limits = {3, 100, std::chrono::seconds(600)};
        options.totp_issuer = "Mallard Test";
        authenticator_ = std::make_unique<auth::Authenticator>(store(), pool_, counters_.get(), options);
        context_->authenticator = authenticator_.get();
        storage::NewUser u;
        u.username = "alice";
        u.password_hash = *auth::hash_password("account", {1, 1024, 1});
        user_ = run(store().create_user(std::move(u)))->id;
    }

    struct Answer {
        int status;
        json body;
        std::string retry_after;
    };
    Answer call(std::string method, std::string target, json body = nullptr, std::string token = {}) {
        Request r;
        r.method = std::move(method);
        r.target = target;
        r.path = target;
        if (!token.empty()) r.headers.emplace_back("x-access-token", token);
        if (!body.is_null()) {
            r.body = body.dump();
            r.headers.emplace_back("content-type", "application/json");
        }
        Response response = run(dispatch(*context_, r, true));
        std::string retry;
        for (const auto& [n, v] : response.headers)
            if (n == "Retry-After") retry = v;
        return {response.status, response.body.empty() ? json() : json::parse(response.body), retry};
    }
    auth::AuthResult login(std::string password) {
        return run(authenticator_->authenticate({"alice", std::move(password), auth::Service::imap, "192.0.2.1", ""}));
    }

    std::shared_ptr<Context> context_;
    std::unique_ptr<auth::StoreFailureCounters> counters_;
    std::unique_ptr<auth::Authenticator> authenticator_;
    std::string user_;
};

// RFC 6238 with HMAC-SHA1, written out here apart from protocols/auth/totp.cpp.
std::string code_at(const std::string& base32, std::int64_t step) {
    std::string key = *auth::base32_decode(base32);
    unsigned char msg[8];
    for (int i = 7; i >= 0; --i, step >>= 8) msg[i] = static_cast<unsigned char>(step & 0xff);
    unsigned char mac[20];
    unsigned int len = 0;
    HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, 8, mac, &len);
    int o = mac[19] & 15;
    unsigned v = ((mac[o] & 0x7fu) << 24 | mac[o + 1] << 16 | mac[o + 2] << 8 | mac[o + 3]) % 1000000u;
    char out[8];
    std::snprintf(out, sizeof out, "%06u", v);
    return out;
}

TEST_F(SecurityRoutes, an_asp_is_shown_once_listed_without_its_password_and_revoked_by_delete) {
    Answer made = call("POST", "/users/" + user_ + "/asps", {{"description", "phone"}, {"scopes", {"imap"}}});
    ASSERT_EQ(made.status, 200) << made.body.dump();
    std::string password = made.body["password"];
    std::string id = made.body["id"];
    EXPECT_EQ(password.size(), 16u);
    Answer listed = call("GET", "/users/" + user_ + "/asps");
    ASSERT_EQ(listed.body["results"].size(), 1u);
    EXPECT_EQ(listed.body["results"][0]["scopes"], json::array({"imap"}));
    EXPECT_FALSE(listed.body.dump().find(password) != std::string::npos);
    EXPECT_EQ(call("GET", "/users/" + user_ + "/asps/" + id).body["description"], "phone");
    EXPECT_EQ(login(password).asp, id);
    // Its sessions hear of the deletion through the bus (storage/notify/session_control.h).
    storage::notify::Bus bus;
    context_->bus = &bus;
    struct Ended final : storage::notify::SessionListener {
        std::vector<storage::notify::SessionEvent> heard;
        void on_session_event(const storage::notify::SessionEvent& event) override { heard.push_back(event); }
    } session;
    auto registration = run(register_on_loop(bus, user_, session));
    EXPECT_EQ(call("DELETE", "/users/" + user_ + "/asps/" + id).status, 200);
    ASSERT_EQ(session.heard.size(), 1u);
    EXPECT_EQ(session.heard[0].asp, id);
    EXPECT_EQ(session.heard[0].reason, storage::notify::asp_revoked_reason);
    registration.reset();
    context_->bus = nullptr;
    EXPECT_EQ(login(password).status, auth::AuthResult::Status::failed);
    EXPECT_EQ(call("GET", "/users/" + user_ + "/asps/" + id).body["code"], "AspNotFound");
}

TEST_F(SecurityRoutes, asp_input_is_validated) {
    EXPECT_EQ(call("POST", "/users/" + user_ + "/asps", {{"scopes", {"imap"}}}).status, 400);
    EXPECT_EQ(call("POST", "/users/" + user_ + "/asps", {{"description", "x"}, {"scopes", {"ftp"}}}).status, 400);
    EXPECT_EQ(call("POST", "/users/" + user_ + "/asps", {{"description", "x"}, {"expires", "yesterday"}}).status, 400);
    EXPECT_EQ(call("POST", "/users/" + user_ + "/asps", {{"description", "x"}, {"expires", "2001-01-01T00:00:00Z"}}).status,
              400);
    Answer later = call("POST", "/users/" + user_ + "/asps", {{"description", "x"}, {"expires", "2199-01-01T00:00:00Z"}});
    EXPECT_EQ(later.status, 200) << later.body.dump();
    EXPECT_EQ(later.body["expires"], "2199-01-01T00:00:00.000Z");
}

TEST_F(SecurityRoutes, totp_setup_enable_check_without_reuse_then_disable) {
    Answer setup = call("POST", "/users/" + user_ + "/2fa/totp/setup", json::object());
    ASSERT_EQ(setup.status, 200) << setup.body.dump();
    std::string seed = setup.body["seed"];
    EXPECT_EQ(setup.body["otpauth"].get<std::string>().rfind("otpauth://totp/Mallard%20Test:", 0), 0u);
    const std::int64_t now = auth::totp_step_now();
    EXPECT_EQ(call("POST", "/users/" + user_ + "/2fa/totp/enable", {{"token", "000000"}}).status, 403);
    EXPECT_EQ(call("POST", "/users/" + user_ + "/2fa/totp/enable", {{"token", code_at(seed, now - 1)}}).status, 200);
    // The step used to enable can't be used again; the next one can, once.
    EXPECT_EQ(call("POST", "/users/" + user_ + "/2fa/totp/check", {{"token", code_at(seed, now - 1)}}).status, 403);
    EXPECT_EQ(call("POST", "/users/" + user_ + "/2fa/totp/check", {{"token", code_at(seed, now)}}).status, 200);
    EXPECT_EQ(call("POST", "/users/" + user_ + "/2fa/totp/check", {{"token", code_at(seed, now)}}).status, 403);
    // With 2FA on, IMAP takes no account password.
    EXPECT_EQ(login("account").status, auth::AuthResult::Status::failed);
    EXPECT_EQ(call("DELETE", "/users/" + user_ + "/2fa/totp").status, 200);
    EXPECT_EQ(login("account").status, auth::AuthResult::Status::ok);
    Answer log = call("GET", "/users/" + user_ + "/authlog");
    ASSERT_EQ(log.status, 200);
    EXPECT_EQ(log.body["results"][0]["action"], "authentication");
    EXPECT_EQ(log.body["results"][1]["action"], "disable 2fa totp");
    std::string event = log.body["results"][1]["id"];
    EXPECT_EQ(call("GET", "/users/" + user_ + "/authlog/" + event).body["action"], "disable 2fa totp");
    EXPECT_EQ(call("GET", "/users/" + user_ + "/authlog/999999").status, 404);
}

TEST_F(SecurityRoutes, failed_totp_checks_are_rate_limited_with_retry_after) {
    Answer setup = call("POST", "/users/" + user_ + "/2fa/totp/setup", json::object());
    std::string seed = setup.body["seed"];
    const std::int64_t now = auth::totp_step_now();
    ASSERT_EQ(call("POST", "/users/" + user_ + "/2fa/totp/enable", {{"token", code_at(seed, now)}}).status, 200);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(call("POST", "/users/" + user_ + "/2fa/totp/check", {{"token", "999999"}}).status, 403);
    Answer limited = call("POST", "/users/" + user_ + "/2fa/totp/check", {{"token", code_at(seed, now + 1)}});
    EXPECT_EQ(limited.status, 429);
    EXPECT_FALSE(limited.retry_after.empty());
}

TEST_F(SecurityRoutes, totp_setup_answers_the_url_as_a_qr_code_png) {
    Answer setup = call("POST", "/users/" + user_ + "/2fa/totp/setup", {{"label", "alice@example.com"}});
    ASSERT_EQ(setup.status, 200) << setup.body.dump();
    if (!auth::qr_available()) {
        EXPECT_FALSE(setup.body.contains("qrcode"));
        GTEST_SKIP() << "built without libqrencode";
    }
    const std::string qrcode = setup.body["qrcode"];
    EXPECT_EQ(qrcode.rfind("data:image/png;base64,iVBORw0KGgo", 0), 0u);  // the PNG signature, base64
    EXPECT_EQ(qrcode, *auth::qr_data_url(setup.body["otpauth"].get<std::string>()));
}

// POST /authenticate of a user with TOTP on: the token reaches nothing but its session and its TOTP check
// until a check made with it passes; each token needs its own check, and a code is never taken twice.
TEST_F(SecurityRoutes, a_password_login_with_totp_on_gets_a_token_that_waits_for_its_check) {
    const std::string u = "/users/" + user_;
    std::string seed = call("POST", u + "/2fa/totp/setup", json::object()).body["seed"];
    const std::int64_t now = auth::totp_step_now();
    ASSERT_EQ(call("POST", u + "/2fa/totp/enable", {{"token", code_at(seed, now - 1)}}).status, 200);

    EXPECT_EQ(call("POST", "/preauth", {{"username", "alice"}}).body["require2fa"], json::array({"totp"}));
    EXPECT_EQ(call("POST", "/authenticate", {{"username", "alice"}, {"password", "account"}, {"scope", "imap"}})
                  .body["code"],
              "AuthFailed");  // mail scopes take only application passwords while 2FA is on
    Answer login = call("POST", "/authenticate", {{"username", "alice"}, {"password", "account"}, {"token", true}});
    ASSERT_EQ(login.status, 200) << login.body.dump();
    EXPECT_EQ(login.body["require2fa"], json::array({"totp"}));
    const std::string token = login.body["token"];

    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", u}, {"GET", "/users/me"}, {"GET", u + "/asps"}, {"DELETE", u + "/2fa/totp"},
             {"DELETE", u + "/2fa"}, {"POST", u + "/2fa/totp/setup"}, {"GET", "/users"}}) {
        Answer refused = call(method, path, json::object(), token);
        EXPECT_EQ(refused.status, 403) << method << " " << path;
        EXPECT_EQ(refused.body["code"], "2FARequired") << method << " " << path;
    }
    Answer who = call("GET", "/authenticated", nullptr, token);
    EXPECT_EQ(who.status, 200);
    EXPECT_EQ(who.body["require2fa"], json::array({"totp"}));
    // The code that enabled TOTP is spent; a fresh one clears the wait.
    EXPECT_EQ(call("POST", "/users/me/2fa/totp/check", {{"token", code_at(seed, now - 1)}}, token).body["code"],
              "InvalidToken");
    EXPECT_EQ(call("GET", "/users/me", nullptr, token).body["code"], "2FARequired");
    EXPECT_EQ(call("POST", "/users/me/2fa/totp/check", {{"token", code_at(seed, now)}}, token).status, 200);
    EXPECT_EQ(call("GET", "/users/me", nullptr, token).status, 200);
    EXPECT_EQ(call("GET", "/authenticated", nullptr, token).body["require2fa"], false);

    // A second login waits for its own check, and the code just used does not pass it.
    const std::string second =
        call("POST", "/authenticate", {{"username", "alice"}, {"password", "account"}, {"token", true}}).body["token"];
    EXPECT_EQ(call("GET", "/users/me", nullptr, second).body["code"], "2FARequired");
    EXPECT_EQ(call("POST", "/users/me/2fa/totp/check", {{"token", code_at(seed, now)}}, second).status, 403);
    EXPECT_EQ(call("POST", "/users/me/2fa/totp/check", {{"token", code_at(seed, now + 1)}}, second).status, 200);
    EXPECT_EQ(call("GET", "/users/me", nullptr, second).status, 200);
    EXPECT_EQ(call("DELETE", "/authenticate", nullptr, second).status, 200);
    EXPECT_EQ(call("GET", "/users/me", nullptr, second).body["code"], "InvalidToken");

    // An application password with scope "*" opens the master scope without a second factor (as WildDuck).
    std::string asp =
        call("POST", u + "/asps", {{"description", "webmail"}, {"scopes", {"*"}}}).body["password"];
    Answer by_asp = call("POST", "/authenticate", {{"username", "alice"}, {"password", asp}, {"token", true}});
    ASSERT_EQ(by_asp.status, 200) << by_asp.body.dump();
    EXPECT_EQ(by_asp.body["require2fa"], false);
    EXPECT_EQ(call("GET", "/users/me", nullptr, by_asp.body["token"].get<std::string>()).status, 200);

    // With 2FA off again a password login needs nothing more.
    EXPECT_EQ(call("DELETE", u + "/2fa").status, 200);
    Answer plain = call("POST", "/authenticate", {{"username", "alice"}, {"password", "account"}, {"token", true}});
    EXPECT_EQ(plain.body["require2fa"], false);
    EXPECT_EQ(call("GET", "/users/me", nullptr, plain.body["token"].get<std::string>()).status, 200);
}

TEST_F(SecurityRoutes, failed_password_logins_to_the_api_are_rate_limited) {
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(call("POST", "/authenticate", {{"username", "alice"}, {"password", "wrong"}}).status, 403);
    Answer limited = call("POST", "/authenticate", {{"username", "alice"}, {"password", "account"}});
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(limited.body["code"], "RateLimitedError");
    EXPECT_FALSE(limited.retry_after.empty());
}

}  // namespace
}  // namespace mallard::http
