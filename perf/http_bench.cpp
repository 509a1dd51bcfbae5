// mallard-http-bench: the HTTP API on a big mailbox. It fills INBOX with N generated messages (the mailbox of
// perf/bench_mailbox.h, default 10,000; --data-dir keeps the population between runs and may be shared with
// mallard-imap-bench) and serves it through mallard's own HTTP handler on an in-process engine
// (perf/bench_server.h) — or measures a running mallard given --port (and --token, --user). Then, for 1 and C
// (default 32) concurrent keep-alive clients on one client reactor, it measures requests per second of
//   list        GET /users/:user/mailboxes/:inbox/messages              (the default page: 20 messages)
//   list_250    GET /users/:user/mailboxes/:inbox/messages?limit=250    (WildDuck's largest page)
//   message     GET /users/:user/mailboxes/:inbox/messages/:uid         (one parsed message, random UIDs)
// each for at most R requests or T seconds, `runs` times, and prints every run, the medians (requests/s, MB/s
// of bodies, latency p50/p99, and in-process the server's CPU per request: the process's CPU time less the
// client thread's) and one JSON line. Every answer must be a 200 with the expected content, else the tool
// exits non-zero.
//
// The user, INBOX and the UIDs are found through the API itself (GET /users/resolve/:username, GET
// /users/:user/mailboxes, and the listing paged by `next` cursors), the same way against either server.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/net/address.h"
#include "core/reactor.h"
#include "perf/bench_mailbox.h"
#include "perf/bench_server.h"
#include "perf/bench_support.h"
#include "perf/http_client.h"
#include "tools/mallard/handlers.h"

namespace mallard::perf {
namespace {

namespace fs = std::filesystem;
using core::Deadline;
using core::Task;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr double mb = 1e6;
constexpr std::size_t max_body = 64 * 1024 * 1024;  // a parsed message of the generator is well below
constexpr auto io_timeout = 30s;

struct Options {
    unsigned messages = 10000;
    unsigned runs = 3;
    unsigned appenders = 4;
    unsigned seed = 20241123;
    unsigned clients = 32;         // the concurrent measurement (the other is 1 client)
    unsigned requests = 20000;     // per measurement, at most
    double seconds = 5;            // per measurement, at most
    unsigned port = 0;             // a running mallard's HTTP port: no population, no in-process server
    std::string token;             // its access token (X-Access-Token), if it has one
    std::string user{bench_user};  // the user whose INBOX is read
    std::string data_dir;
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double cpu_seconds(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A path segment: WildDuck's ids are hex, the username is the one thing a user might give with odd bytes.
std::string percent_encode(std::string_view s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

// ---- finding the mailbox through the API -------------------------------------------------------------------

struct Target {
    std::string user_id;
    std::string inbox_id;
    std::vector<std::uint64_t> uids;
    std::uint64_t total = 0;  // as the listing reports it
};

// A JSON answer of 200 with success true, or an exception naming `what`.
Task<nlohmann::json> get_json(core::net::Connection& conn, std::string target, const Options& o, const char* what) {
    auto reply = co_await http_get(conn, target, o.token, max_body, Deadline::after(io_timeout));
    if (reply.status == 0) throw std::runtime_error(std::string(what) + ": " + reply.error);
    if (reply.status != 200)
        throw std::runtime_error(std::string(what) + ": HTTP " + std::to_string(reply.status) + " " +
                                 reply.body.substr(0, 200));
    nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || body.value("success", false) != true)
        throw std::runtime_error(std::string(what) + ": unexpected answer " + reply.body.substr(0, 200));
    co_return body;
}

Task<Target> discover(core::net::SocketAddress address, const Options& o) {
    auto connected = co_await core::net::connect_tcp(address, Deadline::after(io_timeout));
    if (!connected) throw std::runtime_error("connect: " + connected.error().to_string());
    core::net::Connection& conn = **connected;
    Target t;
    std::string resolve = "/users/resolve/" + percent_encode(o.user);
    auto user = co_await get_json(conn, std::move(resolve), o, "GET /users/resolve");
    t.user_id = user.value("id", "");
    std::string mailboxes = "/users/" + t.user_id + "/mailboxes";
    auto boxes = co_await get_json(conn, std::move(mailboxes), o, "GET /users/:user/mailboxes");
    for (const auto& box : boxes.value("results", nlohmann::json::array()))
        if (box.value("path", "") == "INBOX") t.inbox_id = box.value("id", "");
    if (t.inbox_id.empty()) throw std::runtime_error("the user has no INBOX");
    // Every UID, 250 a page (bounded: a page count and a time).
    const std::string list = "/users/" + t.user_id + "/mailboxes/" + t.inbox_id + "/messages?limit=250&order=asc";
    std::string next;
    const auto give_up = Deadline::after(600s);
    for (unsigned page = 0; page < 100000 && !give_up.passed(); ++page) {
        std::string page_target = next.empty() ? list : list + "&next=" + percent_encode(next);
        auto body = co_await get_json(conn, std::move(page_target), o, "GET /users/:user/mailboxes/:mailbox/messages");
        t.total = body.value("total", 0ull);
        for (const auto& m : body.value("results", nlohmann::json::array())) t.uids.push_back(m.value("id", 0ull));
        const auto& cursor = body["nextCursor"];
        if (!cursor.is_string()) break;
        next = cursor.get<std::string>();
    }
    co_return t;
}

// ---- one measurement: C keep-alive clients, one request path mix ------------------------------------------

struct Op {
    std::string name;
    std::vector<std::string> targets;  // request n asks for targets[n % size]
    std::string expect;                // a string every 200 answer contains
};

struct Load {
    core::net::SocketAddress address;
    const Options* options = nullptr;
    const Op* op = nullptr;
    unsigned connected = 0;
    unsigned running = 0;
    bool go = false;
    Deadline end = Deadline::never();
    unsigned long long claimed = 0;  // one client reactor: plain counters
    unsigned long long done = 0;
    unsigned long long failed = 0;
    unsigned long long bytes = 0;
    std::vector<double> latency_ms;
    std::string first_error;
};

void note_failure(Load* load, const std::string& what) {
    ++load->failed;
    if (load->first_error.empty()) load->first_error = what;
}

Task<void> client(Load* load) {
    auto connected = co_await core::net::connect_tcp(load->address, Deadline::after(io_timeout));
    if (!connected) {
        note_failure(load, "connect: " + connected.error().to_string());
        --load->running;
        co_return;
    }
    core::net::Connection& conn = **connected;
    ++load->connected;
    const auto wait_limit = Deadline::after(io_timeout);
    while (!load->go && !wait_limit.passed()) co_await core::sleep_for(1ms);
    const Options& o = *load->options;
    while (!load->end.passed() && load->claimed < o.requests) {
        const unsigned long long n = load->claimed++;
        const auto start = Clock::now();
        std::string request_target = load->op->targets[n % load->op->targets.size()];
        auto reply = co_await http_get(conn, std::move(request_target), o.token, max_body, Deadline::after(io_timeout));
        if (reply.status == 0) {
            note_failure(load, reply.error);
            break;  // the connection's state is unknown
        }
        if (reply.status != 200 || reply.body.find(load->op->expect) == std::string::npos) {
            note_failure(load, "HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 200));
        } else {
            ++load->done;
            load->bytes += reply.body.size();
            load->latency_ms.push_back(seconds_since(start) * 1000);
        }
        if (reply.close) break;
    }
    --load->running;
}

Task<void> clients(Load* load, unsigned count) {
    load->running = count;
    for (unsigned i = 0; i < count; ++i) core::spawn(client(load));
    const auto limit = Deadline::after(io_timeout);
    while (load->connected + load->failed < count && !limit.passed()) co_await core::sleep_for(1ms);
    load->end = Deadline::after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(load->options->seconds)));
    load->go = true;
    const auto hard_stop = Deadline::after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(load->options->seconds)) + 2 * io_timeout);
    while (load->running > 0 && !hard_stop.passed()) co_await core::sleep_for(1ms);
}

struct Figures {
    double per_second = 0;
    double mb_per_second = 0;
    double p50_ms = 0, p99_ms = 0;
    double server_cpu_us = -1;  // per request; -1: not measured (another process)
    unsigned long long done = 0, failed = 0;
    std::string first_error;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

Figures measure(const core::net::SocketAddress& address, const Options& o, const Op& op, unsigned count,
                bool in_process) {
    Load load;
    load.address = address;
    load.options = &o;
    load.op = &op;
    core::Reactor loop(400);
    const double process0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID), client0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    const auto start = Clock::now();
    loop.block_on(clients(&load, count));
    const double seconds = seconds_since(start);
    const double client_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - client0;
    const double server_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process0 - client_cpu;
    Figures f;
    f.done = load.done;
    f.failed = load.failed;
    f.first_error = load.first_error;
    f.per_second = static_cast<double>(load.done) / seconds;
    f.mb_per_second = static_cast<double>(load.bytes) / mb / seconds;
    f.p50_ms = percentile(load.latency_ms, 0.5);
    f.p99_ms = percentile(load.latency_ms, 0.99);
    if (in_process && load.done > 0) f.server_cpu_us = server_cpu * 1e6 / static_cast<double>(load.done);
    return f;
}

// ---- options and output -----------------------------------------------------------------------------------

void usage() {
    std::fprintf(stderr,
                 "usage: mallard-http-bench [--messages N] [--data-dir DIR] [--runs R] [--clients C]\n"
                 "                          [--requests Q] [--seconds T] [--appenders A] [--seed S]\n"
                 "                          [--port P [--token TOKEN] [--user NAME]]\n"
                 "  fills INBOX of user 'bench' with N generated messages (default 10000) in DIR (kept and reused;\n"
                 "  default: a temporary directory) and serves it through mallard's HTTP handler in-process, or\n"
                 "  measures the mallard listening on 127.0.0.1:P (NAME's INBOX, default 'bench'). Then, with 1 and\n"
                 "  C (default 32) keep-alive clients, the message list (default page and limit=250) and one\n"
                 "  parsed message (random UIDs): at most Q requests (default 20000) or T seconds (default 5) per\n"
                 "  measurement, R runs (default 3), medians.\n");
}

bool read_options(int argc, char** argv, Options& o) {
    // Strings here; numbers through the shared parser.
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        std::string* target = flag == "--data-dir" ? &o.data_dir
                              : flag == "--token"  ? &o.token
                              : flag == "--user"   ? &o.user
                                                   : nullptr;
        if (!target) {
            rest.push_back(argv[i]);
            continue;
        }
        if (i + 1 >= argc || !*argv[i + 1]) {
            std::fprintf(stderr, "%s needs a value\n", argv[i]);
            return false;
        }
        *target = argv[++i];
    }
    return perf::parse_options(static_cast<int>(rest.size()), rest.data(),
                               {{"--messages", 1, 1'000'000, &o.messages},
                                {"--runs", 1, 100, &o.runs},
                                {"--appenders", 1, 64, &o.appenders},
                                {"--clients", 1, 1000, &o.clients},
                                {"--requests", 1, 100'000'000, &o.requests},
                                {"--port", 1, 65535, &o.port},
                                {"--seed", 0, UINT32_MAX, &o.seed}},
                               {"--seconds", 0.1, 3600, &o.seconds});
}

std::vector<Op> plan_ops(const Options& o, const Target& t) {
    const std::string list = "/users/" + t.user_id + "/mailboxes/" + t.inbox_id + "/messages";
    // Random UIDs, the same sequence every run (a fixed seed), enough that the clients never share a pattern.
    std::mt19937_64 random(o.seed);
    std::vector<std::string> messages;
    for (unsigned i = 0; i < 4096; ++i)
        messages.push_back(list + "/" + std::to_string(t.uids[random() % t.uids.size()]));
    const std::string total = "\"total\":" + std::to_string(t.total);
    return {
        {"list", {list}, total},
        {"list_250", {list + "?limit=250"}, total},
        {"message", std::move(messages), "\"success\":true"},
    };
}

int run(const Options& o) {
    const bool in_process = o.port == 0;
    const bool temporary = in_process && o.data_dir.empty();
    const std::string dir = temporary ? make_temp_dir("mallard-http-bench") : o.data_dir;
    struct Cleanup {
        std::string dir;
        ~Cleanup() {
            if (!dir.empty()) fs::remove_all(dir);
        }
    } cleanup{temporary ? dir : std::string()};

    std::unique_ptr<InProcessServer> server;
    std::uint16_t port = static_cast<std::uint16_t>(o.port);
    if (in_process) {
        bool reused = false;
        const auto prepare_start = Clock::now();
        const Population p = prepare_mailbox({o.messages, o.seed, o.appenders, 600}, dir, reused, "mallard-http-bench");
        std::printf("mallard-http-bench: INBOX of %u messages (seed %u, %.1f MB) in %s\n", p.messages, p.seed,
                    static_cast<double>(p.raw_bytes) / mb, dir.c_str());
        if (reused) std::printf("  reused the populated data directory (it took %.1f s to fill)\n", p.seconds);
        else std::printf("  populated in %.1f s with %u appenders\n", seconds_since(prepare_start), o.appenders);
        server = std::make_unique<InProcessServer>(dir, "http-bench.example", "http", server::http_handler);
        port = server->port();
        std::printf("  serving on 127.0.0.1:%u: %u loops, %u pool threads\n", port, server->engine().loop_count(),
                    static_cast<unsigned>(server->engine().pool().size()));
    } else {
        std::printf("mallard-http-bench: the mallard on 127.0.0.1:%u, %s's INBOX\n", port, o.user.c_str());
    }
    auto address = core::net::parse_address("127.0.0.1", port);
    if (!address) throw std::runtime_error("address: " + address.error().detail);

    Target target;
    {
        core::Reactor loop(401);
        target = loop.block_on(discover(*address, o));
    }
    std::vector<std::string> problems;
    if (target.uids.empty()) throw std::runtime_error("INBOX is empty: nothing to read");
    if (target.uids.size() != target.total)
        problems.push_back("the listing's pages held " + std::to_string(target.uids.size()) + " messages, total says " +
                           std::to_string(target.total));
    if (in_process && target.total != o.messages)
        problems.push_back("INBOX lists " + std::to_string(target.total) + " messages, populated " +
                           std::to_string(o.messages));
    std::printf("  user %s, INBOX %s: %llu messages; %u runs of at most %u requests or %.1f s per measurement\n",
                target.user_id.c_str(), target.inbox_id.c_str(), static_cast<unsigned long long>(target.total), o.runs,
                o.requests, o.seconds);
    std::fflush(stdout);

    const std::vector<Op> ops = plan_ops(o, target);
    const std::vector<unsigned> concurrency =
        o.clients == 1 ? std::vector<unsigned>{1} : std::vector<unsigned>{1, o.clients};
    // results[op][c][run]
    std::vector<std::vector<std::vector<Figures>>> results(ops.size(),
                                                           std::vector<std::vector<Figures>>(concurrency.size()));
    for (unsigned r = 1; r <= o.runs; ++r) {
        std::printf("run %u:", r);
        for (std::size_t i = 0; i < ops.size(); ++i) {
            for (std::size_t c = 0; c < concurrency.size(); ++c) {
                Figures f = measure(*address, o, ops[i], concurrency[c], in_process);
                std::printf(" %s/%u %.0f req/s;", ops[i].name.c_str(), concurrency[c], f.per_second);
                std::fflush(stdout);
                if (f.failed > 0)
                    problems.push_back("run " + std::to_string(r) + " " + ops[i].name + " with " +
                                       std::to_string(concurrency[c]) + " clients: " + std::to_string(f.failed) +
                                       " failed, first: " + f.first_error);
                if (f.done == 0) problems.push_back(ops[i].name + ": no request completed");
                results[i][c].push_back(std::move(f));
            }
        }
        std::printf("\n");
    }

    std::printf("medians of %u runs (server CPU = the process's CPU time less the client thread's, per request):\n",
                o.runs);
    std::printf("  %-10s %8s %12s %10s %10s %10s %16s\n", "request", "clients", "requests/s", "MB/s", "p50 ms",
                "p99 ms", "server CPU us");
    std::string json = "{\"bench\":\"http\",\"messages\":" + std::to_string(target.total) +
                       ",\"runs\":" + std::to_string(o.runs) + ",\"in_process\":" + (in_process ? "true" : "false");
    for (std::size_t i = 0; i < ops.size(); ++i) {
        for (std::size_t c = 0; c < concurrency.size(); ++c) {
            auto med = [&](double Figures::*field) {
                std::vector<double> v;
                for (const auto& f : results[i][c]) v.push_back(f.*field);
                return median(std::move(v));
            };
            const double rate = med(&Figures::per_second), cpu = med(&Figures::server_cpu_us);
            std::printf("  %-10s %8u %12.0f %10.1f %10.2f %10.2f", ops[i].name.c_str(), concurrency[c], rate,
                        med(&Figures::mb_per_second), med(&Figures::p50_ms), med(&Figures::p99_ms));
            if (cpu >= 0) std::printf(" %16.0f\n", cpu);
            else std::printf(" %16s\n", "n/a");
            char field[320];
            const std::string key = ops[i].name + "_c" + std::to_string(concurrency[c]);
            std::snprintf(field, sizeof field,
                          ",\"%s_req_per_s\":%.0f,\"%s_mb_per_s\":%.1f,\"%s_p50_ms\":%.2f,\"%s_p99_ms\":%.2f",
                          key.c_str(), rate, key.c_str(), med(&Figures::mb_per_second), key.c_str(),
                          med(&Figures::p50_ms), key.c_str(), med(&Figures::p99_ms));
            json += field;
            if (cpu >= 0) {
                std::snprintf(field, sizeof field, ",\"%s_server_cpu_us\":%.0f", key.c_str(), cpu);
                json += field;
            }
        }
    }
    for (const auto& problem : problems) std::printf("warning: %s\n", problem.c_str());
    json += ",\"problems\":" + std::to_string(problems.size()) + "}";
    std::printf("%s\n", json.c_str());
    return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace mallard::perf

int main(int argc, char** argv) {
    mallard::perf::Options options;
    if (!mallard::perf::read_options(argc, argv, options)) {
        mallard::perf::usage();
        return 64;
    }
    std::signal(SIGPIPE, SIG_IGN);
    mallard::core::log::set_level(mallard::core::log::Level::warn);
    try {
        return mallard::perf::run(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mallard-http-bench: %s\n", e.what());
        return 1;
    }
}
