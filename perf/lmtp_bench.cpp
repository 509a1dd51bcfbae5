// mallard-lmtp-bench: deliveries through LMTP (RFC 2033) to a running mallard, as an MTA would make them.
// Sessions (1, 4 and 16 at once by default) each say LHLO once and then deliver one message per transaction
// (MAIL, RCPT and DATA pipelined, RFC 2920) to one recipient. Messages are a mix: four of five are ~4 KiB of
// text, every fifth ~200 KiB with a base64 attachment, each with unique content (so content-addressed
// attachment storage can't make repeats free). Every measurement is bounded in time and count, runs `runs`
// times, and the median deliveries/s and MB/s (message bytes, 10^6) per concurrency are printed, then one
// JSON line. The recipient must exist (mallardctl user create ...).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/net/connection.h"
#include "core/reactor.h"
#include "perf/bench_support.h"

namespace mallard::perf {
namespace {

using namespace std::chrono_literals;
using core::Deadline;
using core::Reactor;
using core::Task;
using core::net::Connection;

struct Options {
    std::string host = "127.0.0.1";
    unsigned port = 24;
    std::string unix_path;                     // instead of host:port
    std::string rcpt = "bench@example.com";
    std::vector<unsigned> concurrency{1, 4, 16};
    unsigned max_messages = 5000;              // per measurement at most
    double seconds = 5.0;                      // per measurement at most
    unsigned runs = 3;
};

constexpr auto io_timeout = 30s;               // every wait is bounded
constexpr std::size_t small_bytes = 4 * 1024;
constexpr std::size_t attachment_bytes = 150 * 1024;  // decoded; ~200 KiB as base64 lines
constexpr unsigned large_every = 5;

// ---- messages -------------------------------------------------------------------------------------------

constexpr char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string pseudo_text(std::size_t bytes, unsigned seed) {
    static const char* words[] = {"delivery", "mailbox", "the", "of", "report", "meeting", "quarterly", "and",
                                  "please", "review", "attached", "numbers", "for", "team", "schedule", "to"};
    std::string out;
    unsigned x = seed * 2654435761u + 1;
    std::size_t line = 0;
    while (out.size() < bytes) {
        x = x * 1103515245u + 12345u;
        const char* w = words[(x >> 16) % 16];
        out += w;
        line += std::strlen(w) + 1;
        if (line > 70) {
            out += "\r\n";
            line = 0;
        } else {
            out += ' ';
        }
    }
    return out + "\r\n";
}

// A base64 body of `decoded` bytes' worth, 76-character lines (RFC 2045 §6.8), from a cheap generator.
std::string pseudo_base64(std::size_t decoded, unsigned seed) {
    std::string out;
    std::size_t chars = (decoded + 2) / 3 * 4;
    out.reserve(chars + chars / 76 * 2 + 2);
    unsigned x = seed * 40503u + 7;
    for (std::size_t i = 0; i < chars; ++i) {
        x = x * 1664525u + 1013904223u;
        out.push_back(base64_alphabet[(x >> 24) & 63]);
        if ((i + 1) % 76 == 0) out += "\r\n";
    }
    return out + "\r\n";
}

struct Templates {
    std::string small;
    std::string large;
};

Templates make_templates(const std::string& rcpt) {
    const std::string head = "From: Bench Sender <sender@bench.example>\r\nTo: <" + rcpt +
                             ">\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <NNNNNNNNNNNNNNNNNNNN@bench.example>\r\n";
    Templates t;
    t.small = head + "Subject: text message NNNNNNNNNNNNNNNNNNNN\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
    t.small += pseudo_text(small_bytes - t.small.size(), 1);
    t.large = head + "Subject: report NNNNNNNNNNNNNNNNNNNN\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n--b0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
              pseudo_text(2048, 2) +
              "--b0\r\nContent-Type: application/octet-stream; name=\"report.bin\"\r\n"
              "Content-Disposition: attachment; filename=\"report.bin\"\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n" +
              pseudo_base64(attachment_bytes, 3) + "--b0--\r\n";
    return t;
}

// Message `n`: the template with its number written over every "NNNNNNNNNNNNNNNNNNNN", and for a large one the first
// base64 characters of the attachment too, so every attachment hashes differently. Ends with the DATA dot.
std::string message(const Templates& t, unsigned long long n) {
    const bool large = n % large_every == large_every - 1;
    std::string m = large ? t.large : t.small;
    char number[24];
    std::snprintf(number, sizeof number, "%020llu", n);
    for (std::size_t at = m.find("NNNNNNNNNNNNNNNNNNNN"); at != std::string::npos; at = m.find("NNNNNNNNNNNNNNNNNNNN", at))
        std::memcpy(&m[at], number, 20);
    if (large) {
        std::size_t at = m.find("base64\r\n\r\n") + 10;
        unsigned long long v = n;
        for (int i = 0; i < 12; ++i, v >>= 6) m[at + i] = base64_alphabet[v & 63];
    }
    return m + ".\r\n";
}

// ---- sessions -------------------------------------------------------------------------------------------

struct Shared {
    core::net::SocketAddress address;
    const Templates* templates = nullptr;
    std::string rcpt;
    Deadline end = Deadline::never();
    unsigned long long max = 0;
    unsigned long long claimed = 0;    // one client reactor: plain counters
    unsigned long long delivered = 0;
    unsigned long long bytes = 0;
    unsigned long long failed = 0;
    std::string first_error;
};

// One reply, all its lines; the code of the last (0 on a broken connection).
Task<int> read_reply(Connection& conn, std::string* text) {
    for (int lines = 0; lines < 100; ++lines) {
        auto line = co_await conn.read_line(4096, Deadline::after(io_timeout));
        if (!line) {
            *text = line.error().to_string();
            co_return 0;
        }
        if (line->size() < 3) break;
        if (line->size() == 3 || (*line)[3] == ' ') {
            *text = *line;
            co_return std::atoi(line->substr(0, 3).c_str());
        }
    }
    *text = "malformed reply";
    co_return 0;
}

void note_failure(Shared* s, const std::string& what) {
    ++s->failed;
    if (s->first_error.empty()) s->first_error = what;
}

enum class Outcome { delivered, refused, broken };

// The greeting and LHLO; false (with the reply in `text`) unless both succeed.
Task<bool> lhlo(Connection& c, std::string* text) {
    int greeting = co_await read_reply(c, text);
    if (greeting != 220) co_return false;
    c.queue("LHLO bench.example\r\n");
    auto sent = co_await c.flush(Deadline::after(io_timeout));
    if (!sent) co_return false;
    int reply = co_await read_reply(c, text);
    co_return reply == 250;
}

// One transaction: MAIL, RCPT and DATA in one write (PIPELINING), their three replies, the message (which
// ends with the dot line), its reply.
Task<Outcome> transaction(Connection& c, std::string rcpt, std::string body, std::string* text) {
    c.queue("MAIL FROM:<sender@bench.example> SIZE=" + std::to_string(body.size()) + "\r\nRCPT TO:<" + rcpt +
            ">\r\nDATA\r\n");
    auto flushed = co_await c.flush(Deadline::after(io_timeout));
    if (!flushed) co_return Outcome::broken;
    int mail = co_await read_reply(c, text);
    int to = co_await read_reply(c, text);
    int data = co_await read_reply(c, text);
    if (mail != 250 || to != 250 || data != 354) {
        *text = "MAIL/RCPT/DATA: " + *text;
        co_return Outcome::broken;
    }
    auto written = co_await c.write(body, Deadline::after(io_timeout));
    if (!written) co_return Outcome::broken;
    auto done = co_await c.flush(Deadline::after(io_timeout));
    if (!done) co_return Outcome::broken;
    int delivered = co_await read_reply(c, text);
    if (delivered == 250) co_return Outcome::delivered;
    *text = "after DATA: " + *text;
    co_return delivered == 0 ? Outcome::broken : Outcome::refused;
}

// The message's size without the final dot line.
std::size_t body_bytes(const Templates& t, unsigned long long n) {
    return (n % large_every == large_every - 1 ? t.large : t.small).size();
}

Task<void> session(Shared* s, unsigned* running) {
    std::string text;
    auto conn = co_await core::net::connect_tcp(s->address, Deadline::after(io_timeout));
    if (!conn) {
        note_failure(s, "connect: " + conn.error().to_string());
        --*running;
        co_return;
    }
    Connection& c = **conn;
    bool ready = co_await lhlo(c, &text);
    if (!ready) note_failure(s, "greeting/LHLO: " + text);
    while (ready && !s->end.passed() && s->claimed < s->max) {
        const unsigned long long n = s->claimed++;
        std::string body = message(*s->templates, n);
        auto outcome = co_await transaction(c, s->rcpt, std::move(body), &text);
        if (outcome == Outcome::delivered) {
            ++s->delivered;
            s->bytes += body_bytes(*s->templates, n);
            continue;
        }
        note_failure(s, text);
        if (outcome == Outcome::broken) break;  // the session's state is unknown: stop it
    }
    c.queue("QUIT\r\n");
    auto quit = co_await c.flush(Deadline::after(5s));
    if (quit) {
        int bye = co_await read_reply(c, &text);
        (void)bye;
    }
    --*running;
}

Task<void> sessions(Shared* s, unsigned count) {
    unsigned running = count;
    for (unsigned i = 0; i < count; ++i) core::spawn(session(s, &running));
    const auto limit = Deadline::after(std::chrono::seconds(600));  // a hard stop even if a wait misbehaves
    while (running > 0 && !limit.passed()) co_await core::sleep_for(1ms);
}

struct Measure {
    double per_second = 0;
    double mb_per_second = 0;
    unsigned long long delivered = 0;
    unsigned long long failed = 0;
    double seconds = 0;
    std::string first_error;
};

Measure measure(const Options& o, const core::net::SocketAddress& address, const Templates& t, unsigned concurrency,
                unsigned long long first_number) {
    Shared s;
    s.address = address;
    s.templates = &t;
    s.rcpt = o.rcpt;
    s.max = o.max_messages;
    s.claimed = first_number;  // message numbers stay unique across measurements
    s.max += first_number;
    Reactor loop(300);
    auto start = core::Clock::now();
    s.end = Deadline::at(start + std::chrono::duration_cast<core::Clock::duration>(
                                     std::chrono::duration<double>(o.seconds)));
    loop.block_on(sessions(&s, concurrency));
    Measure m;
    m.seconds = std::chrono::duration<double>(core::Clock::now() - start).count();
    m.delivered = s.delivered;
    m.failed = s.failed;
    m.per_second = static_cast<double>(s.delivered) / m.seconds;
    m.mb_per_second = static_cast<double>(s.bytes) / 1e6 / m.seconds;
    m.first_error = s.first_error;
    return m;
}

// ---- options, output --------------------------------------------------------------------------------------

void usage() {
    std::fprintf(stderr,
                 "usage: mallard-lmtp-bench [--host H] [--port P | --unix PATH] [--rcpt ADDRESS]\n"
                 "                          [--max-messages N] [--seconds S] [--runs R] [--concurrency-max C]\n"
                 "  --host, --port    the LMTP listener (default 127.0.0.1:24)\n"
                 "  --unix            the LMTP Unix socket (lmtp.unix_socket) instead\n"
                 "  --rcpt            an existing recipient (default bench@example.com)\n"
                 "  --max-messages    deliveries per measurement at most (default 5000)\n"
                 "  --seconds         length of each measurement at most (default 5)\n"
                 "  --runs            runs per concurrency; the median is reported (default 3)\n"
                 "  --concurrency-max sessions at once are 1, 4 and 16, up to this many (default 16)\n");
}

// The string options first (bench_support parses counts and seconds), then the rest.
bool read_options(int argc, char** argv, Options& o) {
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        std::string* target = flag == "--host" ? &o.host : flag == "--unix" ? &o.unix_path : flag == "--rcpt" ? &o.rcpt : nullptr;
        if (target) {
            if (i + 1 >= argc) return false;
            *target = argv[++i];
        } else {
            rest.push_back(argv[i]);
        }
    }
    unsigned concurrency_max = 16;
    bool ok = perf::parse_options(static_cast<int>(rest.size()), rest.data(),
                                  {{"--port", 1, 65535, &o.port},
                                   {"--max-messages", 1, 10'000'000, &o.max_messages},
                                   {"--runs", 1, 100, &o.runs},
                                   {"--concurrency-max", 1, 1000, &concurrency_max}},
                                  {"--seconds", 0.1, 3600, &o.seconds});
    o.concurrency.erase(std::remove_if(o.concurrency.begin(), o.concurrency.end(),
                                       [&](unsigned c) { return c > concurrency_max; }),
                        o.concurrency.end());
    return ok;
}

std::string json_list(const std::vector<double>& v, int decimals) {
    std::string out = "[";
    char buf[32];
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v[i]);
        out += (i ? "," : "") + std::string(buf);
    }
    return out + "]";
}

int run(const Options& o) {
    core::log::set_level(core::log::Level::warn);
    auto address = o.unix_path.empty() ? core::net::parse_address(o.host, static_cast<std::uint16_t>(o.port))
                                       : core::net::unix_address(o.unix_path);
    if (!address) {
        std::fprintf(stderr, "mallard-lmtp-bench: %s\n", address.error().to_string().c_str());
        return 64;
    }
    const Templates t = make_templates(o.rcpt);
    const std::string target = o.unix_path.empty() ? o.host + ":" + std::to_string(o.port) : "unix:" + o.unix_path;
    std::printf("mallard-lmtp-bench: %s, rcpt %s; messages %zu B text and (1 in %u) %zu B with an attachment; "
                "at most %u messages and %.1f s per measurement, %u runs\n",
                target.c_str(), o.rcpt.c_str(), t.small.size(), large_every, t.large.size(), o.max_messages,
                o.seconds, o.runs);
    std::vector<double> med_rate, med_mb;
    unsigned long long failures = 0, number = static_cast<unsigned long long>(std::time(nullptr)) * 1000000ull;
    for (unsigned c : o.concurrency) {
        std::vector<double> rates, mbs;
        for (unsigned r = 1; r <= o.runs; ++r) {
            Measure m = measure(o, *address, t, c, number);
            number += o.max_messages;
            failures += m.failed;
            rates.push_back(m.per_second);
            mbs.push_back(m.mb_per_second);
            std::printf("sessions %2u run %u: %8.1f deliveries/s %7.2f MB/s (%llu in %.2f s, %llu failed)%s%s\n", c, r,
                        m.per_second, m.mb_per_second, m.delivered, m.seconds, m.failed,
                        m.first_error.empty() ? "" : "; first error: ", m.first_error.c_str());
        }
        med_rate.push_back(median(rates));
        med_mb.push_back(median(mbs));
        std::printf("sessions %2u median: %8.1f deliveries/s %7.2f MB/s\n", c, med_rate.back(), med_mb.back());
    }
    std::vector<double> levels(o.concurrency.begin(), o.concurrency.end());
    std::printf("{\"bench\":\"lmtp\",\"target\":\"%s\",\"small_bytes\":%zu,\"large_bytes\":%zu,\"large_every\":%u,"
                "\"seconds\":%.2f,\"max_messages\":%u,\"runs\":%u,\"sessions\":%s,\"deliveries_per_s\":%s,"
                "\"mb_per_s\":%s,\"failures\":%llu}\n",
                target.c_str(), t.small.size(), t.large.size(), large_every, o.seconds, o.max_messages, o.runs,
                json_list(levels, 0).c_str(), json_list(med_rate, 1).c_str(),
                json_list(med_mb, 2).c_str(), failures);
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
    return mallard::perf::run(options);
}
