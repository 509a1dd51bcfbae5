// What delivery rules look at in a message: its top-level header fields (decoded), its plain text and
// whether it carries an attachment. Taken once per delivered message and shared by every recipient's
// filters (filters.h) and the spam verdict (spam_verdict.h). Pure: bytes in, values out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mallard::lmtp {

struct MessageFacts {
    struct Header {
        std::string name;   // lower case
        std::string value;  // unfolded, RFC 2047-decoded, trimmed; not case-folded
    };
    std::vector<Header> headers;   // the top-level header block, in order
    std::uint64_t size_bytes = 0;  // the message as the client sent it (before our trace headers)
    bool has_body = false;         // text and has_attachment below were filled in (add_body_facts)
    std::string text;              // plain text, case-folded (storage::fold_case), runs of white space as one SP
    bool has_attachment = false;
};

// The header block is read up to this many bytes: a message without a blank line after its headers
// costs no more than this to scan.
constexpr std::size_t max_fact_header_bytes = 256 * 1024;
// Text beyond this is not searched by filters.
constexpr std::size_t max_fact_text_bytes = 1024 * 1024;

// Header fields and size only: cheap, enough for spam rules and header-only filters.
MessageFacts header_facts(std::string_view raw);

// Adds text and has_attachment: a MIME parse of the whole message (CPU-bound: run big ones on the pool).
void add_body_facts(MessageFacts& facts, std::string_view raw);

// Case-folds and collapses white space the way MessageFacts::text is kept, for needles compared with it.
std::string normalize_text(std::string_view utf8);

}  // namespace mallard::lmtp
