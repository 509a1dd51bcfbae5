// The idle phase of mallard-bench: N IMAP sessions in IDLE (RFC 2177), opened by worker processes (fork, one
// reactor each: one process may hold only ~19,000 sockets under the 20,000 open-file limit), first a warm-up
// share, then the rest, each step reported over a control socket so the parent can read the servers' PSS in
// between. The sessions stay open (the other phases run meanwhile) until release().
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/net/address.h"
#include "perf/push_bench.h"

namespace mallard::perf {

struct IdleResult {
    bool ran = false;
    unsigned workers = 0;
    unsigned long long warm = 0;            // sessions up at the second reading
    unsigned long long ready = 0, failed = 0, dropped = 0, pushed_lines = 0;
    double seconds = 0;                     // opening the sessions after the warm-up
    double per_second = 0;
    std::optional<unsigned long long> pss_before, pss_warm, pss_after;   // KiB, summed over the servers
    std::optional<unsigned long long> tcp_before, tcp_warm, tcp_after;   // KiB, kernel, both ends
    std::string first_error;
};

class IdleFleet {
public:
    // Opens the sessions (users u{i % U}, servers round robin) and reads PSS before, after the warm-up and
    // at the end; returns once every worker has reported or the phase's time is up.
    IdleResult start(const PushOptions& o, const std::vector<core::net::SocketAddress>& servers);
    // Workers close their sessions (RST), report drops, and are reaped (killed if they don't end).
    void release(IdleResult& r);

private:
    struct WorkerProcess {
        pid_t pid = -1;
        int fd = -1;          // the parent's end of the control socket
        std::string buffer;   // read, not yet a whole line
    };
    static std::optional<std::string> read_control_line(WorkerProcess& w, core::Deadline deadline);
    std::vector<WorkerProcess> workers_;
};

}  // namespace mallard::perf
