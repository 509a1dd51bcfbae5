// MailboxFeed: what one loop knows of one mailbox's journal, shared by the sessions of that loop that have it
// selected (issue 5). Without it every one of 1,000 IDLE sessions on a mailbox read the journal on the pool
// after each announcement and held its own copy of the UID list; with it
// - an announcement (storage/notify bus) starts ONE journal read for the whole loop; announcements arriving
//   while it runs coalesce into one more read, so at most one read is in flight per mailbox per loop;
// - the feed keeps one immutable snapshot of the UID list at its journal position (UidList shares its
//   entries, copy-on-write) and the entries it read since a recent position, and works out once what those
//   entries do to a snapshot (view_sync.h: compute_delta), so each caught-up session only renders the
//   untagged lines with its own CONDSTORE and keyword state and then points at the new snapshot;
// - a session that diverged (its own STORE or EXPUNGE shown before the journal has it, expunges deferred
//   while a command by sequence number runs) owns a copy and applies the entries itself (apply_journal);
//   when its list again equals the snapshot at the same position it drops the copy and shares (rejoin).
// The journal stays the single source of truth: a lost announcement costs a poll, never correctness.
//
// Threads: a feed and its sessions live on one loop (MailboxFeed::join uses a registry per thread); the
// journal read runs on the thread pool through the store and resumes here.
#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <tuple>
#include <vector>

#include "core/deadline.h"
#include "core/task.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/view_sync.h"
#include "storage/notify/bus.h"
#include "storage/store.h"

namespace mallard::imap {

// A session, as the feed sees it. Called on the loop thread; must not join or leave a feed.
class FeedListener {
public:
    virtual ~FeedListener() = default;
    // `read_done` false: a change was announced and a read is under way (the listener's next sync waits
    // for it); true: a read brought new entries or failed (an idling session syncs now).
    virtual void on_feed(bool read_done) = 0;
};

class MailboxFeed final : public storage::notify::Watcher, public std::enable_shared_from_this<MailboxFeed> {
public:
    // Keeps `listener` subscribed while it lives; the feed lives while anyone is subscribed or reading.
    class Subscription {
    public:
        Subscription() = default;
        Subscription(Subscription&& other) noexcept;
        Subscription& operator=(Subscription&& other) noexcept;
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;
        ~Subscription() { reset(); }
        void reset();
        MailboxFeed* operator->() const { return feed_.get(); }
        MailboxFeed& operator*() const { return *feed_; }
        explicit operator bool() const { return feed_ != nullptr; }

    private:
        friend class MailboxFeed;
        std::shared_ptr<MailboxFeed> feed_;
        FeedListener* listener_ = nullptr;
    };

    // This loop's feed of `view`'s mailbox for `store` and `bus`, made on first use with the view's messages
    // and journal position as its snapshot (a view just built from the store is one the journal can be
    // replayed onto, as Session::sync_mailbox always did).
    static Subscription join(storage::Store& store, storage::notify::Bus& bus, const MailboxView& view,
                             FeedListener& listener);

    MailboxFeed(storage::Store& store, const storage::MailboxId& mailbox, UidList snapshot, storage::ModSeq position);
    MailboxFeed(const MailboxFeed&) = delete;
    MailboxFeed& operator=(const MailboxFeed&) = delete;
    ~MailboxFeed() override;

    // The bus: a change to the mailbox. Starts a read, or asks the running one for one more.
    void on_mailbox_change(const storage::notify::MailboxChange& change) override;

    // ---- reads ----
    // Asks for a read that starts from now on (the running one may have started before a change the caller
    // must see) and returns its number, for wait().
    std::uint64_t request_read();
    // The number of the last read requested (by an announcement or request_read); 0 if none yet.
    std::uint64_t latest_read() const { return requested_; }
    bool reading() const { return reading_; }
    // Awaits the end of read `number` (and every read before it): `ReadWait wait(feed, n); co_await wait;`.
    class ReadWait {
    public:
        ReadWait(MailboxFeed& feed, std::uint64_t number) : feed_(feed), number_(number) {}
        ReadWait(const ReadWait&) = delete;
        ReadWait& operator=(const ReadWait&) = delete;
        ~ReadWait();
        bool await_ready() const noexcept { return feed_.done_ >= number_; }
        void await_suspend(std::coroutine_handle<> h);
        void await_resume() const noexcept {}

    private:
        friend class MailboxFeed;
        MailboxFeed& feed_;
        std::uint64_t number_;
        std::coroutine_handle<> handle_;
    };
    // Whether the last read failed (the mailbox may be gone): sessions then read the journal themselves,
    // which tells them why (Session::sync_mailbox says BYE for a deleted mailbox).
    bool last_read_failed() const { return failed_; }
    // When the last finished read started: a session whose view reflects it has heard every writer up to
    // then, as if it had polled (Options::poll_interval).
    core::Clock::time_point last_read_started() const { return last_read_started_; }

    // ---- what sessions take ----
    const UidList& snapshot() const { return snapshot_; }
    storage::ModSeq position() const { return position_; }
    // The effect of the entries after `from` on `before` (a session's view list at its journal position), or
    // null when the feed no longer holds every entry after `from` or has not reached it. Shared by every
    // session at that list and position; its `after` is the feed's snapshot when the lists agree.
    std::shared_ptr<const JournalDelta> delta_for(const UidList& before, storage::ModSeq from);
    // The entries after `from` (same condition as delta_for: covers(from)).
    bool covers(storage::ModSeq from) const { return from >= history_from_ && from <= position_; }
    std::vector<storage::JournalEntry> entries_since(storage::ModSeq from) const;
    // A diverged view that has come back to the snapshot's messages at the snapshot's position shares it
    // again (drops its copy). True if it does now.
    bool rejoin(MailboxView& view) const;
    // Lets go of the deltas whose `before` snapshot no session holds any more (the last one has moved on),
    // so a loop keeps one list per mailbox, not two. Cheap: a few entries at most.
    void forget_unused();

    // ---- tests, metrics ----
    std::size_t listeners() const { return listeners_.size(); }
    std::uint64_t reads_started() const { return started_; }

private:
    // The reads, one after another while more are asked for; holds the feed alive until they end. A static
    // member with a by-value parameter (DEPENDENCIES.md: no capturing lambda coroutines).
    static core::Task<void> read_loop(std::shared_ptr<MailboxFeed> feed);
    void start_reads();
    void finish_read(core::Result<std::vector<storage::JournalEntry>> entries);
    void resume_waiters();

    storage::Store& store_;
    storage::MailboxId mailbox_;
    storage::notify::Bus::Watch watch_;
    std::tuple<const void*, const void*, storage::MailboxId> key_;  // in this thread's registry
    std::vector<FeedListener*> listeners_;

    UidList snapshot_;                 // the messages at position_: immutable, shared by caught-up views
    storage::ModSeq position_ = 0;     // journal entries up to here are in snapshot_
    // The entries in (history_from_, position_], ascending, for sessions a read or two behind.
    std::vector<storage::JournalEntry> history_;
    storage::ModSeq history_from_ = 0;
    // Deltas worked out for snapshots sessions still hold (the one before the last read, mostly); cleared
    // when the feed moves on. Each keeps its `before` list alive, so the identity it is found by stays valid.
    struct CachedDelta {
        UidList before;
        std::shared_ptr<const JournalDelta> delta;
    };
    std::vector<CachedDelta> deltas_;

    bool reading_ = false;             // a read is in flight (at most one)
    bool again_ = false;               // another was asked for while it ran
    std::uint64_t started_ = 0;        // reads started (numbers 1, 2, …)
    std::uint64_t requested_ = 0;      // the highest read number asked for
    std::uint64_t done_ = 0;           // reads finished
    bool failed_ = false;
    core::Clock::time_point last_read_started_{};
    core::Clock::time_point running_started_{};
    std::vector<ReadWait*> waiters_;
};

}  // namespace mallard::imap
