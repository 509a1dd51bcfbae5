// Reading a part of a stored message as IMAP addresses it (RFC 3501 §6.4.5): the whole message, its header or
// text, or a numbered part's body, MIME header, and — for message/rfc822 parts — the encapsulated message's
// header or text; each optionally cut to a byte range ("<offset.length>"). Backend-neutral: the section is
// located in the MIME tree stored at ingest and read as one byte range, so only the attachments it touches
// are rebuilt.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/mime/part.h"
#include "storage/store.h"

namespace mallard::storage {

struct Section {
    enum class Kind { whole, header, text, mime, body };
    std::vector<unsigned> part;  // "1.2.3" → {1, 2, 3}; empty = the message itself
    Kind kind = Kind::whole;     // whole and body mean the same for a part; mime needs a part
};

// "1.2.MIME", "HEADER", "2.TEXT", "3", "" — the section spec without HEADER.FIELDS (the IMAP layer filters
// header lines itself). nullopt when malformed.
std::optional<Section> parse_section(std::string_view spec);

// The part a section-part names ("1.2" → {1, 2}; empty = the message's top part), by RFC 3501's numbering;
// nullptr when there is no such part. IMAP BINARY (RFC 3516) reads the part's Content-Transfer-Encoding here.
const mime::Part* find_part(const mime::ParsedMessage& message, const std::vector<unsigned>& part);

// The byte range of a section in the message, or not_found (no such part) / bad_input (HEADER or TEXT of a
// part that is not a message/rfc822, MIME of the message itself).
core::Result<ByteRange> locate_section(const mime::ParsedMessage& message, const Section& section);

// `partial` is relative to the section and cut at its end, as IMAP partial fetches are.
ByteRange narrow(ByteRange section, std::optional<ByteRange> partial);

StoreTask<std::string> read_section(Store& store, MailboxId box, Uid uid, Section section,
                                    std::optional<ByteRange> partial);

}  // namespace mallard::storage
