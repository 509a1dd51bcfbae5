// One loop's shared view of one mailbox's journal: see mailbox_feed.h.
#include "protocols/imap/mailbox_feed.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/log.h"
#include "core/reactor.h"

namespace mallard::imap {

namespace {

using Key = std::tuple<const void*, const void*, storage::MailboxId>;  // store, bus, mailbox

// This thread's (this loop's) feeds. Weak: the sessions' subscriptions own a feed, and it leaves the
// registry when the last one goes.
std::map<Key, std::weak_ptr<MailboxFeed>>& registry() {
    thread_local std::map<Key, std::weak_ptr<MailboxFeed>> feeds;
    return feeds;
}

// The entries the feed keeps for sessions a read or more behind. A session further behind reads the journal
// itself, so this only bounds memory; 1,024 entries are many announcements' worth.
constexpr std::size_t max_history = 1024;
// Deltas kept for snapshots still held by sessions that haven't synced yet.
constexpr std::size_t max_deltas = 4;

}  // namespace

// ---- subscriptions ----

MailboxFeed::Subscription::Subscription(Subscription&& other) noexcept
    : feed_(std::move(other.feed_)), listener_(std::exchange(other.listener_, nullptr)) {}

MailboxFeed::Subscription& MailboxFeed::Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        reset();
        feed_ = std::move(other.feed_);
        listener_ = std::exchange(other.listener_, nullptr);
    }
    return *this;
}

void MailboxFeed::Subscription::reset() {
    if (!feed_) return;
    auto& list = feed_->listeners_;
    list.erase(std::remove(list.begin(), list.end(), listener_), list.end());
    listener_ = nullptr;
    feed_.reset();  // may destroy the feed (and its bus watch) when no read holds it
}

MailboxFeed::Subscription MailboxFeed::join(storage::Store& store, storage::notify::Bus& bus, const MailboxView& view,
                                            FeedListener& listener) {
    Key key{&store, &bus, view.id()};
    auto& feeds = registry();
    std::shared_ptr<MailboxFeed> feed = feeds[key].lock();
    if (!feed) {
        feed = std::make_shared<MailboxFeed>(store, view.id(), view.messages(), view.journal_modseq());
        feed->key_ = key;
        feed->watch_ = bus.watch(view.id(), *feed);
        feeds[key] = feed;
    }
    feed->listeners_.push_back(&listener);
    Subscription subscription;
    subscription.feed_ = std::move(feed);
    subscription.listener_ = &listener;
    return subscription;
}

MailboxFeed::MailboxFeed(storage::Store& store, const storage::MailboxId& mailbox, UidList snapshot,
                         storage::ModSeq position)
    : store_(store),
      mailbox_(mailbox),
      snapshot_(std::move(snapshot)),
      position_(position),
      history_from_(position),
      last_read_started_(core::Clock::now()) {}

MailboxFeed::~MailboxFeed() {
    auto& feeds = registry();
    auto it = feeds.find(key_);
    if (it != feeds.end() && it->second.expired()) feeds.erase(it);
}

// ---- reads ----

void MailboxFeed::on_mailbox_change(const storage::notify::MailboxChange& change) {
    // Already read (our own read raced ahead of the announcement), unless a read since failed.
    if (change.modseq != 0 && change.modseq <= position_ && !failed_) return;
    request_read();
    // The sessions' next command waits for that read (a session sees its own APPEND before its tagged OK);
    // idling sessions are woken when it is done, not now, so each wakes once.
    for (FeedListener* l : listeners_) l->on_feed(false);
}

std::uint64_t MailboxFeed::request_read() {
    if (reading_) {
        // The running read may have started before the change: one more, shared by all who ask meanwhile.
        again_ = true;
        requested_ = started_ + 1;
        return requested_;
    }
    reading_ = true;
    requested_ = ++started_;
    core::spawn(read_loop(shared_from_this()));
    return requested_;
}

core::Task<void> MailboxFeed::read_loop(std::shared_ptr<MailboxFeed> feed) {
    for (;;) {
        feed->running_started_ = core::Clock::now();
        const storage::ModSeq since = feed->position_;
        auto entries = co_await feed->store_.journal_since(feed->mailbox_, since);
        feed->finish_read(std::move(entries));
        if (!feed->again_) break;
        feed->again_ = false;
        ++feed->started_;
    }
    feed->reading_ = false;
}

void MailboxFeed::finish_read(core::Result<std::vector<storage::JournalEntry>> entries) {
    done_ = started_;
    bool news = false;
    if (!entries) {
        // A deleted mailbox is the sessions' to report (BYE); anything else is worth a line here.
        if (entries.error().code == core::Errc::not_found) {
            MLOG(debug) << "mailbox feed: " << mailbox_ << " is gone";
        } else {
            MLOG(warn) << "mailbox feed: journal read failed: " << entries.error().to_string();
        }
        failed_ = true;
        news = true;  // the sessions read themselves and learn why
    } else {
        failed_ = false;
        last_read_started_ = running_started_;
        if (!entries->empty() && entries->back().modseq > position_) {
            auto delta = std::make_shared<JournalDelta>(compute_delta(snapshot_, position_, *entries));
            // The sessions still at the old snapshot take this delta as it is (delta_for).
            deltas_.clear();
            deltas_.push_back(CachedDelta{snapshot_, delta});
            snapshot_ = delta->after;
            position_ = delta->to;
            for (auto& e : *entries) {
                if (e.modseq > (history_.empty() ? history_from_ : history_.back().modseq)) {
                    history_.push_back(std::move(e));
                }
            }
            if (history_.size() > max_history) {
                const std::size_t drop = history_.size() - max_history / 2;
                history_from_ = history_[drop - 1].modseq;
                history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(drop));
            }
            news = true;
        }
    }
    resume_waiters();
    if (news) {
        for (FeedListener* l : listeners_) l->on_feed(true);
    }
}

void MailboxFeed::resume_waiters() {
    // Resumed from the loop's ready queue, after this returns: a waiter's session runs outside the read.
    auto waiting = std::move(waiters_);
    waiters_.clear();
    core::Reactor* loop = core::Reactor::current();
    for (ReadWait* w : waiting) {
        if (w->number_ <= done_) {
            auto handle = std::exchange(w->handle_, {});
            if (loop) loop->defer(handle);
            else handle.resume();  // not on a loop (a tool): the store ran the read inline
        } else {
            waiters_.push_back(w);
        }
    }
}

void MailboxFeed::ReadWait::await_suspend(std::coroutine_handle<> h) {
    handle_ = h;
    feed_.waiters_.push_back(this);
}

MailboxFeed::ReadWait::~ReadWait() {
    auto& list = feed_.waiters_;
    list.erase(std::remove(list.begin(), list.end(), this), list.end());
}

// ---- what sessions take ----

std::vector<storage::JournalEntry> MailboxFeed::entries_since(storage::ModSeq from) const {
    auto first = std::upper_bound(history_.begin(), history_.end(), from,
                                  [](storage::ModSeq m, const storage::JournalEntry& e) { return m < e.modseq; });
    return std::vector<storage::JournalEntry>(first, history_.end());
}

std::shared_ptr<const JournalDelta> MailboxFeed::delta_for(const UidList& before, storage::ModSeq from) {
    if (!covers(from)) return nullptr;
    for (const auto& cached : deltas_) {
        if (cached.delta->from == from && cached.before.shares_with(before)) return cached.delta;
    }
    auto delta = std::make_shared<JournalDelta>(compute_delta(before, from, entries_since(from)));
    // The same messages as the snapshot: share it, and let the list worked out here go.
    if (delta->to == position_ && !delta->after.shares_with(snapshot_) && delta->after == snapshot_) {
        delta->after = snapshot_;
    }
    // Worth keeping only if other sessions hold the same list (a snapshot a few sessions haven't left yet);
    // a session's own copy (use_count 1) is worked out for it alone.
    if (before.use_count() > 1) {
        if (deltas_.size() >= max_deltas) deltas_.erase(deltas_.begin());
        deltas_.push_back(CachedDelta{before, delta});
    }
    return delta;
}

void MailboxFeed::forget_unused() {
    deltas_.erase(std::remove_if(deltas_.begin(), deltas_.end(),
                                 [](const CachedDelta& d) { return d.before.use_count() == 1; }),
                  deltas_.end());
}

bool MailboxFeed::rejoin(MailboxView& view) const {
    if (view.journal_modseq() != position_ || !view.deferred_expunges().empty()) return false;
    if (view.messages().shares_with(snapshot_)) return true;
    if (!(view.messages() == snapshot_)) return false;
    view.replace_messages(snapshot_);
    return true;
}

}  // namespace mallard::imap
