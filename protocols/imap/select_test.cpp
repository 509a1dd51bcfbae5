// SELECT, EXAMINE, CLOSE, UNSELECT and CHECK as a client sees them, over a socket pair with a SqliteStore
// (RFC 3501 §6.3.1, §6.3.2, §6.4.1, §6.4.2; RFC 3691): the untagged responses, READ-WRITE/READ-ONLY, a failed
// SELECT leaving nothing selected, CLOSE expunging silently, and the selected-state commands' state checks.
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

namespace mallard::imap {
namespace {

using namespace std::chrono_literals;
using core::Task;
using core::net::Connection;
using core::net::test::soon;

using Lines = std::vector<std::string>;

Task<void> run_server(std::unique_ptr<Connection> conn, std::shared_ptr<const Context> context, bool* done) {
    co_await serve(std::move(conn), std::move(context));
    *done = true;
}

// Logs in as `user` (tag t0), sends each command with tags t1, t2, …, and returns every line after the login.
Task<Lines> transcript(std::shared_ptr<const Context> context, std::string user, std::vector<std::string> commands) {
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
Lines response(const Lines& all, const std::string& tag) {
    Lines out;
    for (const auto& line : all) {
        out.push_back(line);
        if (line.rfind(tag + " ", 0) == 0) return out;
        if (line.rfind("t", 0) == 0 && line.find(' ') != std::string::npos) out.clear();  // another tag
    }
    return {"<no response for " + tag + ">"};
}

class ImapSelect : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char pattern[] = "/tmp/mallard-imap-select-XXXXXX";
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

    Lines script(std::vector<std::string> commands) {
        Options options;
        options.hostname = "imap.test";
        options.auth_failure_delay = 10ms;
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
    static std::string dir_, hash_;
    static core::ThreadPool* pool_;
    static storage::sqlite::SqliteStore* store_;
};
std::string ImapSelect::dir_;
std::string ImapSelect::hash_;
core::ThreadPool* ImapSelect::pool_ = nullptr;
storage::sqlite::SqliteStore* ImapSelect::store_ = nullptr;

Lines with(Lines lines, std::string last) {
    lines.push_back(std::move(last));
    return lines;
}

// The untagged lines every SELECT of an empty INBOX gives, from FLAGS to HIGHESTMODSEQ.
Lines empty_inbox(const storage::Mailbox& box, const std::string& permanent) {
    return {"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "* OK [PERMANENTFLAGS (" + permanent + ")] " +
                (permanent.empty() ? "No permanent flags permitted" : "Flags permitted"),
            "* 0 EXISTS",
            "* 0 RECENT",
            "* OK [UIDVALIDITY " + std::to_string(box.uidvalidity) + "] UIDs valid",
            "* OK [UIDNEXT 1] Predicted next UID",
            "* OK [HIGHESTMODSEQ " + std::to_string(std::max<storage::ModSeq>(box.highest_modseq, 1)) + "] Highest"};
}

const std::string all_permanent = "\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*";

TEST_F(ImapSelect, select_empty_inbox) {
    auto box = mailbox("INBOX");
    auto all = script({"SELECT INBOX", "NOOP"});
    EXPECT_EQ(response(all, "t1"), with(empty_inbox(box, all_permanent), "t1 OK [READ-WRITE] SELECT completed"));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK NOOP completed"}));
}

TEST_F(ImapSelect, select_lists_flags_counts_and_first_unseen) {
    append("INBOX", "Subject: a\r\n\r\none\r\n", {"\\Seen"});
    append("INBOX", "Subject: b\r\n\r\ntwo\r\n", {"$Forwarded", "\\Seen"});
    append("INBOX", "Subject: c\r\n\r\nthree\r\n", {"\\Flagged"});
    auto box = mailbox("INBOX");
    auto all = script({"select inbox"});
    EXPECT_EQ(response(all, "t1"),
              (Lines{"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)",
                     "* OK [PERMANENTFLAGS (" + all_permanent + ")] Flags permitted",
                     "* 3 EXISTS",
                     "* 0 RECENT",
                     "* OK [UNSEEN 3] First unseen",
                     "* OK [UIDVALIDITY " + std::to_string(box.uidvalidity) + "] UIDs valid",
                     "* OK [UIDNEXT 4] Predicted next UID",
                     "* OK [HIGHESTMODSEQ " + std::to_string(box.highest_modseq) + "] Highest",
                     "t1 OK [READ-WRITE] SELECT completed"}));
    EXPECT_GE(box.highest_modseq, 3u);
}

TEST_F(ImapSelect, examine_is_read_only) {
    auto box = mailbox("Sent");
    auto all = script({"EXAMINE Sent"});
    auto expected = empty_inbox(box, "");
    EXPECT_EQ(response(all, "t1"), with(expected, "t1 OK [READ-ONLY] EXAMINE completed"));
}

TEST_F(ImapSelect, select_nonexistent_leaves_nothing_selected) {
    auto all = script({"SELECT INBOX", "SELECT Nope", "CHECK", "SELECT \"&Jjo-\"", "CLOSE"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [NONEXISTENT] no such mailbox: Nope"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD CHECK requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t4").back().rfind("t4 NO [NONEXISTENT] ", 0), 0u);
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 BAD CLOSE requires a selected mailbox"}));
}

TEST_F(ImapSelect, reselect_replaces_the_view) {
    append("Drafts", "Subject: d\r\n\r\ndraft\r\n", {"\\Draft"});
    auto all = script({"SELECT INBOX", "EXAMINE Drafts", "CHECK", "SELECT Drafts"});
    auto t2 = response(all, "t2");
    EXPECT_EQ(t2.back(), "t2 OK [READ-ONLY] EXAMINE completed");
    EXPECT_NE(std::find(t2.begin(), t2.end(), "* 1 EXISTS"), t2.end());
    EXPECT_NE(std::find(t2.begin(), t2.end(), "* OK [UNSEEN 1] First unseen"), t2.end());
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 OK CHECK completed"}));
    EXPECT_EQ(response(all, "t4").back(), "t4 OK [READ-WRITE] SELECT completed");
}

TEST_F(ImapSelect, close_expunges_deleted_messages_silently) {
    append("INBOX", "Subject: keep\r\n\r\nkeep\r\n", {});
    append("INBOX", "Subject: gone\r\n\r\ngone\r\n", {"\\Deleted"});
    auto all = script({"SELECT INBOX", "CLOSE", "CHECK", "STATUS INBOX (MESSAGES)"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK CLOSE completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD CHECK requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"* STATUS \"INBOX\" (MESSAGES 1)", "t4 OK STATUS completed"}));
}

TEST_F(ImapSelect, close_after_examine_and_unselect_keep_deleted_messages) {
    append("INBOX", "Subject: gone\r\n\r\ngone\r\n", {"\\Deleted"});
    auto all = script({"EXAMINE INBOX", "CLOSE", "SELECT INBOX", "UNSELECT", "UNSELECT", "STATUS INBOX (MESSAGES)"});
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK CLOSE completed"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 OK UNSELECT completed"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 BAD UNSELECT requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t6"), (Lines{"* STATUS \"INBOX\" (MESSAGES 1)", "t6 OK STATUS completed"}));
}

TEST_F(ImapSelect, selected_state_commands_need_a_mailbox_and_enable_needs_none) {
    auto all = script({"CHECK", "CLOSE", "UNSELECT", "SELECT INBOX", "ENABLE UTF8=ACCEPT", "CAPABILITY"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 BAD CHECK requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 BAD CLOSE requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 BAD UNSELECT requires a selected mailbox"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 BAD ENABLE not valid in this state"}));
    auto t6 = response(all, "t6");
    ASSERT_EQ(t6.size(), 2u);
    EXPECT_NE(t6[0].find(" UNSELECT"), std::string::npos) << t6[0];
}

}  // namespace
}  // namespace mallard::imap
