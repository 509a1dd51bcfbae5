// Journal → view → untagged responses: see view_sync.h.
#include "protocols/imap/view_sync.h"

#include <algorithm>
#include <string_view>

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

void fetch_line(std::string& out, const MailboxView& view, SeqNum seq, storage::Uid uid, bool condstore) {
    out += "* " + std::to_string(seq) + " FETCH (UID " + std::to_string(uid) + " FLAGS ";
    append_flag_list(out, view.flags(seq));
    if (condstore) out += " MODSEQ (" + std::to_string(view.modseq(seq)) + ")";
    out += ")\r\n";
}

void add_keywords(storage::Flags& keywords, const storage::Flags& flags) {
    for (const auto& flag : flags) {
        if (!flag.empty() && flag.front() != '\\') keywords.push_back(flag);
    }
}

constexpr std::string_view system_flags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

}  // namespace

std::string flags_announcement(const MailboxView& view) {
    std::string keywords;
    for (const auto& keyword : view.announced_keywords()) keywords.append(" ").append(keyword);
    std::string out = "* FLAGS (";
    out.append(system_flags).append(keywords).append(")\r\n");
    if (view.read_only()) {
        out += "* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n";
    } else {
        out.append("* OK [PERMANENTFLAGS (").append(system_flags).append(keywords).append(" \\*)] Flags permitted\r\n");
    }
    return out;
}

std::string announce_new_keywords(MailboxView& view, const storage::Flags& flags) {
    return view.learn_keywords(flags) ? flags_announcement(view) : std::string();
}

std::string apply_journal(MailboxView& view, const std::vector<storage::JournalEntry>& entries, const SyncRules& rules) {
    std::string out;
    // Everything in the view has been announced: each sync ends with the EXISTS that covers its arrivals.
    std::uint32_t announced = view.exists();
    if (rules.allow_expunge) {
        for (storage::Uid uid : view.take_deferred_expunges()) expunge(view, uid, announced, out);
    }
    std::vector<storage::Uid> flag_changes;
    bool new_keywords = false;
    for (const auto& e : entries) {
        if (e.modseq <= view.journal_modseq()) continue;
        switch (e.kind) {
            case storage::JournalKind::append:
                // add() is false if already there or out of order: nothing to say
                if (view.add(e.uid, e.flags, e.modseq) && view.learn_keywords(e.flags)) new_keywords = true;
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
                if (view.learn_keywords(e.flags)) new_keywords = true;
                if (!same_flags || rules.condstore) flag_changes.push_back(e.uid);
                break;
            }
            case storage::JournalKind::rename:
                view.raise_highest_modseq(e.modseq);
                break;
        }
        view.set_journal_modseq(e.modseq);
    }
    // FLAGS first: the FETCH responses below may show the new keywords (expunges above never do).
    if (new_keywords) out += flags_announcement(view);
    if (view.exists() > announced) out += "* " + std::to_string(view.exists()) + " EXISTS\r\n";
    std::sort(flag_changes.begin(), flag_changes.end());
    flag_changes.erase(std::unique(flag_changes.begin(), flag_changes.end()), flag_changes.end());
    for (storage::Uid uid : flag_changes) {
        auto seq = view.seq(uid);
        // A message that arrived in this same sync is new to the client: the EXISTS above announces it, and
        // its flags come with whatever it fetches. An unsolicited FETCH for it, sent in the middle of a UID
        // FETCH of the UIDs the client knew, reads as part of that command's answer: mbsync then takes the
        // message's UID as the highest it has seen and never fetches the arrivals below it.
        if (!seq || *seq > announced) continue;
        fetch_line(out, view, *seq, uid, rules.condstore);
    }
    return out;
}


// Mirrors apply_journal() step by step (allow_expunge, no deferred expunges); keep the two in step.
JournalDelta compute_delta(const UidList& before, storage::ModSeq from, const std::vector<storage::JournalEntry>& entries) {
    JournalDelta d;
    d.from = from;
    d.to = from;
    d.after = before;  // shared until the first change below
    d.announced = before.size();
    UidList& list = d.after;
    std::vector<std::pair<storage::Uid, bool>> changed;  // uid, flags differ
    for (const auto& e : entries) {
        if (e.modseq <= d.to) continue;
        switch (e.kind) {
            case storage::JournalKind::append:
                d.uidnext = std::max(d.uidnext, e.uid + 1);
                d.highest_modseq = std::max(d.highest_modseq, e.modseq);
                if (list.push_back(UidList::Entry{e.uid, e.flags, e.modseq})) add_keywords(d.keywords, e.flags);
                break;
            case storage::JournalKind::expunge: {
                d.highest_modseq = std::max(d.highest_modseq, e.modseq);
                auto index = list.index_of(e.uid);
                if (!index) break;
                d.removes = true;
                list.erase_at(*index);
                if (*index + 1 <= d.announced) {
                    d.expunged.push_back(*index + 1);
                    --d.announced;
                }
                break;
            }
            case storage::JournalKind::flags: {
                auto index = list.index_of(e.uid);
                if (!index || list.modseq_at(*index) >= e.modseq) break;
                bool same_flags = list.flags_at(*index) == e.flags;
                list.set_flags_at(*index, e.flags);
                list.set_modseq_at(*index, e.modseq);
                d.highest_modseq = std::max(d.highest_modseq, e.modseq);
                add_keywords(d.keywords, e.flags);
                changed.emplace_back(e.uid, !same_flags);
                break;
            }
            case storage::JournalKind::rename:
                d.highest_modseq = std::max(d.highest_modseq, e.modseq);
                break;
        }
        d.to = std::max(d.to, e.modseq);
    }
    std::sort(d.keywords.begin(), d.keywords.end());
    d.keywords.erase(std::unique(d.keywords.begin(), d.keywords.end()), d.keywords.end());
    std::sort(changed.begin(), changed.end());
    for (std::size_t i = 0; i < changed.size();) {
        storage::Uid uid = changed[i].first;
        bool differ = false;
        for (; i < changed.size() && changed[i].first == uid; ++i) differ = differ || changed[i].second;
        auto index = list.index_of(uid);
        // As apply_journal: an arrival of this same sync gets no FETCH (its EXISTS announces it).
        if (!index || *index + 1 > d.announced) continue;
        d.changes.push_back(JournalDelta::Change{uid, *index + 1, differ});
    }
    return d;
}

std::string apply_delta(MailboxView& view, const JournalDelta& delta, bool condstore) {
    std::string out;
    for (SeqNum seq : delta.expunged) out += "* " + std::to_string(seq) + " EXPUNGE\r\n";
    view.replace_messages(delta.after);
    view.raise_uidnext(delta.uidnext);
    view.raise_highest_modseq(delta.highest_modseq);
    view.set_journal_modseq(delta.to);
    if (view.learn_keywords(delta.keywords)) out += flags_announcement(view);
    if (view.exists() > delta.announced) out += "* " + std::to_string(view.exists()) + " EXISTS\r\n";
    for (const auto& change : delta.changes) {
        if (change.flags_differ || condstore) fetch_line(out, view, change.seq, change.uid, condstore);
    }
    return out;
}

}  // namespace mallard::imap
