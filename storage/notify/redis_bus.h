// RedisBus: the change bus between Mallard processes sharing one store (issue 5). Every change this process
// publishes on its Bus also goes out on one Redis pub/sub channel; every change another instance announces
// there comes back into this process's Bus (publish_local), where IMAP sessions hear it as if it were local.
//
// Why one channel for the installation ("<channel_prefix>changes") and not one per user or mailbox: each
// process then holds exactly one subscription whatever its sessions select, so a reconnect re-establishes
// one SUBSCRIBE and nothing has to track which mailboxes are watched where. The price is that every instance
// receives every change; a message is ~40 bytes and is dropped after one hash lookup when no local session
// watches its mailbox, far below what a single Redis channel carries (~600k messages/s measured).
//
// hiredis's async client runs on one of our own reactor loops, attached through its ev hooks to a
// core::FdWatch (no second event loop, no thread). Two connections: one publishes, one subscribes (a
// subscribed Redis connection accepts nothing but (P)SUBSCRIBE/UNSUBSCRIBE). Each reconnects on its own
// with exponential backoff (backoff.h), logging when it goes down and when it comes back, not every attempt.
//
// Correctness never rests on Redis: the journal is the truth, an announcement only says "read it now".
//   - While the subscription is down, every local watcher is told to read its journal every
//     outage_poll (Bus::resync_local), so IDLE and NOOP keep seeing other instances' changes, only later.
//   - When the subscription is (re)established, every local watcher reads its journal once, so nothing
//     announced while it was down stays unseen.
//   - When the publishing connection comes back after an outage, or after this process dropped an
//     announcement it could not send, it publishes a "resync" so the other instances read theirs.
//
// Threads: publish() on any thread (it posts to the Redis loop); start() and stop() on a thread that is not
// the Redis loop, while that loop runs. Everything else happens on the Redis loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/reactor.h"
#include "storage/notify/bus.h"

namespace mallard::storage::notify {

struct RedisBusOptions {
    std::string host = "127.0.0.1";  // an IP address: hiredis would resolve a name blocking the loop
    std::uint16_t port = 6379;
    std::string password;            // empty: no AUTH
    std::string channel = "mallard:changes";
    std::chrono::milliseconds reconnect_initial{100};
    std::chrono::milliseconds reconnect_max{5000};
    // A connection that isn't ready (connected, authenticated, subscribed) by then is dropped and retried:
    // hiredis has no connect timeout of its own, and a SYN to a vanished host waits for minutes.
    std::chrono::milliseconds connect_timeout{3000};
    // While the subscription is down: how often every local watcher reads its journal.
    std::chrono::milliseconds outage_poll{5000};
};

class RedisBus final : public Remote {
public:
    // `bus` and `loop` must outlive this object.
    RedisBus(Bus& bus, core::Reactor& loop, RedisBusOptions options);
    RedisBus(const RedisBus&) = delete;
    RedisBus& operator=(const RedisBus&) = delete;
    ~RedisBus() override;

    // Installs this as the bus's remote and starts connecting, on the loop (posted: returns at once).
    void start();
    // Removes this from the bus, and closes both connections on the loop; returns when that is done.
    void stop();

    // Remote: sends the change to the other instances (posted to the Redis loop). Dropped, and a resync
    // published after the reconnect, while the publishing connection is down.
    void publish(const MailboxChange& change) override;
    // Remote: ends sessions on the other instances (session_control.h). No journal stands behind it, so one
    // that can't be sent (the publishing connection is down) is logged as lost, not retried.
    void publish(const SessionEvent& event) override;

    // This process's name on the channel (redis_payload.h).
    const std::string& instance() const;
    // Whether the subscription is established (any thread; for logs and tests).
    bool subscribed() const;

    // Whether `host` is an IPv4 or IPv6 address (names are refused: resolving them would block a loop).
    static bool is_ip_address(const std::string& host);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mallard::storage::notify
