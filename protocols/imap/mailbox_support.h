// What the mailbox commands (commands/list.cpp, mailbox.cpp, status.cpp, select.cpp, fetch.cpp) share: the
// one mapping from a store Error to the tagged NO with its RFC 5530 response code, mailbox names in and out
// (modified UTF-7 unless UTF8=ACCEPT is enabled, RFC 3501 §5.1.3 / RFC 6855 §3), turning CONDSTORE on
// (RFC 7162 §3.1) and the STATUS item list (RFC 3501 §6.3.10).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/task.h"
#include "protocols/imap/command.h"
#include "protocols/imap/session.h"
#include "storage/types.h"

namespace mallard::imap {

// not_found → "NO [NONEXISTENT] …", exists → "[ALREADYEXISTS]", permission/bad_input → "[CANNOT]",
// quota → "[OVERQUOTA]", too_big → "[LIMIT]", conflict → "[INUSE]", unavailable/timed_out → "[UNAVAILABLE]",
// anything else → "[SERVERBUG]" (logged).
Tagged error_reply(const core::Error& error);

// A mailbox name (or LIST pattern) as the client sent it → the stored UTF-8 form, INBOX canonical. nullopt
// when it isn't valid modified UTF-7 (only checked without UTF8=ACCEPT).
std::optional<std::string> mailbox_name_in(const Session& s, std::string name);

// A stored name as a string for a response: modified UTF-7 without UTF8=ACCEPT, then append_string.
void append_mailbox_name(std::string& out, std::string_view name, const RenderOptions& options);

// "NO [CANNOT] Invalid mailbox name" for mailbox_name_in's nullopt.
Tagged invalid_mailbox_name();

// RFC 7162 §3.1: a CONDSTORE enabling command (ENABLE CONDSTORE, SELECT/EXAMINE (CONDSTORE), STATUS
// (HIGHESTMODSEQ), FETCH MODSEQ or CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH MODSEQ) turns CONDSTORE on for
// the rest of the session. Issued with a mailbox selected, the first one also sends "* OK [HIGHESTMODSEQ n]"
// so the client has a starting point for the modseqs it sees from now on.
void enable_condstore(Session& s);

// status.cpp: the parenthesised STATUS items for `box`: "(MESSAGES 3 UNSEEN 1)".
core::Task<core::Result<std::string>> status_item_list(Session& s, storage::Mailbox box,
                                                       std::vector<StatusItem> items);

}  // namespace mallard::imap
