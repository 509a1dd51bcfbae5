// See bench_mailbox.h.
#include "perf/bench_mailbox.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>

#include "core/reactor.h"
#include "core/task.h"
#include "core/thread_pool.h"
#include "perf/imap_message_gen.h"
#include "protocols/auth/password.h"
#include "storage/open_store.h"

namespace mallard::perf {
namespace {

namespace fs = std::filesystem;
using core::Task;
using Clock = std::chrono::steady_clock;

// The name predates mallard-http-bench: kept so directories filled by earlier mallard-imap-bench runs are reused.
constexpr std::string_view marker_name = "imap-bench.populated";

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void write_marker(const std::string& dir, const Population& p) {
    std::ofstream out(dir + "/" + std::string(marker_name), std::ios::trunc);
    out << "messages " << p.messages << "\nseed " << p.seed << "\ncomplete " << p.complete << "\nraw_bytes "
        << p.raw_bytes << "\nflagged " << p.flagged << "\nrare " << p.rare << "\ncommon " << p.common
        << "\nseconds " << p.seconds << "\n";
    if (!out) throw std::runtime_error("cannot write the marker in " + dir);
}

std::optional<Population> read_marker(const std::string& dir) {
    std::ifstream in(dir + "/" + std::string(marker_name));
    if (!in) return std::nullopt;
    std::map<std::string, double> values;
    std::string key;
    double value = 0;
    while (in >> key >> value) values[key] = value;
    Population p;
    p.messages = static_cast<unsigned>(values["messages"]);
    p.seed = static_cast<unsigned>(values["seed"]);
    p.complete = values["complete"] != 0;
    p.raw_bytes = static_cast<std::uint64_t>(values["raw_bytes"]);
    p.flagged = static_cast<unsigned>(values["flagged"]);
    p.rare = static_cast<unsigned>(values["rare"]);
    p.common = static_cast<unsigned>(values["common"]);
    p.seconds = values["seconds"];
    return p;
}

struct Populator {
    storage::Store& store;
    storage::MailboxId box;
    const MailboxOptions& options;
    Clock::time_point deadline;
    Population& result;
    unsigned next = 0;
    unsigned done = 0;
    unsigned failures = 0;
    unsigned live = 0;
    core::Reactor* loop = nullptr;
    Clock::time_point last_report = Clock::now();
};

Task<void> append_worker(Populator& p) {
    while (p.next < p.options.messages && Clock::now() < p.deadline) {
        const unsigned index = p.next++;
        BenchMessage m = make_bench_message(p.options.seed, index);
        storage::AppendRequest request;
        request.raw = std::move(m.raw);
        const std::uint64_t size = request.raw.size();
        if (m.seen) request.flags.push_back("\\Seen");
        if (m.flagged) request.flags.push_back("\\Flagged");
        if (m.answered) request.flags.push_back("\\Answered");
        storage::normalize_flags(request.flags);
        request.internal_date = storage::TimePoint(std::chrono::seconds(m.date + 5));
        auto appended = co_await p.store.append(p.box, std::move(request));
        if (!appended) {
            if (++p.failures <= 3) std::fprintf(stderr, "append failed: %s\n", appended.error().to_string().c_str());
            continue;
        }
        ++p.done;
        p.result.raw_bytes += size;
        p.result.flagged += m.flagged;
        p.result.rare += m.has_rare;
        p.result.common += m.has_common;
        if (seconds_since(p.last_report) >= 10) {
            p.last_report = Clock::now();
            std::printf("  populating: %u of %u messages\n", p.done, p.options.messages);
            std::fflush(stdout);
        }
    }
    if (--p.live == 0) p.loop->stop();
}

// Fills `dir` (empty, or holding an earlier incomplete population of ours) with a user and N messages.
Population populate(const MailboxOptions& o, const std::string& dir) {
    Population result;
    result.messages = o.messages;
    result.seed = o.seed;
    write_marker(dir, result);  // incomplete: a later run may wipe and redo this directory
    const auto start = Clock::now();
    {
        core::ThreadPool pool(std::max(2u, o.appenders));
        core::Reactor loop;
        storage::StoreOptions options;
        options.data_dir = dir;
        auto opened = storage::open_store(options, pool);
        if (!opened) throw std::runtime_error("open_store: " + opened.error().to_string());
        std::unique_ptr<storage::Store> store = std::move(*opened);
        auto hash = auth::hash_password(bench_password);
        if (!hash) throw std::runtime_error("hash_password: " + hash.error().to_string());
        storage::NewUser user{std::string(bench_user), *hash, "bench@example.com", 0};
        auto created = loop.block_on(store->create_user(std::move(user)));
        if (!created) throw std::runtime_error("create_user: " + created.error().to_string());
        auto inbox = loop.block_on(store->find_mailbox(created->id, "INBOX"));
        if (!inbox) throw std::runtime_error("find_mailbox: " + inbox.error().to_string());

        const double limit = o.seconds * std::max(1.0, o.messages / 10000.0);
        Populator p{*store, inbox->id, o, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                              std::chrono::duration<double>(limit)),
                    result};
        p.loop = &loop;
        p.live = o.appenders;
        loop.post([&p, &o] {
            for (unsigned c = 0; c < o.appenders; ++c) core::spawn(append_worker(p));
        });
        loop.run();
        if (p.done != o.messages)
            throw std::runtime_error("population stopped at " + std::to_string(p.done) + " of " +
                                     std::to_string(o.messages) + " messages (" + std::to_string(p.failures) +
                                     " failures, or out of time)");
    }
    result.seconds = seconds_since(start);
    result.complete = true;
    write_marker(dir, result);
    return result;
}

}  // namespace

Population prepare_mailbox(const MailboxOptions& o, const std::string& dir, bool& reused, std::string_view tool) {
    reused = false;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
    if (auto marker = read_marker(dir)) {
        if (marker->complete && marker->messages == o.messages && marker->seed == o.seed) {
            reused = true;
            return *marker;
        }
        // Ours, but another size or unfinished: only then is it safe to empty the directory.
        for (const auto& entry : fs::directory_iterator(dir)) fs::remove_all(entry.path());
    } else if (!fs::is_empty(dir)) {
        throw std::runtime_error(dir + " is not empty and was not filled by " + std::string(tool) +
                                 " (or another mallard benchmark); give an empty or new directory");
    }
    return populate(o, dir);
}


std::string make_temp_dir(std::string_view prefix) {
    std::string pattern = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

}  // namespace mallard::perf
