// The operators' push benchmark (mallard-bench, bench.cpp): its options, and what its phases (idle_fleet.h,
// push_latency.h) share: user names, source addresses, deadlines.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/net/address.h"

namespace mallard::perf {

constexpr std::chrono::seconds step_timeout{30};   // one step (connect, LOGIN, ...) of one session
constexpr unsigned sockets_per_process = 19'000;   // under the 20,000 open-file limit, with room for the rest
constexpr unsigned auto_warmup = ~0u;              // a tenth of the sessions

struct PushOptions {
    std::string host = "127.0.0.1";
    std::vector<unsigned> imap_ports{143};   // sessions spread over these (one per server process)
    unsigned lmtp_port = 24;
    std::vector<unsigned> server_pids;
    bool tls = false;
    bool idle = true, latency = true, lmtp = true;
    unsigned sessions = 1000;
    unsigned users = 100;
    std::string prefix = "u";
    std::string domain = "bench.example";
    std::string password = "bench";
    unsigned workers = 0;                    // 0: one per sockets_per_process sessions
    unsigned per_source = 400;               // connections per source address; 0: no binding
    unsigned connect_concurrency = 64;       // session set-ups in flight per worker
    unsigned warmup = auto_warmup;           // sessions opened before the second PSS reading
    unsigned watchers = 1;
    unsigned messages = 100;
    unsigned lmtp_sessions = 4;
    unsigned lmtp_messages = 2000;
    double seconds = 300;                    // each phase at most
    unsigned settle_ms = 2000;               // before the "after" PSS reading
    unsigned hold_s = 0;                     // keep the idle sessions this long after the last phase
    std::string create_users;                // mallardctl binary
    std::string ctl_config;                  // its --config
};

std::string user_name(const PushOptions& o, unsigned i);
// u{U}: one past the idle users, so pushes to the watchers never reach an idle session.
std::string watch_user(const PushOptions& o);
std::string address_of(const PushOptions& o, const std::string& user);
// Now plus o.seconds: the bound of one phase.
core::Deadline phase_deadline(const PushOptions& o);
double seconds_since(core::Clock::time_point start);
// Session `i`'s local address: 127.1.0.0 + i / per_source, so every source address carries at most
// per_source connections (the server's per-address limit) and never runs out of ephemeral ports.
std::optional<core::net::SocketAddress> source_for(const PushOptions& o, unsigned long long i);
// The soft open-file limit up to the hard one (20,000 here): a process holds ~19,000 sessions.
void raise_open_file_limit();

}  // namespace mallard::perf
