// Journal entries → the selected view and the untagged responses that tell the client (RFC 3501 §7.4.1,
// §7.3.1, §7.4.2; RFC 7162 §3.2 for MODSEQ): "* n EXPUNGE" for each message removed, then "* n EXISTS" when
// messages arrived, then one "* n FETCH (UID u FLAGS (…))" per message whose flags changed. Pure: no I/O, so
// every ordering rule is tested directly (view_sync_test.cpp); Session::sync_mailbox reads the journal and
// queues what this returns.
//
// What the view already shows is not announced again: this session's own STORE, EXPUNGE or MOVE updated the
// view before their journal entries come back. Sequence numbers are the client's: a message that arrived and
// went again between two syncs is never mentioned, and EXPUNGE numbers count only messages the client knew.
#pragma once

#include <string>
#include <vector>

#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/render.h"
#include "storage/types.h"

namespace mallard::imap {

struct SyncRules {
    bool allow_expunge = true;  // false while a command by sequence number runs: expunges are deferred
    bool condstore = false;     // FETCH responses carry MODSEQ (RFC 7162 §3.2), and a modseq-only change counts
};

// Applies `entries` (ascending modseq; those at or below view.journal_modseq() are skipped) and returns the
// untagged responses, each line "* …\r\n", possibly empty.
std::string apply_journal(MailboxView& view, const std::vector<storage::JournalEntry>& entries, const SyncRules& rules);

}  // namespace mallard::imap
