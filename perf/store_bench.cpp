// mallard-store-bench: the SQLite store on the generated corpus (test/storage/corpus.h), in a fresh temporary
// data directory per run. It measures
//   (a) ingest: messages/s and MB/s with C concurrent appenders (1 and 4);
//   (b) stored size: the data directory after a WAL checkpoint against the raw bytes appended, as a saving
//       (WildDuck reports 40-56 % from de-duplication and compression);
//   (c) read-back: MB/s of whole messages, and of random byte ranges (IMAP partial FETCH);
// each bounded in count and time, `runs` times, and prints every run, the medians, and one JSON line.
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/reactor.h"
#include "perf/bench_support.h"
#include "core/task.h"
#include "core/thread_pool.h"
#include "storage/open_store.h"
#include "test/storage/corpus.h"

namespace mallard::perf {
namespace {

using core::Task;
using storage::Store;
using Clock = std::chrono::steady_clock;

struct Options {
    unsigned messages = 2000;      // corpus size: ingested per run at most
    unsigned seed = 20241123;
    unsigned runs = 3;
    double seconds = 30.0;         // per phase (ingest, whole reads, range reads) at most
    unsigned range_reads = 20000;  // random range reads per run at most
    unsigned max_range_bytes = 65536;
};

constexpr unsigned concurrencies[] = {1, 4};
constexpr double mb = 1024.0 * 1024.0;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---- one phase: C workers over a shared cursor on one reactor, until done or out of time ----------------

struct Phase {
    Store& store;
    storage::MailboxId box;
    Clock::time_point deadline;
    std::size_t limit = 0;     // operations at most
    std::size_t next = 0;      // the next operation to start
    std::size_t done = 0;      // operations completed
    std::uint64_t bytes = 0;   // bytes appended or read
    std::uint64_t failures = 0;
    unsigned live = 0;         // workers still running
    core::Reactor* loop = nullptr;

    // Takes the next operation's index, or returns false when the phase is over.
    bool take(std::size_t& i) {
        if (next >= limit || Clock::now() >= deadline) return false;
        i = next++;
        return true;
    }
    void worker_done() {
        if (--live == 0) loop->stop();
    }
};

Task<void> append_worker(Phase& phase, const std::vector<storage::test::CorpusMessage>& corpus,
                         std::vector<storage::Uid>& uids) {
    std::size_t i = 0;
    while (phase.take(i)) {
        storage::AppendRequest request;
        request.raw = corpus[i].raw;
        auto appended = co_await phase.store.append(phase.box, std::move(request));
        if (!appended) {
            ++phase.failures;
            continue;
        }
        uids[i] = appended->uid;
        phase.bytes += corpus[i].raw.size();
        ++phase.done;
    }
    phase.worker_done();
}

Task<void> read_whole_worker(Phase& phase, const std::vector<storage::Uid>& uids,
                             const std::vector<storage::test::CorpusMessage>& corpus) {
    std::size_t i = 0;
    while (phase.take(i)) {
        auto read = co_await phase.store.read_message(phase.box, uids[i], std::nullopt);
        if (!read || read->size() != corpus[i].raw.size()) {
            ++phase.failures;
            continue;
        }
        phase.bytes += read->size();
        ++phase.done;
    }
    phase.worker_done();
}

struct RangeRead {
    storage::Uid uid;
    storage::ByteRange range;
};

Task<void> read_range_worker(Phase& phase, const std::vector<RangeRead>& reads) {
    std::size_t i = 0;
    while (phase.take(i)) {
        auto read = co_await phase.store.read_message(phase.box, reads[i].uid, reads[i].range);
        if (!read) {
            ++phase.failures;
            continue;
        }
        phase.bytes += read->size();
        ++phase.done;
    }
    phase.worker_done();
}

// Runs `concurrency` workers made by `make_worker` on `loop` until the phase ends; returns the seconds taken.
template <class MakeWorker>
double run_phase(core::Reactor& loop, Phase& phase, unsigned concurrency, MakeWorker make_worker) {
    phase.loop = &loop;
    phase.live = concurrency;
    auto start = Clock::now();
    loop.post([&phase, concurrency, &make_worker] {
        for (unsigned c = 0; c < concurrency; ++c) core::spawn(make_worker());
    });
    loop.run();
    return seconds_since(start);
}

// ---- the data directory --------------------------------------------------------------------------------

std::string make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mallard-store-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

// The bytes the data directory holds once the WAL is checkpointed into the database file.
std::uint64_t stored_bytes(const std::string& dir) {
    std::string db = dir + "/mallard.db";
    sqlite3* handle = nullptr;
    if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_exec(handle, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    }
    sqlite3_close(handle);
    std::uint64_t total = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) total += entry.file_size();
    }
    return total;
}

// ---- one run -------------------------------------------------------------------------------------------

struct RunResult {
    std::size_t ingested = 0;
    std::uint64_t raw_bytes = 0;
    double ingest_seconds = 0;
    std::uint64_t stored = 0;
    double whole_mb = 0, whole_seconds = 0;
    std::size_t range_ops = 0;
    double range_mb = 0, range_seconds = 0;
    std::uint64_t failures = 0;

    double msgs_per_s() const { return ingest_seconds > 0 ? ingested / ingest_seconds : 0; }
    double ingest_mb_per_s() const { return ingest_seconds > 0 ? raw_bytes / mb / ingest_seconds : 0; }
    double saving_pct() const { return raw_bytes ? 100.0 * (1.0 - double(stored) / double(raw_bytes)) : 0; }
    double whole_mb_per_s() const { return whole_seconds > 0 ? whole_mb / whole_seconds : 0; }
    double range_mb_per_s() const { return range_seconds > 0 ? range_mb / range_seconds : 0; }
    double range_ops_per_s() const { return range_seconds > 0 ? range_ops / range_seconds : 0; }
};

std::vector<RangeRead> plan_ranges(const Options& o, const std::vector<storage::Uid>& uids,
                                   const std::vector<storage::test::CorpusMessage>& corpus, std::size_t count,
                                   std::uint64_t seed) {
    std::vector<RangeRead> reads;
    if (count == 0) return reads;
    std::uint64_t state = seed;
    auto next = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return state >> 33;
    };
    for (std::size_t i = 0; i < o.range_reads; ++i) {
        std::size_t m = next() % count;
        std::uint64_t size = corpus[m].raw.size();
        reads.push_back({uids[m], {next() % size, 1 + next() % o.max_range_bytes}});
    }
    return reads;
}

RunResult run_once(const Options& o, const std::vector<storage::test::CorpusMessage>& corpus, unsigned concurrency,
                   unsigned run) {
    RunResult result;
    std::string dir = make_temp_dir();
    {
        core::ThreadPool pool(std::max(2u, concurrency));
        core::Reactor loop;
        storage::StoreOptions options;
        options.data_dir = dir;
        auto opened = storage::open_store(options, pool);
        if (!opened) throw std::runtime_error("open_store: " + opened.error().to_string());
        std::unique_ptr<Store> store = std::move(*opened);

        storage::NewUser user;
        user.username = "bench";
        user.password_hash = "x";
        auto created = loop.block_on(store->create_user(std::move(user)));
        if (!created) throw std::runtime_error("create_user: " + created.error().to_string());
        auto inbox = loop.block_on(store->find_mailbox(created->id, "INBOX"));
        if (!inbox) throw std::runtime_error("find_mailbox: " + inbox.error().to_string());
        auto phase_limit = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));

        std::vector<storage::Uid> uids(corpus.size());
        Phase ingest{*store, inbox->id, Clock::now() + phase_limit, corpus.size()};
        result.ingest_seconds = run_phase(loop, ingest, concurrency, [&] { return append_worker(ingest, corpus, uids); });
        result.ingested = ingest.done;
        result.raw_bytes = ingest.bytes;
        result.failures += ingest.failures;

        Phase whole{*store, inbox->id, Clock::now() + phase_limit, ingest.next};
        result.whole_seconds = run_phase(loop, whole, concurrency, [&] { return read_whole_worker(whole, uids, corpus); });
        result.whole_mb = whole.bytes / mb;
        result.failures += whole.failures;

        auto reads = plan_ranges(o, uids, corpus, ingest.failures ? 0 : ingest.next, o.seed + run);
        Phase ranges{*store, inbox->id, Clock::now() + phase_limit, reads.size()};
        result.range_seconds = run_phase(loop, ranges, concurrency, [&] { return read_range_worker(ranges, reads); });
        result.range_ops = ranges.done;
        result.range_mb = ranges.bytes / mb;
        result.failures += ranges.failures;
    }  // the store closes before its files are measured
    result.stored = stored_bytes(dir);
    std::filesystem::remove_all(dir);
    return result;
}

// ---- options and output --------------------------------------------------------------------------------

void usage() {
    std::fprintf(stderr,
                 "usage: mallard-store-bench [--messages N] [--seed S] [--runs R] [--seconds T]\n"
                 "                           [--range-reads K] [--max-range-bytes B]\n"
                 "  N messages of the generated corpus (default 2000) are appended with 1 and 4 concurrent\n"
                 "  appenders, R times each (default 3); each phase stops after T seconds (default 30).\n");
}

bool read_options(int argc, char** argv, Options& o) {
    return perf::parse_options(argc, argv,
                               {{"--messages", 1, 100000, &o.messages},
                                {"--seed", 0, UINT32_MAX, &o.seed},
                                {"--runs", 1, 100, &o.runs},
                                {"--range-reads", 1, 10'000'000, &o.range_reads},
                                {"--max-range-bytes", 1, 1u << 30, &o.max_range_bytes}},
                               {"--seconds", 0.1, 3600, &o.seconds});
}

template <class F>
double median_of(const std::vector<RunResult>& runs, F field) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(static_cast<double>(field(r)));
    return median(std::move(v));
}

int run(const Options& o) {
    auto generate_start = Clock::now();
    auto corpus = storage::test::generate_corpus(o.seed, o.messages);
    std::uint64_t corpus_bytes = 0;
    for (const auto& m : corpus) corpus_bytes += m.raw.size();
    std::printf("mallard-store-bench: SQLite store, %zu generated messages (seed %u, %.1f MB, generated in %.1f s); "
                "%u runs, %.0f s per phase at most\n",
                corpus.size(), o.seed, corpus_bytes / mb, seconds_since(generate_start), o.runs, o.seconds);

    std::vector<std::vector<RunResult>> all;
    std::uint64_t failures = 0;
    for (unsigned c : concurrencies) {
        std::vector<RunResult> runs;
        for (unsigned r = 1; r <= o.runs; ++r) {
            RunResult x = run_once(o, corpus, c, r);
            failures += x.failures;
            std::printf("C=%u run %u: ingest %zu msgs in %.2f s = %.0f msgs/s, %.1f MB/s; stored %.1f MB of %.1f MB "
                        "raw (%.1f %% saved); read whole %.0f MB/s; ranges %.0f reads/s, %.1f MB/s\n",
                        c, r, x.ingested, x.ingest_seconds, x.msgs_per_s(), x.ingest_mb_per_s(), x.stored / mb,
                        x.raw_bytes / mb, x.saving_pct(), x.whole_mb_per_s(), x.range_ops_per_s(), x.range_mb_per_s());
            std::fflush(stdout);
            runs.push_back(x);
        }
        all.push_back(std::move(runs));
    }

    auto med = [&](std::size_t ci, auto field) { return median_of(all[ci], field); };
    auto msgs = [](const RunResult& r) { return r.msgs_per_s(); };
    auto ingest_mb = [](const RunResult& r) { return r.ingest_mb_per_s(); };
    auto saving = [](const RunResult& r) { return r.saving_pct(); };
    auto stored = [](const RunResult& r) { return double(r.stored); };
    auto raw = [](const RunResult& r) { return double(r.raw_bytes); };
    auto whole = [](const RunResult& r) { return r.whole_mb_per_s(); };
    auto range_mb = [](const RunResult& r) { return r.range_mb_per_s(); };
    auto range_ops = [](const RunResult& r) { return r.range_ops_per_s(); };
    auto ingested = [](const RunResult& r) { return double(r.ingested); };

    std::printf("median ingest: C=1 %.0f msgs/s (%.1f MB/s); C=4 %.0f msgs/s (%.1f MB/s)\n", med(0, msgs),
                med(0, ingest_mb), med(1, msgs), med(1, ingest_mb));
    std::printf("median stored size: %.1f MB for %.1f MB raw = %.1f %% saved (WildDuck reports 40-56 %% from "
                "de-duplication and compression: %s)\n",
                med(0, stored) / mb, med(0, raw) / mb, med(0, saving),
                med(0, saving) > 56 ? "better" : med(0, saving) >= 40 ? "within its range" : "worse");
    std::printf("median read-back: whole messages C=1 %.0f MB/s, C=4 %.0f MB/s; random ranges (<= %u bytes) "
                "C=1 %.0f reads/s %.1f MB/s, C=4 %.0f reads/s %.1f MB/s\n",
                med(0, whole), med(1, whole), o.max_range_bytes, med(0, range_ops), med(0, range_mb),
                med(1, range_ops), med(1, range_mb));
    if (med(0, ingested) < corpus.size() || med(1, ingested) < corpus.size()) {
        std::printf("note: the time limit stopped ingest before the whole corpus\n");
    }
    if (failures) std::printf("warning: %llu operations failed\n", static_cast<unsigned long long>(failures));
    std::printf("{\"bench\":\"store\",\"backend\":\"sqlite\",\"messages\":%zu,\"seed\":%u,\"runs\":%u,"
                "\"raw_bytes\":%.0f,\"stored_bytes\":%.0f,\"saving_pct\":%.1f,"
                "\"ingest_c1_msgs_per_s\":%.0f,\"ingest_c1_mb_per_s\":%.2f,"
                "\"ingest_c4_msgs_per_s\":%.0f,\"ingest_c4_mb_per_s\":%.2f,"
                "\"read_whole_c1_mb_per_s\":%.1f,\"read_whole_c4_mb_per_s\":%.1f,"
                "\"read_range_c1_per_s\":%.0f,\"read_range_c1_mb_per_s\":%.2f,"
                "\"read_range_c4_per_s\":%.0f,\"read_range_c4_mb_per_s\":%.2f,\"failures\":%llu}\n",
                corpus.size(), o.seed, o.runs, med(0, raw), med(0, stored), med(0, saving), med(0, msgs),
                med(0, ingest_mb), med(1, msgs), med(1, ingest_mb), med(0, whole), med(1, whole), med(0, range_ops),
                med(0, range_mb), med(1, range_ops), med(1, range_mb), static_cast<unsigned long long>(failures));
    return failures ? 1 : 0;
}

}  // namespace
}  // namespace mallard::perf

int main(int argc, char** argv) {
    mallard::perf::Options options;
    if (!mallard::perf::read_options(argc, argv, options)) {
        mallard::perf::usage();
        return 64;
    }
    try {
        return mallard::perf::run(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mallard-store-bench: %s\n", e.what());
        return 1;
    }
}
