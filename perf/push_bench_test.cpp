// mallard-bench's arithmetic: source addresses per connection count, nearest-rank percentiles.
#include <gtest/gtest.h>

#include "perf/push_bench.h"
#include "perf/push_latency.h"

namespace mallard::perf {
namespace {

std::string ip_of(const std::optional<core::net::SocketAddress>& a) {
    return a ? core::net::PeerAddress(reinterpret_cast<const sockaddr*>(&a->storage)).ip() : "none";
}

TEST(PushBench, each_source_address_carries_per_source_connections) {
    PushOptions o;
    o.per_source = 400;
    EXPECT_EQ(ip_of(source_for(o, 0)), "127.1.0.0");
    EXPECT_EQ(ip_of(source_for(o, 399)), "127.1.0.0");
    EXPECT_EQ(ip_of(source_for(o, 400)), "127.1.0.1");
    EXPECT_EQ(ip_of(source_for(o, 400ull * 256)), "127.1.1.0");
    EXPECT_EQ(ip_of(source_for(o, 100'000)), "127.1.0.250");
    o.per_source = 0;
    EXPECT_EQ(ip_of(source_for(o, 5)), "none");
}

TEST(PushBench, users_and_the_watch_user) {
    PushOptions o;
    o.users = 3;
    EXPECT_EQ(user_name(o, 2), "u2");
    EXPECT_EQ(watch_user(o), "u3");
    EXPECT_EQ(address_of(o, "u3"), "u3@bench.example");
}

TEST(PushBench, percentiles_are_nearest_rank) {
    std::vector<double> ms;
    for (int i = 100; i >= 1; --i) ms.push_back(i);
    auto p = percentiles(ms);
    EXPECT_EQ(p.p50, 50);
    EXPECT_EQ(p.p90, 90);
    EXPECT_EQ(p.p99, 99);
    EXPECT_EQ(p.max, 100);
    EXPECT_EQ(p.count, 100u);
    auto one = percentiles({7.5});
    EXPECT_EQ(one.p50, 7.5);
    EXPECT_EQ(one.p99, 7.5);
    EXPECT_EQ(percentiles({}).count, 0u);
}

}  // namespace
}  // namespace mallard::perf
