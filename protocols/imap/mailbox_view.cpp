// The selected mailbox: see mailbox_view.h.
#include "protocols/imap/mailbox_view.h"

#include <algorithm>
#include <utility>

namespace mallard::imap {

UidList::UidList(std::vector<Entry> entries) {
    auto by_uid = [](const Entry& a, const Entry& b) { return a.uid < b.uid; };
    if (!std::is_sorted(entries.begin(), entries.end(), by_uid)) {
        std::stable_sort(entries.begin(), entries.end(), by_uid);
    }
    auto same_uid = [](const Entry& a, const Entry& b) { return a.uid == b.uid; };
    entries.erase(std::unique(entries.begin(), entries.end(), same_uid), entries.end());
    entries.shrink_to_fit();  // a snapshot lives as long as its sessions: no slack
    entries_ = std::make_shared<std::vector<Entry>>(std::move(entries));
}

std::vector<UidList::Entry>& UidList::own() {
    if (!entries_) {
        entries_ = std::make_shared<std::vector<Entry>>();
    } else if (entries_.use_count() > 1) {
        entries_ = std::make_shared<std::vector<Entry>>(*entries_);
    }
    // Created non-const by make_shared above, and held by this list alone: changing it is safe.
    return const_cast<std::vector<Entry>&>(*entries_);
}

bool UidList::push_back(Entry entry) {
    if (size() > 0 && entries_->back().uid >= entry.uid) return false;
    own().push_back(std::move(entry));
    return true;
}

std::uint32_t UidList::lower_bound(storage::Uid uid) const {
    if (!entries_) return 0;
    auto it = std::lower_bound(entries_->begin(), entries_->end(), uid,
                               [](const Entry& e, storage::Uid u) { return e.uid < u; });
    return static_cast<std::uint32_t>(it - entries_->begin());
}

std::optional<std::uint32_t> UidList::index_of(storage::Uid uid) const {
    std::uint32_t index = lower_bound(uid);
    if (index < size() && (*entries_)[index].uid == uid) return index;
    return std::nullopt;
}

bool UidList::operator==(const UidList& other) const {
    if (shares_with(other)) return true;
    if (size() != other.size()) return false;
    return size() == 0 || *entries_ == *other.entries_;
}

MailboxView::MailboxView(const storage::Mailbox& box, std::vector<storage::MessageMeta> messages, bool read_only)
    : id_(box.id),
      name_(box.name),
      uidvalidity_(box.uidvalidity),
      uidnext_(box.uidnext),
      highest_modseq_(std::max<storage::ModSeq>(box.highest_modseq, 1)),
      read_only_(read_only),
      journal_modseq_(box.highest_modseq) {
    std::vector<UidList::Entry> entries;
    entries.reserve(messages.size());
    for (auto& m : messages) {
        if (m.uid >= uidnext_) uidnext_ = m.uid + 1;
        highest_modseq_ = std::max(highest_modseq_, m.modseq);
        entries.push_back(UidList::Entry{m.uid, std::move(m.flags), m.modseq});
    }
    messages_ = UidList(std::move(entries));
    announced_keywords_ = keywords();
}

std::optional<SeqNum> MailboxView::seq(storage::Uid uid) const {
    auto index = messages_.index_of(uid);
    if (!index) return std::nullopt;
    return *index + 1;
}

void MailboxView::set_flags(SeqNum seq, storage::Flags flags, storage::ModSeq modseq) {
    messages_.set_flags_at(seq - 1, std::move(flags));
    messages_.set_modseq_at(seq - 1, modseq);
    raise_highest_modseq(modseq);
}

bool MailboxView::add(storage::Uid uid, storage::Flags flags, storage::ModSeq modseq) {
    raise_uidnext(uid + 1);
    raise_highest_modseq(modseq);
    return messages_.push_back(UidList::Entry{uid, std::move(flags), modseq});
}

std::optional<SeqNum> MailboxView::remove(storage::Uid uid) {
    auto index = messages_.index_of(uid);
    if (!index) return std::nullopt;
    messages_.erase_at(*index);
    return *index + 1;
}

void MailboxView::raise_highest_modseq(storage::ModSeq modseq) { highest_modseq_ = std::max(highest_modseq_, modseq); }

void MailboxView::raise_uidnext(storage::Uid uidnext) { uidnext_ = std::max(uidnext_, uidnext); }

std::optional<SeqNum> MailboxView::first_unseen() const {
    for (std::uint32_t i = 0; i < messages_.size(); ++i) {
        if (!storage::has_flag(messages_.flags_at(i), "\\Seen")) return i + 1;
    }
    return std::nullopt;
}

std::vector<std::string> MailboxView::keywords() const {
    std::vector<std::string> out;
    for (std::uint32_t i = 0; i < messages_.size(); ++i) {
        for (const auto& flag : messages_.flags_at(i)) {
            if (!flag.empty() && flag.front() != '\\') out.push_back(flag);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<SeqNum> MailboxView::resolve(const SequenceSet& set, bool uid) const {
    std::vector<SeqNum> out;
    const std::uint32_t count = messages_.size();
    if (count == 0) return out;
    // Ranges as index intervals [first, last], merged before expanding: "1:*,1:*,…" names each message once
    // and costs one pass, however many times the client repeated it.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
    if (!uid) {
        for (auto range : set.resolve(count)) {
            SeqNum first = std::max<SeqNum>(range.first, 1);
            SeqNum last = std::min<SeqNum>(range.last, count);
            if (first <= last) spans.emplace_back(first - 1, last - 1);
        }
    } else {
        for (auto range : set.resolve(messages_.uid_at(count - 1))) {
            std::uint32_t first = messages_.lower_bound(range.first);
            std::uint32_t end = range.last == storage::UidRange::max_uid ? count : messages_.lower_bound(range.last + 1);
            if (first < end) spans.emplace_back(first, end - 1);
        }
    }
    std::sort(spans.begin(), spans.end());
    std::uint32_t next = 0;  // the first index not yet emitted
    for (auto [first, last] : spans) {
        for (std::uint32_t i = std::max(first, next); i <= last; ++i) out.push_back(i + 1);
        next = std::max(next, last + 1);
    }
    return out;
}

std::vector<storage::UidRange> MailboxView::uid_ranges(const std::vector<SeqNum>& seqs) const {
    std::vector<storage::UidRange> out;
    for (std::size_t i = 0; i < seqs.size();) {
        std::size_t j = i;
        while (j + 1 < seqs.size() && seqs[j + 1] == seqs[j] + 1) ++j;
        out.push_back(storage::UidRange{uid(seqs[i]), uid(seqs[j])});
        i = j + 1;
    }
    return out;
}

bool MailboxView::learn_keywords(const storage::Flags& flags) {
    bool learned = false;
    for (const auto& flag : flags) {
        if (flag.empty() || flag.front() == '\\') continue;
        auto at = std::lower_bound(announced_keywords_.begin(), announced_keywords_.end(), flag);
        if (at != announced_keywords_.end() && *at == flag) continue;
        announced_keywords_.insert(at, flag);
        learned = true;
    }
    return learned;
}

}  // namespace mallard::imap
