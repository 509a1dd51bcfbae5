// The Date header read as an instant: RFC 5322 §3.3 date-time with the obsolete forms of §4.3 (two- and
// three-digit years, alphabetic zones, comments, extra whitespace) and the garbage real mail carries
// (full month names, missing weekday or seconds or zone, asctime order "Tue Jan  2 10:00:00 2024").
// Pure; used at ingest for SEARCH SENTBEFORE/SENTON/SENTSINCE (RFC 3501 §6.4.4) and for sorting.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mallard::storage {

struct SentDate {
    std::int64_t epoch_seconds = 0;      // the instant, UTC
    std::int32_t utc_offset_seconds = 0; // the zone as written: epoch + offset is the wall-clock time written
    bool operator==(const SentDate&) const = default;
};

// nullopt when no date can be read (no day, month or year, or values out of range). A missing time reads
// as 00:00:00, a missing or unknown zone as +0000 (RFC 5322 §4.3 treats military zones as -0000).
std::optional<SentDate> parse_date_header(std::string_view value);

}  // namespace mallard::storage
