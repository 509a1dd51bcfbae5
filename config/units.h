// Sizes and durations as written in the configuration and on tools' command lines: "64K", "16MiB", "1G"
// (binary multiples) and "30s", "5m", "2h", "1d". In TOML a plain number is an integer, not a string, so
// these functions require the unit; a command line that also takes plain digits checks for those first.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mallard::config {

// "<digits><unit>"; nullopt when malformed. A value past int64 saturates to INT64_MAX, which callers reject.
std::optional<std::int64_t> parse_size_units(std::string_view text);
std::optional<std::int64_t> parse_duration_units(std::string_view text);

}  // namespace mallard::config
