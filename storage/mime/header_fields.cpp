// Header blocks split into fields, and unfolding: RFC 5322 §2.2, §2.2.3.
#include "storage/mime/header_fields.h"

#include <algorithm>

namespace mallard::storage::mime {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Where a field line's name ends (the ':' follows, maybe after WSP), or npos if it is not a field.
std::size_t field_name_end(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size()) {
        auto c = static_cast<unsigned char>(line[i]);
        if (c <= 0x20 || c == ':' || c == 0x7f) break;
        ++i;
    }
    if (i == 0) return std::string_view::npos;
    std::size_t j = i;
    while (j < line.size() && is_wsp(line[j])) ++j;
    return (j < line.size() && line[j] == ':') ? i : std::string_view::npos;
}

std::string_view without_line_break(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

}  // namespace

HeaderLine classify_header_line(std::string_view line, bool after_field) {
    if (line.empty() || line == "\r") return HeaderLine::blank;
    if (is_wsp(line[0])) return after_field ? HeaderLine::continuation : HeaderLine::other;
    return field_name_end(line) == std::string_view::npos ? HeaderLine::other : HeaderLine::field;
}

std::vector<HeaderField> split_header_fields(std::string_view block) {
    std::vector<HeaderField> fields;
    bool in_field = false;  // the last kept line belongs to fields.back()
    std::size_t field_start = 0;
    std::size_t pos = 0;
    while (pos < block.size()) {
        std::size_t nl = block.find('\n', pos);
        std::size_t next = nl == std::string_view::npos ? block.size() : nl + 1;
        std::string_view line = block.substr(pos, next - pos);
        std::string_view content = line;
        if (!content.empty() && content.back() == '\n') content.remove_suffix(1);
        HeaderLine kind = classify_header_line(content, in_field);
        if (kind == HeaderLine::blank) break;
        if (kind == HeaderLine::field) {
            std::size_t name_end = field_name_end(content);
            std::size_t colon = content.find(':', name_end);
            fields.push_back({block.substr(pos, name_end), {}});
            field_start = pos + colon + 1;
            fields.back().value = without_line_break(block.substr(field_start, next - field_start));
            in_field = true;
        } else if (kind == HeaderLine::continuation) {
            fields.back().value = without_line_break(block.substr(field_start, next - field_start));
        } else {
            in_field = false;  // a stray line: continuations after it attach to nothing
        }
        pos = next;
    }
    return fields;
}

std::string unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c != '\r' && c != '\n') out.push_back(c);
    }
    std::size_t begin = 0;
    while (begin < out.size() && is_wsp(out[begin])) ++begin;
    std::size_t end = out.size();
    while (end > begin && is_wsp(out[end - 1])) --end;
    return out.substr(begin, end - begin);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string to_lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

const HeaderField* find_field(const std::vector<HeaderField>& fields, std::string_view name) {
    for (const auto& f : fields) {
        if (iequals(f.name, name)) return &f;
    }
    return nullptr;
}

}  // namespace mallard::storage::mime
