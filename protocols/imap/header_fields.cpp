// HEADER.FIELDS, HEADER.FIELDS.NOT: RFC 3501 §6.4.5 (the subset of RFC 2822 fields, with the blank line).
#include "protocols/imap/header_fields.h"

#include "storage/mime/header_fields.h"

namespace mallard::imap {

namespace {

bool listed(std::string_view name, const std::vector<std::string>& names) {
    for (const auto& n : names) {
        if (storage::mime::iequals(name, n)) return true;
    }
    return false;
}

// "Subject: x" → "Subject"; the name as written, without whitespace before the colon.
std::string_view field_name(std::string_view line) {
    std::string_view name = line.substr(0, line.find(':'));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    return name;
}

}  // namespace

std::string filter_header_fields(std::string_view block, const std::vector<std::string>& names, FieldMatch match) {
    using storage::mime::HeaderLine;
    std::string out;
    bool keep = false;
    bool after_field = false;
    while (!block.empty()) {
        std::size_t lf = block.find('\n');
        std::size_t n = lf == std::string_view::npos ? block.size() : lf + 1;
        std::string_view line = block.substr(0, n);
        block.remove_prefix(n);
        std::string_view content = line.substr(0, lf == std::string_view::npos ? line.size() : line.size() - 1);
        switch (storage::mime::classify_header_line(content, after_field)) {
        case HeaderLine::blank:
            out += line;
            return out;
        case HeaderLine::field:
            after_field = true;
            keep = listed(field_name(content), names) == (match == FieldMatch::only);
            break;
        case HeaderLine::continuation:
        case HeaderLine::other:
            break;
        }
        if (keep) {
            out += line;
            // A last field without its line break still needs one before the blank line.
            if (lf == std::string_view::npos) out += "\r\n";
        }
    }
    out += "\r\n";
    return out;
}

}  // namespace mallard::imap
