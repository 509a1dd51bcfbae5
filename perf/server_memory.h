// What the operators' benchmark reads about the server from /proc: a process's proportional set size (PSS:
// private pages plus its share of shared ones, so several server processes sharing libraries add up right)
// and the kernel's TCP buffer memory, which PSS doesn't show.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mallard::perf {

// The "Pss:" line of /proc/PID/smaps_rollup, in KiB; nothing if the process is gone or not ours to read.
std::optional<unsigned long long> pss_kib(int pid);
// Summed over `pids`; nothing if any one can't be read.
std::optional<unsigned long long> total_pss_kib(const std::vector<int>& pids);
// TCP "mem" of /proc/net/sockstat (pages in use by all TCP sockets of this network namespace), in KiB.
std::optional<unsigned long long> kernel_tcp_kib();

// "Pss:  1234 kB" → 1234 from a smaps_rollup text; nothing without that line.
std::optional<unsigned long long> pss_in(const std::string& smaps_rollup);
// The TCP line's "mem N" from a sockstat text, in pages.
std::optional<unsigned long long> tcp_pages_in(const std::string& sockstat);

}  // namespace mallard::perf
