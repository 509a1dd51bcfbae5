// Simultaneous-session limits per client address and per user: the token, the in-process counter, and the
// key an address is counted under.
#include "protocols/auth/connection_limits.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <utility>

namespace mallard::auth {

ConnectionToken::ConnectionToken(ConnectionToken&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), scope_(other.scope_), key_(std::move(other.key_)) {}

ConnectionToken& ConnectionToken::operator=(ConnectionToken&& other) noexcept {
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        scope_ = other.scope_;
        key_ = std::move(other.key_);
    }
    return *this;
}

void ConnectionToken::release() noexcept {
    if (ConnectionLimits* owner = std::exchange(owner_, nullptr)) owner->release(scope_, key_);
}

core::Task<std::optional<ConnectionToken>> InProcessConnectionLimits::try_acquire_address(std::string address) {
    co_return acquire(LimitScope::address, std::move(address));
}

core::Task<std::optional<ConnectionToken>> InProcessConnectionLimits::try_acquire_user(std::string user) {
    co_return acquire(LimitScope::user, std::move(user));
}

std::optional<ConnectionToken> InProcessConnectionLimits::acquire(LimitScope scope, std::string key) {
    const std::uint32_t limit = scope == LimitScope::address ? options_.per_address : options_.per_user;
    if (limit == 0) return ConnectionToken();  // unlimited: nothing to count
    {
        std::lock_guard lock(mutex_);
        std::uint32_t& held = counts(scope)[key];
        if (held >= limit) return std::nullopt;  // never 0 here: entries are erased when they reach 0
        ++held;
    }
    return make_token(scope, std::move(key));
}

std::uint32_t InProcessConnectionLimits::count(LimitScope scope, const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto& map = scope == LimitScope::address ? by_address_ : by_user_;
    auto it = map.find(key);
    return it == map.end() ? 0 : it->second;
}

void InProcessConnectionLimits::release(LimitScope scope, const std::string& key) noexcept {
    std::lock_guard lock(mutex_);
    auto& map = counts(scope);
    auto it = map.find(key);
    if (it == map.end()) return;
    // Erased at zero, so the maps hold only addresses and users with open sessions.
    if (--it->second == 0) map.erase(it);
}

std::string address_key(std::string_view ip) {
    std::string text(ip);
    std::array<unsigned char, 16> bytes{};
    if (text.find(':') == std::string::npos || ::inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return text;
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    char buf[INET6_ADDRSTRLEN];
    if (!::inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf)) return text;
    return std::string(buf) + "/64";
}

}  // namespace mallard::auth
