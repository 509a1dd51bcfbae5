#include "core/counters.h"

#include <memory>
#include <mutex>
#include <vector>

namespace mallard::core {

namespace {
std::mutex registry_mutex;
std::vector<std::unique_ptr<LoopCounters>>& registry() {
    static std::vector<std::unique_ptr<LoopCounters>> all;
    return all;
}
thread_local LoopCounters* mine = nullptr;
}  // namespace

LoopCounters& thread_counters() {
    if (!mine) {
        std::lock_guard lock(registry_mutex);
        registry().push_back(std::make_unique<LoopCounters>());
        mine = registry().back().get();
    }
    return *mine;
}

CounterTotals sum_counters() {
    CounterTotals t;
    std::lock_guard lock(registry_mutex);
    for (auto& c : registry()) {
        t.connections_accepted += c->connections_accepted.load(std::memory_order_relaxed);
        t.connections_open += c->connections_open.load(std::memory_order_relaxed);
        t.bytes_in += c->bytes_in.load(std::memory_order_relaxed);
        t.bytes_out += c->bytes_out.load(std::memory_order_relaxed);
        t.commands += c->commands.load(std::memory_order_relaxed);
    }
    return t;
}

}  // namespace mallard::core
