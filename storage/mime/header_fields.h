// Header blocks split into fields, and unfolding (RFC 5322 §2.2, §2.2.3). Shared by the parser, which
// classifies lines as they stream past, and by callers that re-read a header block from stored offsets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mallard::storage::mime {

struct HeaderField {
    std::string_view name;   // as written, without trailing whitespace
    std::string_view value;  // everything after ':', folds kept, the field's final line break removed
};

enum class HeaderLine {
    blank,         // empty, or a lone CR: ends the header block
    field,         // "name:" — the name may hold 8-bit bytes (raw UTF-8 is not a reason to stop)
    continuation,  // starts with SP or HTAB and follows a field
    other,         // anything else: ends the header block (the body starts on this line)
};

// Classifies one line given without its LF. `after_field`: a field line came earlier in the block.
HeaderLine classify_header_line(std::string_view line, bool after_field);

// Splits a header block (as stored: lines with their line breaks) into fields, stopping at the blank
// line. Lines the parser would not have kept in a header block are skipped. The fields are views
// into `block`, which must outlive them.
std::vector<HeaderField> split_header_fields(std::string_view block);

// Removes every CR and LF (folding) and trims surrounding SP/HTAB. The rest is left as written.
std::string unfold(std::string_view value);

// ASCII case-insensitive comparison, for field names and MIME tokens.
bool iequals(std::string_view a, std::string_view b);
std::string to_lower_ascii(std::string_view s);

// The first field named `name`, or nullptr.
const HeaderField* find_field(const std::vector<HeaderField>& fields, std::string_view name);

}  // namespace mallard::storage::mime
