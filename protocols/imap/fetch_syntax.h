// FETCH items: RFC 3501 §6.4.5 / §9 (fetch-att, section, partial), RFC 3516 (BINARY, BINARY.SIZE),
// RFC 7162 (MODSEQ, CHANGEDSINCE, VANISHED). The macros ALL, FAST and FULL are expanded when parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/imap/sequence_set.h"

namespace mallard::imap {

// section-spec. `part` "1.2.3" → {1, 2, 3}; empty = the message itself. HEADER, HEADER.FIELDS[.NOT] and
// TEXT of a part address an encapsulated message/rfc822; MIME needs a part. For BINARY only `part` is set.
struct FetchSection {
    enum class Kind : std::uint8_t { whole, header, header_fields, header_fields_not, text, mime };
    std::vector<unsigned> part;
    Kind kind = Kind::whole;
    std::vector<std::string> fields;  // HEADER.FIELDS (From To) → {"From", "To"}, as written
    bool operator==(const FetchSection&) const = default;
};

// "<offset.length>"
struct FetchPartial {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    bool operator==(const FetchPartial&) const = default;
};

struct FetchItem {
    enum class Kind : std::uint8_t {
        envelope, flags, internal_date, rfc822, rfc822_header, rfc822_size, rfc822_text,
        body,           // BODY without a section: the non-extensible BODYSTRUCTURE
        bodystructure,
        uid,
        body_section,   // BODY[section]<partial>, BODY.PEEK[...]
        binary,         // BINARY[part]<partial>, BINARY.PEEK[...]
        binary_size,    // BINARY.SIZE[part]
        modseq,
    };
    Kind kind = Kind::flags;
    bool peek = false;  // BODY.PEEK / BINARY.PEEK: don't set \Seen
    FetchSection section;
    std::optional<FetchPartial> partial;
    bool operator==(const FetchItem&) const = default;
};

struct FetchCommand {
    SequenceSet set;
    std::vector<FetchItem> items;
    std::optional<std::uint64_t> changed_since;  // (CHANGEDSINCE n)
    bool vanished = false;                        // (VANISHED): UID FETCH with CHANGEDSINCE only
    bool operator==(const FetchCommand&) const = default;
};

}  // namespace mallard::imap
