// SEARCH keys as plain data: builders, limits, and the text folding every backend shares.
#include "storage/search.h"

namespace mallard::storage {

namespace search {

namespace {
SearchKey make(SearchKey::Kind kind) {
    SearchKey k;
    k.kind = kind;
    return k;
}
SearchKey with_date(SearchKey::Kind kind, DateOp op, std::chrono::year_month_day day) {
    SearchKey k = make(kind);
    k.date_op = op;
    k.date = std::chrono::sys_days(day);
    return k;
}
}  // namespace

SearchKey all() { return make(SearchKey::Kind::all); }
SearchKey all_of(std::vector<SearchKey> keys) {
    SearchKey k = make(SearchKey::Kind::all_of);
    k.children = std::move(keys);
    return k;
}
SearchKey any_of(std::vector<SearchKey> keys) {
    SearchKey k = make(SearchKey::Kind::any_of);
    k.children = std::move(keys);
    return k;
}
SearchKey negation(SearchKey key) {
    SearchKey k = make(SearchKey::Kind::negation);
    k.children.push_back(std::move(key));
    return k;
}
SearchKey uids(std::vector<UidRange> ranges) {
    SearchKey k = make(SearchKey::Kind::uids);
    k.uids = std::move(ranges);
    return k;
}
SearchKey flag(std::string flag) {
    SearchKey k = make(SearchKey::Kind::flag);
    k.name = std::move(flag);
    return k;
}
SearchKey no_flag(std::string flag) {
    SearchKey k = make(SearchKey::Kind::no_flag);
    k.name = std::move(flag);
    return k;
}
SearchKey internal_date(DateOp op, std::chrono::year_month_day day) {
    return with_date(SearchKey::Kind::internal_date, op, day);
}
SearchKey sent_date(DateOp op, std::chrono::year_month_day day) {
    return with_date(SearchKey::Kind::sent_date, op, day);
}
SearchKey larger(std::uint64_t bytes) {
    SearchKey k = make(SearchKey::Kind::larger);
    k.number = bytes;
    return k;
}
SearchKey smaller(std::uint64_t bytes) {
    SearchKey k = make(SearchKey::Kind::smaller);
    k.number = bytes;
    return k;
}
SearchKey header(std::string field, std::string text) {
    SearchKey k = make(SearchKey::Kind::header);
    k.name = std::move(field);
    k.text = std::move(text);
    return k;
}
SearchKey body(std::string text) {
    SearchKey k = make(SearchKey::Kind::body);
    k.text = std::move(text);
    return k;
}
SearchKey text(std::string text) {
    SearchKey k = make(SearchKey::Kind::text);
    k.text = std::move(text);
    return k;
}
SearchKey modseq(ModSeq at_least) {
    SearchKey k = make(SearchKey::Kind::modseq);
    k.number = at_least;
    return k;
}

SearchKey thread(std::string thread_id) {
    SearchKey k = make(SearchKey::Kind::thread);
    k.name = std::move(thread_id);
    return k;
}

}  // namespace search

namespace {

core::Result<void> check(const SearchKey& key, std::size_t depth, std::size_t& count) {
    if (depth > max_search_depth) return core::Error(core::Errc::bad_input, "search keys nested too deeply");
    if (++count > max_search_keys) return core::Error(core::Errc::bad_input, "too many search keys");
    if (key.kind == SearchKey::Kind::negation && key.children.size() != 1)
        return core::Error(core::Errc::bad_input, "a negation takes one key");
    for (const auto& child : key.children) {
        auto r = check(child, depth + 1, count);
        if (!r) return r;
    }
    return core::success();
}

// Decodes one UTF-8 sequence at `s[i]`; 0xFFFFFFFF (and one byte consumed) when invalid.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    int length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (length == 0 || i + length > s.size()) {
        ++i;
        return 0xFFFFFFFF;
    }
    char32_t cp = length == 1 ? c : c & (0x7f >> length);
    for (int k = 1; k < length; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) {
            ++i;
            return 0xFFFFFFFF;
        }
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    i += length;
    return cp;
}

char32_t fold(char32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0xC0) return c;
    if (c <= 0xDE) return c == 0xD7 ? c : c + 32;                          // Latin-1: À..Þ except ×
    if (c >= 0x100 && c <= 0x137) return c | 1;                           // Latin Extended-A pairs
    if (c >= 0x139 && c <= 0x148) return (c & 1) ? c + 1 : c;
    if (c >= 0x14A && c <= 0x177) return c | 1;
    if (c == 0x178) return 0xFF;                                          // Ÿ
    if (c >= 0x179 && c <= 0x17E) return (c & 1) ? c + 1 : c;
    if (c == 0x386) return 0x3AC;                                         // Greek capitals with tonos
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;            // Greek capitals
    if (c == 0x3C2) return 0x3C3;                                         // final sigma
    if (c >= 0x400 && c <= 0x40F) return c + 80;                          // Cyrillic Ѐ..Џ
    if (c >= 0x410 && c <= 0x42F) return c + 32;                          // Cyrillic А..Я
    return c;
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

}  // namespace

core::Result<void> validate(const SearchQuery& query) {
    std::size_t count = 0;
    return check(query, 0, count);
}

std::string fold_case(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size();) {
        std::size_t start = i;
        char32_t c = next_code_point(utf8, i);
        if (c == 0xFFFFFFFF) out.append(utf8.substr(start, i - start));
        else if (c < 0x80) out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
        else append_utf8(out, fold(c));
    }
    return out;
}

DaySpan day_span(std::chrono::sys_days day) {
    const std::int64_t begin = static_cast<std::int64_t>(day.time_since_epoch().count()) * 86400;
    return DaySpan{begin, begin + 86400};
}

bool header_lines_match(std::string_view lines, std::string_view name, std::string_view needle) {
    while (!lines.empty()) {
        std::size_t end = lines.find('\n');
        std::string_view line = lines.substr(0, end);
        lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
        if (line.size() <= name.size() || line[name.size()] != ':' || line.substr(0, name.size()) != name) continue;
        std::string_view value = line.substr(name.size() + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (value.find(needle) != std::string_view::npos) return true;
    }
    return false;
}

}  // namespace mallard::storage
