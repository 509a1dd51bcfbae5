// Journal entries → the selected view and the untagged responses that tell the client (RFC 3501 §7.4.1,
// §7.3.1, §7.4.2; RFC 7162 §3.2 for MODSEQ): "* n EXPUNGE" for each message removed, then "* n EXISTS" when
// messages arrived, then one "* n FETCH (UID u FLAGS (…))" per message whose flags changed. Pure: no I/O, so
// every ordering rule is tested directly (view_sync_test.cpp); Session::sync_mailbox reads the journal and
// queues what this returns.
//
// What the view already shows is not announced again: this session's own STORE, EXPUNGE or MOVE updated the
// view before their journal entries come back. Sequence numbers are the client's: a message that arrived and
// went again between two syncs is never mentioned, and EXPUNGE numbers count only messages the client knew.
// Likewise FETCH goes out only for messages the client knew: an arrival's flags, changed before the client
// heard of it, are simply what it fetches (an unsolicited FETCH for it misleads mbsync; view_sync.cpp).
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

// "* FLAGS (…)\r\n* OK [PERMANENTFLAGS (…)] …\r\n": the system flags and the view's announced keywords (and
// "\*" when read-write), as SELECT sends them (RFC 3501 §6.3.1, §7.2.6).
std::string flags_announcement(const MailboxView& view);

// When `flags` carry a keyword the client hasn't been told of, the view learns it and this returns a fresh
// flags_announcement() to send before the response that shows it; otherwise "". A client keeps FLAGS as the
// mailbox's keyword list (imaptest reports "Keyword used without being in FLAGS"), and RFC 3501 §7.2.6 has
// the server update it with a new FLAGS response.
std::string announce_new_keywords(MailboxView& view, const storage::Flags& flags);

// Applies `entries` (ascending modseq; those at or below view.journal_modseq() are skipped) and returns the
// untagged responses, each line "* …\r\n", possibly empty. A keyword new to the client, set by another session
// or carried by an arrival, is announced first (announce_new_keywords).
std::string apply_journal(MailboxView& view, const std::vector<storage::JournalEntry>& entries, const SyncRules& rules);

// ---- the same, worked out once for every session at one position (issue 5, mailbox_feed.h) ----
// apply_journal() split in two: what the entries do to a UID list at a journal position is the same for every
// session whose view holds that list there and has no deferred expunge, so a loop works it out once
// (compute_delta) and each such session only renders it (apply_delta) with its own CONDSTORE and keywords.
// apply_delta(view, compute_delta(view.messages(), view.journal_modseq(), entries), condstore) queues the
// same lines and leaves the view as apply_journal(view, entries, {true, condstore}) would (view_sync_test.cpp
// checks it on random journals); with allow_expunge false too, when `removes` is false.
struct JournalDelta {
    storage::ModSeq from = 0;          // the journal position it applies at
    storage::ModSeq to = 0;            // the position after it
    UidList after;                     // the messages after it
    std::vector<SeqNum> expunged;      // "* n EXPUNGE", in order: messages the client knew
    bool removes = false;              // an entry removed a message of the list (deferred by SEQ commands)
    std::uint32_t announced = 0;       // the messages the client knew that are left
    storage::Flags keywords;           // the keywords arrivals and changed messages carry (sorted, unique)
    struct Change {
        storage::Uid uid = 0;
        SeqNum seq = 0;                // in `after`, within `announced`
        bool flags_differ = false;     // false: only the modseq moved (told to CONDSTORE sessions alone)
    };
    std::vector<Change> changes;       // ascending UID, as apply_journal sends FETCH
    storage::ModSeq highest_modseq = 0;  // the view's highest modseq rises to this
    storage::Uid uidnext = 0;            // and its UIDNEXT to this
};
JournalDelta compute_delta(const UidList& before, storage::ModSeq from, const std::vector<storage::JournalEntry>& entries);
std::string apply_delta(MailboxView& view, const JournalDelta& delta, bool condstore);

}  // namespace mallard::imap
