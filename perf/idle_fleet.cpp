// See idle_fleet.h.
#include "perf/idle_fleet.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>

#include "core/net/connection.h"
#include "core/net/tls_context.h"
#include "core/reactor.h"
#include "perf/imap_client.h"
#include "perf/server_memory.h"

namespace mallard::perf {

using namespace std::chrono_literals;
using core::Clock;
using core::Deadline;
using core::Task;
using core::net::Connection;
using core::net::SocketAddress;

namespace {

struct IdleWorker {
    const PushOptions* o = nullptr;
    std::vector<SocketAddress> servers;
    std::shared_ptr<core::net::TlsContext> tls;
    unsigned first = 0, count = 0;          // global session numbers first .. first + count - 1
    unsigned warm = 0;                      // the first step opens this many of them
    unsigned limit = 0;                     // sessions claimed up to here in the current step
    unsigned claimed = 0, ready = 0, failed = 0, running = 0, holding = 0, dropped = 0;
    unsigned long long pushed_lines = 0;
    std::string first_error;
    Deadline setup_end = Deadline::never();
    Deadline hold_end = Deadline::never();
    bool released = false;
};

IdleTarget target_for(const IdleWorker& w, unsigned i) {
    IdleTarget t;
    t.server = w.servers[i % w.servers.size()];
    t.source = source_for(*w.o, i);
    t.tls = w.tls;
    t.user = user_name(*w.o, i % w.o->users);
    t.password = w.o->password;
    return t;
}

// One session in IDLE until released: a server that closes it (or anything else that ends the read early) is
// a drop. Nobody delivers to the idle users, so pushed lines are only counted.
Task<void> hold(IdleWorker* w, std::unique_ptr<Connection> conn) {
    ++w->holding;
    for (int lines = 0; lines < 1'000'000; ++lines) {
        auto line = co_await conn->read_line(64 * 1024, w->hold_end);
        if (line) {
            ++w->pushed_lines;
            continue;
        }
        if (!w->released) ++w->dropped;
        break;
    }
    --w->holding;
}

Task<void> opener(IdleWorker* w) {
    while (!w->setup_end.passed() && w->claimed < w->limit) {
        const unsigned i = w->first + w->claimed++;
        const auto deadline = Deadline::after(step_timeout).earlier(w->setup_end);
        auto session = co_await open_idle_session(target_for(*w, i), deadline);
        if (!session) {
            ++w->failed;
            if (w->first_error.empty()) w->first_error = session.error().to_string();
            continue;
        }
        ++w->ready;
        core::spawn(hold(w, std::move(session->conn)));
    }
    --w->running;
}

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\r', ' ');
    return text;
}

// Opens sessions up to `limit` with the configured number of openers and waits for them (bounded).
Task<void> open_up_to(IdleWorker* w, unsigned limit) {
    w->limit = limit;
    const unsigned openers = std::max(1u, std::min(w->o->connect_concurrency, limit - w->claimed));
    w->running = openers;
    for (unsigned i = 0; i < openers; ++i) core::spawn(opener(w));
    const auto hard = Deadline::at(w->setup_end.when() + step_timeout + 5s);
    while (w->running > 0 && !hard.passed()) co_await core::sleep_for(2ms);
}

// The worker's side of its control socket: opens its warm-up share and says "warm OK FAILED", waits for
// "go", opens the rest and says "ready OK FAILED SECONDS ERROR", then waits for "release", closes everything
// (RST: no TIME_WAIT pile-up between runs) and says "done DROPPED PUSHED".
Task<void> worker_main(IdleWorker* w, int control_fd) {
    Connection control(control_fd, core::net::PeerAddress());
    co_await open_up_to(w, w->warm);
    control.queue("warm " + std::to_string(w->ready) + " " + std::to_string(w->failed) + "\n");
    auto warm_sent = co_await control.flush(Deadline::after(step_timeout));
    auto go = co_await control.read_line(256, w->hold_end);
    if (warm_sent && go) {
        auto start = Clock::now();
        co_await open_up_to(w, w->count);
        char report[96];
        std::snprintf(report, sizeof report, "ready %u %u %.3f ", w->ready, w->failed, seconds_since(start));
        control.queue(report + one_line(w->first_error) + "\n");
        auto sent = co_await control.flush(Deadline::after(step_timeout));
        if (sent) {
            auto order = co_await control.read_line(256, w->hold_end);  // "release", or the parent is gone
            (void)order;
        }
    }
    w->released = true;
    Connection::for_each_on_this_thread([&control](Connection& c) {
        if (&c == &control) return;
        linger abort{1, 0};
        ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        c.close();
    });
    const auto limit = Deadline::after(10s);
    while (w->holding > 0 && !limit.passed()) co_await core::sleep_for(1ms);
    control.queue("done " + std::to_string(w->dropped) + " " + std::to_string(w->pushed_lines) + "\n");
    auto bye = co_await control.flush(Deadline::after(5s));
    (void)bye;
}

[[noreturn]] void run_worker(const PushOptions& o, const std::vector<SocketAddress>& servers, unsigned first,
                             unsigned count, unsigned warm, int control_fd, Deadline hold_end) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() == 1) ::_exit(1);
    raise_open_file_limit();
    IdleWorker w;
    w.o = &o;
    w.servers = servers;
    w.first = first;
    w.count = count;
    w.warm = warm;
    w.setup_end = phase_deadline(o);
    w.hold_end = hold_end;
    if (o.tls) {
        auto ctx = core::net::TlsContext::client(false);
        if (ctx) w.tls = *ctx;
    }
    {
        core::Reactor loop(400);
        loop.block_on(worker_main(&w, control_fd));
    }
    std::fflush(nullptr);
    ::_exit(0);
}

}  // namespace

// One line from a worker, waiting (blocking, in poll) no longer than the deadline.
std::optional<std::string> IdleFleet::read_control_line(WorkerProcess& w, Deadline deadline) {
    for (int reads = 0; reads < 100'000; ++reads) {
        auto eol = w.buffer.find('\n');
        if (eol != std::string::npos) {
            std::string line = w.buffer.substr(0, eol);
            w.buffer.erase(0, eol + 1);
            return line;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline.when() - Clock::now()).count();
        if (left <= 0) return std::nullopt;
        pollfd p{w.fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (r < 0 && errno != EINTR) return std::nullopt;
        if (r <= 0) continue;
        char buf[512];
        ssize_t n = ::read(w.fd, buf, sizeof buf);
        if (n <= 0) return std::nullopt;
        w.buffer.append(buf, static_cast<std::size_t>(n));
    }
    return std::nullopt;
}

IdleResult IdleFleet::start(const PushOptions& o, const std::vector<SocketAddress>& servers) {
    IdleResult r;
    r.ran = true;
    r.pss_before = total_pss_kib(std::vector<int>(o.server_pids.begin(), o.server_pids.end()));
    r.tcp_before = kernel_tcp_kib();
    const unsigned n = o.sessions;
    const unsigned processes =
        o.workers ? o.workers : std::max(1u, (n + sockets_per_process - 1) / sockets_per_process);
    r.workers = processes;
    const unsigned warmup = o.warmup == auto_warmup ? n / 10 : std::min(o.warmup, n);
    // The phases after this one and --hold come before the release: the workers wait that long at most.
    const auto hold_end = Deadline::after(std::chrono::seconds(static_cast<long long>(o.seconds * 3 + o.hold_s + 300)));
    for (unsigned p = 0; p < processes; ++p) {
        const unsigned first = static_cast<unsigned>(static_cast<unsigned long long>(n) * p / processes);
        const unsigned last = static_cast<unsigned>(static_cast<unsigned long long>(n) * (p + 1) / processes);
        const unsigned warm = static_cast<unsigned>(static_cast<unsigned long long>(warmup) * (p + 1) / processes) -
                              static_cast<unsigned>(static_cast<unsigned long long>(warmup) * p / processes);
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
            r.first_error = "socketpair failed";
            break;
        }
        std::fflush(nullptr);
        pid_t pid = ::fork();
        if (pid == 0) {
            ::close(fds[0]);
            for (auto& w : workers_) ::close(w.fd);
            int flags = ::fcntl(fds[1], F_GETFL);
            ::fcntl(fds[1], F_SETFL, flags | O_NONBLOCK);
            run_worker(o, servers, first, last - first, std::min(warm, last - first), fds[1], hold_end);
        }
        ::close(fds[1]);
        if (pid < 0) {
            ::close(fds[0]);
            r.first_error = "fork failed";
            break;
        }
        workers_.push_back({pid, fds[0], {}});
    }
    const auto reports_by = Deadline::after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(o.seconds) + step_timeout + 30s));
    for (auto& w : workers_) {
        auto line = read_control_line(w, reports_by);
        unsigned long long ok = 0, failed = 0;
        if (line && std::sscanf(line->c_str(), "warm %llu %llu", &ok, &failed) == 2) r.warm += ok;
    }
    if (warmup > 0) {
        ::usleep(o.settle_ms * 1000u);
        r.pss_warm = total_pss_kib(std::vector<int>(o.server_pids.begin(), o.server_pids.end()));
        r.tcp_warm = kernel_tcp_kib();
    }
    auto start = Clock::now();
    for (auto& w : workers_) {
        const char go[] = "go\n";
        ssize_t sent = ::write(w.fd, go, sizeof go - 1);
        (void)sent;
    }
    for (auto& w : workers_) {
        auto line = read_control_line(w, reports_by);
        unsigned ok = 0, failed = 0;
        double seconds = 0;
        int used = 0;
        if (!line || std::sscanf(line->c_str(), "ready %u %u %lf %n", &ok, &failed, &seconds, &used) < 3) {
            r.failed += 1;
            if (r.first_error.empty()) r.first_error = "a worker process did not report";
            continue;
        }
        r.ready += ok;
        r.failed += failed;
        if (r.first_error.empty() && used > 0) r.first_error = line->substr(static_cast<std::size_t>(used));
    }
    r.seconds = seconds_since(start);
    r.per_second = r.seconds > 0 ? static_cast<double>(r.ready - r.warm) / r.seconds : 0;
    ::usleep(o.settle_ms * 1000u);
    r.pss_after = total_pss_kib(std::vector<int>(o.server_pids.begin(), o.server_pids.end()));
    r.tcp_after = kernel_tcp_kib();
    return r;
}

void IdleFleet::release(IdleResult& r) {
    for (auto& w : workers_) {
        const char order[] = "release\n";
        ssize_t sent = ::write(w.fd, order, sizeof order - 1);
        (void)sent;
    }
    const auto by = Deadline::after(30s);
    for (auto& w : workers_) {
        auto line = read_control_line(w, by);
        unsigned long long dropped = 0, pushed = 0;
        if (line && std::sscanf(line->c_str(), "done %llu %llu", &dropped, &pushed) == 2) {
            r.dropped += dropped;
            r.pushed_lines += pushed;
        }
        ::close(w.fd);
        int status = 0;
        for (int i = 0; i < 100 && ::waitpid(w.pid, &status, WNOHANG) == 0; ++i) ::usleep(50'000);
        if (::waitpid(w.pid, &status, WNOHANG) == 0) {
            ::kill(w.pid, SIGKILL);
            ::waitpid(w.pid, &status, 0);
        }
    }
    workers_.clear();
}

}  // namespace mallard::perf
