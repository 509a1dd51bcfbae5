// Header text decoding: RFC 2047 encoded-words (B and Q) with RFC 2231 §5 language suffixes.
#pragma once

#include <string>
#include <string_view>

namespace mallard::storage::mime {

// Unfolds `raw` and decodes its encoded-words to UTF-8. Adjacent encoded-words are joined (the
// whitespace between them dropped, and their bytes concatenated before conversion so a character
// split across two words survives). Malformed encoded-words are left as written. Text outside
// encoded-words is kept if it is valid UTF-8 and read as latin1 otherwise. Words embedded in other
// text without the required whitespace are decoded too, as mail clients do.
std::string decode_header_text(std::string_view raw);

}  // namespace mallard::storage::mime
