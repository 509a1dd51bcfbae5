// Session control on the bus (session_control.h): an event reaches the sessions of its user on the
// publisher's loop at once and on other loops through a post, not other users' sessions, goes to the remote
// unless it came from there, and a reset or moved registration is counted once and cleans up its user.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/reactor.h"
#include "storage/notify/bus.h"
#include "storage/notify/session_control.h"

namespace mallard::storage::notify {
namespace {

struct Ended final : SessionListener {
    std::vector<SessionEvent> heard;
    void on_session_event(const SessionEvent& event) override { heard.push_back(event); }
};

struct RecordingRemote final : Remote {
    std::vector<SessionEvent> sent;
    void publish(const MailboxChange&) override {}
    void publish(const SessionEvent& event) override { sent.push_back(event); }
};

TEST(SessionControl, EventReachesOnlyTheUsersSessions) {
    core::Reactor loop;
    Bus bus;
    Ended ann1, ann2, bob;
    auto r1 = bus.register_session("ann", ann1);
    auto r2 = bus.register_session("ann", ann2);
    auto r3 = bus.register_session("bob", bob);
    EXPECT_EQ(bus.sessions_here("ann"), 2u);
    bus.end_sessions(SessionEvent{"ann", "", "maintenance"});
    ASSERT_EQ(ann1.heard.size(), 1u);
    EXPECT_EQ(ann1.heard[0].reason, "maintenance");
    EXPECT_EQ(ann2.heard.size(), 1u);
    EXPECT_TRUE(bob.heard.empty());
    r1.reset();
    EXPECT_EQ(bus.sessions_here("ann"), 1u);
    r2.reset();
    EXPECT_EQ(bus.sessions_here("ann"), 0u);
    bus.end_sessions(SessionEvent{"ann", "", "again"});
    EXPECT_EQ(ann1.heard.size(), 1u);
    EXPECT_EQ(bus.sessions_here("bob"), 1u);
}

TEST(SessionControl, MovedRegistrationStaysOnceAndCleansUp) {
    core::Reactor loop;
    Bus bus;
    Ended a;
    Bus::SessionRegistration kept;
    {
        auto r = bus.register_session("ann", a);
        kept = std::move(r);
        EXPECT_FALSE(r.active());  // NOLINT(bugprone-use-after-move): moved-from is inactive by contract
    }
    EXPECT_TRUE(kept.active());
    EXPECT_EQ(bus.sessions_here("ann"), 1u);
    // Many users come and go: the registry keeps no entry for a user without sessions.
    for (int i = 0; i < 100; ++i) {
        Ended other;
        auto r = bus.register_session("user" + std::to_string(i), other);
    }
    EXPECT_EQ(bus.sessions_here("user7"), 0u);
    bus.end_sessions(SessionEvent{"ann", "", ""});
    EXPECT_EQ(a.heard.size(), 1u);
    kept.reset();
    EXPECT_EQ(bus.sessions_here("ann"), 0u);
}

TEST(SessionControl, RemoteHearsPublishedEventsNotLocalOnes) {
    core::Reactor loop;
    Bus bus;
    RecordingRemote remote;
    Ended a;
    auto r = bus.register_session("ann", a);
    bus.set_remote(&remote);
    bus.end_sessions(SessionEvent{"ann", "7", "Application password revoked"});
    bus.end_sessions_local(SessionEvent{"ann", "", "from another instance"});  // not sent back
    bus.set_remote(nullptr);
    ASSERT_EQ(remote.sent.size(), 1u);
    EXPECT_EQ(remote.sent[0].user, "ann");
    EXPECT_EQ(remote.sent[0].asp, "7");
    EXPECT_EQ(a.heard.size(), 2u);
}

TEST(SessionControl, OtherLoopsHearThroughAPost) {
    Bus bus;
    std::atomic<int> heard{0};
    std::atomic<bool> ready{false};
    struct Counter final : SessionListener {
        std::atomic<int>* n;
        explicit Counter(std::atomic<int>* counter) : n(counter) {}
        void on_session_event(const SessionEvent&) override { ++*n; }
    };
    core::Reactor* other_loop = nullptr;
    std::thread other([&] {
        core::Reactor loop;
        other_loop = &loop;
        Counter counter(&heard);
        auto r = bus.register_session("ann", counter);
        ready = true;
        loop.run();
    });
    while (!ready) std::this_thread::yield();
    core::Reactor here;
    bus.end_sessions(SessionEvent{"ann", "", "bye"});
    for (int i = 0; i < 2000 && heard.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_EQ(heard.load(), 1);
    other_loop->post([&] { other_loop->stop(); });
    other.join();
}

TEST(SessionControl, ReasonIsOneShortPrintableLine) {
    EXPECT_EQ(printable_reason("Down for\r\n maintenance\t!"), "Down for   maintenance !");
    EXPECT_EQ(printable_reason("abcdef", 4), "abcd");
    // "é" is two bytes: a cut inside it backs up to the character's start.
    EXPECT_EQ(printable_reason("ab\xC3\xA9", 3), "ab");
    EXPECT_EQ(printable_reason(""), "");
}

}  // namespace
}  // namespace mallard::storage::notify
