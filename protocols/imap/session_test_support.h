// What the IMAP session tests share: a session driven over a socket pair on one reactor, with a SqliteStore in
// a temporary directory and users whose password is "secret" (cheap argon2 parameters: tests only).
#pragma once

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
#include "protocols/auth/password.h"
#include "protocols/imap/session.h"
#include "storage/sqlite/sqlite_store.h"

namespace mallard::imap::test {


using namespace std::chrono_literals;
using core::Task;
using core::net::Connection;
using core::net::test::soon;

using Lines = std::vector<std::string>;

inline Task<void> run_server(std::unique_ptr<Connection> conn, std::shared_ptr<const Context> context, bool* done) {
    co_await serve(std::move(conn), std::move(context));
    *done = true;
}

// Logs in as `user` (tag t0), sends each command with tags t1, t2, …, and returns every line after the login.
inline Task<Lines> transcript(std::shared_ptr<const Context> context, std::string user, std::vector<std::string> commands) {
    auto pair = core::net::test::unix_pair();
    auto client = std::move(pair.first);
    bool done = false;
    core::spawn(run_server(std::move(pair.second), std::move(context), &done));
    commands.insert(commands.begin(), "LOGIN " + user + " secret");
    Lines all;
    for (std::size_t i = 0; i <= commands.size(); ++i) {
        const std::string tag = i == 0 ? "" : "t" + std::to_string(i - 1);  // the LOGIN is t0
        if (i > 0) {
            client->queue(tag + " " + commands[i - 1] + "\r\n");
            auto sent = co_await client->flush(soon());
            EXPECT_TRUE(sent);
        }
        for (;;) {  // i == 0: the greeting only
            auto got = co_await client->read_line(1 << 20, soon());
            std::string line = got ? std::move(*got) : "<" + std::string(core::errc_name(got.error().code)) + ">";
            if (i > 1) all.push_back(line);
            if (i == 0 || line.rfind(tag + " ", 0) == 0 || line.front() == '<') break;
        }
    }
    client->close();
    for (int i = 0; i < 1000 && !done; ++i) {
        auto pause = core::sleep_for(5ms);
        co_await pause;
    }
    EXPECT_TRUE(done);
    co_return all;
}

// The lines of one command's response: its untagged lines and its tagged line.
inline Lines response(const Lines& all, const std::string& tag) {
    Lines out;
    for (const auto& line : all) {
        out.push_back(line);
        if (line.rfind(tag + " ", 0) == 0) return out;
        if (line.rfind("t", 0) == 0 && line.find(' ') != std::string::npos) out.clear();  // another tag
    }
    return {"<no response for " + tag + ">"};
}

// A store in a temporary directory shared by a test suite, a fresh user per test (named for the test, password
// "secret"), and script(): a whole session over a socket pair, returned as lines.
class SessionFixture : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char pattern[] = "/tmp/mallard-imap-session-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
        pool_ = new core::ThreadPool(2);
        storage::sqlite::SqliteOptions options;
        options.data_dir = dir_ + "/data";
        auto opened = storage::sqlite::SqliteStore::open(options, *pool_);
        ASSERT_TRUE(opened) << opened.error().to_string();
        store_ = opened->release();
        auth::Argon2Params cheap{1, 64, 1};  // tests only
        auto hash = auth::hash_password("secret", cheap);
        ASSERT_TRUE(hash);
        hash_ = *hash;
    }
    static void TearDownTestSuite() {
        delete store_;
        delete pool_;
        std::filesystem::remove_all(dir_);
    }

    // A fresh user per test, named for it, with the default mailboxes.
    void SetUp() override {
        user_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        user_.erase(std::remove(user_.begin(), user_.end(), '_'), user_.end());
        storage::NewUser user{user_, hash_, "", 0};
        auto created = run(store_->create_user(std::move(user)));
        ASSERT_TRUE(created) << created.error().to_string();
        user_id_ = created->id;
    }

    // The options script() uses unless given others.
    static Options test_options() {
        Options options;
        options.hostname = "imap.test";
        options.auth_failure_delay = 10ms;
        return options;
    }

    Lines script(std::vector<std::string> commands, Options options = test_options()) {
        auto context = std::make_shared<const Context>(Context{std::move(options), *store_, *pool_, nullptr});
        return run(transcript(std::move(context), user_, std::move(commands)));
    }

    storage::Mailbox mailbox(const std::string& name) {
        auto box = run(store_->find_mailbox(user_id_, name));
        EXPECT_TRUE(box);
        return box ? *box : storage::Mailbox{};
    }

    void append(const std::string& name, std::string raw, storage::Flags flags) {
        storage::AppendRequest request;
        request.raw = std::move(raw);
        request.flags = std::move(flags);
        auto appended = run(store_->append(mailbox(name).id, std::move(request)));
        ASSERT_TRUE(appended) << appended.error().to_string();
    }

    template <class T>
    static T run(Task<T> task) {
        core::Reactor loop;
        return loop.block_on(std::move(task));
    }

    std::string user_;
    storage::UserId user_id_;
    inline static std::string dir_, hash_;
    inline static core::ThreadPool* pool_ = nullptr;
    inline static storage::sqlite::SqliteStore* store_ = nullptr;
};

}  // namespace mallard::imap::test
