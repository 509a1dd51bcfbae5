// Date header parsing: a token scan rather than a grammar, so that fields in an unexpected order or with
// stray words still yield the date a person would read (RFC 5322 §3.3, §4.3).
#include "storage/date_parse.h"

#include <chrono>
#include <string>
#include <vector>

namespace mallard::storage {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool all_digits(std::string_view s) {
    if (s.empty() || s.size() > 9) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

int to_int(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

std::string lower_word(std::string_view s) {
    std::string out;
    for (char c : s) out.push_back(lower(c));
    return out;
}

// "jan".."dec", full names and "sept"; 0 when not a month.
unsigned month_of(std::string_view word) {
    static constexpr std::string_view names[] = {"january", "february", "march",     "april",   "may",      "june",
                                                 "july",    "august",   "september", "october", "november", "december"};
    if (word.size() < 3) return 0;
    std::string w = lower_word(word);
    for (unsigned i = 0; i < 12; ++i)
        if (names[i].substr(0, w.size()) == w) return i + 1;
    return 0;
}

// RFC 5322 §4.3 zone names, plus the few others common in real mail. nullopt: not a zone name.
std::optional<int> zone_of(std::string_view word) {
    struct Zone {
        std::string_view name;
        int hours;
    };
    static constexpr Zone zones[] = {{"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},   {"est", -5}, {"edt", -4},
                                     {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7},
                                     {"cet", 1},  {"cest", 2}, {"bst", 1},  {"wet", 0}, {"west", 1}, {"eet", 2},
                                     {"eest", 3}};
    std::string w = lower_word(word);
    for (const auto& z : zones)
        if (z.name == w) return z.hours * 3600;
    if (w.size() == 1 && is_alpha(w[0])) return 0;  // military zones: -0000 (RFC 5322 §4.3)
    return std::nullopt;
}

// "+0100", "-05", "+01:00". nullopt when malformed.
std::optional<int> numeric_zone(std::string_view s) {
    int sign = s[0] == '-' ? -1 : 1;
    std::string digits;
    for (char c : s.substr(1))
        if (c != ':') digits.push_back(c);
    if (!all_digits(digits)) return std::nullopt;
    int hours = 0, minutes = 0;
    if (digits.size() == 4) {
        hours = to_int(digits.substr(0, 2));
        minutes = to_int(digits.substr(2));
    } else if (digits.size() <= 2) {
        hours = to_int(digits);
    } else {
        return std::nullopt;
    }
    if (hours > 23 || minutes > 59) return std::nullopt;
    return sign * (hours * 3600 + minutes * 60);
}

// Splits into words: whitespace and commas separate, comments are dropped, "02-Jan-2024" and
// "2024-01-02T10:00:00Z" come apart into their fields.
std::vector<std::string> tokenize(std::string_view value) {
    std::vector<std::string> out;
    std::string word;
    int depth = 0;
    auto flush = [&] {
        if (!word.empty()) out.push_back(std::move(word));
        word.clear();
    };
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '(') {
            ++depth;
            flush();
            continue;
        }
        if (depth > 0) {
            if (c == ')') --depth;
            else if (c == '\\') ++i;
            continue;
        }
        bool after_digit = !word.empty() && is_digit(word.back());
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ')') {
            flush();
        } else if ((c == '-' || c == '+') && !word.empty()) {
            // After a time it starts a zone ("10:00:00-0500"); elsewhere it separates date fields.
            bool time = word.find(':') != std::string::npos;
            flush();
            if (time || c == '+') word.push_back(c);
        } else if ((c == 'T' || c == 't') && after_digit && i + 1 < value.size() && is_digit(value[i + 1])) {
            flush();  // ISO 8601 date-time separator
        } else if ((c == 'Z' || c == 'z') && after_digit && word.find(':') != std::string::npos) {
            flush();
            word.push_back('Z');
        } else {
            word.push_back(c);
        }
    }
    flush();
    return out;
}

struct Clock {
    int hour = 0, minute = 0, second = 0;
};

std::optional<Clock> parse_time(std::string_view s) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == ':' || s[i] == '.') {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    if (parts.size() < 2 || parts.size() > 4) return std::nullopt;  // a fourth part: fractions, ignored
    for (std::size_t i = 0; i < std::min<std::size_t>(parts.size(), 3); ++i)
        if (!all_digits(parts[i]) || parts[i].size() > 2) return std::nullopt;
    Clock c;
    c.hour = to_int(parts[0]);
    c.minute = to_int(parts[1]);
    c.second = parts.size() >= 3 ? to_int(parts[2]) : 0;
    if (c.second == 60) c.second = 59;  // a leap second: the same day either way
    if (c.hour > 23 || c.minute > 59 || c.second > 59) return std::nullopt;
    return c;
}

}  // namespace

std::optional<SentDate> parse_date_header(std::string_view value) {
    int day = 0, year = -1;
    unsigned month = 0;
    std::optional<Clock> clock;
    std::optional<int> offset;
    int numbers = 0;
    bool iso = false;
    for (const auto& token : tokenize(value)) {
        std::string_view t = token;
        while (!t.empty() && t.back() == '.') t.remove_suffix(1);  // "Mon.", "Jan."
        if (t.empty()) continue;
        if (t.find(':') != std::string_view::npos && is_digit(t[0])) {
            if (!clock) {
                clock = parse_time(t);
                if (!clock) return std::nullopt;
            } else if (!offset && (t[0] == '+' || t[0] == '-')) {
                offset = numeric_zone(t);
            }
        } else if ((t[0] == '+' || t[0] == '-') && t.size() > 1 && is_digit(t[1])) {
            if (!offset) offset = numeric_zone(t);
        } else if (all_digits(t)) {
            int n = to_int(t);
            ++numbers;
            if (numbers == 1 && t.size() == 4 && month == 0) {
                year = n;  // ISO 8601 order: year, month, day
                iso = true;
            } else if (iso && month == 0) {
                if (n < 1 || n > 12) return std::nullopt;
                month = static_cast<unsigned>(n);
            } else if (day == 0 && t.size() <= 2 && n >= 1 && n <= 31) {
                day = n;
            } else if (year < 0) {
                year = t.size() >= 4 ? n : t.size() == 3 ? 1900 + n : n < 50 ? 2000 + n : 1900 + n;
            }
        } else if (is_alpha(t[0])) {
            if (unsigned m = month_of(t); m != 0 && month == 0) month = m;
            else if (auto z = zone_of(t); z && !offset && clock) offset = z;
        }
    }
    if (day == 0 || month == 0 || year < 1000 || year > 9999) return std::nullopt;
    using namespace std::chrono;
    const year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                             std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) return std::nullopt;
    Clock c = clock.value_or(Clock{});
    SentDate out;
    out.utc_offset_seconds = offset.value_or(0);
    out.epoch_seconds = sys_days(ymd).time_since_epoch().count() * 86400 + c.hour * 3600 + c.minute * 60 + c.second -
                        out.utc_offset_seconds;
    return out;
}

}  // namespace mallard::storage
