// See push_latency.h.
#include "perf/push_latency.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "core/net/connection.h"
#include "core/net/tls_context.h"
#include "core/reactor.h"
#include "perf/imap_client.h"
#include "perf/lmtp_client.h"

namespace mallard::perf {

using namespace std::chrono_literals;
using core::Clock;
using core::Deadline;
using core::Task;
using core::net::Connection;
using core::net::SocketAddress;

namespace {

struct Latency {
    const PushOptions* o = nullptr;
    SocketAddress imap, lmtp;
    std::shared_ptr<core::net::TlsContext> tls;
    unsigned watchers = 0, messages = 0;
    unsigned ready = 0, failed = 0, running = 0;
    unsigned lost = 0;     // watchers whose connection broke before the end: they see nothing more
    unsigned opening = 0;  // set-ups in flight, at most o->connect_concurrency
    unsigned delivered = 0;
    std::vector<unsigned> seen;                 // per message: watchers that saw its EXISTS
    std::vector<Clock::time_point> first, last; // per message: when the first and the last watcher saw it
    std::vector<Clock::time_point> sent, acknowledged;  // per message: transaction start, its "250"
    std::string first_error;
    Deadline end = Deadline::never();
    bool stop = false;
};

void note(Latency* l, const std::string& what) {
    if (l->first_error.empty()) l->first_error = what;
}

Task<void> watcher(Latency* l, unsigned index) {
    IdleTarget t;
    t.server = l->imap;
    t.source = source_for(*l->o, static_cast<unsigned long long>(l->o->sessions) + index);  // after the idle ones
    t.tls = l->tls;
    t.user = watch_user(*l->o);
    t.password = l->o->password;
    // A few set-ups at a time, each with its own deadline: a thousand LOGINs at once would queue behind each
    // other's password hashing on the server's pool for longer than one step may take.
    while (l->opening >= l->o->connect_concurrency && !l->end.passed()) co_await core::sleep_for(1ms);
    ++l->opening;
    auto session = co_await open_idle_session(std::move(t), Deadline::after(step_timeout).earlier(l->end));
    --l->opening;
    if (!session) {
        ++l->failed;
        note(l, "watcher: " + session.error().to_string());
        --l->running;
        co_return;
    }
    ++l->ready;
    const unsigned long base = session->exists;
    unsigned long got = 0;
    while (got < l->messages && !l->stop) {
        auto n = co_await next_exists(*session->conn, l->end);
        const auto now = Clock::now();
        if (!n) {
            if (!l->stop) {
                ++l->lost;
                note(l, "watcher: " + n.error().to_string());
            }
            break;
        }
        if (*n <= base) continue;
        const unsigned long upto = std::min<unsigned long>(*n - base, l->messages);
        for (; got < upto; ++got) {
            if (l->seen[got]++ == 0) l->first[got] = now;
            l->last[got] = now;
        }
    }
    --l->running;
}

// Delivers the messages one at a time; the next goes once every watcher still connected has seen the last
// (or after step_timeout), and a short pause lets the server go idle in between.
Task<void> deliverer(Latency* l, unsigned long long first_number) {
    while (l->ready + l->failed < l->watchers && !l->end.passed()) co_await core::sleep_for(1ms);
    if (l->ready == 0) {
        note(l, "no watcher is in IDLE");
        co_return;
    }
    auto conn = co_await core::net::connect_tcp(l->lmtp, Deadline::after(step_timeout));
    if (!conn) {
        note(l, "LMTP connect: " + conn.error().to_string());
        co_return;
    }
    std::string text;
    bool ready = co_await lhlo(**conn, &text);
    if (!ready) {
        note(l, "LMTP greeting/LHLO: " + text);
        co_return;
    }
    const std::string rcpt = address_of(*l->o, watch_user(*l->o));
    const MessageTemplates templates = make_templates(rcpt);
    for (unsigned k = 0; k < l->messages && !l->end.passed(); ++k) {
        l->sent[k] = Clock::now();
        auto outcome = co_await transaction(**conn, rcpt, small_message(templates, first_number + k), &text);
        l->acknowledged[k] = Clock::now();
        if (outcome != Outcome::delivered) {
            note(l, "LMTP: " + text);
            break;
        }
        ++l->delivered;
        const auto wait_until = Deadline::after(step_timeout).earlier(l->end);
        while (l->seen[k] < l->ready - l->lost && !wait_until.passed()) co_await core::sleep_for(1ms);
        co_await core::sleep_for(5ms);
    }
    (*conn)->queue("QUIT\r\n");
    auto quit = co_await (*conn)->flush(Deadline::after(5s));
    (void)quit;
}

Task<void> latency_phase(Latency* l, unsigned long long first_number) {
    l->running = l->watchers;
    for (unsigned i = 0; i < l->watchers; ++i) core::spawn(watcher(l, i));
    co_await deliverer(l, first_number);
    l->stop = true;
    Connection::for_each_on_this_thread([](Connection& c) { c.close(); });
    const auto limit = Deadline::after(10s);
    while (l->running > 0 && !limit.passed()) co_await core::sleep_for(1ms);
}

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::max(0.0, std::chrono::duration<double, std::milli>(to - from).count());
}

}  // namespace

Percentiles percentiles(std::vector<double> ms) {
    Percentiles p;
    p.count = ms.size();
    if (ms.empty()) return p;
    std::sort(ms.begin(), ms.end());
    auto rank = [&ms](double q) {
        auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size())));
        return ms[std::min(ms.size() - 1, i == 0 ? 0 : i - 1)];
    };
    p.p50 = rank(0.50);
    p.p90 = rank(0.90);
    p.p99 = rank(0.99);
    p.max = ms.back();
    return p;
}

LatencyResult run_latency(const PushOptions& o, const SocketAddress& imap, const SocketAddress& lmtp,
                          unsigned long long first_number) {
    Latency l;
    l.o = &o;
    l.imap = imap;
    l.lmtp = lmtp;
    l.watchers = o.watchers;
    l.messages = o.messages;
    l.seen.assign(o.messages, 0);
    l.first.resize(o.messages);
    l.last.resize(o.messages);
    l.sent.resize(o.messages);
    l.acknowledged.resize(o.messages);
    l.end = phase_deadline(o);
    if (o.tls) {
        auto ctx = core::net::TlsContext::client(false);
        if (ctx) l.tls = *ctx;
    }
    {
        core::Reactor loop(200);
        loop.block_on(latency_phase(&l, first_number));
    }
    LatencyResult r;
    r.ran = true;
    r.watchers = o.watchers;
    r.ready = l.ready;
    r.delivered = l.delivered;
    r.first_error = l.first_error;
    std::vector<double> first, last, delivery;
    for (unsigned k = 0; k < l.delivered; ++k) {
        delivery.push_back(ms_between(l.sent[k], l.acknowledged[k]));
        if (l.seen[k] == 0) {
            ++r.missed;
            if (r.first_missed.empty()) r.first_missed = "message " + std::to_string(k + 1) + " seen by no watcher";
            continue;
        }
        if (l.first[k] < l.acknowledged[k]) ++r.early;  // pushed before the 250 was read: counted as 0 ms
        first.push_back(ms_between(l.acknowledged[k], l.first[k]));
        if (l.seen[k] < l.ready) {  // some watcher never saw it: no "last" figure for it
            ++r.missed;
            if (r.first_missed.empty())
                r.first_missed = "message " + std::to_string(k + 1) + " seen by " + std::to_string(l.seen[k]) + " of " +
                                 std::to_string(l.ready) + " watchers";
        }
        else last.push_back(ms_between(l.acknowledged[k], l.last[k]));
    }
    r.first = percentiles(first);
    r.last = percentiles(last);
    r.delivery = percentiles(delivery);
    return r;
}

}  // namespace mallard::perf
