// FETCH BINARY[part]<partial>, BINARY.PEEK[…] and BINARY.SIZE[part] (RFC 3516 §4.2, §4.3): a part's content
// with its Content-Transfer-Encoding undone, for commands/fetch.cpp. Split out so fetch.cpp stays moderate.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "core/task.h"
#include "protocols/imap/fetch_syntax.h"
#include "protocols/imap/session.h"
#include "storage/mime/part.h"
#include "storage/types.h"

namespace mallard::imap {

// Appends the response to one BINARY or BINARY.SIZE item of message `uid` to `line`: "BINARY[1]<0> {5}\r\n…"
// (literal8 "~{n}" when the content holds a NUL, §4.2), "BINARY[9] NIL" for no such part, "BINARY.SIZE[1] 42".
// `tree` is the message's MIME tree. nullopt when appended; a tagged NO when the item can't be answered
// ("[UNKNOWN-CTE]" for an encoding Mallard can't decode, §4.3; BINARY.SIZE of no such part); a store error.
core::Task<core::Result<std::optional<Tagged>>> append_binary(Session& s, storage::MailboxId box, storage::Uid uid,
                                                              const storage::mime::ParsedMessage& tree,
                                                              FetchItem item, std::string& line);

}  // namespace mallard::imap
