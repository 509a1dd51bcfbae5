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
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "core/log.h"
#include "perf/bench_support.h"
#include "perf/lmtp_client.h"

namespace mallard::perf {
namespace {

using Measure = LoadResult;

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

Measure measure(const Options& o, const core::net::SocketAddress& address, const MessageTemplates& t,
                unsigned concurrency, unsigned long long first_number) {
    return run_lmtp_load(address, t, o.rcpt, concurrency, o.max_messages, o.seconds, first_number);
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
    const MessageTemplates t = make_templates(o.rcpt);
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
