// mallard-bench: the operators' push benchmark against running mallard processes.
//
//   idle     N sessions over users u0..u{U-1} log in, SELECT INBOX and IDLE (RFC 2177), opened by P worker
//            processes (one process may hold only ~19,900 sockets here) from source addresses spread over
//            127.0.0.0/8 (per-address connection limits, and one address's ephemeral ports); reports the
//            connect+login rate and the growth of the servers' PSS per connection (given --server-pid).
//   latency  W watchers IDLE on user u{U}'s INBOX; M messages are delivered one at a time over LMTP; the time
//            from LMTP's "250" to each watcher's "* n EXISTS": percentiles for the first and the last
//            watcher to see each message. The idle sessions stay open meanwhile.
//   lmtp     C concurrent LMTP sessions deliver to u{U} for a bounded time and count: deliveries/s, MB/s.
//
// Prints a human summary and one JSON line; exits 2 when anything failed. Every wait has a deadline, every
// loop a count bound, and worker processes die with the parent (PR_SET_PDEATHSIG).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "perf/bench_support.h"
#include "perf/idle_fleet.h"
#include "perf/lmtp_client.h"
#include "perf/push_bench.h"
#include "perf/push_latency.h"
#include "perf/server_memory.h"

namespace mallard::perf {
namespace {

using core::Clock;
using core::net::SocketAddress;

// ---- options ------------------------------------------------------------------------------------------------

void usage() {
    std::fprintf(stderr,
        "usage: mallard-bench [options]\n"
        "  --phases LIST          idle,latency,lmtp (default all three)\n"
        "  --host H               the server's address (default 127.0.0.1)\n"
        "  --imap-ports LIST      IMAP ports, one per server process; sessions are spread over them (default 143)\n"
        "  --tls                  implicit TLS on the IMAP ports (993-style listeners)\n"
        "  --lmtp-port P          LMTP port of the process the watchers use (first IMAP port) (default 24)\n"
        "  --server-pid LIST      server process ids; their PSS is summed (idle phase memory figures)\n"
        "  --sessions N           idle sessions (default 1000)\n"
        "  --users U              idle users u0..u{U-1}; watchers and LMTP use u{U} (default 100)\n"
        "  --user-prefix P        instead of \"u\"; --domain D addresses are P{i}@D (default bench.example)\n"
        "  --password PW          every user's password (default bench)\n"
        "  --create-users CTL     create (or reset the password of) the users first with this mallardctl,\n"
        "  --ctl-config FILE      given --config FILE\n"
        "  --workers P            idle worker processes (default: one per %u sessions)\n"
        "  --per-source K         connections per source address in 127.0.0.0/8; 0 = no binding (default 400,\n"
        "                         under imap.max_connections_per_address = 500)\n"
        "  --connect-concurrency K  session set-ups in flight per worker (default 64)\n"
        "  --warmup K             open K sessions first and read PSS again: the growth from there on is the\n"
        "                         marginal cost per connection, without the server's one-time costs\n"
        "                         (thread pool, caches, password hashing buffers) (default sessions/10)\n"
        "  --watchers W           latency watchers, all on u{U}'s INBOX (default 1)\n"
        "  --messages M           deliveries in the latency phase (default 100)\n"
        "  --lmtp-sessions C      concurrent LMTP sessions in the lmtp phase (default 4)\n"
        "  --lmtp-messages N      deliveries in the lmtp phase at most (default 2000)\n"
        "  --seconds S            each phase at most (default 300)\n"
        "  --settle-ms MS         wait before reading PSS after the idle sessions are up (default 2000)\n"
        "  --hold S               keep the idle sessions open S seconds at the end (default 0)\n"
        "The server's per-user and per-address limits apply: sessions/users <= imap.max_connections_per_user,\n"
        "watchers <= it too (set it to 0 for a big watcher run).\n",
        sockets_per_process);
}

std::vector<std::string> split(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        out.emplace_back(text.substr(0, comma));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

bool parse_list(std::string_view text, unsigned lo, unsigned hi, std::vector<unsigned>& out) {
    out.clear();
    for (const auto& item : split(text)) {
        unsigned v = 0;
        if (!parse_count(item, lo, hi, v)) return false;
        out.push_back(v);
    }
    return !out.empty() && out.size() <= 1000;
}

bool read_options(int argc, char** argv, PushOptions& o) {
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--tls") {
            o.tls = true;
            continue;
        }
        std::string* text = flag == "--host"           ? &o.host
                            : flag == "--user-prefix"  ? &o.prefix
                            : flag == "--domain"       ? &o.domain
                            : flag == "--password"     ? &o.password
                            : flag == "--create-users" ? &o.create_users
                            : flag == "--ctl-config"   ? &o.ctl_config
                                                       : nullptr;
        const bool list = flag == "--imap-ports" || flag == "--server-pid" || flag == "--phases";
        if (!text && !list) {
            rest.push_back(argv[i]);
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "%s needs a value\n", argv[i]);
            return false;
        }
        std::string_view value = argv[++i];
        if (text) {
            *text = value;
        } else if (flag == "--imap-ports" && !parse_list(value, 1, 65535, o.imap_ports)) {
            std::fprintf(stderr, "bad port list: %s\n", argv[i]);
            return false;
        } else if (flag == "--server-pid" && !parse_list(value, 1, 1u << 30, o.server_pids)) {
            std::fprintf(stderr, "bad pid list: %s\n", argv[i]);
            return false;
        } else if (flag == "--phases") {
            o.idle = o.latency = o.lmtp = false;
            for (const auto& p : split(value)) {
                bool* phase = p == "idle" ? &o.idle : p == "latency" ? &o.latency : p == "lmtp" ? &o.lmtp : nullptr;
                if (!phase) {
                    std::fprintf(stderr, "unknown phase %s (idle, latency, lmtp)\n", p.c_str());
                    return false;
                }
                *phase = true;
            }
        }
    }
    return parse_options(static_cast<int>(rest.size()), rest.data(),
                         {{"--lmtp-port", 1, 65535, &o.lmtp_port},
                          {"--sessions", 0, 10'000'000, &o.sessions},
                          {"--users", 1, 10'000'000, &o.users},
                          {"--workers", 0, 1000, &o.workers},
                          {"--per-source", 0, 1'000'000, &o.per_source},
                          {"--connect-concurrency", 1, 10'000, &o.connect_concurrency},
                          {"--warmup", 0, 10'000'000, &o.warmup},
                          {"--watchers", 1, sockets_per_process, &o.watchers},
                          {"--messages", 1, 1'000'000, &o.messages},
                          {"--lmtp-sessions", 1, 1000, &o.lmtp_sessions},
                          {"--lmtp-messages", 1, 10'000'000, &o.lmtp_messages},
                          {"--settle-ms", 0, 600'000, &o.settle_ms},
                          {"--hold", 0, 86'400, &o.hold_s}},
                         {"--seconds", 1, 86'400, &o.seconds});
}

// ---- creating the users ------------------------------------------------------------------------------------

// Runs `argv` with its output discarded; its exit status, or -1.
int run_quietly(const std::vector<std::string>& args) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        std::freopen("/dev/null", "w", stdout);
        std::freopen("/dev/null", "w", stderr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// u0..u{U} with the one password: created, or the password reset where the user exists.
bool create_users(const PushOptions& o) {
    auto start = Clock::now();
    for (unsigned i = 0; i <= o.users; ++i) {
        const std::string user = user_name(o, i);
        std::vector<std::string> base{o.create_users};
        if (!o.ctl_config.empty()) base.insert(base.end(), {"--config", o.ctl_config});
        auto create = base;
        create.insert(create.end(),
                      {"user", "create", user, "--password", o.password, "--address", address_of(o, user)});
        if (run_quietly(create) == 0) continue;
        auto reset = base;
        reset.insert(reset.end(), {"user", "password", user, "--password", o.password});
        if (run_quietly(reset) != 0) {
            std::fprintf(stderr, "mallard-bench: %s could neither create nor update %s\n", o.create_users.c_str(),
                         user.c_str());
            return false;
        }
    }
    std::printf("users: %u created or updated in %.1f s\n", o.users + 1, seconds_since(start));
    return true;
}

// ---- the idle phase: worker processes --------------------------------------------------------------------

// ---- output ------------------------------------------------------------------------------------------------

// `v` with `decimals` digits after the point.
std::string fmt(int decimals, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string json_percentiles(const Percentiles& p) {
    return "{\"p50\":" + fmt(3, p.p50) + ",\"p90\":" + fmt(3, p.p90) + ",\"p99\":" + fmt(3, p.p99) +
           ",\"max\":" + fmt(3, p.max) + ",\"n\":" + std::to_string(p.count) + "}";
}

std::string json_optional(std::optional<unsigned long long> v) { return v ? std::to_string(*v) : "null"; }

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        if (static_cast<unsigned char>(ch) < 0x20) continue;
        out += ch;
    }
    return out + "\"";
}

// Server memory per connection in bytes, when both readings exist and some sessions are up.
std::optional<double> per_connection(std::optional<unsigned long long> before, std::optional<unsigned long long> after,
                                     unsigned long long connections) {
    if (!before || !after || connections == 0) return std::nullopt;
    return (static_cast<double>(*after) - static_cast<double>(*before)) * 1024.0 / static_cast<double>(connections);
}

void print_percentiles(const char* what, const Percentiles& p) {
    std::printf("  %-28s p50 %7.3f  p90 %7.3f  p99 %7.3f  max %7.3f ms (%zu messages)\n", what, p.p50, p.p90, p.p99,
                p.max, p.count);
}

int run(const PushOptions& o) {
    core::log::set_level(core::log::Level::warn);
    raise_open_file_limit();
    std::vector<SocketAddress> imap;
    for (unsigned port : o.imap_ports) {
        auto a = core::net::parse_address(o.host, static_cast<std::uint16_t>(port));
        if (!a) {
            std::fprintf(stderr, "mallard-bench: %s\n", a.error().to_string().c_str());
            return 64;
        }
        imap.push_back(*a);
    }
    auto lmtp = core::net::parse_address(o.host, static_cast<std::uint16_t>(o.lmtp_port));
    if (!lmtp) {
        std::fprintf(stderr, "mallard-bench: %s\n", lmtp.error().to_string().c_str());
        return 64;
    }
    std::printf("mallard-bench: %s, IMAP port%s", o.host.c_str(), imap.size() > 1 ? "s" : "");
    for (unsigned p : o.imap_ports) std::printf(" %u", p);
    std::printf("%s, LMTP %u; users %s0..%s%u (watch user %s)\n", o.tls ? " (TLS)" : "", o.lmtp_port,
                o.prefix.c_str(), o.prefix.c_str(), o.users - 1, watch_user(o).c_str());
    if (o.idle && o.users > 0 && o.sessions / o.users > 15)
        std::printf("note: %u sessions per user: the server's imap.max_connections_per_user must allow it\n",
                    (o.sessions + o.users - 1) / o.users);
    if (!o.create_users.empty() && !create_users(o)) return 1;

    IdleFleet fleet;
    IdleResult idle;
    if (o.idle && o.sessions > 0) {
        idle = fleet.start(o, imap);
        std::printf("idle: %llu of %u sessions in IDLE (%llu failed) by %u processes; after %llu warm-up sessions, "
                    "%llu more in %.2f s: %.0f connect+login/s\n",
                    idle.ready, o.sessions, idle.failed, idle.workers, idle.warm, idle.ready - idle.warm, idle.seconds,
                    idle.per_second);
        if (!idle.first_error.empty()) std::printf("  first error: %s\n", idle.first_error.c_str());
        if (auto per = per_connection(idle.pss_before, idle.pss_after, idle.ready))
            std::printf("  server PSS %llu -> %llu KiB over %zu process(es): %.0f bytes (%.2f KiB) per connection\n",
                        *idle.pss_before, *idle.pss_after, o.server_pids.size(), *per, *per / 1024);
        if (auto per = per_connection(idle.pss_warm, idle.pss_after, idle.ready - idle.warm))
            std::printf("  server PSS after the warm-up %llu -> %llu KiB: %.0f bytes (%.2f KiB) per further "
                        "connection\n",
                        *idle.pss_warm, *idle.pss_after, *per, *per / 1024);
        else if (!o.server_pids.empty())
            std::printf("  server PSS: could not read /proc/PID/smaps_rollup for every --server-pid\n");
        if (auto per = per_connection(idle.tcp_before, idle.tcp_after, idle.ready))
            std::printf("  kernel TCP memory (both ends, whole host) %llu -> %llu KiB: %.0f bytes per connection\n",
                        *idle.tcp_before, *idle.tcp_after, *per);
    }
    const auto first_number = static_cast<unsigned long long>(std::time(nullptr)) * 1'000'000ull;
    LatencyResult latency;
    if (o.latency) {
        latency = run_latency(o, imap.front(), *lmtp, first_number);
        std::printf("latency: %u of %u watchers in IDLE on %s's INBOX, %u messages delivered one at a time, "
                    "%u missed\n",
                    latency.ready, latency.watchers, watch_user(o).c_str(), latency.delivered, latency.missed);
        print_percentiles("LMTP 250 -> first EXISTS", latency.first);
        print_percentiles("LMTP 250 -> last EXISTS", latency.last);
        print_percentiles("LMTP transaction", latency.delivery);
        if (latency.early)
            std::printf("  %u pushes arrived before the 250 was read (counted as 0 ms)\n", latency.early);
        if (!latency.first_missed.empty()) std::printf("  first missed: %s\n", latency.first_missed.c_str());
        if (!latency.first_error.empty()) std::printf("  first error: %s\n", latency.first_error.c_str());
    }
    LoadResult load;
    if (o.lmtp) {
        const std::string rcpt = address_of(o, watch_user(o));
        const MessageTemplates t = make_templates(rcpt);
        load = run_lmtp_load(*lmtp, t, rcpt, o.lmtp_sessions, o.lmtp_messages, o.seconds,
                             first_number + o.messages + 1);
        std::printf("lmtp: %u sessions: %.1f deliveries/s, %.2f MB/s (%llu in %.2f s, %llu failed)\n", o.lmtp_sessions,
                    load.per_second, load.mb_per_second, load.delivered, load.seconds, load.failed);
        if (!load.first_error.empty()) std::printf("  first error: %s\n", load.first_error.c_str());
    }
    if (idle.ran) {
        if (o.hold_s) ::sleep(o.hold_s);
        fleet.release(idle);
        std::printf("idle: %llu sessions dropped by the server while held, %llu lines pushed to them\n", idle.dropped,
                    idle.pushed_lines);
    }

    const unsigned long long failures = idle.failed + idle.dropped +
                                        (latency.ran ? latency.watchers - latency.ready : 0) +
                                        latency.missed + (latency.ran && latency.delivered < o.messages ? 1 : 0) +
                                        load.failed + (o.lmtp && load.delivered == 0 ? 1 : 0);
    std::string json = "{\"bench\":\"push\",\"tls\":" + std::string(o.tls ? "true" : "false");
    if (idle.ran) {
        auto per = per_connection(idle.pss_before, idle.pss_after, idle.ready);
        auto marginal = per_connection(idle.pss_warm, idle.pss_after, idle.ready - idle.warm);
        json += ",\"idle\":{\"sessions\":" + std::to_string(o.sessions) + ",\"users\":" + std::to_string(o.users) +
                ",\"workers\":" + std::to_string(idle.workers) + ",\"ready\":" + std::to_string(idle.ready) +
                ",\"failed\":" + std::to_string(idle.failed) + ",\"dropped\":" + std::to_string(idle.dropped) +
                ",\"seconds\":" + fmt(3, idle.seconds) + ",\"connect_login_per_s\":" + fmt(1, idle.per_second) +
                ",\"server_processes\":" + std::to_string(o.server_pids.size()) +
                ",\"warmup\":" + std::to_string(idle.warm) + ",\"pss_before_kib\":" + json_optional(idle.pss_before) +
                ",\"pss_warm_kib\":" + json_optional(idle.pss_warm) + ",\"pss_after_kib\":" +
                json_optional(idle.pss_after) + ",\"pss_bytes_per_connection\":" + (per ? fmt(0, *per) : "null") +
                ",\"pss_bytes_per_further_connection\":" + (marginal ? fmt(0, *marginal) : "null") +
                ",\"kernel_tcp_before_kib\":" + json_optional(idle.tcp_before) +
                ",\"kernel_tcp_after_kib\":" + json_optional(idle.tcp_after) + "}";
    }
    if (latency.ran)
        json += ",\"latency\":{\"watchers\":" + std::to_string(latency.watchers) + ",\"ready\":" +
                std::to_string(latency.ready) + ",\"messages\":" + std::to_string(o.messages) + ",\"delivered\":" +
                std::to_string(latency.delivered) + ",\"missed\":" + std::to_string(latency.missed) + ",\"early\":" +
                std::to_string(latency.early) + ",\"first_ms\":" + json_percentiles(latency.first) +
                ",\"last_ms\":" + json_percentiles(latency.last) + ",\"transaction_ms\":" +
                json_percentiles(latency.delivery) + "}";
    if (o.lmtp)
        json += ",\"lmtp\":{\"sessions\":" + std::to_string(o.lmtp_sessions) + ",\"delivered\":" +
                std::to_string(load.delivered) + ",\"failed\":" + std::to_string(load.failed) + ",\"seconds\":" +
                fmt(3, load.seconds) + ",\"deliveries_per_s\":" + fmt(1, load.per_second) +
                ",\"mb_per_s\":" + fmt(2, load.mb_per_second) + "}";
    std::string first_error = !idle.first_error.empty() ? idle.first_error
                              : !latency.first_error.empty() ? latency.first_error : load.first_error;
    json += ",\"failures\":" + std::to_string(failures) + ",\"first_error\":" + json_string(first_error) + "}";
    std::printf("%s\n", json.c_str());
    return failures ? 2 : 0;
}

}  // namespace
}  // namespace mallard::perf

int main(int argc, char** argv) {
    mallard::perf::PushOptions options;
    if (!mallard::perf::read_options(argc, argv, options)) {
        mallard::perf::usage();
        return 64;
    }
    ::signal(SIGPIPE, SIG_IGN);
    return mallard::perf::run(options);
}
