// Connection limits as a POP3 client sees them: over the per-address limit the greeting is -ERR [SYS/TEMP]
// and the connection closes; over the per-user limit PASS and AUTH answer -ERR [IN-USE] (RFC 2449 §8.1.2)
// and the session stays in AUTHORIZATION; a session that ends in any way gives its places back.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/net/test_support.h"
#include "core/reactor.h"
#include "core/thread_pool.h"
#include "protocols/auth/connection_limits.h"
#include "protocols/auth/password.h"
#include "protocols/pop3/session.h"
#include "storage/mime/base64.h"
#include "storage/sqlite/sqlite_store.h"

namespace mallard::pop3 {
namespace {

using namespace std::chrono_literals;
using auth::InProcessConnectionLimits;
using auth::LimitScope;
using core::Task;
using core::net::Connection;
using core::net::test::soon;
using Lines = std::vector<std::string>;

// A client with its own session on the test's reactor.
struct Client {
    std::unique_ptr<Connection> conn;
    std::unique_ptr<bool> done = std::make_unique<bool>(false);  // set when the session has ended
};

Task<void> run_server(std::unique_ptr<Connection> conn, std::shared_ptr<const Context> context, bool* done) {
    co_await serve(std::move(conn), std::move(context));
    *done = true;
}

Task<std::string> read_line(Connection& conn) {
    auto got = co_await conn.read_line(1 << 20, soon());
    co_return got ? std::move(*got) : "<" + std::string(core::errc_name(got.error().code)) + ">";
}

// Connects a new session and returns the client with its greeting line.
Task<std::pair<Client, std::string>> connect(std::shared_ptr<const Context> context) {
    auto pair = core::net::test::unix_pair();
    Client client;
    client.conn = std::move(pair.first);
    core::spawn(run_server(std::move(pair.second), std::move(context), client.done.get()));
    auto greeting = co_await read_line(*client.conn);
    co_return std::pair<Client, std::string>(std::move(client), std::move(greeting));
}

// Sends one command line and returns the first line of the response.
Task<std::string> command(Client& client, std::string line) {
    client.conn->queue(line + "\r\n");
    auto sent = co_await client.conn->flush(soon());
    EXPECT_TRUE(sent);
    auto reply = co_await read_line(*client.conn);
    co_return reply;
}

Task<void> hang_up(Client& client) {
    client.conn->close();
    for (int i = 0; i < 1000 && !*client.done; ++i) {
        auto pause = core::sleep_for(5ms);
        co_await pause;
    }
    EXPECT_TRUE(*client.done);
}

Task<Lines> over_the_address_limit(std::shared_ptr<const Context> context) {
    Lines out;
    auto first = co_await connect(context);
    out.push_back(first.second);
    auto second = co_await connect(context);
    out.push_back(second.second);
    auto after = co_await read_line(*second.first.conn);
    out.push_back(after);
    co_await hang_up(second.first);
    co_await hang_up(first.first);
    auto third = co_await connect(context);
    out.push_back(third.second);
    co_await hang_up(third.first);
    co_return out;
}

Task<Lines> over_the_user_limit(std::shared_ptr<const Context> context, std::string user, std::string plain) {
    Lines out;
    auto first = co_await connect(context);
    auto user1 = co_await command(first.first, "USER " + user);
    (void)user1;
    auto ok = co_await command(first.first, "PASS secret");
    out.push_back(ok);
    auto second = co_await connect(context);
    auto user2 = co_await command(second.first, "USER " + user);
    (void)user2;
    auto refused = co_await command(second.first, "PASS secret");
    out.push_back(refused);
    auto refused_sasl = co_await command(second.first, "AUTH PLAIN " + plain);
    out.push_back(refused_sasl);
    auto still_out = co_await command(second.first, "STAT");
    out.push_back(still_out);
    co_await hang_up(first.first);  // the peer leaves without QUIT: its place comes back
    auto now_ok = co_await command(second.first, "AUTH PLAIN " + plain);
    out.push_back(now_ok);
    auto bye = co_await command(second.first, "QUIT");
    out.push_back(bye);
    co_await hang_up(second.first);
    co_return out;
}

class Pop3ConnectionLimits : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char pattern[] = "/tmp/mallard-pop3-limits-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
        pool_ = new core::ThreadPool(2);
        storage::sqlite::SqliteOptions options;
        options.data_dir = dir_ + "/data";
        auto opened = storage::sqlite::SqliteStore::open(options, *pool_);
        ASSERT_TRUE(opened) << opened.error().to_string();
        store_ = opened->release();
    }
    static void TearDownTestSuite() {
        delete store_;
        delete pool_;
        std::filesystem::remove_all(dir_);
    }

    // A fresh user per test, named for it, password "secret" (cheap argon2 parameters: tests only).
    void SetUp() override {
        user_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        user_.erase(std::remove(user_.begin(), user_.end(), '_'), user_.end());
        auto hash = auth::hash_password("secret", {1, 64, 1});
        ASSERT_TRUE(hash);
        auto created = run(store_->create_user(storage::NewUser{user_, *hash, "", 0}));
        ASSERT_TRUE(created) << created.error().to_string();
        user_id_ = created->id;
    }

    std::shared_ptr<const Context> context(auth::ConnectionLimits& limits) {
        Options options;
        options.hostname = "pop3.test";
        options.auth_failure_delay = 10ms;
        Context context{std::move(options), *store_, *pool_, nullptr};
        context.connection_limits = &limits;
        return std::make_shared<const Context>(std::move(context));
    }

    std::string sasl_plain() const {
        std::string message(1, '\0');
        message.append(user_).append(1, '\0').append("secret");
        return storage::mime::encode_base64(message, {.line_length = 0, .crlf = true, .trailing_newline = false});
    }

    template <class T>
    static T run(Task<T> task) {
        core::Reactor loop;
        return loop.block_on(std::move(task));
    }

    std::string user_;
    storage::UserId user_id_;
    inline static std::string dir_;
    inline static core::ThreadPool* pool_ = nullptr;
    inline static storage::sqlite::SqliteStore* store_ = nullptr;
};

TEST_F(Pop3ConnectionLimits, over_the_address_limit_the_greeting_is_err_sys_temp_and_the_connection_closes) {
    InProcessConnectionLimits limits({.per_address = 1, .per_user = 0});
    auto lines = run(over_the_address_limit(context(limits)));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], "+OK pop3.test Mallard POP3 ready");
    EXPECT_EQ(lines[1], "-ERR [SYS/TEMP] Too many connections from your address");
    EXPECT_EQ(lines[2], "<" + std::string(core::errc_name(core::Errc::closed)) + ">");
    EXPECT_EQ(lines[3], "+OK pop3.test Mallard POP3 ready");
    EXPECT_EQ(limits.count(LimitScope::address, auth::address_key(core::net::PeerAddress().ip())), 0u);
}

TEST_F(Pop3ConnectionLimits, over_the_user_limit_pass_and_auth_answer_err_in_use) {
    InProcessConnectionLimits limits({.per_address = 0, .per_user = 1});
    auto lines = run(over_the_user_limit(context(limits), user_, sasl_plain()));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[0].rfind("+OK maildrop has 0 messages", 0), 0u) << lines[0];
    EXPECT_EQ(lines[1], "-ERR [IN-USE] Too many simultaneous connections for this user");
    EXPECT_EQ(lines[2], "-ERR [IN-USE] Too many simultaneous connections for this user");
    EXPECT_EQ(lines[3].rfind("-ERR", 0), 0u) << lines[3];  // STAT: still in AUTHORIZATION
    EXPECT_EQ(lines[4].rfind("+OK maildrop has 0 messages", 0), 0u) << lines[4];
    EXPECT_EQ(lines[5].rfind("+OK", 0), 0u) << lines[5];
    EXPECT_EQ(limits.count(LimitScope::user, user_id_), 0u);
}

TEST_F(Pop3ConnectionLimits, without_limits_configured_nothing_is_counted) {
    InProcessConnectionLimits limits({});
    auto lines = run(over_the_user_limit(context(limits), user_, sasl_plain()));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[1].rfind("+OK maildrop", 0), 0u) << lines[1];
}

}  // namespace
}  // namespace mallard::pop3
