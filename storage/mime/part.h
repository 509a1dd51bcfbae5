// The parsed shape of a message: a tree of parts with exact byte offsets, and the per-part fields that
// IMAP's BODYSTRUCTURE needs (RFC 3501 §7.4.2 with extension data: MD5, disposition, language,
// location) as plain structs. protocols/imap renders the syntax; serialize.h stores the tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mime/envelope.h"

namespace mallard::storage::mime {

// A Content-Type or Content-Disposition parameter (RFC 2045 §5.1, RFC 2231).
struct Param {
    std::string name;       // lower case, without RFC 2231 "*", "*N", "*N*" suffixes
    std::string value;      // UTF-8: continuations joined, %XX and charset (RFC 2231) or encoded-words
                            // (RFC 2047, common in filenames) decoded
    std::string raw;        // as written, unquoted, continuations joined; "charset'lang'%XX…" if extended
    bool extended = false;  // raw is in RFC 2231 extended form (render as name* to stay 7-bit)

    bool operator==(const Param&) const = default;
};

struct Disposition {
    std::string type;  // lower case: "inline", "attachment", …
    std::vector<Param> params;

    bool operator==(const Disposition&) const = default;
};

enum class PartKind : std::uint8_t {
    leaf,       // a body of bytes, including multipart and message parts that were not opened
                // (no boundary, too deep, part limit, encoded message/rfc822)
    multipart,  // children are the body parts between boundaries; there may be none
    message,    // message/rfc822 or message/global: children[0] is the encapsulated message's top part
};

struct Part {
    // Offsets from the start of the message. The header block is [header_start, body_start) and
    // includes its blank line when there is one. The line break before a boundary line belongs to the
    // boundary (RFC 2046 §5.1.1), so body_end stops before it.
    std::uint64_t header_start = 0;
    std::uint64_t body_start = 0;
    std::uint64_t body_end = 0;
    std::uint64_t body_lines = 0;  // LFs in [body_start, body_end), as Dovecot counts
    PartKind kind = PartKind::leaf;

    std::string type = "text";  // lower case, with RFC 2045 §5.2 defaults applied
    std::string subtype = "plain";
    std::vector<Param> params;
    std::string encoding = "7bit";  // Content-Transfer-Encoding, lower case
    // Raw header values (unfolded and trimmed, not decoded); "" when absent.
    std::string id, description, md5, location;
    std::optional<Disposition> disposition;
    std::vector<std::string> languages;
    std::optional<Envelope> envelope;  // set on a message's top part: the root, and inside message/*
    std::vector<Part> children;

    std::uint64_t header_end() const { return body_start; }
    std::uint64_t body_bytes() const { return body_end - body_start; }
    const Param* param(std::string_view name) const;  // nullptr when absent
    std::string_view charset() const;                 // "" when absent
    bool is(std::string_view type_, std::string_view subtype_ = {}) const;  // subtype "" matches any
    bool is_attachment() const;  // Content-Disposition: attachment

    bool operator==(const Part&) const = default;
};

// Conditions met while parsing; the message is indexed as well as it could be regardless.
namespace issue {
inline constexpr std::uint32_t depth_limit = 1u << 0;         // deeper parts kept as opaque leaves
inline constexpr std::uint32_t part_limit = 1u << 1;          // later body parts not indexed
inline constexpr std::uint32_t header_limit = 1u << 2;        // a header block was cut short
inline constexpr std::uint32_t unclosed_multipart = 1u << 3;  // a multipart lacked its closing boundary
inline constexpr std::uint32_t no_header_end = 1u << 4;       // a header block had no blank line
inline constexpr std::uint32_t bad_boundary = 1u << 5;        // a multipart without a usable boundary
inline constexpr std::uint32_t all = (1u << 6) - 1;
}  // namespace issue

struct ParsedMessage {
    Part root;  // root.envelope is always set
    std::uint64_t size = 0;
    std::uint32_t issues = 0;  // issue:: bits

    const Envelope& envelope() const { return *root.envelope; }
    bool operator==(const ParsedMessage&) const = default;
};

// Fills a part's MIME fields (Content-Type with RFC 2045 defaults, -Transfer-Encoding, -ID,
// -Description, -Disposition, -Language, -Location, -MD5) from its header fields. In a
// multipart/digest the default type is message/rfc822 (RFC 2046 §5.1.5).
void apply_mime_fields(Part& part, const std::vector<HeaderField>& fields, bool in_digest);

}  // namespace mallard::storage::mime
