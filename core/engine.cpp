#include "core/engine.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <future>
#include <latch>
#include <mutex>

#include "core/counters.h"
#include "core/log.h"

namespace mallard::core {

namespace {

// The first thing every connection task does: the PROXY header if the port requires one (a connection
// without a valid one is closed unanswered), then implicit TLS if the port has it. False: the connection is
// done. Its own coroutine, ended before the protocol starts, so its locals don't sit under every session.
Task<bool> prepare(net::Connection& conn, std::shared_ptr<net::TlsProvider> tls,
                   std::chrono::seconds handshake_timeout, bool proxy_protocol) {
    if (proxy_protocol) {
        auto proxied = co_await conn.accept_proxy_header(Deadline::after(handshake_timeout));
        if (!proxied) {
            MLOG_CONN(info, conn.id()) << "PROXY header refused from " << conn.peer().to_string() << ": "
                                       << proxied.error().to_string();
            conn.close();
            co_return false;
        }
        MLOG_CONN(debug, conn.id()) << "PROXY: client " << conn.peer().to_string();
    }
    if (tls) {
        auto done = co_await conn.start_tls(tls->current(), net::TlsStream::Role::server,
                                            Deadline::after(handshake_timeout));
        if (!done) {
            MLOG_CONN(debug, conn.id()) << "TLS handshake failed: " << done.error().to_string();
            co_return false;
        }
    }
    co_return true;
}

// A connection task: prepare(), then the protocol in a task of its own, so that this frame (the handler, the
// TLS provider) is freed rather than kept under every session for its whole life. Exceptions here end the
// connection; the protocols' serve() catch their own (what escapes one reaches the detached-task handler).
Task<void> serve(std::unique_ptr<net::Connection> conn, std::shared_ptr<net::TlsProvider> tls,
                 ConnectionHandler handler, std::chrono::seconds handshake_timeout, bool proxy_protocol) {
    std::uint64_t id = conn->id();
    try {
        bool ready = co_await prepare(*conn, std::move(tls), handshake_timeout, proxy_protocol);
        if (ready) spawn(handler(std::move(conn)));
    } catch (const std::exception& e) {
        MLOG_CONN(error, id) << "connection task failed: " << e.what();
    } catch (...) {
        MLOG_CONN(error, id) << "connection task failed with an unknown exception";
    }
}

}  // namespace

Engine::Engine(const EngineOptions& options) : options_(options) {
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    unsigned workers = options.workers ? options.workers : cores;
    unsigned pool_threads = options.pool_threads ? options.pool_threads : std::max(4u, 2 * cores);
    for (unsigned i = 0; i < workers; ++i) loops_.push_back(std::make_unique<Reactor>(i));
    pool_ = std::make_unique<ThreadPool>(pool_threads);
}

Engine::~Engine() {
    if (started_) shutdown(std::chrono::milliseconds(0));
    for (auto& l : listeners_) {
        for (int fd : l->fds)
            if (fd >= 0) ::close(fd);
        if (l->spec.address.family() == AF_UNIX) ::unlink(net::unix_path_of(l->spec.address).c_str());
    }
}

Result<std::uint16_t> Engine::listen(ListenerSpec spec) {
    auto bound = std::make_unique<Bound>();
    bound->spec = std::move(spec);
    bound->accepting.assign(loops_.size(), nullptr);
    if (bound->spec.address.family() == AF_UNIX) {
        const std::string path = net::unix_path_of(bound->spec.address);
        // No SO_REUSEPORT for Unix sockets: every loop accepts on a duplicate of one socket (the kernel wakes
        // them all; the ones that lose the race see EAGAIN and wait again).
        auto fd = net::open_unix_listener(path, 4096);
        if (!fd) return fd.take_error();
        bound->fds.push_back(*fd);
        for (std::size_t i = 1; i < loops_.size(); ++i) {
            int copy = ::fcntl(*fd, F_DUPFD_CLOEXEC, 0);
            if (copy < 0) {
                int e = errno;
                for (int f : bound->fds) ::close(f);
                ::unlink(path.c_str());
                return Error(Errc::io, std::string("dup: ") + std::strerror(e));
            }
            bound->fds.push_back(copy);
        }
        listeners_.push_back(std::move(bound));
        return std::uint16_t{0};
    }
    net::SocketAddress address = bound->spec.address;
    for (std::size_t i = 0; i < loops_.size(); ++i) {
        auto fd = net::open_listener(address, 4096);
        if (!fd) {
            for (int f : bound->fds) ::close(f);
            return fd.take_error();
        }
        bound->fds.push_back(*fd);
        // With port 0 the first socket picks a port; the others must share it.
        if (i == 0) {
            auto local = net::local_address(*fd);
            if (local) address = *local;
        }
    }
    std::uint16_t port = net::port_of(address);
    listeners_.push_back(std::move(bound));
    return port;
}

void Engine::start() {
    started_ = true;
    // Every loop learns the others' counters before any of them accepts (the accept loop reads them all).
    loop_counters_.assign(loops_.size(), nullptr);
    auto all_known = std::make_shared<std::latch>(static_cast<std::ptrdiff_t>(loops_.size()));
    for (std::size_t i = 0; i < loops_.size(); ++i) {
        Reactor* loop = loops_[i].get();
        for (auto& bound : listeners_) {
            int fd = bound->fds[i];
            Bound* b = bound.get();
            bound->fds[i] = -1;  // owned by the accept loop from now on
            loop->post([this, fd, b, i] { spawn(accept_loop(fd, b, static_cast<unsigned>(i))); });
        }
        threads_.emplace_back([this, loop, i, all_known] {
            loop_counters_[i] = &thread_counters();
            all_known->arrive_and_wait();
            loop->run();
        });
    }
}

Task<void> Engine::accept_loop(int fd, Bound* bound, unsigned index) {
    IoHandle io;
    io.open(fd);
    bound->accepting[index] = &io;
    LoopCounters& counters = thread_counters();
    // shutdown() closes `io` from outside; the fd number may already belong to another socket by the time a
    // back-off sleep ends, so never accept on it again.
    while (io.is_open()) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        int client = ::accept4(fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                io.clear_readable();
                WaitResult w = co_await io.wait_readable(Deadline::never());
                if (w == WaitResult::cancelled) break;
                continue;
            }
            if (errno == EINTR || errno == ECONNABORTED) continue;
            // Out of descriptors or memory: log, back off briefly rather than spin.
            MLOG(warn) << bound->spec.name << ": accept: " << std::strerror(errno);
            co_await sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        if (open_connections() >= options_.max_connections) {
            ::close(client);
            continue;
        }
        int one = 1;
        if (peer.ss_family != AF_UNIX) ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        counters.add(counters.connections_accepted);
        auto conn = std::make_unique<net::Connection>(client, net::PeerAddress(reinterpret_cast<sockaddr*>(&peer)));
        spawn(serve(std::move(conn), bound->spec.tls, bound->spec.handler, options_.tls_handshake_timeout,
                         bound->spec.proxy_protocol));
    }
    bound->accepting[index] = nullptr;
    io.close();
}

std::uint64_t Engine::open_connections() const {
    std::uint64_t open = 0;
    for (const LoopCounters* c : loop_counters_) open += c->connections_open.load(std::memory_order_relaxed);
    return open;
}

void Engine::run_on_every_loop(const std::function<void()>& fn) {
    std::vector<std::future<void>> done;
    for (auto& loop : loops_) {
        auto promise = std::make_shared<std::promise<void>>();
        done.push_back(promise->get_future());
        loop->post([fn, promise] {
            fn();
            promise->set_value();
        });
    }
    for (auto& f : done) f.wait();
}

void Engine::shutdown(std::chrono::milliseconds grace) {
    if (!started_) return;
    started_ = false;
    // 1. Stop accepting: closing a listener's IoHandle wakes its accept loop with `cancelled`.
    //    Listening fds are owned by the accept loops from now on.
    run_on_every_loop([this] {
        unsigned i = Reactor::current()->index();
        for (auto& l : listeners_)
            if (l->accepting[i]) l->accepting[i]->close();
        net::Connection::for_each_on_this_thread([](net::Connection& c) { c.interrupt_reads(); });
    });
    // 2. Let sessions finish within the grace period.
    auto until = Clock::now() + grace;
    while (open_connections() > 0 && Clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // 3. Close what is left; their coroutines unwind through `cancelled`.
    run_on_every_loop([] { net::Connection::for_each_on_this_thread([](net::Connection& c) { c.close(); }); });
    auto unwind = Clock::now() + std::chrono::seconds(2);
    while (open_connections() > 0 && Clock::now() < unwind)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (auto& loop : loops_) loop->stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
}

}  // namespace mallard::core
