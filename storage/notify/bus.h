// The change bus (ARCHITECTURE.md, storage/notify): after a write to a mailbox commits, (mailbox, modseq) is
// announced to every loop of the process, and each loop hands it to the watchers it hosts — for IMAP one
// MailboxFeed per mailbox and loop, which reads the journal once for all the sessions of the loop that have
// the mailbox selected (protocols/imap/mailbox_feed.h). A watcher only learns *that* the mailbox changed;
// what changed it reads from the journal (Store::journal_since), which stays the single source of truth, so
// a lost or duplicated announcement costs a read, never correctness.
//
// Threads: publish() may be called on any thread. Watches are created, notified and destroyed on one loop
// thread (the loop of their session); each loop's watchers are kept apart, so nothing is shared across loops
// but the list of loops. A publisher on a loop notifies that loop's watchers at once (so a session sees its
// own APPEND before its tagged OK) and posts to the other loops.
//
// Between processes (redis_bus.h): publish() also hands the change to a Remote, which announces it to the
// other instances; what they announce comes back through publish_local(). When announcements may have been
// lost (the link to the other instances was down), resync_local() tells every watcher to read its journal.
//
// The same loops and the same remote carry session control (session_control.h): an event that ends a user's
// sessions (an administrative logout, a revoked application password), heard by the sessions registered for
// that user on each loop.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/reactor.h"
#include "storage/notify/session_control.h"
#include "storage/types.h"

namespace mallard::storage::notify {

struct MailboxChange {
    MailboxId mailbox;
    ModSeq modseq = 0;  // the change's modseq; 0 when the writer doesn't know it (read the journal anyway)
};

class Watcher {
public:
    virtual ~Watcher() = default;
    // On the watcher's loop thread. Must not destroy the watcher or create/destroy watches.
    virtual void on_mailbox_change(const MailboxChange& change) = 0;
};

// The other instances, as publish() sees them. Called on any thread; must not block.
class Remote {
public:
    virtual ~Remote() = default;
    virtual void publish(const MailboxChange& change) = 0;
    // Ends sessions on the other instances (session_control.h).
    virtual void publish(const SessionEvent& event) = 0;
};

class Bus {
public:
    Bus() = default;
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;
    ~Bus();

    // Announces a committed change to every loop of this process, then to the remote, if one is set.
    void publish(MailboxChange change);
    // Announces a change to this process only: one heard from another instance.
    void publish_local(MailboxChange change);
    // Tells every watcher of this process that it may have missed changes: each hears a change of its own
    // mailbox with modseq 0 (read the journal). After an outage of the link between instances.
    void resync_local();

    // Installs (or, with nullptr, removes) the link to the other instances. The remote must stay usable
    // until every thread that may be inside publish() has left it (tools/mallard: until the engine stops).
    void set_remote(Remote* remote) { remote_.store(remote, std::memory_order_release); }

    // A registration of `watcher` for `mailbox` on the calling loop (Reactor::current()), removed when the
    // Watch is destroyed or reset. Moveable, so a session can hold one beside its selected view.
    class Watch {
    public:
        Watch() = default;
        Watch(Watch&& other) noexcept;
        Watch& operator=(Watch&& other) noexcept;
        Watch(const Watch&) = delete;
        Watch& operator=(const Watch&) = delete;
        ~Watch() { reset(); }
        void reset();
        bool active() const { return loop_ != nullptr; }

    private:
        friend class Bus;
        struct LoopWatchers* loop_ = nullptr;
        MailboxId mailbox_;
        Watcher* watcher_ = nullptr;
    };
    Watch watch(const MailboxId& mailbox, Watcher& watcher);

    // Watchers of a mailbox on the calling loop (tests, metrics).
    std::size_t watchers_here(const MailboxId& mailbox) const;

    // ---- session control (session_control.h) ----
    // Ends sessions: the event goes to every loop of this process, then to the remote, if one is set.
    void end_sessions(SessionEvent event);
    // The same for this process only: an event heard from another instance.
    void end_sessions_local(SessionEvent event);

    // A logged-in session's place under its user on the calling loop, removed when destroyed or reset.
    class SessionRegistration {
    public:
        SessionRegistration() = default;
        SessionRegistration(SessionRegistration&& other) noexcept;
        SessionRegistration& operator=(SessionRegistration&& other) noexcept;
        SessionRegistration(const SessionRegistration&) = delete;
        SessionRegistration& operator=(const SessionRegistration&) = delete;
        ~SessionRegistration() { reset(); }
        void reset();
        bool active() const { return loop_ != nullptr; }

    private:
        friend class Bus;
        struct LoopWatchers* loop_ = nullptr;
        // The user's entry in the loop's map: nodes of an unordered_map stay put, and the entry lives while
        // any registration is in it, so its key is the user id without a copy.
        std::pair<const UserId, std::vector<SessionListener*>>* entry_ = nullptr;
        SessionListener* listener_ = nullptr;
    };
    SessionRegistration register_session(const UserId& user, SessionListener& listener);

    // Registered sessions of a user on the calling loop (tests, metrics).
    std::size_t sessions_here(const UserId& user) const;

private:
    LoopWatchers* here();                 // this loop's registry, created on first use
    LoopWatchers* find(core::Reactor* loop) const;
    // This loop's registry and every other one, for an announcement from the calling thread.
    LoopWatchers* split(std::vector<LoopWatchers*>& others) const;

    mutable std::mutex mutex_;            // guards loops_ (the list, not the registries' contents)
    std::vector<std::unique_ptr<LoopWatchers>> loops_;
    std::atomic<Remote*> remote_{nullptr};
};

// One loop's watchers by mailbox. Touched only on its loop's thread.
struct LoopWatchers {
    core::Reactor* loop = nullptr;
    std::unordered_map<MailboxId, std::vector<Watcher*>> by_mailbox;
    void deliver(const MailboxChange& change);
    void deliver_resync();  // every watcher, with its own mailbox and modseq 0
    LoopSessions sessions;  // logged-in sessions by user (session_control.h)
};

}  // namespace mallard::storage::notify
