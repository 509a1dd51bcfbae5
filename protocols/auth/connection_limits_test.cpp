#include "protocols/auth/connection_limits.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/reactor.h"

namespace mallard::auth {

TEST(ConnectionLimits, admits_up_to_the_limit_then_refuses) {
    InProcessConnectionLimits limits({.per_address = 2, .per_user = 1});
    auto a = limits.acquire(LimitScope::address, "192.0.2.1");
    auto b = limits.acquire(LimitScope::address, "192.0.2.1");
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(a->holds_place());
    EXPECT_FALSE(limits.acquire(LimitScope::address, "192.0.2.1"));
    EXPECT_TRUE(limits.acquire(LimitScope::address, "192.0.2.2"));  // another address counts apart
    auto u = limits.acquire(LimitScope::user, "u1");
    ASSERT_TRUE(u);
    EXPECT_FALSE(limits.acquire(LimitScope::user, "u1"));
    EXPECT_EQ(limits.count(LimitScope::address, "192.0.2.1"), 2u);
    EXPECT_EQ(limits.count(LimitScope::user, "192.0.2.1"), 0u);  // the scopes don't share counts
}

TEST(ConnectionLimits, a_destroyed_or_released_token_gives_its_place_back) {
    InProcessConnectionLimits limits({.per_address = 1, .per_user = 1});
    {
        auto a = limits.acquire(LimitScope::address, "192.0.2.1");
        ASSERT_TRUE(a);
        EXPECT_FALSE(limits.acquire(LimitScope::address, "192.0.2.1"));
    }
    EXPECT_EQ(limits.count(LimitScope::address, "192.0.2.1"), 0u);
    auto u = limits.acquire(LimitScope::user, "u1");
    ASSERT_TRUE(u);
    u->release();
    u->release();  // once only
    EXPECT_FALSE(u->holds_place());
    EXPECT_EQ(limits.count(LimitScope::user, "u1"), 0u);
    EXPECT_TRUE(limits.acquire(LimitScope::user, "u1"));
}

TEST(ConnectionLimits, a_moved_token_releases_once) {
    InProcessConnectionLimits limits({.per_address = 0, .per_user = 2});
    auto first = limits.acquire(LimitScope::user, "u1");
    auto second = limits.acquire(LimitScope::user, "u1");
    ASSERT_TRUE(first && second);
    ConnectionToken held = std::move(*first);
    EXPECT_FALSE(first->holds_place());
    held = std::move(*second);  // assigning over a held place releases it
    EXPECT_EQ(limits.count(LimitScope::user, "u1"), 1u);
    held = ConnectionToken();
    EXPECT_EQ(limits.count(LimitScope::user, "u1"), 0u);
}

TEST(ConnectionLimits, zero_means_unlimited_and_counts_nothing) {
    InProcessConnectionLimits limits({});
    std::vector<ConnectionToken> held;
    for (int i = 0; i < 1000; ++i) {
        auto t = limits.acquire(LimitScope::address, "192.0.2.1");
        ASSERT_TRUE(t);
        EXPECT_FALSE(t->holds_place());
        held.push_back(std::move(*t));
    }
    EXPECT_EQ(limits.count(LimitScope::address, "192.0.2.1"), 0u);
}

TEST(ConnectionLimits, the_coroutine_interface_acquires_the_same_places) {
    InProcessConnectionLimits limits({.per_address = 1, .per_user = 1});
    ConnectionLimits& shared = limits;
    core::Reactor loop;
    auto a = loop.block_on(shared.try_acquire_address("192.0.2.1"));
    auto b = loop.block_on(shared.try_acquire_address("192.0.2.1"));
    auto u = loop.block_on(shared.try_acquire_user("u1"));
    EXPECT_TRUE(a);
    EXPECT_FALSE(b);
    EXPECT_TRUE(u);
    EXPECT_EQ(limits.count(LimitScope::user, "u1"), 1u);
}

// Loops on different threads take and give back places at once: never more than the limit are held, and
// every place comes back.
TEST(ConnectionLimits, threads_never_exceed_the_limit) {
    constexpr std::uint32_t limit = 3;
    InProcessConnectionLimits limits({.per_address = limit, .per_user = limit});
    std::atomic<std::uint32_t> inside{0};
    std::atomic<std::uint32_t> most{0};
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                auto token = limits.acquire(LimitScope::user, "shared");
                if (!token) continue;
                ++admitted;
                std::uint32_t now = ++inside;
                std::uint32_t seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {}
                --inside;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_LE(most.load(), limit);
    EXPECT_GT(admitted.load(), 0);
    EXPECT_EQ(limits.count(LimitScope::user, "shared"), 0u);
}

TEST(ConnectionLimits, ipv6_addresses_count_by_their_64_prefix) {
    EXPECT_EQ(address_key("192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    EXPECT_EQ(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:2:ffff::9"));
    EXPECT_NE(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
    EXPECT_EQ(address_key("::1"), "::/64");
    EXPECT_EQ(address_key("not an address"), "not an address");
}

}  // namespace mallard::auth
