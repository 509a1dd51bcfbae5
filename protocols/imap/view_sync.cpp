// Journal → view → untagged responses: see view_sync.h.
#include "protocols/imap/view_sync.h"

#include <algorithm>

namespace mallard::imap {

namespace {

// Removes `uid` from the view; says "* n EXPUNGE" if the client knew the message (its sequence number is
// within what the client has been told exists).
void expunge(MailboxView& view, storage::Uid uid, std::uint32_t& announced, std::string& out) {
    auto seq = view.remove(uid);
    if (!seq || *seq > announced) return;
    out += "* " + std::to_string(*seq) + " EXPUNGE\r\n";
    --announced;
}

}  // namespace

std::string apply_journal(MailboxView& view, const std::vector<storage::JournalEntry>& entries, const SyncRules& rules) {
    std::string out;
    // Everything in the view has been announced: each sync ends with the EXISTS that covers its arrivals.
    std::uint32_t announced = view.exists();
    if (rules.allow_expunge) {
        for (storage::Uid uid : view.take_deferred_expunges()) expunge(view, uid, announced, out);
    }
    std::vector<storage::Uid> flag_changes;
    for (const auto& e : entries) {
        if (e.modseq <= view.journal_modseq()) continue;
        switch (e.kind) {
            case storage::JournalKind::append:
                view.add(e.uid, e.flags, e.modseq);  // false if already there or out of order: nothing to say
                break;
            case storage::JournalKind::expunge:
                view.raise_highest_modseq(e.modseq);
                if (!view.seq(e.uid)) break;
                if (rules.allow_expunge) expunge(view, e.uid, announced, out);
                else view.defer_expunge(e.uid);
                break;
            case storage::JournalKind::flags: {
                auto seq = view.seq(e.uid);
                if (!seq) break;
                if (view.modseq(*seq) >= e.modseq) break;  // our own change, already shown
                bool same_flags = view.flags(*seq) == e.flags;
                view.set_flags(*seq, e.flags, e.modseq);
                if (!same_flags || rules.condstore) flag_changes.push_back(e.uid);
                break;
            }
            case storage::JournalKind::rename:
                view.raise_highest_modseq(e.modseq);
                break;
        }
        view.set_journal_modseq(e.modseq);
    }
    if (view.exists() > announced) out += "* " + std::to_string(view.exists()) + " EXISTS\r\n";
    std::sort(flag_changes.begin(), flag_changes.end());
    flag_changes.erase(std::unique(flag_changes.begin(), flag_changes.end()), flag_changes.end());
    for (storage::Uid uid : flag_changes) {
        auto seq = view.seq(uid);
        if (!seq) continue;
        out += "* " + std::to_string(*seq) + " FETCH (UID " + std::to_string(uid) + " FLAGS ";
        append_flag_list(out, view.flags(*seq));
        if (rules.condstore) out += " MODSEQ (" + std::to_string(view.modseq(*seq)) + ")";
        out += ")\r\n";
    }
    return out;
}

}  // namespace mallard::imap
