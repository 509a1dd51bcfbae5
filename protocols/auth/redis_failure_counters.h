// RedisFailureCounters: the failed-login counters of failure_limits.h in Redis, shared by every instance
// using the server (issue 10), one key per counter: "<prefix>authfail:<key>" (key as user_failure_key /
// address_failure_key make it), a count whose TTL is what is left of its window.
//
// add is one atomic step (a Lua script, so no two instances can both see a fresh key and both start a
// window): INCR, and PEXPIRE only when the count is new, so that the window runs from the first failure and
// later failures do not extend it (as the store's counters do); it answers the count and the time left.
// read is GET and PTTL in one script; clear is DEL. A counter that can't be reached is an error, which
// FailureLimiter logs and treats as "not blocked": Redis being down must never lock everyone out.
#pragma once

#include <string>
#include <string_view>

#include "protocols/auth/failure_limits.h"
#include "storage/redis/redis_client.h"

namespace mallard::auth {

class RedisFailureCounters final : public FailureCounters {
public:
    // `client` must outlive this object.
    RedisFailureCounters(storage::redis::RedisClient& client, std::string prefix)
        : client_(client), prefix_(std::move(prefix)) {}

    core::Task<core::Result<storage::FailureCount>> read(std::string key) override;
    core::Task<core::Result<storage::FailureCount>> add(std::string key, std::chrono::seconds window) override;
    core::Task<core::Result<void>> clear(std::string key) override;

    // The Redis key of a counter.
    std::string redis_key(std::string_view key) const { return prefix_ + "authfail:" + std::string(key); }

    // The scripts (exposed for tests). Both answer {count, milliseconds left}.
    static const char* const add_script;
    static const char* const read_script;

private:
    storage::redis::RedisClient& client_;
    const std::string prefix_;
};

}  // namespace mallard::auth
