#include "config/units.h"

#include <limits>

namespace mallard::config {

namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kib = 1024;

struct Unit {
    std::string_view suffix;
    std::int64_t factor;
};
constexpr Unit duration_units[] = {{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
constexpr Unit size_units[] = {{"K", kib},       {"KiB", kib},           {"M", kib * kib},
                               {"MiB", kib * kib}, {"G", kib * kib * kib}, {"GiB", kib * kib * kib}};

template <std::size_t N>
std::optional<std::int64_t> parse_scaled(std::string_view s, const Unit (&units)[N]) {
    std::size_t digits = 0;
    std::int64_t n = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
        const int d = s[digits] - '0';
        n = n > (int64_max - d) / 10 ? int64_max : n * 10 + d;
        ++digits;
    }
    if (digits == 0) return std::nullopt;
    const std::string_view suffix = s.substr(digits);
    for (const Unit& u : units)
        if (suffix == u.suffix) return n > int64_max / u.factor ? int64_max : n * u.factor;
    return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> parse_size_units(std::string_view text) { return parse_scaled(text, size_units); }
std::optional<std::int64_t> parse_duration_units(std::string_view text) {
    return parse_scaled(text, duration_units);
}

}  // namespace mallard::config
