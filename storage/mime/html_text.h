// HTML to plain text for search and previews: tags stripped, script/style/title skipped, common
// entities decoded, block elements turned into line breaks, whitespace collapsed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mallard::storage::mime {

// `html` is UTF-8. The result holds at most `max_bytes` bytes, cut on a character boundary.
std::string html_to_text(std::string_view html, std::size_t max_bytes);

}  // namespace mallard::storage::mime
