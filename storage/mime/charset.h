// Charset conversion to UTF-8 through glibc iconv, with a best-effort fallback that never fails.
#pragma once

#include <string>
#include <string_view>

namespace mallard::storage::mime {

// Converts `bytes` in `charset` to valid UTF-8. An unknown, missing or unusable charset falls back to
// best_effort_utf8(); invalid sequences become U+FFFD. MIME labels are mapped the way mail clients do
// (iso-8859-1 and us-ascii as windows-1252, gb2312 as GB18030, ks_c_5601-1987 as CP949, …).
std::string to_utf8(std::string_view bytes, std::string_view charset);

// Keeps valid UTF-8 sequences and reads every other byte as latin1 (windows-1252 for 0x80–0x9F).
std::string best_effort_utf8(std::string_view bytes);

bool is_valid_utf8(std::string_view bytes);

// The length of the longest prefix of `s` (at most `max_bytes`) that does not split a UTF-8 sequence.
std::size_t utf8_prefix_length(std::string_view s, std::size_t max_bytes);

// Appends the UTF-8 encoding of `code_point` (U+FFFD for surrogates and values past U+10FFFF).
void append_utf8(std::string& out, char32_t code_point);

}  // namespace mallard::storage::mime
