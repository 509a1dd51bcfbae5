// The Redis bus: the message format and the backoff (pure), then a RedisBus on a running loop — against a
// port where nothing listens (it must not block, must keep retrying and must tell watchers to poll), and,
// when redis-server is installed, two buses on one server as two processes would use them.
#include "storage/notify/redis_bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "storage/notify/backoff.h"
#include "storage/notify/redis_payload.h"
#include "storage/redis/test_redis_server.h"

namespace mallard::storage::notify {
namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using redis::test::RedisServer;
using redis::test::free_port;
using redis::test::have_redis_server;

TEST(RedisPayload, ChangeRoundTripsWithSpacesInTheMailboxId) {
    std::string text = encode_change("0123456789abcdef", MailboxChange{"42 odd id", 9001});
    EXPECT_EQ(text, "1 0123456789abcdef c 9001 42 odd id");
    auto m = decode_remote_message(text);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, RemoteMessage::Kind::change);
    EXPECT_EQ(m->instance, "0123456789abcdef");
    EXPECT_EQ(m->change.mailbox, "42 odd id");
    EXPECT_EQ(m->change.modseq, 9001u);
}

TEST(RedisPayload, ResyncRoundTrips) {
    EXPECT_EQ(encode_resync("abc"), "1 abc r");
    auto m = decode_remote_message("1 abc r");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, RemoteMessage::Kind::resync);
    EXPECT_EQ(m->instance, "abc");
}

TEST(RedisPayload, MalformedOrOtherVersionsAreNotUnderstood) {
    for (const char* bad : {"", "1", "1 ", "2 abc r", "1 abc", "1 abc r extra", "1 abc x 1 box", "1 abc c",
                            "1 abc c 12", "1 abc c 12 ", "1 abc c -1 box", "1 abc c 1x box",
                            "1 abc c 99999999999999999999 box", "1  c 1 box"}) {
        EXPECT_FALSE(decode_remote_message(bad)) << '"' << bad << '"';
    }
}

TEST(RedisPayload, SessionEventRoundTripsWithAndWithoutAnAsp) {
    std::string all = encode_session("abc", SessionEvent{"12", "", "Down for maintenance, back at 10"});
    EXPECT_EQ(all, "1 abc s 12 - Down for maintenance, back at 10");
    auto m = decode_remote_message(all);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, RemoteMessage::Kind::session);
    EXPECT_EQ(m->instance, "abc");
    EXPECT_EQ(m->session.user, "12");
    EXPECT_TRUE(m->session.asp.empty());
    EXPECT_EQ(m->session.reason, "Down for maintenance, back at 10");
    auto one = decode_remote_message(encode_session("abc", SessionEvent{"12", "7", ""}));
    ASSERT_TRUE(one);
    EXPECT_EQ(one->session.asp, "7");
    EXPECT_EQ(one->session.reason, "");
    for (const char* bad : {"1 abc s", "1 abc s 12", "1 abc s  - x"}) {
        EXPECT_FALSE(decode_remote_message(bad)) << '"' << bad << '"';
    }
}

TEST(RedisPayload, InstanceIdsAreSixteenHexDigitsAndDiffer) {
    std::string a = new_instance_id(), b = new_instance_id();
    EXPECT_EQ(a.size(), 16u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(a, b);
}

TEST(Backoff, DoublesUpToTheCapAndStartsOverAfterASuccess) {
    Backoff b(ms(100), ms(5000));
    std::vector<long> got;
    for (int i = 0; i < 9; ++i) got.push_back(static_cast<long>(b.next().count()));
    EXPECT_EQ(got, (std::vector<long>{100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000}));
    EXPECT_EQ(b.failures(), 9u);
    b.reset();
    EXPECT_EQ(b.failures(), 0u);
    EXPECT_EQ(b.next(), ms(100));
}

TEST(Backoff, AnInitialAboveTheCapIsTheCap) {
    Backoff b(ms(0), ms(0));  // clamped to 1 ms: never a busy loop
    EXPECT_EQ(b.next(), ms(1));
    EXPECT_EQ(b.next(), ms(1));
}

TEST(Backoff, JitterTakesOffAtMostAQuarter) {
    EXPECT_EQ(Backoff::jittered(ms(4000), 0.0), ms(4000));
    EXPECT_EQ(Backoff::jittered(ms(4000), 0.5), ms(3500));
    EXPECT_GE(Backoff::jittered(ms(4000), 0.999999), ms(3000));
    EXPECT_EQ(Backoff::jittered(ms(4000), 7.0), ms(3000));  // out of range: clamped
}

TEST(RedisBus, HostMustBeAnAddress) {
    EXPECT_TRUE(RedisBus::is_ip_address("127.0.0.1"));
    EXPECT_TRUE(RedisBus::is_ip_address("::1"));
    EXPECT_FALSE(RedisBus::is_ip_address("localhost"));
    EXPECT_FALSE(RedisBus::is_ip_address(""));
}

// A loop on its own thread, as the server's loops run.
class LoopThread {
public:
    LoopThread() : thread_([this] {
        core::Reactor loop;
        loop_ = &loop;
        running_ = true;
        loop.run();
    }) {
        while (!running_) std::this_thread::yield();
    }
    ~LoopThread() {
        loop_->stop();
        thread_.join();
    }
    core::Reactor& loop() { return *loop_; }
    // Runs fn on the loop and waits for it.
    void run(const std::function<void()>& fn) {
        std::atomic<bool> done{false};
        loop_->post([&] {
            fn();
            done = true;
        });
        while (!done) std::this_thread::sleep_for(1ms);
    }

private:
    std::atomic<bool> running_{false};
    core::Reactor* loop_ = nullptr;
    std::thread thread_;
};

struct Counter final : Watcher {
    std::atomic<int> heard{0};
    std::atomic<ModSeq> last{0};
    void on_mailbox_change(const MailboxChange& change) override {
        last = change.modseq;
        ++heard;
    }
};

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

RedisBusOptions fast_options(std::uint16_t port) {
    RedisBusOptions o;
    o.port = port;
    o.channel = "mallard-test:" + new_instance_id();
    o.reconnect_initial = 10ms;
    o.reconnect_max = 50ms;
    o.connect_timeout = 500ms;
    o.outage_poll = 30ms;
    return o;
}

TEST(RedisBus, WithoutAServerItRetriesAndWatchersPoll) {
    Bus bus;
    LoopThread loop;
    Counter counter;
    Bus::Watch watch;
    loop.run([&] { watch = bus.watch("box", counter); });
    RedisBus redis(bus, loop.loop(), fast_options(free_port()));
    redis.start();
    // Publishing while down neither blocks nor throws; the loop keeps serving posts.
    bus.publish(MailboxChange{"box", 5});
    EXPECT_TRUE(wait_until([&] { return counter.heard >= 4; }));  // one local delivery, then outage polls
    EXPECT_FALSE(redis.subscribed());
    redis.stop();
    loop.run([&] { watch.reset(); });
}


TEST(RedisBus, TwoInstancesHearEachOtherAndNotThemselvesTwice) {
    if (!have_redis_server()) GTEST_SKIP() << "redis-server is not installed (tools/setup.sh installs it)";
    std::uint16_t port = free_port();
    RedisServer server(port);
    ASSERT_TRUE(server.ok);
    RedisBusOptions options = fast_options(port);
    Bus bus_a, bus_b;
    LoopThread loop_a, loop_b;
    Counter on_a, on_b;
    Bus::Watch watch_a, watch_b;
    loop_a.run([&] { watch_a = bus_a.watch("box", on_a); });
    loop_b.run([&] { watch_b = bus_b.watch("box", on_b); });
    RedisBus a(bus_a, loop_a.loop(), options), b(bus_b, loop_b.loop(), options);
    a.start();
    b.start();
    ASSERT_TRUE(wait_until([&] { return a.subscribed() && b.subscribed(); }));
    // Give the publishing connections their first turn, then count from here.
    std::this_thread::sleep_for(100ms);
    int a_before = on_a.heard, b_before = on_b.heard;
    bus_a.publish(MailboxChange{"box", 77});
    ASSERT_TRUE(wait_until([&] { return on_b.heard > b_before && on_b.last == 77; }));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(on_a.heard, a_before + 1);  // its own message came back from Redis and was recognised

    // The server goes away: B polls; it comes back: B resubscribes, resyncs, and hears A again.
    server.kill();
    ASSERT_TRUE(wait_until([&] { return !b.subscribed(); }));
    int during = on_b.heard;
    ASSERT_TRUE(wait_until([&] { return on_b.heard > during + 2; }));  // outage polls
    server.start();
    ASSERT_TRUE(wait_until([&] { return a.subscribed() && b.subscribed(); }, 10s));
    std::this_thread::sleep_for(200ms);  // A's publishing connection reconnects on its own schedule
    ASSERT_TRUE(wait_until([&] {
        bus_a.publish(MailboxChange{"box", 78});
        return on_b.last == 78;
    }));
    a.stop();
    b.stop();
    loop_a.run([&] { watch_a.reset(); });
    loop_b.run([&] { watch_b.reset(); });
}

struct EndedCounter final : SessionListener {
    std::atomic<int> heard{0};
    std::string asp;
    void on_session_event(const SessionEvent& event) override {
        asp = event.asp;
        ++heard;
    }
};

TEST(RedisBus, SessionEventsReachTheOtherInstance) {
    if (!have_redis_server()) GTEST_SKIP() << "redis-server is not installed (tools/setup.sh installs it)";
    std::uint16_t port = free_port();
    RedisServer server(port);
    ASSERT_TRUE(server.ok);
    RedisBusOptions options = fast_options(port);
    Bus bus_a, bus_b;
    LoopThread loop_a, loop_b;
    EndedCounter on_a, on_b, other_user;
    Bus::SessionRegistration reg_a, reg_b, reg_other;
    loop_a.run([&] { reg_a = bus_a.register_session("ann", on_a); });
    loop_b.run([&] {
        reg_b = bus_b.register_session("ann", on_b);
        reg_other = bus_b.register_session("bob", other_user);
    });
    RedisBus a(bus_a, loop_a.loop(), options), b(bus_b, loop_b.loop(), options);
    a.start();
    b.start();
    ASSERT_TRUE(wait_until([&] { return a.subscribed() && b.subscribed(); }));
    // The publishing connection comes up on its own schedule: repeat until B hears (each is one event).
    // An event published while A's link is still down reaches A alone (and is logged), so count them.
    int published = 0;
    ASSERT_TRUE(wait_until([&] {
        if (on_b.heard == 0) {
            bus_a.end_sessions(SessionEvent{"ann", "9", "revoked"});
            ++published;
        }
        std::this_thread::sleep_for(20ms);
        return on_b.heard > 0;
    }));
    EXPECT_EQ(on_b.asp, "9");
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(on_a.heard, published);  // A heard each of its own once, not again from Redis
    EXPECT_GE(on_b.heard.load(), 1);
    EXPECT_LE(on_b.heard.load(), published);
    EXPECT_EQ(other_user.heard, 0);
    a.stop();
    b.stop();
    loop_a.run([&] { reg_a.reset(); });
    loop_b.run([&] {
        reg_b.reset();
        reg_other.reset();
    });
}

}  // namespace
}  // namespace mallard::storage::notify
