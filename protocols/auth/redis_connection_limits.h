// RedisConnectionLimits: the session limits of connection_limits.h counted in Redis, so that every instance
// using the server shares them (issue 10): two sessions of a user on instance A and one on B are three.
//
// The layout, and why. Each counted key (a user, an address) is a hash
//     <prefix>conn:<name>:<user|addr>:<key>   field <instance id> = places that instance holds
// and each instance (each RedisConnectionLimits object, so IMAP and POP3 are instances of their own) keeps
// a heartbeat key  <prefix>instance:<id>  alive with a TTL of `instance_timeout`, refreshed every third of it.
// Acquiring is one Lua script (atomic, so two instances can't both take the last place): it sums the fields
// of instances whose heartbeat exists, deletes the fields of those whose heartbeat is gone, refuses at the
// limit, else HINCRBY's its own field. An instance that dies (kill -9, a lost host) stops beating, and its
// places come back within instance_timeout, at the next acquire on the key: nothing has to clean up after
// it. The alternative, a sorted set of sessions with expiring scores, would need every session's entry
// refreshed, i.e. work per session per period instead of per instance.
//
// Releasing is a script too (HINCRBY -n, the field deleted at zero), sent without waiting. A release that
// fails (Redis unreachable) is kept and sent again after the next heartbeat, so an outage does not leave
// places taken for ever. Every hash gets a TTL of a day at each acquire and release, so a key whose holders
// all died and that nobody asks for again does not stay in Redis.
//
// What errs on the side of admitting: while Redis can't be reached, sessions are counted in this process
// only (InProcessConnectionLimits; logged once per outage), never refused wholesale; an instance whose
// heartbeat lapsed (a long pause) has its fields deleted by others and undercounts until those sessions
// end; a Redis that restarts empty forgets the open sessions. Each is an over-admission bounded by the
// sessions open at the time, never a lock-out.
//
// The scripts read heartbeat keys they are not given in KEYS: fine for one Redis server (which is what
// [redis] configures), not for Redis Cluster.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "protocols/auth/connection_limits.h"
#include "storage/redis/redis_client.h"

namespace mallard::auth {

struct RedisConnectionLimitOptions {
    ConnectionLimitOptions limits;
    std::string prefix = "mallard:";  // redis.channel_prefix
    std::string name = "imap";        // the protocol: each counts apart
    std::chrono::milliseconds instance_timeout{15000};
};

class RedisConnectionLimits final : public ConnectionLimits {
public:
    // `client` must outlive this object. Starts the heartbeat.
    RedisConnectionLimits(storage::redis::RedisClient& client, RedisConnectionLimitOptions options);
    RedisConnectionLimits(const RedisConnectionLimits&) = delete;
    RedisConnectionLimits& operator=(const RedisConnectionLimits&) = delete;
    // Stops the heartbeat and deletes the instance's key (its remaining places, if any, are then dead).
    ~RedisConnectionLimits() override;

    core::Task<std::optional<ConnectionToken>> try_acquire_address(std::string address) override;
    core::Task<std::optional<ConnectionToken>> try_acquire_user(std::string user) override;

    const std::string& instance() const { return instance_; }
    std::string count_key(LimitScope scope, std::string_view key) const;
    std::string instance_key() const { return options_.prefix + "instance:" + instance_; }
    // Whether the last acquire fell back to counting in this process (tests, diagnostics).
    bool degraded() const { return degraded_; }

    static const char* const acquire_script;
    static const char* const release_script;
    // How long a count hash lives after its last acquire or release.
    static constexpr std::chrono::hours key_ttl{24};

private:
    struct Pending;  // releases to send again: shared with the callbacks of sends in flight

    core::Task<std::optional<ConnectionToken>> acquire(LimitScope scope, std::string key);
    void release(LimitScope scope, const std::string& key) noexcept override;
    void heartbeat();  // the heartbeat thread

    storage::redis::RedisClient& client_;
    const RedisConnectionLimitOptions options_;
    const std::string instance_;
    InProcessConnectionLimits fallback_;
    std::atomic<bool> degraded_{false};
    std::shared_ptr<Pending> pending_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread beat_;  // last: started once everything it uses exists
};

// A new instance name: 16 hex digits from the random device.
std::string new_limits_instance_id();

}  // namespace mallard::auth
