// The text of GET /users/:user/updates (Server-Sent Events, WHATWG HTML §9.2): one event per journal entry
// (storage/types.h JournalEntry), shaped like WildDuck's update notifications ({"command": "EXISTS" | "EXPUNGE"
// | "FETCH" | "RENAME", "mailbox", "uid", "message", "flags", "modseq", …}).
//
// Every event's id is the stream's whole position — each watched mailbox with the modseq seen so far — so a
// client reconnecting with Last-Event-ID gets exactly what it missed from the journal (Store::journal_since),
// in any mailbox. Pure, so it is unit-tested alone (update_events_test.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/types.h"

namespace mallard::http::routes {

// Per mailbox, the highest modseq the client has been told of.
using StreamPosition = std::vector<std::pair<storage::MailboxId, storage::ModSeq>>;

// "<mailbox>:<modseq>,<mailbox>:<modseq>…" (mailbox ids are opaque but never hold ':' or ','; ids that would
// are left out rather than break the format).
std::string encode_position(const StreamPosition& position);
// nullopt when malformed or too long (Last-Event-ID is client input: at most 1000 mailboxes, 64 KB).
std::optional<StreamPosition> decode_position(std::string_view text);

// One event: "id: <position>\ndata: <json>\n\n".
std::string journal_event(const storage::MailboxId& mailbox, const storage::JournalEntry& entry,
                          const StreamPosition& position);

// A comment line, which EventSource ignores: keeps proxies from timing the stream out.
inline constexpr std::string_view heartbeat_text = ": heartbeat\n\n";

}  // namespace mallard::http::routes
