// mallard-imap-bench: the IMAP server on a big mailbox. It fills INBOX of a fresh SQLite store with N generated
// messages (perf/imap_message_gen.h: 2-20 KiB, plain, UTF-8, alternative, with attachments; default 100,000)
// through the Store with a few concurrent appenders — or reuses a data directory an earlier run filled
// (--data-dir) — then serves it exactly as mallard does (the same imap_handler() of tools/mallard/handlers.cpp,
// the built-in configuration, a NotifyingStore on the engine's pool) on an in-process core::Engine on
// loopback (perf/bench_server.h; the mailbox: perf/bench_mailbox.h), and drives one session with a blocking
// client on the main thread:
//   LOGIN, SELECT INBOX, FETCH 1:* (FLAGS), FETCH 1:* (ENVELOPE), FETCH 1:* (BODYSTRUCTURE),
//   FETCH 1:K BODY.PEEK[], UID SEARCH TEXT (a rare word, a common word, a missing word), SEARCH FLAGGED,
// `runs` sessions in a row, each command bounded in time, and prints every run, the medians (ms, messages/s,
// the server's CPU ms: the process's CPU time less the client thread's), and one JSON line.
//
// Why in-process rather than the mallard binary: the code that answers is the same (serve() from
// imap_handler(), the store wrapped as main() wraps it, the engine's loops and pool), but here the client's
// CPU time can be told apart from the server's per command (CLOCK_THREAD_CPUTIME_ID against
// CLOCK_PROCESS_CPUTIME_ID), and nothing else (a config file, mallardctl for the user, a port) can differ
// between what is populated and what is served. The price: client and server share the process's cores.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "perf/bench_mailbox.h"
#include "perf/bench_server.h"
#include "perf/bench_support.h"
#include "perf/imap_message_gen.h"
#include "tools/mallard/handlers.h"

namespace mallard::perf {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double mb = 1024.0 * 1024.0;

struct Options {
    unsigned messages = 100000;
    unsigned runs = 3;
    unsigned appenders = 4;          // concurrent appenders while populating
    unsigned body_sample = 1000;     // FETCH 1:K BODY.PEEK[]
    unsigned seed = 20241123;
    double seconds = 600;            // per command, and per 10,000 messages populated, at most
    std::string data_dir;            // kept between runs when given
};

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double cpu_seconds(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// ---- the client: blocking, on the main thread ------------------------------------------------------------

// One response: its text with literals left out (they are only counted), and what it says.
struct Reply {
    std::string tagged;              // the tagged status line
    std::uint64_t untagged = 0;      // untagged responses
    std::uint64_t fetches = 0;       // "* n FETCH"
    std::uint64_t literal_bytes = 0; // bytes inside literals (message bodies)
    std::uint64_t bytes = 0;         // everything received
    std::uint64_t exists = 0;        // "* n EXISTS"
    std::uint64_t search_hits = 0;   // numbers in "* SEARCH ..."
    bool ok() const { return tagged.find(" OK") != std::string::npos && tagged.find(" OK") == tagged.find(' '); }
};

class Client {
public:
    explicit Client(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        timeval wait{30, 0};  // every recv is bounded; the command's deadline bounds the whole
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
            throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client() { ::close(fd_); }

    // The greeting.
    std::string greeting(double seconds) {
        deadline_ = Clock::now() + to_duration(seconds);
        Reply r;
        std::string line;
        read_response(line, r);
        return line;
    }

    // Sends "<tag> <text>" and reads every response up to the tagged one.
    Reply command(const std::string& tag, const std::string& text, double seconds) {
        deadline_ = Clock::now() + to_duration(seconds);
        std::string out = tag + " " + text + "\r\n";
        for (std::size_t sent = 0; sent < out.size();) {
            ssize_t n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
            sent += static_cast<std::size_t>(n);
        }
        Reply r;
        const std::uint64_t before = received_;
        std::string line;
        for (;;) {
            read_response(line, r);
            if (line.compare(0, tag.size() + 1, tag + " ") == 0) {
                r.tagged = line;
                break;
            }
            if (line.compare(0, 2, "* ") != 0) continue;  // a continuation request: not expected here
            ++r.untagged;
            parse_untagged(line, r);
        }
        r.bytes = received_ - before;
        return r;
    }

private:
    static Clock::duration to_duration(double seconds) {
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    }

    static void parse_untagged(std::string_view line, Reply& r) {
        line.remove_prefix(2);
        if (line.compare(0, 7, "SEARCH ") == 0 || line == "SEARCH") {
            for (char c : line.substr(6))
                if (c == ' ') ++r.search_hits;
            return;
        }
        std::size_t space = line.find(' ');
        if (space == std::string_view::npos) return;
        std::string_view what = line.substr(space + 1);
        if (what.compare(0, 6, "FETCH ") == 0) ++r.fetches;
        if (what == "EXISTS") std::from_chars(line.data(), line.data() + space, r.exists);
    }

    // Receives more bytes; throws when the peer closed, a recv timed out or the command's time is up.
    void fill() {
        if (Clock::now() >= deadline_) throw std::runtime_error("a command ran past its time limit");
        if (pos_ > 0) {
            buf_.erase(0, pos_);
            pos_ = 0;
        }
        const std::size_t old = buf_.size();
        buf_.resize(old + chunk);
        ssize_t n = ::recv(fd_, buf_.data() + old, chunk, 0);
        buf_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n == 0) throw std::runtime_error("the server closed the connection");
        if (n < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
        received_ += static_cast<std::uint64_t>(n);
    }

    // One response into `line` (a literal's bytes are skipped and counted, the text around them kept).
    void read_response(std::string& line, Reply& r) {
        line.clear();
        std::size_t scanned = pos_;
        for (;;) {
            std::size_t eol = buf_.find("\r\n", scanned);
            if (eol == std::string::npos) {
                std::size_t kept = buf_.size() - pos_;
                fill();
                scanned = kept > 0 ? kept - 1 : 0;
                continue;
            }
            std::string_view piece(buf_.data() + pos_, eol - pos_);
            if (line.size() + piece.size() > max_line) throw std::runtime_error("a response line is too long");
            line.append(piece);
            pos_ = eol + 2;
            scanned = pos_;
            if (piece.empty() || piece.back() != '}') return;
            std::size_t open = piece.rfind('{');
            std::uint64_t left = 0;
            if (open == std::string_view::npos ||
                std::from_chars(piece.data() + open + 1, piece.data() + piece.size() - 1, left).ec != std::errc())
                return;  // a '}' that ends the line without being a literal
            r.literal_bytes += left;
            while (left > 0) {
                if (pos_ == buf_.size()) fill();
                std::uint64_t take = std::min<std::uint64_t>(left, buf_.size() - pos_);
                pos_ += take;
                left -= take;
            }
            scanned = pos_;
        }
    }

    static constexpr std::size_t chunk = 256 * 1024;
    static constexpr std::size_t max_line = 64 * 1024 * 1024;
    int fd_ = -1;
    std::string buf_;
    std::size_t pos_ = 0;
    std::uint64_t received_ = 0;
    Clock::time_point deadline_{};
};

// ---- one session: every command timed --------------------------------------------------------------------

struct OpSpec {
    std::string name;     // in the summary and the JSON keys
    std::string command;  // without the tag
    unsigned messages;    // messages the command answers for (for messages/s); 0 = not a per-message command
};

struct OpResult {
    double ms = 0;
    double server_cpu_ms = 0;
    double client_cpu_ms = 0;
    Reply reply;
};

std::vector<OpSpec> plan_ops(const Options& o) {
    const unsigned sample = std::min(o.body_sample, o.messages);
    return {
        {"select", "SELECT INBOX", o.messages},
        {"fetch_flags", "FETCH 1:* (FLAGS)", o.messages},
        {"fetch_envelope", "FETCH 1:* (ENVELOPE)", o.messages},
        {"fetch_bodystructure", "FETCH 1:* (BODYSTRUCTURE)", o.messages},
        {"fetch_body", "FETCH 1:" + std::to_string(sample) + " BODY.PEEK[]", sample},
        {"search_text_rare", "UID SEARCH TEXT \"" + std::string(rare_word) + "\"", o.messages},
        {"search_text_common", "UID SEARCH TEXT \"" + std::string(common_word) + "\"", o.messages},
        {"search_text_miss", "UID SEARCH TEXT \"" + std::string(missing_word) + "\"", o.messages},
        {"search_flagged", "SEARCH FLAGGED", o.messages},
    };
}

struct SessionResult {
    double login_ms = 0;
    std::vector<OpResult> ops;
};

SessionResult run_session(const Options& o, std::uint16_t port, const std::vector<OpSpec>& ops) {
    SessionResult result;
    Client client(port);
    std::string hello = client.greeting(o.seconds);
    if (hello.compare(0, 5, "* OK ") != 0) throw std::runtime_error("unexpected greeting: " + hello);
    auto start = Clock::now();
    const std::string login_command = "LOGIN " + std::string(bench_user) + " " + std::string(bench_password);
    Reply login = client.command("a0", login_command, o.seconds);
    result.login_ms = seconds_since(start) * 1000;
    if (!login.ok()) throw std::runtime_error("LOGIN failed: " + login.tagged);
    unsigned n = 1;
    for (const auto& op : ops) {
        OpResult r;
        const double process0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID), client0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
        start = Clock::now();
        r.reply = client.command("a" + std::to_string(n++), op.command, o.seconds);
        r.ms = seconds_since(start) * 1000;
        const double client_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - client0;
        r.client_cpu_ms = client_cpu * 1000;
        r.server_cpu_ms = (cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process0 - client_cpu) * 1000;
        if (!r.reply.ok()) throw std::runtime_error(op.command + " failed: " + r.reply.tagged);
        result.ops.push_back(std::move(r));
    }
    client.command("z", "LOGOUT", o.seconds);
    return result;
}

// The answers a correct server gives: how many FETCH responses, EXISTS, SEARCH hits.
std::vector<std::string> check(const std::vector<OpSpec>& ops, const SessionResult& s, const Population& p) {
    std::vector<std::string> problems;
    auto expect = [&](std::size_t i, std::uint64_t got, std::uint64_t want, const char* what) {
        if (got != want)
            problems.push_back(ops[i].name + ": " + what + " " + std::to_string(got) + ", expected " +
                               std::to_string(want));
    };
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const Reply& r = s.ops[i].reply;
        const std::string& name = ops[i].name;
        if (name == "select") expect(i, r.exists, p.messages, "EXISTS");
        if (name.rfind("fetch", 0) == 0) expect(i, r.fetches, ops[i].messages, "FETCH responses");
        if (name == "search_text_rare") expect(i, r.search_hits, p.rare, "hits");
        if (name == "search_text_common") expect(i, r.search_hits, p.common, "hits");
        if (name == "search_text_miss") expect(i, r.search_hits, 0, "hits");
        if (name == "search_flagged") expect(i, r.search_hits, p.flagged, "hits");
    }
    return problems;
}

// ---- options and output -----------------------------------------------------------------------------------

void usage() {
    std::fprintf(stderr,
                 "usage: mallard-imap-bench [--messages N] [--data-dir DIR] [--runs R] [--appenders C]\n"
                 "                          [--body-sample K] [--seed S] [--seconds T]\n"
                 "  fills INBOX with N generated messages (default 100000; C concurrent appenders, default 4)\n"
                 "  in DIR (kept and reused by later runs with the same N and S; default: a temporary directory),\n"
                 "  then times SELECT, FETCH 1:* FLAGS/ENVELOPE/BODYSTRUCTURE, FETCH 1:K BODY.PEEK[] (default\n"
                 "  K 1000), UID SEARCH TEXT (hit, common, miss) and SEARCH FLAGGED over R sessions (default 3).\n"
                 "  Each command stops after T seconds (default 600), population after T per 10,000 messages.\n");
}

bool read_options(int argc, char** argv, Options& o) {
    // --data-dir takes a path; the rest are numbers for the shared parser.
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--data-dir") {
            if (i + 1 >= argc || !*argv[i + 1]) {
                std::fprintf(stderr, "--data-dir needs a value\n");
                return false;
            }
            o.data_dir = argv[++i];
        } else {
            rest.push_back(argv[i]);
        }
    }
    return perf::parse_options(static_cast<int>(rest.size()), rest.data(),
                               {{"--messages", 1, 1'000'000, &o.messages},
                                {"--runs", 1, 100, &o.runs},
                                {"--appenders", 1, 64, &o.appenders},
                                {"--body-sample", 1, 1'000'000, &o.body_sample},
                                {"--seed", 0, UINT32_MAX, &o.seed}},
                               {"--seconds", 1, 36000, &o.seconds});
}

double median_op(const std::vector<SessionResult>& runs, std::size_t i, double OpResult::*field) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(r.ops[i].*field);
    return median(std::move(v));
}

int run(const Options& o) {
    const bool temporary = o.data_dir.empty();
    const std::string dir = temporary ? make_temp_dir("mallard-imap-bench") : o.data_dir;
    struct Cleanup {
        std::string dir;
        ~Cleanup() {
            if (!dir.empty()) fs::remove_all(dir);
        }
    } cleanup{temporary ? dir : std::string()};

    bool reused = false;
    const auto prepare_start = Clock::now();
    Population p = prepare_mailbox({o.messages, o.seed, o.appenders, o.seconds}, dir, reused, "mallard-imap-bench");
    std::printf("mallard-imap-bench: INBOX of %u messages (seed %u, %.1f MB, %.1f KiB average; %u \\Flagged, "
                "'%s' in %u, '%s' in %u) in %s\n",
                p.messages, p.seed, p.raw_bytes / mb, p.raw_bytes / 1024.0 / std::max(1u, p.messages), p.flagged,
                rare_word.data(), p.rare, common_word.data(), p.common, dir.c_str());
    if (reused) {
        std::printf("  reused the populated data directory (it took %.1f s to fill: %.0f msgs/s)\n", p.seconds,
                    p.seconds > 0 ? p.messages / p.seconds : 0);
    } else {
        std::printf("  populated in %.1f s with %u appenders: %.0f msgs/s, %.1f MB/s\n", seconds_since(prepare_start),
                    o.appenders, p.messages / p.seconds, p.raw_bytes / mb / p.seconds);
    }

    const auto ops = plan_ops(o);
    std::vector<SessionResult> runs;
    std::vector<std::string> problems;
    {
        InProcessServer server(dir, "imap-bench.example", "imap", server::imap_handler);
        std::printf("  serving on 127.0.0.1:%u: %u loops, %u pool threads; %u runs, %.0f s per command at most\n",
                    server.port(), server.engine().loop_count(), static_cast<unsigned>(server.engine().pool().size()),
                    o.runs, o.seconds);
        std::fflush(stdout);
        for (unsigned r = 1; r <= o.runs; ++r) {
            SessionResult s = run_session(o, server.port(), ops);
            std::printf("run %u: LOGIN %.0f ms", r, s.login_ms);
            for (std::size_t i = 0; i < ops.size(); ++i) std::printf("; %s %.0f ms", ops[i].name.c_str(), s.ops[i].ms);
            std::printf("\n");
            std::fflush(stdout);
            for (auto& problem : check(ops, s, p)) problems.push_back("run " + std::to_string(r) + ": " + problem);
            runs.push_back(std::move(s));
        }
    }

    std::printf("medians of %u runs (server CPU = the process's CPU time less the client thread's):\n", o.runs);
    std::printf("  %-22s %-36s %10s %12s %14s %10s\n", "operation", "command", "ms", "msgs/s", "server CPU ms",
                "MB recv");
    std::string json = "{\"bench\":\"imap\",\"backend\":\"sqlite\",\"messages\":" + std::to_string(p.messages) +
                       ",\"runs\":" + std::to_string(o.runs) + ",\"raw_bytes\":" + std::to_string(p.raw_bytes) +
                       ",\"populate_s\":" + std::to_string(p.seconds);
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const double ms = median_op(runs, i, &OpResult::ms);
        const double cpu = median_op(runs, i, &OpResult::server_cpu_ms);
        std::vector<double> received, literal;
        for (const auto& r : runs) {
            received.push_back(static_cast<double>(r.ops[i].reply.bytes));
            literal.push_back(static_cast<double>(r.ops[i].reply.literal_bytes));
        }
        const double rate = ms > 0 ? ops[i].messages / (ms / 1000) : 0;
        std::printf("  %-22s %-36s %10.1f %12.0f %14.1f %10.1f", ops[i].name.c_str(), ops[i].command.c_str(), ms,
                    rate, cpu, median(received) / mb);
        if (ops[i].name == "fetch_body")
            std::printf("  (%.1f MB/s of message bytes)", median(literal) / mb / (ms / 1000));
        if (ops[i].name.rfind("search", 0) == 0)
            std::printf("  (%llu hits)", static_cast<unsigned long long>(runs[0].ops[i].reply.search_hits));
        std::printf("\n");
        char field[256];
        std::snprintf(field, sizeof field, ",\"%s_ms\":%.1f,\"%s_msgs_per_s\":%.0f,\"%s_server_cpu_ms\":%.1f",
                      ops[i].name.c_str(), ms, ops[i].name.c_str(), rate, ops[i].name.c_str(), cpu);
        json += field;
        if (ops[i].name == "fetch_body") {
            std::snprintf(field, sizeof field, ",\"fetch_body_mb_per_s\":%.1f", median(literal) / mb / (ms / 1000));
            json += field;
        }
    }
    std::vector<double> logins;
    for (const auto& r : runs) logins.push_back(r.login_ms);
    std::printf("  LOGIN (argon2id verify) %.0f ms\n", median(logins));
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
        std::fprintf(stderr, "mallard-imap-bench: %s\n", e.what());
        return 1;
    }
}
