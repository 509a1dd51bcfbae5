// IDLE (RFC 2177) as a client sees it: DONE ends it with the tagged OK, anything else is BAD, a change made
// while idling is pushed (found by the journal poll: these sessions have no bus), autologout ends a forgotten
// IDLE, and the session goes on normally afterwards. Session::run does IDLE's waiting (commands/idle.cpp), so
// these also cover the hand-over from the dispatcher and back.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "protocols/imap/session_test_support.h"

namespace mallard::imap::test {
namespace {

class ImapIdle : public SessionFixture {};

TEST_F(ImapIdle, done_ends_idle_and_the_session_goes_on) {
    auto lines = script({"SELECT INBOX", "IDLE\r\nDONE", "NOOP"});
    EXPECT_EQ(response(lines, "t2"), (Lines{"+ idling", "t2 OK IDLE terminated"}));
    EXPECT_EQ(response(lines, "t3"), (Lines{"t3 OK NOOP completed"}));
}

TEST_F(ImapIdle, done_is_case_insensitive_and_idle_works_without_a_selected_mailbox) {
    auto lines = script({"IDLE\r\ndone", "IDLE\r\nDone  "});
    EXPECT_EQ(response(lines, "t1"), (Lines{"+ idling", "t1 OK IDLE terminated"}));
    EXPECT_EQ(response(lines, "t2"), (Lines{"+ idling", "t2 OK IDLE terminated"}));
}

TEST_F(ImapIdle, another_line_than_done_is_bad) {
    auto lines = script({"IDLE\r\nt9 NOOP", "NOOP"});
    EXPECT_EQ(response(lines, "t1"), (Lines{"+ idling", "t1 BAD Expected DONE to end IDLE"}));
    EXPECT_EQ(response(lines, "t2"), (Lines{"t2 OK NOOP completed"}));
}

// Logs in, selects INBOX, idles; `during` runs once "+ idling" is read; returns every line from there on,
// then DONE's response.
Task<Lines> idle_session(std::shared_ptr<const Context> context, std::string user, std::function<void()> during) {
    auto pair = core::net::test::unix_pair();
    auto client = std::move(pair.first);
    bool done = false;
    core::spawn(run_server(std::move(pair.second), std::move(context), &done));
    client->queue("a LOGIN " + user + " secret\r\nb SELECT INBOX\r\nc IDLE\r\n");
    auto sent = co_await client->flush(soon());
    EXPECT_TRUE(sent);
    Lines all;
    for (;;) {
        auto got = co_await client->read_line(1 << 20, soon());
        if (!got) co_return Lines{"<" + std::string(core::errc_name(got.error().code)) + ">"};
        if (*got == "+ idling") break;
    }
    during();
    for (;;) {  // the push, or the end of the session
        auto got = co_await client->read_line(1 << 20, soon());
        all.push_back(got ? *got : "<" + std::string(core::errc_name(got.error().code)) + ">");
        if (!got || got->find("EXISTS") != std::string::npos) break;
    }
    if (client->is_open() && all.back().front() != '<') {
        client->queue("DONE\r\n");
        auto ended = co_await client->flush(soon());
        EXPECT_TRUE(ended);
        for (;;) {
            auto got = co_await client->read_line(1 << 20, soon());
            all.push_back(got ? *got : "<" + std::string(core::errc_name(got.error().code)) + ">");
            if (!got || got->rfind("c ", 0) == 0) break;
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

TEST_F(ImapIdle, a_change_made_while_idling_is_pushed) {
    Options options = test_options();
    options.poll_interval = 20ms;  // no bus here: the journal poll finds the new message
    auto context = std::make_shared<const Context>(Context{options, *store_, *pool_, nullptr});
    auto lines = run(idle_session(context, user_, [this] {
        // Its own thread: the fixture's append runs a reactor of its own.
        std::thread([this] { append("INBOX", "Subject: hi\r\n\r\nbody\r\n", {}); }).join();
    }));
    EXPECT_EQ(lines, (Lines{"* 1 EXISTS", "c OK IDLE terminated"}));
}

TEST_F(ImapIdle, autologout_ends_a_forgotten_idle) {
    Options options = test_options();
    options.autologout = 100ms;
    auto context = std::make_shared<const Context>(Context{options, *store_, *pool_, nullptr});
    auto lines = run(idle_session(context, user_, [] {}));
    EXPECT_EQ(lines, (Lines{"* BYE Autologout; idle for too long", "<connection closed>"}));
}

}  // namespace
}  // namespace mallard::imap::test
