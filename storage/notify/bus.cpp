// The change bus: see bus.h.
#include "storage/notify/bus.h"

#include <algorithm>
#include <utility>

namespace mallard::storage::notify {

void LoopWatchers::deliver(const MailboxChange& change) {
    auto it = by_mailbox.find(change.mailbox);
    if (it == by_mailbox.end()) return;
    // A watcher may not add or remove watches from its callback (bus.h), so the vector stays put.
    for (Watcher* w : it->second) w->on_mailbox_change(change);
}

void LoopWatchers::deliver_resync() {
    for (auto& [mailbox, watchers] : by_mailbox) {
        const MailboxChange change{mailbox, 0};
        for (Watcher* w : watchers) w->on_mailbox_change(change);
    }
}

Bus::~Bus() = default;

LoopWatchers* Bus::find(core::Reactor* loop) const {
    for (const auto& l : loops_) {
        if (l->loop == loop) return l.get();
    }
    return nullptr;
}

LoopWatchers* Bus::here() {
    core::Reactor* loop = core::Reactor::current();
    std::lock_guard lock(mutex_);
    if (LoopWatchers* found = find(loop)) return found;
    loops_.push_back(std::make_unique<LoopWatchers>());
    loops_.back()->loop = loop;
    return loops_.back().get();
}

LoopWatchers* Bus::split(std::vector<LoopWatchers*>& others) const {
    core::Reactor* current = core::Reactor::current();
    LoopWatchers* mine = nullptr;
    std::lock_guard lock(mutex_);
    for (const auto& l : loops_) {
        if (l->loop == current) mine = l.get();
        else if (l->loop) others.push_back(l.get());  // watches made off any loop (tests) hear only their thread
    }
    return mine;
}

void Bus::publish(MailboxChange change) {
    if (Remote* remote = remote_.load(std::memory_order_acquire)) remote->publish(change);
    publish_local(std::move(change));
}

void Bus::publish_local(MailboxChange change) {
    std::vector<LoopWatchers*> others;
    LoopWatchers* mine = split(others);
    // Registries live as long as the bus, which outlives the loops (tools/mallard declares it first).
    for (LoopWatchers* l : others) l->loop->post([l, change]() { l->deliver(change); });
    if (mine) mine->deliver(change);
}

void Bus::resync_local() {
    std::vector<LoopWatchers*> others;
    LoopWatchers* mine = split(others);
    for (LoopWatchers* l : others) l->loop->post([l]() { l->deliver_resync(); });
    if (mine) mine->deliver_resync();
}

Bus::Watch Bus::watch(const MailboxId& mailbox, Watcher& watcher) {
    Watch w;
    w.loop_ = here();
    w.mailbox_ = mailbox;
    w.watcher_ = &watcher;
    w.loop_->by_mailbox[mailbox].push_back(&watcher);
    return w;
}

std::size_t Bus::watchers_here(const MailboxId& mailbox) const {
    LoopWatchers* loop = nullptr;
    {
        std::lock_guard lock(mutex_);
        loop = find(core::Reactor::current());
    }
    if (!loop) return 0;
    auto it = loop->by_mailbox.find(mailbox);
    return it == loop->by_mailbox.end() ? 0 : it->second.size();
}

Bus::Watch::Watch(Watch&& other) noexcept
    : loop_(std::exchange(other.loop_, nullptr)),
      mailbox_(std::move(other.mailbox_)),
      watcher_(std::exchange(other.watcher_, nullptr)) {}

Bus::Watch& Bus::Watch::operator=(Watch&& other) noexcept {
    if (this != &other) {
        reset();
        loop_ = std::exchange(other.loop_, nullptr);
        mailbox_ = std::move(other.mailbox_);
        watcher_ = std::exchange(other.watcher_, nullptr);
    }
    return *this;
}

void Bus::Watch::reset() {
    if (!loop_) return;
    auto it = loop_->by_mailbox.find(mailbox_);
    if (it != loop_->by_mailbox.end()) {
        auto& list = it->second;
        list.erase(std::remove(list.begin(), list.end(), watcher_), list.end());
        if (list.empty()) loop_->by_mailbox.erase(it);
    }
    loop_ = nullptr;
    watcher_ = nullptr;
}

// ---- session control ----

void Bus::end_sessions(SessionEvent event) {
    if (Remote* remote = remote_.load(std::memory_order_acquire)) remote->publish(event);
    end_sessions_local(std::move(event));
}

void Bus::end_sessions_local(SessionEvent event) {
    std::vector<LoopWatchers*> others;
    LoopWatchers* mine = split(others);
    for (LoopWatchers* l : others) l->loop->post([l, event]() { l->sessions.deliver(event); });
    if (mine) mine->sessions.deliver(event);
}

Bus::SessionRegistration Bus::register_session(const UserId& user, SessionListener& listener) {
    SessionRegistration r;
    r.loop_ = here();
    auto [it, inserted] = r.loop_->sessions.by_user.try_emplace(user);
    it->second.push_back(&listener);
    r.entry_ = &*it;
    r.listener_ = &listener;
    return r;
}

std::size_t Bus::sessions_here(const UserId& user) const {
    LoopWatchers* loop = nullptr;
    {
        std::lock_guard lock(mutex_);
        loop = find(core::Reactor::current());
    }
    if (!loop) return 0;
    auto it = loop->sessions.by_user.find(user);
    return it == loop->sessions.by_user.end() ? 0 : it->second.size();
}

Bus::SessionRegistration::SessionRegistration(SessionRegistration&& other) noexcept
    : loop_(std::exchange(other.loop_, nullptr)),
      entry_(std::exchange(other.entry_, nullptr)),
      listener_(std::exchange(other.listener_, nullptr)) {}

Bus::SessionRegistration& Bus::SessionRegistration::operator=(SessionRegistration&& other) noexcept {
    if (this != &other) {
        reset();
        loop_ = std::exchange(other.loop_, nullptr);
        entry_ = std::exchange(other.entry_, nullptr);
        listener_ = std::exchange(other.listener_, nullptr);
    }
    return *this;
}

void Bus::SessionRegistration::reset() {
    if (!loop_) return;
    auto& list = entry_->second;
    list.erase(std::remove(list.begin(), list.end(), listener_), list.end());
    if (list.empty()) {
        auto& users = loop_->sessions.by_user;
        users.erase(users.find(entry_->first));  // by iterator: the key is the erased node's own
    }
    loop_ = nullptr;
    entry_ = nullptr;
    listener_ = nullptr;
}

}  // namespace mallard::storage::notify
