// Name checks and cursors (see validate.h).
#include "protocols/http/routes/validate.h"

#include <charconv>
#include <chrono>

#include "storage/date_parse.h"

namespace mallard::http::routes {

namespace {

bool name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool joiner(char c) { return c == '.' || c == '_' || c == '=' || c == ':'; }

// [a-z0-9-]+ ( [._=:] [a-z0-9-]+ )*
bool dotted_name(std::string_view s) {
    if (s.empty() || !name_char(s.front()) || !name_char(s.back())) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (name_char(s[i])) continue;
        if (!joiner(s[i]) || joiner(s[i + 1])) return false;  // s.back() is a name char, so i + 1 exists
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

std::string lowercase_ascii(std::string_view in) {
    std::string out(in);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool valid_username(std::string_view username) {
    if (username.empty() || username.size() > 128) return false;
    std::size_t at = username.find('@');
    if (at == std::string_view::npos) return dotted_name(username);
    return dotted_name(username.substr(0, at)) && dotted_name(username.substr(at + 1));
}

bool valid_email(std::string_view address) {
    if (address.size() > 320) return false;
    std::size_t at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= address.size()) return false;
    std::string_view local = address.substr(0, at);
    std::string_view domain = address.substr(at + 1);
    if (local.size() > 64 || local.find('@') != std::string_view::npos) return false;
    for (unsigned char c : address)
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
            c == '\\' || c == '"' || c == '[' || c == ']')
            return false;
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
        domain.find("..") != std::string_view::npos)
        return false;
    return true;
}

bool valid_mailbox_path(std::string_view path) {
    if (path.empty() || path.size() > 1024) return false;
    if (path.front() == '/' || path.back() == '/' || path.find("//") != std::string_view::npos) return false;
    for (unsigned char c : path)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

std::string encode_cursor(const Cursor& cursor) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string raw = (cursor.next ? "n" : "p") + cursor.key;
    std::string out;
    for (unsigned char c : raw) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::optional<Cursor> decode_cursor(std::string_view text) {
    if (text.size() < 2 || text.size() % 2 || text.size() > 512) return std::nullopt;
    std::string raw;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        int hi = hex_value(text[i]);
        int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        raw.push_back(static_cast<char>(hi * 16 + lo));
    }
    if (raw[0] != 'n' && raw[0] != 'p') return std::nullopt;
    return Cursor{raw[0] == 'n', raw.substr(1)};
}

namespace {

std::optional<storage::Uid> parse_uid(std::string_view text) {
    if (text == "*") return storage::UidRange::max_uid;
    storage::Uid uid = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), uid);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || uid == 0) return std::nullopt;
    return uid;
}

// Digits at [at, at + n) as a number, or -1.
int digits(std::string_view s, std::size_t at, std::size_t n) {
    if (at + n > s.size()) return -1;
    int value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

std::optional<std::int64_t> parse_iso(std::string_view s) {
    const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || s[4] != '-' || s[7] != '-') return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                                          std::chrono::day{unsigned(day)}};
    if (!ymd.ok()) return std::nullopt;
    std::int64_t seconds = std::chrono::sys_days(ymd).time_since_epoch() / std::chrono::seconds(1);
    if (s.size() == 10) return seconds;
    if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
    const int hour = digits(s, 11, 2), minute = digits(s, 14, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || s.size() < 16 || s[13] != ':') return std::nullopt;
    std::size_t at = 16;
    int second = 0;
    if (at < s.size() && s[at] == ':') {
        second = digits(s, at + 1, 2);
        if (second < 0 || second > 60) return std::nullopt;
        at += 3;
        if (at < s.size() && s[at] == '.') {
            ++at;
            while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
        }
    }
    seconds += hour * 3600 + minute * 60 + second;
    if (at == s.size() || (s[at] == 'Z' && at + 1 == s.size())) return seconds;
    if ((s[at] == '+' || s[at] == '-') && s.size() == at + 6 && s[at + 3] == ':') {
        const int oh = digits(s, at + 1, 2), om = digits(s, at + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
        const std::int64_t offset = oh * 3600 + om * 60;
        return s[at] == '+' ? seconds - offset : seconds + offset;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::vector<storage::UidRange>> parse_uid_ranges(std::string_view text) {
    if (text.empty() || text.size() > 4096) return std::nullopt;
    std::vector<storage::UidRange> ranges;
    while (true) {
        std::size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        std::size_t colon = item.find(':');
        auto first = parse_uid(item.substr(0, colon));
        auto last = colon == std::string_view::npos ? first : parse_uid(item.substr(colon + 1));
        if (!first || !last) return std::nullopt;
        ranges.push_back({std::min(*first, *last), std::max(*first, *last)});
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return ranges;
}

std::optional<std::int64_t> parse_date_param(std::string_view text) {
    if (text.empty() || text.size() > 100) return std::nullopt;
    if (text.find_first_not_of("0123456789") == std::string_view::npos) {
        std::int64_t ms = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
        if (ec != std::errc{}) return std::nullopt;
        return ms / 1000;
    }
    if (auto iso = parse_iso(text)) return iso;
    if (auto rfc = storage::parse_date_header(text)) return rfc->epoch_seconds;
    return std::nullopt;
}

}  // namespace mallard::http::routes
