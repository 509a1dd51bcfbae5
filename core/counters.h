// Counters kept per reactor loop (relaxed atomics on the loop's own cache lines, so the hot path never
// contends) and summed on demand for logs, the HTTP API and benchmarks.
#pragma once

#include <atomic>
#include <cstdint>

namespace mallard::core {

struct alignas(64) LoopCounters {
    std::atomic<std::uint64_t> connections_accepted{0};
    std::atomic<std::uint64_t> connections_open{0};
    std::atomic<std::uint64_t> bytes_in{0};
    std::atomic<std::uint64_t> bytes_out{0};
    std::atomic<std::uint64_t> commands{0};

    void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
        counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void sub(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
        counter.store(counter.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
    }
};

struct CounterTotals {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_open = 0;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t commands = 0;
};

// The calling thread's counters (each thread writes only its own; created on first use, never freed).
LoopCounters& thread_counters();
// The sum over every thread's counters.
CounterTotals sum_counters();

}  // namespace mallard::core
