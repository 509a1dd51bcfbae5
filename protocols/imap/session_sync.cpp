// The selected mailbox kept in step with the journal: SELECT's and UNSELECT's side of the session, and the
// sync before a tagged response or in IDLE (view_sync.h has the rules, mailbox_feed.h the sharing).
//
// With a bus, a session reads the journal through its loop's MailboxFeed: the feed does one read for all its
// sessions per announcement, and a session that is caught up (its view holds the feed's snapshot, or the one
// before) renders the shared delta and points at the new snapshot: no read, no copy of the UID list. A
// session reads on its own only when the feed can't serve it (the feed's read failed — a deleted mailbox,
// which only a read of its own reports as before — or the view is further behind than the feed's history).
// Without a bus (tests, tools) every sync is a read of the session's own, as before issue 5.
#include <algorithm>
#include <utility>

#include "core/log.h"
#include "protocols/imap/session.h"
#include "protocols/imap/view_sync.h"

namespace mallard::imap {

void Session::select(MailboxView view) {
    feed_.reset();
    view_ = std::make_unique<MailboxView>(std::move(view));
    state = State::selected;
    if (context_->bus) feed_ = MailboxFeed::join(store(), *context_->bus, *view_, *this);
    view_stale_ = true;  // anything between reading the mailbox and now is replayed before the tagged OK
    read_due_ = true;    // by a read that starts after now, as when each session read for itself
    last_sync_ = core::Clock::now();
}

void Session::unselect() {
    feed_.reset();
    view_.reset();
    view_stale_ = false;
    read_due_ = false;
    if (state == State::selected) state = State::authenticated;
}

void Session::on_feed(bool read_done) {
    if (!view_) return;
    view_stale_ = true;
    if (read_done && idling) conn_->wake_reader();
}

bool Session::needs_sync() const {
    if (!view_) return false;
    return view_stale_ || !view_->deferred_expunges().empty() ||
           core::Clock::now() - last_sync_ >= options().poll_interval;
}

core::Task<bool> Session::sync_from_feed(bool allow_expunge) {
    MailboxFeed& feed = *feed_;
    if (feed.last_read_failed()) co_return false;
    const storage::MailboxId box = view_->id();
    const bool poll_due = core::Clock::now() - last_sync_ >= options().poll_interval;
    // Which read to wait for. SELECT and the poll want one that starts from now on (a writer the bus can't
    // hear). A command waits for the reads announced so far, so its tagged response follows the changes
    // made before it (this session's own APPEND among them). IDLE takes what the feed has: the end of a
    // running read wakes it again.
    std::uint64_t wanted = 0;
    if (read_due_ || poll_due) wanted = feed.request_read();
    else if (!idling) wanted = feed.latest_read();
    {
        MailboxFeed::ReadWait wait(feed, wanted);
        co_await wait;
    }
    if (!view_ || view_->id() != box) co_return true;
    if (feed.last_read_failed()) co_return false;
    const storage::ModSeq from = view_->journal_modseq();
    if (!feed.covers(from)) co_return false;
    read_due_ = false;
    view_stale_ = feed.reading();  // a change announced meanwhile: the next command waits for its read
    last_sync_ = std::max(last_sync_, feed.last_read_started());
    if (view_->deferred_expunges().empty() && view_->messages().use_count() > 1) {
        // The normal case: a view at a snapshot renders the delta every session there shares. (A list of
        // the view's own is cheaper to change in place below than to copy into a delta.)
        auto delta = feed.delta_for(view_->messages(), from);
        if (delta && (allow_expunge || !delta->removes)) {
            std::string out = apply_delta(*view_, *delta, condstore);
            delta.reset();
            feed.forget_unused();
            if (!out.empty()) conn_->queue(out);
            co_return true;
        }
    }
    // Expunges to defer or to tell now, or a list of the view's own: the view goes its own way for a while
    // (copy-on-write), and shares the snapshot again once it shows the same messages at the same position.
    std::string out = apply_journal(*view_, feed.entries_since(from), SyncRules{allow_expunge, condstore});
    feed.rejoin(*view_);
    if (!out.empty()) conn_->queue(out);
    co_return true;
}

core::Task<void> Session::sync_mailbox(bool allow_expunge) {
    if (!view_) co_return;
    if (feed_) {
        auto served = co_await sync_from_feed(allow_expunge);
        if (served) co_return;
        if (!view_) co_return;
    }
    const storage::MailboxId box = view_->id();
    auto entries = co_await store().journal_since(box, view_->journal_modseq());
    if (!view_ || view_->id() != box) co_return;
    last_sync_ = core::Clock::now();
    if (!entries) {
        if (entries.error().code == core::Errc::not_found) {
            // RFC 3501 §7.1.5: the selected mailbox is gone; its sequence numbers can't be kept meaningful.
            untagged("BYE Selected mailbox was deleted");
            abandoned = true;
            state = State::logout;
            co_return;
        }
        MLOG_CONN(warn, conn_->id()) << "mailbox sync failed: " << entries.error().to_string();
        co_return;
    }
    view_stale_ = false;
    read_due_ = false;
    std::string out = apply_journal(*view_, *entries, SyncRules{allow_expunge, condstore});
    if (feed_) feed_->rejoin(*view_);
    if (!out.empty()) conn_->queue(out);
}

}  // namespace mallard::imap
