// date-time: RFC 3501 §9 (date-day-fixed, date-month, date-year, time, zone), used by INTERNALDATE (§7.4.2)
// and APPEND (§6.3.11).
#include "protocols/imap/date_time.h"

#include <array>
#include <cstdio>

namespace mallard::imap {

namespace {

constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool digit(char c) { return c >= '0' && c <= '9'; }

// `count` digits at s[pos]; advances pos.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t count) {
    if (pos + count > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (!digit(s[pos + i])) return std::nullopt;
        v = v * 10 + (s[pos + i] - '0');
    }
    pos += count;
    return v;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

void render_date_time(std::string& out, TimePoint time, std::int32_t utc_offset_seconds) {
    using namespace std::chrono;
    auto local = floor<seconds>(time) + seconds(utc_offset_seconds);
    auto day = floor<days>(local);
    year_month_day ymd{day};
    hh_mm_ss hms{local - day};
    std::int32_t offset_minutes = (utc_offset_seconds < 0 ? -utc_offset_seconds : utc_offset_seconds) / 60;
    char buf[64];
    std::snprintf(buf, sizeof buf, "\"%02u-%s-%04d %02d:%02d:%02d %c%02d%02d\"", static_cast<unsigned>(ymd.day()),
                  month_names[static_cast<unsigned>(ymd.month()) - 1].data(), static_cast<int>(ymd.year()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), utc_offset_seconds < 0 ? '-' : '+',
                  static_cast<int>(offset_minutes / 60), static_cast<int>(offset_minutes % 60));
    out += buf;
}

std::optional<DateTime> parse_date_time(std::string_view s) {
    using namespace std::chrono;
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    std::size_t pos = 0;
    // date-day-fixed = (SP DIGIT) / 2DIGIT; clients also send a bare 1DIGIT (the date-day form of SEARCH).
    if (pos < s.size() && s[pos] == ' ') ++pos;
    std::optional<int> d;
    if (pos + 1 < s.size() && digit(s[pos]) && digit(s[pos + 1])) {
        d = digits(s, pos, 2);
    } else {
        d = digits(s, pos, 1);
    }
    if (!d || !expect(s, pos, '-') || pos + 3 > s.size()) return std::nullopt;
    unsigned month = 0;
    for (unsigned m = 0; m < 12; ++m) {
        std::string_view name = month_names[m];
        if (lower(s[pos]) == lower(name[0]) && lower(s[pos + 1]) == lower(name[1]) &&
            lower(s[pos + 2]) == lower(name[2])) {
            month = m + 1;
        }
    }
    pos += 3;
    if (month == 0 || !expect(s, pos, '-')) return std::nullopt;
    auto y = digits(s, pos, 4);
    if (!y || !expect(s, pos, ' ')) return std::nullopt;
    auto hh = digits(s, pos, 2);
    if (!hh || !expect(s, pos, ':')) return std::nullopt;
    auto mm = digits(s, pos, 2);
    if (!mm || !expect(s, pos, ':')) return std::nullopt;
    auto ss = digits(s, pos, 2);
    if (!ss || !expect(s, pos, ' ') || pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return std::nullopt;
    int sign = s[pos++] == '-' ? -1 : 1;
    auto zh = digits(s, pos, 2);
    auto zm = zh ? digits(s, pos, 2) : std::nullopt;
    if (!zm || pos != s.size()) return std::nullopt;

    year_month_day ymd{year{*y}, std::chrono::month{month}, day{static_cast<unsigned>(*d)}};
    // A leap second (60) is accepted and lands on the next minute's first second.
    if (!ymd.ok() || *hh > 23 || *mm > 59 || *ss > 60 || *zh > 23 || *zm > 59) return std::nullopt;
    std::int32_t offset = sign * (*zh * 3600 + *zm * 60);
    auto local = sys_days{ymd} + hours(*hh) + minutes(*mm) + seconds(*ss);
    return DateTime{TimePoint(local - seconds(offset)), offset};
}

}  // namespace mallard::imap
