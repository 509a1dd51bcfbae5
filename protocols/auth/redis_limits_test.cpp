// The failure counters and session limits in Redis: key names and script shapes (pure); then, with no server
// (nothing may block, lock out or refuse wholesale), and, when redis-server is installed, two "instances"
// (two RedisConnectionLimits objects, as two processes would have) sharing one server.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "core/reactor.h"
#include "protocols/auth/redis_connection_limits.h"
#include "protocols/auth/redis_failure_counters.h"
#include "storage/redis/test_redis_server.h"

namespace mallard::auth {
namespace {

using namespace std::chrono_literals;
using storage::redis::RedisClient;
using storage::redis::RedisClientOptions;
using storage::redis::RedisReply;
namespace rt = storage::redis::test;

template <class T>
T run(core::Task<T> task) {
    core::Reactor loop;
    return loop.block_on(std::move(task));
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

RedisClientOptions client_options(std::uint16_t port) {
    RedisClientOptions o;
    o.port = port;
    o.timeout = 1000ms;
    o.retry_max = 50ms;
    return o;
}

RedisConnectionLimitOptions limit_options(std::string prefix, std::uint32_t per_user, std::string name = "imap") {
    RedisConnectionLimitOptions o;
    o.limits = {.per_address = 0, .per_user = per_user};
    o.prefix = std::move(prefix);
    o.name = std::move(name);
    o.instance_timeout = 3000ms;
    return o;
}

TEST(RedisLimits, KeysLiveUnderThePrefixAndProtocolsCountApart) {
    RedisClient client(client_options(rt::free_port()));
    RedisFailureCounters counters(client, "mx:");
    EXPECT_EQ(counters.redis_key(user_failure_key("Bob")), "mx:authfail:user:bob");
    EXPECT_EQ(counters.redis_key(address_failure_key("2001:db8:1:2::7")), "mx:authfail:addr:2001:db8:1:2::/64");
    RedisConnectionLimits imap(client, limit_options("mx:", 2, "imap"));
    RedisConnectionLimits pop3(client, limit_options("mx:", 2, "pop3"));
    EXPECT_EQ(imap.count_key(LimitScope::user, "u1"), "mx:conn:imap:user:u1");
    EXPECT_EQ(pop3.count_key(LimitScope::address, "192.0.2.1"), "mx:conn:pop3:addr:192.0.2.1");
    EXPECT_EQ(imap.instance_key(), "mx:instance:" + imap.instance());
    EXPECT_EQ(imap.instance().size(), 16u);
    EXPECT_NE(imap.instance(), pop3.instance());
}

TEST(RedisLimits, ScriptsStartTheWindowOnceAndCountOnlyLiveInstances) {
    std::string add = RedisFailureCounters::add_script;
    // The window starts at the first failure only: PEXPIRE is conditional on a new count.
    EXPECT_NE(add.find("if n == 1 then redis.call('PEXPIRE'"), std::string::npos);
    std::string acquire = RedisConnectionLimits::acquire_script;
    EXPECT_NE(acquire.find("redis.call('EXISTS', ARGV[1] .. id)"), std::string::npos);
    EXPECT_NE(acquire.find("redis.call('HDEL', KEYS[1], id)"), std::string::npos);
    EXPECT_NE(acquire.find("if total >= tonumber(ARGV[3]) then return 0 end"), std::string::npos);
    std::string release = RedisConnectionLimits::release_script;
    EXPECT_NE(release.find("if n <= 0 then redis.call('HDEL'"), std::string::npos);
}

TEST(RedisLimits, WithoutAServerNothingBlocksLocksOutOrRefusesWholesale) {
    RedisClient client(client_options(rt::free_port()));
    RedisFailureCounters counters(client, "mx:");
    FailureLimiter limiter(counters, {.per_user = 1, .per_address = 1, .window = 60s});
    auto started = std::chrono::steady_clock::now();
    run(limiter.record_failure("bob", "192.0.2.1"));
    run(limiter.record_failure("bob", "192.0.2.1"));
    EXPECT_FALSE(run(limiter.blocked("bob", "192.0.2.1")));  // unreadable counters do not lock out
    // Limits fall back to this process's own count: the limit still holds here, nobody else is refused.
    RedisConnectionLimits limits(client, limit_options("mx:", 1));
    auto first = run(limits.try_acquire_user("u1"));
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->holds_place());
    EXPECT_TRUE(limits.degraded());
    EXPECT_FALSE(run(limits.try_acquire_user("u1")));
    EXPECT_TRUE(run(limits.try_acquire_user("u2")));
    first->release();
    EXPECT_TRUE(run(limits.try_acquire_user("u1")));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);  // connection refused: no waiting
}

TEST(RedisClient, AServerThatNeverAnswersCostsOneTimeoutThenFailsFast) {
    // A listening socket nobody accepts from: the kernel completes the handshake, no reply ever comes.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(fd, 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    RedisClientOptions o = client_options(ntohs(a.sin_port));
    o.timeout = 300ms;
    o.retry_max = 10s;
    RedisClient client(o);
    auto started = std::chrono::steady_clock::now();
    auto reply = client.call({"PING"});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, core::Errc::unavailable);
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, 250ms);
    EXPECT_LT(took, 2s);
    started = std::chrono::steady_clock::now();
    EXPECT_FALSE(client.call({"PING"}));  // within the back-off: no second wait
    EXPECT_LT(std::chrono::steady_clock::now() - started, 100ms);
    ::close(fd);
}

class RedisLimitsOnAServer : public ::testing::Test {
protected:
    void SetUp() override {
        if (!rt::have_redis_server()) GTEST_SKIP() << "redis-server is not installed (tools/setup.sh installs it)";
        server_ = std::make_unique<rt::RedisServer>(port_);
        ASSERT_TRUE(server_->ok);
        client_ = std::make_unique<RedisClient>(client_options(port_));
    }

    long long integer(std::vector<std::string> args) {
        auto reply = client_->call(args);
        EXPECT_TRUE(reply) << reply.error().to_string();
        return reply && reply->type == RedisReply::Type::integer ? reply->integer : -1;
    }

    std::uint16_t port_ = rt::free_port();
    std::unique_ptr<rt::RedisServer> server_;
    std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisLimitsOnAServer, TheClientSelectsItsDatabase) {
    RedisClientOptions o = client_options(port_);
    o.db = 3;
    RedisClient in_db3(o);
    ASSERT_TRUE(in_db3.call({"SET", "t0:key", "x"}));
    EXPECT_EQ(integer({"EXISTS", "t0:key"}), 0);  // not in db 0
    auto got = in_db3.call({"GET", "t0:key"});
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text, "x");
}

TEST_F(RedisLimitsOnAServer, FailuresCountWithinAWindowThatStartsAtTheFirst) {
    RedisFailureCounters counters(*client_, "t1:");
    auto first = run(counters.add("user:bob", 60s));
    ASSERT_TRUE(first) << first.error().to_string();
    EXPECT_EQ(first->count, 1u);
    auto left = first->reset_at - std::chrono::system_clock::now();
    EXPECT_GT(left, 58s);
    EXPECT_LE(left, 60s);
    integer({"PEXPIRE", "t1:authfail:user:bob", "30000"});  // as if 30 s had passed
    auto second = run(counters.add("user:bob", 60s));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->count, 2u);
    EXPECT_LE(second->reset_at - std::chrono::system_clock::now(), 30s);  // not extended
    auto read = run(counters.read("user:bob"));
    ASSERT_TRUE(read);
    EXPECT_EQ(read->count, 2u);
    ASSERT_TRUE(run(counters.clear("user:bob")));
    read = run(counters.read("user:bob"));
    ASSERT_TRUE(read);
    EXPECT_EQ(read->count, 0u);
    // Through the limiter, on a second "instance" (another client, same server).
    RedisClient other(client_options(port_));
    RedisFailureCounters counters_b(other, "t1:");
    FailureLimiter on_a(counters, {.per_user = 2, .per_address = 0, .window = 60s});
    FailureLimiter on_b(counters_b, {.per_user = 2, .per_address = 0, .window = 60s});
    run(on_a.record_failure("carol", "192.0.2.9"));
    EXPECT_FALSE(run(on_b.blocked("carol", "192.0.2.9")));
    run(on_a.record_failure("carol", "192.0.2.9"));
    auto wait = run(on_b.blocked("carol", "192.0.2.9"));
    ASSERT_TRUE(wait);
    EXPECT_GT(*wait, 50s);
}

TEST_F(RedisLimitsOnAServer, TwoInstancesShareTheLimitAndADeadOnesPlacesComeBack) {
    RedisConnectionLimits a(*client_, limit_options("t2:", 2));
    RedisConnectionLimits b(*client_, limit_options("t2:", 2));
    ASSERT_TRUE(wait_until([&] { return integer({"EXISTS", a.instance_key()}) == 1; }));
    auto a1 = run(a.try_acquire_user("u1"));
    auto a2 = run(a.try_acquire_user("u1"));
    ASSERT_TRUE(a1 && a2);
    EXPECT_FALSE(a.degraded());
    EXPECT_FALSE(run(b.try_acquire_user("u1")));  // full across instances
    EXPECT_TRUE(run(b.try_acquire_user("u2")));
    a1->release();  // sent without waiting: B gets in once it has arrived
    std::optional<ConnectionToken> b1;
    ASSERT_TRUE(wait_until([&] {
        b1 = run(b.try_acquire_user("u1"));
        return b1.has_value();
    }));
    EXPECT_FALSE(run(a.try_acquire_user("u1")));
    // A's heartbeat lapses (as when its process dies): its place stops counting at B's next acquire.
    integer({"DEL", a.instance_key()});
    auto b2 = run(b.try_acquire_user("u1"));
    EXPECT_TRUE(b2);
    EXPECT_EQ(integer({"HEXISTS", a.count_key(LimitScope::user, "u1"), a.instance()}), 0);
    // Released places leave nothing behind; the hash has a TTL in any case.
    EXPECT_GT(integer({"PTTL", b.count_key(LimitScope::user, "u1")}), 0);
    b1->release();
    b2->release();
    ASSERT_TRUE(wait_until([&] { return integer({"EXISTS", b.count_key(LimitScope::user, "u1")}) == 0; }));
}

TEST_F(RedisLimitsOnAServer, ReleasesThatFailAreSentAgainAfterTheNextHeartbeat) {
    RedisConnectionLimits a(*client_, limit_options("t3:", 1));
    auto held = run(a.try_acquire_user("u1"));
    ASSERT_TRUE(held && held->holds_place());
    const std::string hash = a.count_key(LimitScope::user, "u1");
    // Redis refuses every write for a while (as good as unreachable for a release)...
    ASSERT_TRUE(client_->call({"CONFIG", "SET", "maxmemory", "1"}));
    held->release();
    std::this_thread::sleep_for(300ms);
    auto still = client_->call({"HGET", hash, a.instance()});
    ASSERT_TRUE(still);
    EXPECT_EQ(still->text, "1");  // the release did not land
    // ...then takes writes again, and the kept release goes out behind a heartbeat: the place is free.
    ASSERT_TRUE(client_->call({"CONFIG", "SET", "maxmemory", "0"}));
    ASSERT_TRUE(wait_until([&] { return integer({"EXISTS", hash}) == 0; }));
    auto again = run(a.try_acquire_user("u1"));
    EXPECT_TRUE(again && again->holds_place());
}

}  // namespace
}  // namespace mallard::auth
