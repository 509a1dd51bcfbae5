// The messages mallard-imap-bench fills its mailbox with: deterministic from (seed, index), 2-20 KiB each, in
// the shapes a real inbox holds — plain US-ASCII text, UTF-8 text (8bit and quoted-printable, RFC 2045
// §6.7) with an RFC 2047 encoded subject, multipart/alternative text+HTML, and multipart/mixed with a small
// base64 attachment (RFC 2046 §5.1). The text is drawn from a made-up vocabulary that never contains the
// letters q, x or j, so the marker words below (which do) are found exactly where they were put: SEARCH TEXT
// has a known number of hits for each, and none for the miss word.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mallard::perf {

// In about 1 % of the messages' text.
inline constexpr std::string_view rare_word = "quokkajam";
// In about 20 % of the messages' text.
inline constexpr std::string_view common_word = "quarterly";
// In none: SEARCH TEXT reads every message's text and finds nothing.
inline constexpr std::string_view missing_word = "xylojinx";

struct BenchMessage {
    std::string raw;         // CRLF line ends
    bool flagged = false;    // appended with \Flagged (about 5 %)
    bool seen = false;       // appended with \Seen (about 70 %)
    bool answered = false;   // appended with \Answered (about 10 %)
    bool has_rare = false;   // contains rare_word
    bool has_common = false; // contains common_word
    std::int64_t date = 0;   // seconds since the epoch: the Date header and the internal date
};

// The same (seed, index) always gives the same message.
BenchMessage make_bench_message(std::uint64_t seed, std::uint64_t index);

}  // namespace mallard::perf
