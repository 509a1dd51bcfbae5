// LIST and LSUB patterns (RFC 3501 §6.3.8): "*" matches any characters, "%" any but the hierarchy delimiter
// '/'. INBOX is case-insensitive (RFC 3501 §5.1): its five letters, as a whole name or the first level of
// one, are compared without case. Pure: used by commands/list.cpp, tested in list_pattern_test.cpp.
#pragma once

#include <string>
#include <string_view>

namespace mallard::imap {

// Whether `name` (a stored mailbox name, INBOX spelled in capitals) matches `pattern`.
bool list_pattern_match(std::string_view pattern, std::string_view name);

// "inbox" / "Inbox/x" → "INBOX" / "INBOX/x"; any other name unchanged.
std::string canonical_mailbox_name(std::string name);

}  // namespace mallard::imap
