// The message-level fields of IMAP's ENVELOPE (RFC 3501 §7.4.2), as plain data. Strings are the raw
// header values (unfolded, trimmed, not decoded) because ENVELOPE sends them raw; protocols/imap renders.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/mime/address.h"
#include "storage/mime/header_fields.h"

namespace mallard::storage::mime {

struct Envelope {
    std::optional<std::string> date;     // absent header → NIL
    std::optional<std::string> subject;
    std::vector<Address> from, sender, reply_to, to, cc, bcc;
    std::optional<std::string> in_reply_to;
    std::optional<std::string> message_id;
    std::optional<std::string> references;  // not part of ENVELOPE; kept for threading (thread_key.h)

    bool operator==(const Envelope&) const = default;
};

// Builds the envelope from a header block's fields. The first occurrence of each field counts.
// Sender and Reply-To default to From when absent or empty, as RFC 3501 requires.
Envelope make_envelope(const std::vector<HeaderField>& fields);

}  // namespace mallard::storage::mime
