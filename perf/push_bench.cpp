// See push_bench.h.
#include "perf/push_bench.h"

#include <sys/resource.h>

#include <cstdio>

namespace mallard::perf {

using core::Clock;
using core::Deadline;
using core::net::SocketAddress;

std::string user_name(const PushOptions& o, unsigned i) { return o.prefix + std::to_string(i); }
std::string watch_user(const PushOptions& o) { return user_name(o, o.users); }
std::string address_of(const PushOptions& o, const std::string& user) { return user + "@" + o.domain; }

Deadline phase_deadline(const PushOptions& o) {
    return Deadline::after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds)));
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::optional<SocketAddress> source_for(const PushOptions& o, unsigned long long i) {
    if (o.per_source == 0) return std::nullopt;
    const unsigned long long n = (1ull << 16) + i / o.per_source;  // 127.1.0.0 onwards
    if (n >= (1ull << 24) - 1) return std::nullopt;
    char text[32];
    std::snprintf(text, sizeof text, "127.%llu.%llu.%llu", (n >> 16) & 255, (n >> 8) & 255, n & 255);
    auto address = core::net::parse_address(text, 0);
    if (!address) return std::nullopt;
    return *address;
}

void raise_open_file_limit() {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &r);
    }
}

}  // namespace mallard::perf
