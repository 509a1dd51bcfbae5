// See failure_limits.h.
#include "protocols/auth/failure_limits.h"

#include <algorithm>
#include <cctype>

#include "core/log.h"
#include "protocols/auth/connection_limits.h"

namespace mallard::auth {

namespace {

std::optional<std::chrono::seconds> retry_after(const storage::FailureCount& count, std::uint32_t limit) {
    if (limit == 0 || count.count < limit) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::seconds>(count.reset_at - std::chrono::system_clock::now());
    return std::max(left, std::chrono::seconds(1));
}

}  // namespace

core::Task<core::Result<storage::FailureCount>> StoreFailureCounters::read(std::string key) {
    auto count = co_await store_.read_auth_failures(std::move(key));
    co_return count;
}

core::Task<core::Result<storage::FailureCount>> StoreFailureCounters::add(std::string key, std::chrono::seconds window) {
    auto count = co_await store_.add_auth_failure(std::move(key), window);
    co_return count;
}

core::Task<core::Result<void>> StoreFailureCounters::clear(std::string key) {
    auto done = co_await store_.clear_auth_failures(std::move(key));
    co_return done;
}

std::string user_failure_key(std::string_view login) {
    std::string key = "user:";
    for (char c : login) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return key;
}

std::string address_failure_key(std::string_view ip) { return "addr:" + address_key(ip); }

core::Task<std::optional<std::chrono::seconds>> FailureLimiter::blocked(std::string login, std::string ip) {
    std::optional<std::chrono::seconds> wait;
    if (options_.per_user != 0) {
        auto count = co_await counters_.read(user_failure_key(login));
        if (count) wait = retry_after(*count, options_.per_user);
        else MLOG(warn) << "auth rate limit: cannot read a counter: " << count.error().to_string();
    }
    if (options_.per_address != 0 && !ip.empty()) {
        auto count = co_await counters_.read(address_failure_key(ip));
        if (count) {
            auto by_address = retry_after(*count, options_.per_address);
            if (by_address && (!wait || *by_address > *wait)) wait = by_address;
        } else {
            MLOG(warn) << "auth rate limit: cannot read a counter: " << count.error().to_string();
        }
    }
    co_return wait;
}

core::Task<void> FailureLimiter::record_failure(std::string login, std::string ip) {
    if (options_.per_user != 0) {
        auto added = co_await counters_.add(user_failure_key(login), options_.window);
        if (!added) MLOG(warn) << "auth rate limit: cannot count a failure: " << added.error().to_string();
    }
    if (options_.per_address != 0 && !ip.empty()) {
        auto added = co_await counters_.add(address_failure_key(ip), options_.window);
        if (!added) MLOG(warn) << "auth rate limit: cannot count a failure: " << added.error().to_string();
    }
}

core::Task<void> FailureLimiter::record_success(std::string login) {
    if (options_.per_user == 0) co_return;
    auto cleared = co_await counters_.clear(user_failure_key(login));
    if (!cleared) MLOG(warn) << "auth rate limit: cannot clear a counter: " << cleared.error().to_string();
}

}  // namespace mallard::auth
