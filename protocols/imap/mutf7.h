// Modified UTF-7 mailbox names (RFC 3501 §5.1.3): what a client that hasn't enabled UTF8=ACCEPT (RFC 6855)
// sends and expects. Mallard stores names in UTF-8; commands/ converts at the protocol edge. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mallard::imap {

// UTF-8 → modified UTF-7: printable ASCII stays, "&" becomes "&-", anything else is "&" modified-base64 of
// its UTF-16 "-". Invalid UTF-8 bytes are encoded as U+FFFD.
std::string mutf7_encode(std::string_view utf8);

// Modified UTF-7 → UTF-8, or nullopt for what RFC 3501 §5.1.3 forbids: non-printable or 8-bit bytes, a
// bad base64 run, bits left over, unpaired surrogates, or printable ASCII encoded in base64.
std::optional<std::string> mutf7_decode(std::string_view mutf7);

}  // namespace mallard::imap
