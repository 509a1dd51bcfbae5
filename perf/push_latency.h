// The latency phase of mallard-bench: W watchers IDLE (RFC 2177) on u{U}'s INBOX; M messages are delivered
// one at a time over LMTP (RFC 2033); for each, the time from reading LMTP's "250" to each watcher reading
// "* n EXISTS" (RFC 3501 §7.3.1). Per message the first and the last watcher's times are kept; percentiles
// over the messages. All on one reactor in this process (W <= ~19,000 sockets).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/net/address.h"
#include "perf/push_bench.h"

namespace mallard::perf {

struct Percentiles {
    double p50 = 0, p90 = 0, p99 = 0, max = 0;
    std::size_t count = 0;
};

// Nearest-rank percentiles of `ms`.
Percentiles percentiles(std::vector<double> ms);

struct LatencyResult {
    bool ran = false;
    unsigned watchers = 0, ready = 0, delivered = 0, missed = 0, early = 0;
    Percentiles first, last, delivery;  // delivery: the LMTP transaction, MAIL to "250"
    std::string first_error;
    std::string first_missed;  // "message 7 seen by 999 of 1000 watchers"
};

LatencyResult run_latency(const PushOptions& o, const core::net::SocketAddress& imap,
                          const core::net::SocketAddress& lmtp, unsigned long long first_number);

}  // namespace mallard::perf
