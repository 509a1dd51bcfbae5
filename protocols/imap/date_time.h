// INTERNALDATE and the APPEND date-time (RFC 3501 §9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz"). Both
// directions live here so the format is written once; the command parser calls parse_date_time on the
// string it has read.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mallard::imap {

using TimePoint = std::chrono::system_clock::time_point;  // storage::TimePoint

struct DateTime {
    TimePoint time;                       // the instant
    std::int32_t utc_offset_seconds = 0;  // the zone written: time + offset is the wall-clock time
    bool operator==(const DateTime&) const = default;
};

// The quoted date-time, e.g. "\"02-Jan-2024 10:00:00 +0100\"", at second precision. The store keeps only
// the instant, so the session passes 0 (+0000) unless it knows the zone the client gave.
void render_date_time(std::string& out, TimePoint time, std::int32_t utc_offset_seconds = 0);

// A date-time as APPEND sends it, with or without its double quotes; the day may be one digit, space-padded
// (date-day-fixed) or two digits, the month any case. nullopt on anything else or an impossible date/time.
std::optional<DateTime> parse_date_time(std::string_view text);

}  // namespace mallard::imap
