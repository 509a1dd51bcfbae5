// The selected mailbox as one session sees it (RFC 3501 §2.3.1): its id, UIDVALIDITY, UIDNEXT, highest
// modseq (RFC 7162), whether it is read-only (EXAMINE), and its messages in ascending UID order with their
// flags. Message sequence number n is the message at index n-1 (§2.3.1.2). Pure: built from what the store
// returned, no I/O, so tests construct it directly.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocols/imap/sequence_set.h"
#include "storage/types.h"

namespace mallard::imap {

using SeqNum = std::uint32_t;  // a message sequence number, 1-based

// The ascending UID list with each message's flags. Everything outside reaches it through these few calls.
//
// Copy-on-write (issue 5): copying a UidList shares its entries, and the first change through a copy that
// isn't the only holder copies them first. So the sessions of one loop that have a mailbox selected point at
// one immutable snapshot (mailbox_feed.h hands it out), and a session that must diverge — its own STORE or
// EXPUNGE shown before the journal has it, an expunge deferred during FETCH by number — pays for its own copy
// only then. Never shared across threads: a snapshot belongs to one loop, like the sessions holding it.
class UidList {
public:
    struct Entry {
        storage::Uid uid = 0;
        storage::Flags flags;
        storage::ModSeq modseq = 0;  // the message's last change (RFC 7162 MODSEQ)
        bool operator==(const Entry&) const = default;
    };

    UidList() = default;
    // Sorted by UID here; duplicate UIDs keep the first.
    explicit UidList(std::vector<Entry> entries);

    std::uint32_t size() const { return entries_ ? static_cast<std::uint32_t>(entries_->size()) : 0; }
    // index < size()
    storage::Uid uid_at(std::uint32_t index) const { return (*entries_)[index].uid; }
    const storage::Flags& flags_at(std::uint32_t index) const { return (*entries_)[index].flags; }
    storage::ModSeq modseq_at(std::uint32_t index) const { return (*entries_)[index].modseq; }
    void set_flags_at(std::uint32_t index, storage::Flags flags) { own()[index].flags = std::move(flags); }
    void set_modseq_at(std::uint32_t index, storage::ModSeq modseq) { own()[index].modseq = modseq; }
    // Adds a message with a UID above every other one (a new arrival). False if it isn't above them.
    bool push_back(Entry entry);
    void erase_at(std::uint32_t index) { own().erase(own().begin() + index); }
    // The index of `uid`, or nullopt.
    std::optional<std::uint32_t> index_of(storage::Uid uid) const;
    // The index of the first message with a UID >= `uid` (size() if none).
    std::uint32_t lower_bound(storage::Uid uid) const;

    // ---- sharing ----
    // The same entries object (not merely equal ones): a snapshot and the views that haven't diverged from it.
    bool shares_with(const UidList& other) const { return entries_ == other.entries_; }
    // How many lists share these entries (1: this one alone, or none yet); tests and metrics.
    long use_count() const { return entries_.use_count(); }
    // Equal entries, shared or not.
    bool operator==(const UidList& other) const;

private:
    // The entries, unshared first if another list holds them too.
    std::vector<Entry>& own();

    // Never changed while shared: own() copies first. Null until the first entry (an empty mailbox).
    std::shared_ptr<const std::vector<Entry>> entries_;
};

class MailboxView {
public:
    // `messages` as list_messages returned them. UIDNEXT and the highest modseq are raised past what the
    // messages show, in case a message arrived between reading the mailbox and listing its messages.
    MailboxView(const storage::Mailbox& box, std::vector<storage::MessageMeta> messages, bool read_only);

    const storage::MailboxId& id() const { return id_; }
    const std::string& name() const { return name_; }
    std::uint32_t uidvalidity() const { return uidvalidity_; }
    storage::Uid uidnext() const { return uidnext_; }
    storage::ModSeq highest_modseq() const { return highest_modseq_; }  // at least 1 (RFC 7162 §3.1.2.1)
    bool read_only() const { return read_only_; }

    std::uint32_t exists() const { return messages_.size(); }
    // 1 <= seq <= exists()
    storage::Uid uid(SeqNum seq) const { return messages_.uid_at(seq - 1); }
    const storage::Flags& flags(SeqNum seq) const { return messages_.flags_at(seq - 1); }
    storage::ModSeq modseq(SeqNum seq) const { return messages_.modseq_at(seq - 1); }
    // The messages, to share with the other sessions of the loop (mailbox_feed.h); replace_messages() puts
    // in a list with the same messages as this session's journal position shows (a shared snapshot).
    const UidList& messages() const { return messages_; }
    void replace_messages(UidList messages) { messages_ = std::move(messages); }
    // After this session changed a message's flags in the store (FETCH setting \Seen, STORE).
    void set_flags(SeqNum seq, storage::Flags flags) { messages_.set_flags_at(seq - 1, std::move(flags)); }
    // The same with the change's modseq (raises highest_modseq() too).
    void set_flags(SeqNum seq, storage::Flags flags, storage::ModSeq modseq);

    // ---- changes, from this session's own commands or from the journal (another session's) ----
    // Each returns what the client must be told, so a change seen twice (our own STORE, then its journal
    // entry) is announced once.
    // A new message: true if it was added (its UID is above every UID in the view); raises UIDNEXT.
    bool add(storage::Uid uid, storage::Flags flags, storage::ModSeq modseq);
    // A message removed: its sequence number before the removal (for "* n EXPUNGE"), or nullopt if it
    // wasn't in the view. Later messages move down by one.
    std::optional<SeqNum> remove(storage::Uid uid);
    // The mailbox's highest modseq has reached `modseq` (a journal entry, a STORE); never goes down.
    void raise_highest_modseq(storage::ModSeq modseq);
    void raise_uidnext(storage::Uid uidnext);

    // ---- the journal (view_sync.h) ----
    // Journal entries up to this modseq have been applied. Starts at the mailbox's highest modseq as read
    // before its messages were listed, so a change racing with SELECT is replayed (harmlessly) rather than
    // missed. Separate from highest_modseq(), which this session's own STOREs raise past entries of other
    // sessions it hasn't read yet.
    storage::ModSeq journal_modseq() const { return journal_modseq_; }
    void set_journal_modseq(storage::ModSeq modseq) { journal_modseq_ = std::max(journal_modseq_, modseq); }
    // Expunges heard while they couldn't be announced (RFC 3501 §7.4.1: not during FETCH, STORE, SEARCH by
    // sequence number): the messages keep their sequence numbers until the next command that allows it.
    const std::vector<storage::Uid>& deferred_expunges() const { return deferred_expunges_; }
    void defer_expunge(storage::Uid uid) { deferred_expunges_.push_back(uid); }
    std::vector<storage::Uid> take_deferred_expunges() { return std::exchange(deferred_expunges_, {}); }
    // The sequence number of `uid`, or nullopt if it isn't in the view.
    std::optional<SeqNum> seq(storage::Uid uid) const;

    // The first message without \Seen, for OK [UNSEEN n]; nullopt when every message is seen.
    std::optional<SeqNum> first_unseen() const;
    // The keywords (flags not starting with '\') set on any message, sorted and unique.
    std::vector<std::string> keywords() const;
    // The keywords the client has been told of in FLAGS (RFC 3501 §7.2.6): those of the messages at SELECT,
    // then each new one a response is about to show (view_sync.h: announce_new_keywords). Sorted; never
    // shrinks, since a later FLAGS must still list every keyword a message may carry.
    const std::vector<std::string>& announced_keywords() const { return announced_keywords_; }
    // Adds the keywords of `flags` not announced yet; true if there were any (a new FLAGS response is due).
    bool learn_keywords(const storage::Flags& flags);

    // The sequence numbers a set names, ascending and unique. By sequence number (`uid` false) "*" is the
    // last message and numbers past it are dropped; by UID "*" is the largest UID in the view and only UIDs
    // in the view count (RFC 3501 §6.4.8: "n:*" still names the last message when n is past it).
    std::vector<SeqNum> resolve(const SequenceSet& set, bool uid) const;
    // Ascending sequence numbers as the fewest closed UID ranges covering exactly those messages of the view.
    std::vector<storage::UidRange> uid_ranges(const std::vector<SeqNum>& seqs) const;

private:
    storage::MailboxId id_;
    std::string name_;
    std::uint32_t uidvalidity_ = 0;
    storage::Uid uidnext_ = 1;
    storage::ModSeq highest_modseq_ = 1;
    bool read_only_ = false;
    storage::ModSeq journal_modseq_ = 0;
    UidList messages_;
    std::vector<storage::Uid> deferred_expunges_;
    std::vector<std::string> announced_keywords_;
};

}  // namespace mallard::imap
