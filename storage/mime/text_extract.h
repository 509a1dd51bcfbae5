// The readable text of a message, for full-text search and the HTTP API: plain text (text/plain parts
// decoded to UTF-8, and HTML turned into text where an alternative offers no plain part) and the HTML
// parts decoded to UTF-8. Works from the tree and the original bytes; output is bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mime/part.h"

namespace mallard::storage::mime {

struct TextLimits {
    std::size_t max_plain_bytes = 1024 * 1024;
    std::size_t max_html_bytes = 2 * 1024 * 1024;  // all HTML parts together
};

struct ExtractedText {
    std::string plain;              // UTF-8, LF line breaks, parts separated by a blank line
    std::vector<std::string> html;  // each text/html body part, UTF-8
    bool truncated = false;         // a limit cut something off
};

// Body parts that are attachments (Content-Disposition: attachment) are skipped; encapsulated
// messages are included. In multipart/alternative the plain text comes from the first alternative
// holding text/plain (else the last one, HTML converted), the HTML from the last holding text/html.
ExtractedText extract_text(const ParsedMessage& message, std::string_view bytes, const TextLimits& limits = {});

// One leaf part's body: transfer-decoded, converted from its charset to UTF-8, CRLF and lone CR made
// LF, NULs dropped, at most `max_bytes` (cut on a character boundary). `truncated` is set if cut.
std::string decode_text(const Part& part, std::string_view bytes, std::size_t max_bytes, bool* truncated = nullptr);

}  // namespace mallard::storage::mime
