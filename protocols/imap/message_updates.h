// What the commands that change messages (commands/store.cpp, expunge.cpp, copy_move.cpp) share when they
// tell the client: untagged lines written with backpressure (a STORE or EXPUNGE over a large mailbox must
// not queue without bound), "* n EXPUNGE" for removed messages with the view kept in step (RFC 3501
// §7.4.1), and the compact number sets of [MODIFIED …] (RFC 7162 §3.1.3) and [COPYUID …] (RFC 4315 §3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/task.h"
#include "protocols/imap/session.h"
#include "storage/types.h"

namespace mallard::imap {

// "1:3,7,9:10": consecutive runs (each one more than the previous) joined with ':', in the order given, so
// COPYUID's two sets stay parallel. "" for an empty list.
std::string render_number_set(const std::vector<std::uint32_t>& numbers);

// Writes "* <text>\r\n". False when the connection failed: the session has been abandoned (no tagged
// response follows), and the caller returns at once.
core::Task<bool> write_untagged(Session& s, std::string text);

// Removes `uids` from the selected mailbox's view in ascending UID order and writes "* n EXPUNGE" for each
// that was in it. Each n is the sequence number at the moment of its removal, which is exactly what the client
// computes as it applies the responses in order. False as for write_untagged.
core::Task<bool> announce_expunged(Session& s, std::vector<storage::Uid> uids);

}  // namespace mallard::imap
