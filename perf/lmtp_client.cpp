// See lmtp_client.h. Every wait on the server has a deadline; every loop a count bound.
#include "perf/lmtp_client.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/reactor.h"

namespace mallard::perf {
namespace {

using namespace std::chrono_literals;
using core::Deadline;
using core::Task;
using core::net::Connection;

constexpr auto io_timeout = 30s;
constexpr std::size_t small_bytes = 4 * 1024;
constexpr std::size_t attachment_bytes = 150 * 1024;  // decoded; ~200 KiB as base64 lines
constexpr std::string_view number_slot = "NNNNNNNNNNNNNNNNNNNN";

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

std::string numbered(std::string m, unsigned long long n) {
    char number[24];
    std::snprintf(number, sizeof number, "%020llu", n);
    for (std::size_t at = m.find(number_slot); at != std::string::npos; at = m.find(number_slot, at))
        std::memcpy(&m[at], number, number_slot.size());
    return m;
}

bool is_large(unsigned long long n) { return n % large_every == large_every - 1; }

}  // namespace

MessageTemplates make_templates(const std::string& rcpt) {
    const std::string head = "From: Bench Sender <sender@bench.example>\r\nTo: <" + rcpt +
                             ">\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <" + std::string(number_slot) +
                             "@bench.example>\r\n";
    MessageTemplates t;
    t.small = head + "Subject: text message " + std::string(number_slot) +
              "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
    t.small += pseudo_text(small_bytes - t.small.size(), 1);
    t.large = head + "Subject: report " + std::string(number_slot) + "\r\nMIME-Version: 1.0\r\n" +
              "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n--b0\r\n" +
              "Content-Type: text/plain; charset=utf-8\r\n\r\n" + pseudo_text(2048, 2) +
              "--b0\r\nContent-Type: application/octet-stream; name=\"report.bin\"\r\n" +
              "Content-Disposition: attachment; filename=\"report.bin\"\r\n" +
              "Content-Transfer-Encoding: base64\r\n\r\n" + pseudo_base64(attachment_bytes, 3) + "--b0--\r\n";
    return t;
}

// The template with its number written over every number slot, and for a large one the first base64
// characters of the attachment too, so every attachment hashes differently.
std::string message(const MessageTemplates& t, unsigned long long n) {
    const bool large = is_large(n);
    std::string m = numbered(large ? t.large : t.small, n);
    if (large) {
        std::size_t at = m.find("base64\r\n\r\n") + 10;
        unsigned long long v = n;
        for (int i = 0; i < 12; ++i, v >>= 6) m[at + i] = base64_alphabet[v & 63];
    }
    return m + ".\r\n";
}

std::size_t message_bytes(const MessageTemplates& t, unsigned long long n) {
    return (is_large(n) ? t.large : t.small).size();
}

std::string small_message(const MessageTemplates& t, unsigned long long n) { return numbered(t.small, n) + ".\r\n"; }

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

Task<bool> lhlo(Connection& c, std::string* text) {
    int greeting = co_await read_reply(c, text);
    if (greeting != 220) co_return false;
    c.queue("LHLO bench.example\r\n");
    auto sent = co_await c.flush(Deadline::after(io_timeout));
    if (!sent) co_return false;
    int reply = co_await read_reply(c, text);
    co_return reply == 250;
}

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

// ---- the load ---------------------------------------------------------------------------------------------

namespace {

struct Shared {
    core::net::SocketAddress address;
    const MessageTemplates* templates = nullptr;
    std::string rcpt;
    Deadline end = Deadline::never();
    unsigned long long max = 0;
    unsigned long long claimed = 0;  // one client reactor: plain counters
    unsigned long long delivered = 0;
    unsigned long long bytes = 0;
    unsigned long long failed = 0;
    std::string first_error;
};

void note_failure(Shared* s, const std::string& what) {
    ++s->failed;
    if (s->first_error.empty()) s->first_error = what;
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
            s->bytes += message_bytes(*s->templates, n);
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

}  // namespace

LoadResult run_lmtp_load(const core::net::SocketAddress& address, const MessageTemplates& t, const std::string& rcpt,
                         unsigned concurrency, unsigned long long max_messages, double seconds,
                         unsigned long long first_number) {
    Shared s;
    s.address = address;
    s.templates = &t;
    s.rcpt = rcpt;
    s.claimed = first_number;  // message numbers stay unique across measurements
    s.max = first_number + max_messages;
    core::Reactor loop(300);
    auto start = core::Clock::now();
    s.end = Deadline::at(start + std::chrono::duration_cast<core::Clock::duration>(
                                     std::chrono::duration<double>(seconds)));
    loop.block_on(sessions(&s, concurrency));
    LoadResult m;
    m.seconds = std::chrono::duration<double>(core::Clock::now() - start).count();
    m.delivered = s.delivered;
    m.failed = s.failed;
    m.per_second = static_cast<double>(s.delivered) / m.seconds;
    m.mb_per_second = static_cast<double>(s.bytes) / 1e6 / m.seconds;
    m.first_error = s.first_error;
    return m;
}

}  // namespace mallard::perf
