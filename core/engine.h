// Engine: the reactors (one thread per core), the thread pool, and the listeners, with a graceful shutdown.
//
//   Engine engine(options);
//   engine.listen({"imap", address, nullptr, serve_imap});   // binds one SO_REUSEPORT socket per loop
//   engine.start();                                          // threads start accepting
//   ...                                                      // SIGTERM:
//   engine.shutdown(std::chrono::seconds(10));               // stop accepting, let sessions finish, join
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/counters.h"
#include "core/net/address.h"
#include "core/net/connection.h"
#include "core/net/listener.h"
#include "core/net/tls_context.h"
#include "core/reactor.h"
#include "core/result.h"
#include "core/task.h"
#include "core/thread_pool.h"

namespace mallard::core {

// A protocol's entry point: owns the connection until it returns. Runs on the connection's loop.
using ConnectionHandler = std::function<Task<void>(std::unique_ptr<net::Connection>)>;

struct EngineOptions {
    unsigned workers = 0;       // reactor threads; 0 = one per core
    unsigned pool_threads = 0;  // blocking-work threads; 0 = max(4, 2 × cores)
    std::uint32_t max_connections = 200000;
    std::chrono::seconds tls_handshake_timeout{30};
};

struct ListenerSpec {
    std::string name;                     // "imap", "imaps", ... for logs
    // An IP address and port, or a Unix domain socket (net::unix_address): then one socket is shared by every
    // loop (net::open_unix_listener) and its file is removed when the engine is destroyed.
    net::SocketAddress address;
    std::shared_ptr<net::TlsProvider> tls;  // implicit TLS when set
    ConnectionHandler handler;
    bool proxy_protocol = false;          // every connection opens with a PROXY v1/v2 header (before TLS)
};

class Engine {
public:
    explicit Engine(const EngineOptions& options);
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    ~Engine();

    // Binds the listener on every loop (before start()). Returns the bound port (useful with port 0; 0 for a
    // Unix socket).
    Result<std::uint16_t> listen(ListenerSpec spec);
    void start();
    // Stops accepting, interrupts reads so sessions say goodbye and end, closes what is left when the
    // grace period ends, then stops the loops and joins them. Call from the main thread.
    void shutdown(std::chrono::milliseconds grace);

    ThreadPool& pool() { return *pool_; }
    unsigned loop_count() const { return static_cast<unsigned>(loops_.size()); }
    Reactor& loop(unsigned i) { return *loops_[i]; }
    // Runs fn on every loop's thread and waits for all of them.
    void run_on_every_loop(const std::function<void()>& fn);

private:
    struct Bound {
        ListenerSpec spec;
        std::vector<int> fds;              // one per loop, until its accept loop takes it
        std::vector<IoHandle*> accepting;  // each loop's accept loop, for shutdown (touched on that loop only)
    };
    Task<void> accept_loop(int fd, Bound* bound, unsigned index);
    // Connections open on this engine's loops only: clients in the same process (tests, benchmarks) and
    // other engines don't count towards max_connections or hold up shutdown.
    std::uint64_t open_connections() const;

    EngineOptions options_;
    std::vector<std::unique_ptr<Reactor>> loops_;
    std::vector<std::thread> threads_;
    std::vector<LoopCounters*> loop_counters_;  // each loop thread's counters, set before any loop runs
    std::unique_ptr<ThreadPool> pool_;
    std::vector<std::unique_ptr<Bound>> listeners_;
    bool started_ = false;
};

}  // namespace mallard::core
