// Rate limits on failed authentications, per user and per client address (WildDuck's user and IP limits):
// past `per_user` failures for a login name, or `per_address` from one address (auth::address_key: an IPv6
// /64 counts as one), within `window`, every attempt is refused without checking the password until the
// window that started with the first failure ends. A successful login clears its user's count.
//
// FailureCounters is where the counts live, behind a small interface so that a Redis implementation (INCR and
// EXPIRE on one key) can slot in; StoreFailureCounters keeps them in the store, so every instance sharing the
// store shares the counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/task.h"
#include "storage/security_types.h"
#include "storage/store.h"

namespace mallard::auth {

struct FailureLimitOptions {
    std::uint32_t per_user = 10;       // 0 = unlimited
    std::uint32_t per_address = 30;    // 0 = unlimited
    std::chrono::seconds window{600};
};

class FailureCounters {
public:
    virtual ~FailureCounters() = default;
    virtual core::Task<core::Result<storage::FailureCount>> read(std::string key) = 0;
    virtual core::Task<core::Result<storage::FailureCount>> add(std::string key, std::chrono::seconds window) = 0;
    virtual core::Task<core::Result<void>> clear(std::string key) = 0;
};

class StoreFailureCounters final : public FailureCounters {
public:
    explicit StoreFailureCounters(storage::Store& store) : store_(store) {}
    core::Task<core::Result<storage::FailureCount>> read(std::string key) override;
    core::Task<core::Result<storage::FailureCount>> add(std::string key, std::chrono::seconds window) override;
    core::Task<core::Result<void>> clear(std::string key) override;

private:
    storage::Store& store_;
};

// The keys: "user:<lower-cased login>" and "addr:<address_key>".
std::string user_failure_key(std::string_view login);
std::string address_failure_key(std::string_view ip);

class FailureLimiter {
public:
    FailureLimiter(FailureCounters& counters, FailureLimitOptions options) : counters_(counters), options_(options) {}

    // How long until the login may try again, if it is over a limit now. A counter that can't be read does not
    // lock anyone out (logged): the store being down already fails the login itself.
    core::Task<std::optional<std::chrono::seconds>> blocked(std::string login, std::string ip);
    core::Task<void> record_failure(std::string login, std::string ip);
    core::Task<void> record_success(std::string login);

    const FailureLimitOptions& options() const { return options_; }

private:
    FailureCounters& counters_;
    FailureLimitOptions options_;
};

}  // namespace mallard::auth
