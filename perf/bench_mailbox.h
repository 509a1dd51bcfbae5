// The big generated mailbox that mallard-imap-bench and mallard-http-bench serve: INBOX of the user "bench" in
// a fresh SQLite store, filled with N messages of imap_message_gen.h through the Store by a few concurrent
// appenders — or a data directory an earlier run filled, reused. A marker file beside mallard.db says what the
// directory holds (size, seed, the expected SEARCH counts), so both benchmarks can share one directory and a
// half-filled one is redone rather than measured.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mallard::perf {

inline constexpr std::string_view bench_user = "bench";
inline constexpr std::string_view bench_password = "bench-password";

struct MailboxOptions {
    unsigned messages = 100000;
    unsigned seed = 20241123;
    unsigned appenders = 4;   // concurrent appenders while populating
    double seconds = 600;     // population stops after this per 10,000 messages
};

// What population produced (kept in the marker file).
struct Population {
    unsigned messages = 0;
    unsigned seed = 0;
    bool complete = false;
    std::uint64_t raw_bytes = 0;
    unsigned flagged = 0, rare = 0, common = 0;
    double seconds = 0;
};

// `dir` reused if it holds a complete population of the same size and seed, else (re)filled; a non-empty
// directory that no benchmark filled is refused. `tool` names the caller in messages. Throws on failure.
Population prepare_mailbox(const MailboxOptions& options, const std::string& dir, bool& reused, std::string_view tool);

// A fresh directory under the system's temporary directory, "<prefix>-XXXXXX".
std::string make_temp_dir(std::string_view prefix);

}  // namespace mallard::perf
