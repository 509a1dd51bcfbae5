// Ingest: how a message is cut for storage, and how it is rebuilt byte for byte. Backend-neutral and pure.
//
// A message is parsed once (storage/mime). Every leaf body of at least `attachment_min_bytes` whose transfer
// encoding can be reproduced exactly (identity, or base64 with one line length and one kind of line break)
// is cut out and kept content-addressed: the SHA-256 of its decoded content is its key, so the same file sent
// a thousand times is stored once. The re-encoding is verified at ingest: a body that would not come back
// identical stays in the message. What remains (headers, text, small parts) is the skeleton, which the
// backend compresses. Reading rebuilds the original from the skeleton and only the attachments a byte range
// touches — unlike WildDuck, whose rebuilt base64 may differ from what arrived.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/date_parse.h"
#include "storage/mime/part.h"
#include "storage/mime/transfer.h"
#include "storage/types.h"

namespace mallard::storage {

struct IngestOptions {
    std::uint64_t attachment_min_bytes = 16384;
    std::size_t search_header_max_bytes = 256 * 1024;  // IngestedMessage::header_text, whole lines
    std::size_t search_text_max_bytes = 1024 * 1024;   // IngestedMessage::body_text
};

// One body cut out of a stored message.
struct AttachmentRef {
    std::string hash;                 // 64 hex digits: SHA-256 of the decoded content
    std::uint64_t offset = 0;         // where its encoded bytes start in the original message
    std::uint64_t encoded_bytes = 0;  // their length in the original
    std::uint64_t decoded_bytes = 0;
    mime::Reencoding how;
    bool operator==(const AttachmentRef&) const = default;
};

// Where the attachments go back into the skeleton. Stored beside the skeleton; a few bytes per attachment.
struct MessageLayout {
    std::uint64_t size = 0;                  // of the original message
    std::vector<AttachmentRef> attachments;  // ascending offset, never overlapping
    std::uint64_t skeleton_bytes() const;
    std::string serialize() const;
    static core::Result<MessageLayout> parse(std::string_view bytes);
    bool operator==(const MessageLayout&) const = default;
};

struct IngestedMessage {
    mime::ParsedMessage parsed;
    std::string mime_tree;              // mime::serialize(parsed): ENVELOPE, BODYSTRUCTURE, offsets
    std::string skeleton;               // the message without the attachments' encoded bytes
    MessageLayout layout;
    std::vector<std::string> contents;  // decoded content of each attachment, in layout order

    // What SEARCH needs (storage/search.h), decoded to UTF-8 but not case-folded:
    std::optional<SentDate> sent_date;  // the Date header; none when absent or unreadable
    std::string header_text;            // top-level header block: "name: value\n" per field, RFC 2047-decoded
    std::string body_text;              // mime::extract_text's plain text: attachments left out
};

// Parses and cuts a message. CPU-bound (a parse, a hash and a verifying encode per attachment): run it on the
// thread pool.
IngestedMessage ingest(std::string_view raw, const IngestOptions& options);

// An attachment's decoded content by hash, from wherever the backend keeps it.
using ContentFetcher = std::function<core::Result<std::string>(const AttachmentRef&)>;

// Rebuilds the original message, or the byte range of it (cut at the end, as IMAP partial fetches are),
// fetching only the attachments the range overlaps.
core::Result<std::string> rebuild(std::string_view skeleton, const MessageLayout& layout,
                                  std::optional<ByteRange> range, const ContentFetcher& content);

}  // namespace mallard::storage
