// Thread keys (see threading.h).
#include "storage/threading.h"

#include <algorithm>
#include <optional>

namespace mallard::storage {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// "re:", "fw:", "fwd:" with optional space before the colon: how many bytes, or 0.
std::size_t reply_prefix(std::string_view s) {
    std::size_t n = 0;
    if (s.size() >= 2 && lower(s[0]) == 'r' && lower(s[1]) == 'e') n = 2;
    else if (s.size() >= 3 && lower(s[0]) == 'f' && lower(s[1]) == 'w' && lower(s[2]) == 'd') n = 3;
    else if (s.size() >= 2 && lower(s[0]) == 'f' && lower(s[1]) == 'w') n = 2;
    else return 0;
    while (n < s.size() && is_space(s[n])) ++n;
    return n < s.size() && s[n] == ':' ? n + 1 : 0;
}

// A leading "[…]" followed by white space and more text: how many bytes, or 0.
std::size_t tag_prefix(std::string_view s) {
    if (s.size() < 3 || s[0] != '[') return 0;
    const std::size_t close = s.find(']', 2);  // "[]" is not a tag: .+? needs a character
    if (close == std::string_view::npos || close + 2 > s.size() || !is_space(s[close + 1])) return 0;
    return trim(s.substr(close + 1)).empty() ? 0 : close + 1;
}

// A trailing "(fwd)": how many bytes, or 0.
std::size_t fwd_suffix(std::string_view s) {
    constexpr std::string_view tail = "(fwd)";
    return s.size() >= tail.size() && iequals(s.substr(s.size() - tail.size()), tail) ? tail.size() : 0;
}

// The value of the last field named `name` in the header lines.
std::optional<std::string_view> last_field(std::string_view lines, std::string_view name) {
    std::optional<std::string_view> found;
    std::size_t pos = 0;
    while (pos < lines.size()) {
        std::size_t end = lines.find('\n', pos);
        if (end == std::string_view::npos) end = lines.size();
        std::string_view line = lines.substr(pos, end - pos);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && iequals(line.substr(0, colon), name)) found = line.substr(colon + 1);
        pos = end + 1;
    }
    return found;
}

}  // namespace

std::string base_subject(std::string_view subject) {
    std::string collapsed;
    for (char c : trim(subject)) {
        if (is_space(c)) {
            if (!collapsed.empty() && collapsed.back() != ' ') collapsed.push_back(' ');
        } else {
            collapsed.push_back(c);
        }
    }
    std::string_view s = collapsed;
    for (bool changed = true; changed;) {
        changed = false;
        if (std::size_t n = reply_prefix(s); n > 0) {
            s = trim(s.substr(n));
            changed = true;
        } else if (std::size_t t = tag_prefix(s); t > 0) {
            s = trim(s.substr(t));
            changed = true;
        }
        if (std::size_t f = fwd_suffix(s); f > 0) {
            s = trim(s.substr(0, s.size() - f));
            changed = true;
        }
    }
    return std::string(s);
}

ThreadKeys thread_keys(std::string_view header_text) {
    ThreadKeys keys;
    keys.subject = base_subject(last_field(header_text, "Subject").value_or(""));
    std::string joined;
    for (std::string_view name : {"Message-ID", "In-Reply-To", "Thread-Index", "References"}) {
        std::string_view value = trim(last_field(header_text, name).value_or(""));
        if (name == "Thread-Index") value = value.substr(0, std::min<std::size_t>(22, value.size()));
        joined.append(value).push_back(' ');
    }
    std::size_t pos = 0;
    while (pos < joined.size() && keys.refs.size() < max_thread_refs) {
        while (pos < joined.size() && is_space(joined[pos])) ++pos;
        std::size_t end = pos;
        while (end < joined.size() && !is_space(joined[end])) ++end;
        std::string id;
        for (char c : std::string_view(joined).substr(pos, end - pos))
            if (c != '<' && c != '>') id.push_back(c);
        pos = end;
        if (id.empty()) continue;
        if (id.size() > max_thread_ref_bytes) id.resize(max_thread_ref_bytes);
        if (std::find(keys.refs.begin(), keys.refs.end(), id) == keys.refs.end()) keys.refs.push_back(std::move(id));
    }
    return keys;
}

}  // namespace mallard::storage
