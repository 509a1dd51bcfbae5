// mallard-engine-bench: the engine on loopback, in one process. An Engine serves an echo handler on N loops;
// clients run on their own reactors in other threads. It measures
//   (a) accepted connections per second: connect, one line there and back, close;
//   (b) round trips per second of small request/response lines over K persistent connections, in total,
//       per server loop, and per second of CPU the server's loops used;
// each for a bounded time and count, `runs` times, and prints every run, the medians, and one JSON line.
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <latch>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/engine.h"
#include "core/log.h"
#include "perf/bench_support.h"

namespace mallard::perf {
namespace {

using namespace std::chrono_literals;
using core::Deadline;
using core::Reactor;
using core::Task;
using core::net::Connection;

struct Options {
    unsigned server_loops = 0;    // 0: one per core
    unsigned client_loops = 0;    // 0: as many as server loops
    unsigned connections = 64;    // persistent connections for (b)
    unsigned connectors = 8;      // concurrent connect/close cycles per client loop for (a)
    unsigned accept_max = 20000;  // connections per (a) run at most
    double seconds = 2.0;         // per measurement at most
    unsigned runs = 3;
};

constexpr auto io_timeout = 5s;  // every wait in the benchmark is bounded

// ---- the server -----------------------------------------------------------------------------------

Task<void> echo_session(std::unique_ptr<Connection> conn) {
    for (;;) {
        auto line = co_await conn->read_line(1024, Deadline::after(30s));
        if (!line) break;
        conn->queue(*line);
        conn->queue("\r\n");
        auto sent = co_await conn->flush(Deadline::after(io_timeout));
        if (!sent) break;
    }
}

// CPU seconds used so far by each of the engine's loop threads, summed.
double server_cpu_seconds(core::Engine& engine) {
    std::atomic<long long> total_ns{0};
    engine.run_on_every_loop([&total_ns] {
        timespec ts{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        total_ns.fetch_add(static_cast<long long>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec);
    });
    return static_cast<double>(total_ns.load()) / 1e9;
}

// ---- (a) connect, one round trip, close -------------------------------------------------------------

struct AcceptShared {
    core::net::SocketAddress address;
    Deadline end = Deadline::never();
    unsigned max = 0;
    std::atomic<unsigned> claimed{0};
    std::atomic<unsigned> completed{0};
    std::atomic<unsigned> failed{0};
};

// An abortive close (RST) leaves no TIME_WAIT behind, so tens of thousands of short connections don't use up
// the ephemeral ports.
void reset_on_close(Connection& conn) {
    linger abort{1, 0};
    ::setsockopt(conn.fd(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
}

Task<bool> one_short_connection(AcceptShared* shared) {
    auto conn = co_await core::net::connect_tcp(shared->address, Deadline::after(io_timeout));
    if (!conn) co_return false;
    (*conn)->queue("a NOOP\r\n");
    auto sent = co_await (*conn)->flush(Deadline::after(io_timeout));
    if (!sent) co_return false;
    auto echo = co_await (*conn)->read_line(1024, Deadline::after(io_timeout));
    reset_on_close(**conn);
    co_return echo && *echo == "a NOOP";
}

Task<void> connector(AcceptShared* shared, unsigned* running) {
    while (!shared->end.passed() && shared->claimed.fetch_add(1) < shared->max) {
        bool ok = co_await one_short_connection(shared);
        (ok ? shared->completed : shared->failed).fetch_add(1);
    }
    --*running;
}

Task<void> connectors_on_this_loop(AcceptShared* shared, unsigned count) {
    unsigned running = count;
    for (unsigned i = 0; i < count; ++i) core::spawn(connector(shared, &running));
    while (running > 0) co_await core::sleep_for(1ms);
}

struct Measure {
    double per_second = 0;
    unsigned long long count = 0;
    unsigned long long failed = 0;
    double seconds = 0;
    double server_cpu = 0;
};

Measure measure_accepts(core::Engine& engine, const Options& o, const core::net::SocketAddress& address) {
    AcceptShared shared;
    shared.address = address;
    shared.max = o.accept_max;
    double cpu_before = server_cpu_seconds(engine);
    auto start = core::Clock::now();
    shared.end = Deadline::at(start + std::chrono::duration_cast<core::Clock::duration>(
                                          std::chrono::duration<double>(o.seconds)));
    std::vector<std::thread> clients;
    for (unsigned i = 0; i < o.client_loops; ++i) {
        clients.emplace_back([&shared, &o, i] {
            Reactor loop(100 + i);
            loop.block_on(connectors_on_this_loop(&shared, o.connectors));
        });
    }
    for (auto& t : clients) t.join();
    Measure m;
    m.seconds = std::chrono::duration<double>(core::Clock::now() - start).count();
    m.count = shared.completed.load();
    m.failed = shared.failed.load();
    m.per_second = static_cast<double>(m.count) / m.seconds;
    m.server_cpu = server_cpu_seconds(engine) - cpu_before;
    return m;
}

// ---- (b) round trips over persistent connections -------------------------------------------------------

struct RoundTripShared {
    core::net::SocketAddress address;
    std::atomic<core::Clock::rep> end_ticks{0};  // set once every client is connected
    std::atomic<unsigned long long> round_trips{0};
    std::atomic<unsigned long long> failed{0};
};

constexpr unsigned long long max_round_trips_per_connection = 100'000'000;

Task<void> ping_pong(Connection* conn, Deadline end, RoundTripShared* shared, unsigned* running) {
    unsigned long long done = 0;
    std::string request = "a" + std::to_string(conn->id()) + " NOOP\r\n";
    while (!end.passed() && done < max_round_trips_per_connection) {
        conn->queue(request);
        auto sent = co_await conn->flush(Deadline::after(io_timeout));
        auto reply = co_await conn->read_line(1024, Deadline::after(io_timeout));
        if (!sent || !reply) {
            shared->failed.fetch_add(1);
            break;
        }
        ++done;
    }
    shared->round_trips.fetch_add(done);
    --*running;
}

Task<std::vector<std::unique_ptr<Connection>>> open_connections(core::net::SocketAddress address, unsigned count,
                                                                RoundTripShared* shared) {
    std::vector<std::unique_ptr<Connection>> conns;
    for (unsigned i = 0; i < count; ++i) {
        auto conn = co_await core::net::connect_tcp(address, Deadline::after(io_timeout));
        if (!conn) {
            shared->failed.fetch_add(1);
            continue;
        }
        conns.push_back(std::move(*conn));
    }
    co_return conns;
}

Task<void> drive(std::vector<std::unique_ptr<Connection>>* conns, Deadline end, RoundTripShared* shared) {
    unsigned running = static_cast<unsigned>(conns->size());
    for (auto& c : *conns) core::spawn(ping_pong(c.get(), end, shared, &running));
    while (running > 0) co_await core::sleep_for(1ms);
}

Measure measure_round_trips(core::Engine& engine, const Options& o, const core::net::SocketAddress& address) {
    RoundTripShared shared;
    shared.address = address;
    std::latch connected(static_cast<std::ptrdiff_t>(o.client_loops) + 1);
    std::latch started(1);
    std::vector<std::thread> clients;
    for (unsigned i = 0; i < o.client_loops; ++i) {
        unsigned share = o.connections / o.client_loops + (i < o.connections % o.client_loops ? 1 : 0);
        clients.emplace_back([&, i, share] {
            Reactor loop(200 + i);
            auto conns = loop.block_on(open_connections(address, share, &shared));
            connected.count_down();
            started.wait();  // the reactor is idle here: its connections have nothing in flight
            auto end = Deadline::at(core::Clock::time_point(core::Clock::duration(shared.end_ticks.load())));
            loop.block_on(drive(&conns, end, &shared));
            for (auto& c : conns) reset_on_close(*c);
        });
    }
    connected.arrive_and_wait();
    double cpu_before = server_cpu_seconds(engine);
    auto start = core::Clock::now();
    auto end = start + std::chrono::duration_cast<core::Clock::duration>(std::chrono::duration<double>(o.seconds));
    shared.end_ticks = end.time_since_epoch().count();
    started.count_down();
    for (auto& t : clients) t.join();
    Measure m;
    m.seconds = std::chrono::duration<double>(core::Clock::now() - start).count();
    m.server_cpu = server_cpu_seconds(engine) - cpu_before;
    m.count = shared.round_trips.load();
    m.failed = shared.failed.load();
    m.per_second = static_cast<double>(m.count) / m.seconds;
    return m;
}

// ---- options, output --------------------------------------------------------------------------------

void usage() {
    std::fprintf(stderr,
                 "usage: mallard-engine-bench [--loops N] [--client-loops N] [--connections K] [--connectors C]\n"
                 "                            [--accept-max COUNT] [--seconds S] [--runs R]\n"
                 "  --loops         server reactor loops (default: one per core)\n"
                 "  --client-loops  client reactor loops, each on its own thread (default: as many as --loops)\n"
                 "  --connections   persistent connections for the round-trip test (default 64)\n"
                 "  --connectors    concurrent connect/close cycles per client loop (default 8)\n"
                 "  --accept-max    connections per accept run at most (default 20000)\n"
                 "  --seconds       length of each measurement at most (default 2)\n"
                 "  --runs          runs of each measurement; the median is reported (default 3)\n");
}

bool read_options(int argc, char** argv, Options& o) {
    return perf::parse_options(argc, argv,
                               {{"--loops", 1, 256, &o.server_loops},
                                {"--client-loops", 1, 256, &o.client_loops},
                                {"--connections", 1, 50000, &o.connections},
                                {"--connectors", 1, 1000, &o.connectors},
                                {"--accept-max", 1, 10'000'000, &o.accept_max},
                                {"--runs", 1, 100, &o.runs}},
                               {"--seconds", 0.1, 600, &o.seconds});
}

// Each persistent connection costs two descriptors here (client and server side).
void raise_open_file_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
}

std::string json_list(const std::vector<double>& v) {
    std::string out = "[";
    char buf[32];
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s%.0f", i ? "," : "", v[i]);
        out += buf;
    }
    return out + "]";
}

int run(const Options& o) {
    core::log::set_level(core::log::Level::warn);
    core::EngineOptions engine_options;
    engine_options.workers = o.server_loops;
    engine_options.pool_threads = 1;  // the echo handler never uses it
    engine_options.max_connections = 1'000'000;
    core::Engine engine(engine_options);
    auto port = engine.listen(core::ListenerSpec{"echo", *core::net::parse_address("127.0.0.1", 0), nullptr,
                                                 echo_session});
    if (!port) {
        std::fprintf(stderr, "listen: %s\n", port.error().to_string().c_str());
        return 1;
    }
    engine.start();
    auto address = *core::net::parse_address("127.0.0.1", *port);
    unsigned loops = engine.loop_count();

    std::printf("mallard-engine-bench: %u server loops, %u client loops, %u cores; %.1f s per measurement, "
                "%u runs\n",
                loops, o.client_loops, std::max(1u, std::thread::hardware_concurrency()), o.seconds, o.runs);
    std::vector<double> accepts, trips, trips_per_loop, trips_per_cpu;
    unsigned long long failures = 0;
    for (unsigned r = 1; r <= o.runs; ++r) {
        Measure a = measure_accepts(engine, o, address);
        Measure b = measure_round_trips(engine, o, address);
        failures += a.failed + b.failed;
        double per_cpu = b.server_cpu > 0 ? static_cast<double>(b.count) / b.server_cpu : 0;
        accepts.push_back(a.per_second);
        trips.push_back(b.per_second);
        trips_per_loop.push_back(b.per_second / loops);
        trips_per_cpu.push_back(per_cpu);
        std::printf("run %u: accept %8.0f conn/s (%llu in %.2f s, %llu failed; server CPU %.2f s)\n", r,
                    a.per_second, a.count, a.seconds, a.failed, a.server_cpu);
        std::printf("       round trips %8.0f /s over %u connections = %.0f /s per server loop, %.0f per server "
                    "CPU-second (%llu in %.2f s, %llu failed; server CPU %.2f s)\n",
                    b.per_second, o.connections, b.per_second / loops, per_cpu, b.count, b.seconds, b.failed,
                    b.server_cpu);
    }
    engine.shutdown(1s);

    std::printf("median: %.0f accepted connections/s; %.0f round trips/s, %.0f per server loop, %.0f per server "
                "CPU-second\n",
                median(accepts), median(trips), median(trips_per_loop), median(trips_per_cpu));
    if (failures) std::printf("warning: %llu connections or round trips failed\n", failures);
    std::printf("{\"bench\":\"engine\",\"server_loops\":%u,\"client_loops\":%u,\"cores\":%u,\"connections\":%u,"
                "\"seconds\":%.2f,\"runs\":%u,\"accepts_per_s\":%.0f,\"accepts_per_s_runs\":%s,"
                "\"round_trips_per_s\":%.0f,\"round_trips_per_s_runs\":%s,\"round_trips_per_s_per_loop\":%.0f,"
                "\"round_trips_per_server_cpu_s\":%.0f,\"failures\":%llu}\n",
                loops, o.client_loops, std::max(1u, std::thread::hardware_concurrency()), o.connections, o.seconds,
                o.runs, median(accepts), json_list(accepts).c_str(), median(trips), json_list(trips).c_str(),
                median(trips_per_loop), median(trips_per_cpu), failures);
    return failures ? 2 : 0;
}

}  // namespace
}  // namespace mallard::perf

int main(int argc, char** argv) {
    mallard::perf::Options options;
    if (!mallard::perf::read_options(argc, argv, options)) {
        mallard::perf::usage();
        return 64;
    }
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (options.server_loops == 0) options.server_loops = cores;
    if (options.client_loops == 0) options.client_loops = options.server_loops;
    mallard::perf::raise_open_file_limit();
    return mallard::perf::run(options);
}
