// STORE and UID STORE: RFC 3501 §6.4.6 (responses §7.4.2), §6.4.8; RFC 7162 §3.1.3 (UNCHANGEDSINCE,
// [MODIFIED …], MODSEQ in the FETCH responses).
//
// Which messages get an untagged FETCH:
// - Without .SILENT, every message of the set that the store didn't refuse, changed or not. §6.4.6 says the
//   new value "is returned as if a FETCH of those flags was done", and a FETCH names every message asked
//   for; Dovecot answers the same way, and a client that sent +FLAGS (\Seen) for a message another client
//   had already marked still learns its flags. The store reports only the messages it changed; the view
//   has the flags of the others.
// - With .SILENT, none — unless CONDSTORE is on: then each changed message gets "* n FETCH (MODSEQ (m))"
//   (RFC 7162 §3.1.3: the client has no other way to learn the new modseq; example in that section).
// - A message that failed UNCHANGEDSINCE gets none: it wasn't changed, and whatever another session did to it
//   reaches this one through the journal. It is named in the tagged OK [MODIFIED set] instead, by sequence
//   number for STORE and by UID for UID STORE.
// UID STORE puts UID first in each FETCH (§6.4.8 requires it); MODSEQ comes last when CONDSTORE is on.
// An EXAMINEd mailbox is refused with NO [READ-ONLY] (RFC 3501 §6.3.2 permits no changes there).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "protocols/imap/command_table.h"
#include "protocols/imap/flag_names.h"
#include "protocols/imap/mailbox_support.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/message_updates.h"
#include "protocols/imap/render.h"
#include "protocols/imap/view_sync.h"

namespace mallard::imap {

using core::Task;

namespace {

storage::FlagOp flag_op(StoreMode mode) {
    switch (mode) {
        case StoreMode::add: return storage::FlagOp::add;
        case StoreMode::remove: return storage::FlagOp::remove;
        case StoreMode::replace: break;
    }
    return storage::FlagOp::set;
}

// What the store did to the messages of the set, by sequence number (ascending).
struct StoreOutcome {
    std::vector<SeqNum> changed;
    std::vector<SeqNum> conflicts;
    std::vector<storage::Uid> conflict_uids;
};

// One store_flags call per UID range of `seqs`; the view takes each change as it comes back, so a failure
// part way leaves the view matching what the store holds.
Task<core::Result<StoreOutcome>> apply(Session& s, MailboxView& view, std::vector<SeqNum> seqs,
                                       storage::FlagChange change) {
    StoreOutcome out;
    for (const auto& range : view.uid_ranges(seqs)) {
        storage::FlagChange part = change;
        part.uids = range;
        auto result = co_await s.store().store_flags(view.id(), std::move(part));
        if (!result) co_return result.take_error();
        for (auto& meta : result->changed) {
            auto n = view.seq(meta.uid);
            if (!n) continue;
            view.set_flags(*n, std::move(meta.flags), meta.modseq);
            out.changed.push_back(*n);
        }
        for (storage::Uid uid : result->conflicts) {
            auto n = view.seq(uid);
            if (!n) continue;
            out.conflicts.push_back(*n);
            out.conflict_uids.push_back(uid);
        }
    }
    std::sort(out.changed.begin(), out.changed.end());
    std::sort(out.conflicts.begin(), out.conflicts.end());
    std::sort(out.conflict_uids.begin(), out.conflict_uids.end());
    co_return out;
}

// The untagged FETCH for message `n`, or "" when none is due (see the top of this file).
std::string fetch_line(const MailboxView& view, SeqNum n, bool uid, bool silent, bool condstore, bool changed) {
    if (silent && !(condstore && changed)) return {};
    std::string line = std::to_string(n) + " FETCH (";
    if (uid) line += "UID " + std::to_string(view.uid(n)) + ' ';
    if (!silent) {
        line += "FLAGS ";
        append_flag_list(line, view.flags(n));
        if (condstore) line += ' ';
    }
    if (condstore) line += "MODSEQ (" + std::to_string(view.modseq(n)) + ')';
    line += ')';
    return line;
}

Task<Tagged> store(Session& s, Command& c) {
    auto& args = std::get<Store>(c.args);
    // RFC 7162 §3.1: a STORE with UNCHANGEDSINCE enables CONDSTORE for the rest of the session, from the
    // moment it is received (as in Dovecot, even if the STORE itself is then refused).
    if (args.unchanged_since) s.condstore = true;
    MailboxView* view = s.view();
    if (view->read_only()) co_return Tagged::no("[READ-ONLY] Mailbox is read-only");
    auto flags = flags_to_store(args.flags);
    if (!flags) co_return Tagged::bad("Invalid system flag");
    const char* done = c.uid ? "UID STORE completed" : "STORE completed";

    std::vector<SeqNum> seqs = view->resolve(args.set, c.uid);
    if (seqs.empty()) co_return Tagged::ok(done);

    storage::FlagChange change;
    change.op = flag_op(args.mode);
    change.flags = std::move(*flags);
    change.unchanged_since = args.unchanged_since;
    auto outcome = co_await apply(s, *view, seqs, std::move(change));
    if (!outcome) co_return error_reply(outcome.error());

    // A keyword new to the mailbox goes out in FLAGS first (view_sync.h), .SILENT or not: the view has
    // learned it, so no later response would announce it.
    bool learned = false;
    for (SeqNum n : outcome->changed) learned = view->learn_keywords(view->flags(n)) || learned;
    if (learned) {
        auto announced = co_await s.conn().write(flags_announcement(*view), s.deadline());
        if (!announced) {
            s.abandon(announced.error());
            co_return Tagged::bad("connection failed");
        }
    }

    for (SeqNum n : seqs) {
        if (std::binary_search(outcome->conflicts.begin(), outcome->conflicts.end(), n)) continue;
        const bool changed = std::binary_search(outcome->changed.begin(), outcome->changed.end(), n);
        std::string line = fetch_line(*view, n, c.uid, args.silent, s.condstore, changed);
        if (line.empty()) continue;
        auto written = co_await write_untagged(s, std::move(line));
        if (!written) co_return Tagged::bad("connection failed");
    }
    if (outcome->conflicts.empty()) co_return Tagged::ok(done);
    std::string modified = c.uid ? render_number_set(outcome->conflict_uids) : render_number_set(outcome->conflicts);
    co_return Tagged::ok("[MODIFIED " + modified + "] Conditional STORE failed");
}

}  // namespace

Task<Tagged> cmd_store(Session& s, Command& c) {
    auto result = co_await store(s, c);
    co_return result;
}

}  // namespace mallard::imap
