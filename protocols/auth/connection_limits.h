// Limits on simultaneous sessions, shared by IMAP and POP3: per client address (checked before the greeting)
// and per user (checked once the password is known to be right). A session holds a ConnectionToken for
// each place it takes; the token gives the place back when it is destroyed, so a session that ends in any
// way (LOGOUT, timeout, the peer leaving, an exception) stops counting.
//
// ConnectionLimits is the interface; InProcessConnectionLimits counts the sessions of this process across
// all its loops. Acquiring is a coroutine so that an implementation shared between instances (Redis) can
// ask over the network; releasing is not, so such an implementation sends its release without waiting.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/task.h"

namespace mallard::auth {

// 0 means unlimited.
struct ConnectionLimitOptions {
    std::uint32_t per_address = 0;
    std::uint32_t per_user = 0;
};

enum class LimitScope : std::uint8_t { address, user };

class ConnectionLimits;

// One place taken under one limit, given back on destruction or release(). Move-only. A default-constructed
// token (or one handed out while the limit is 0) holds nothing.
class ConnectionToken {
public:
    ConnectionToken() = default;
    ConnectionToken(ConnectionToken&& other) noexcept;
    ConnectionToken& operator=(ConnectionToken&& other) noexcept;
    ConnectionToken(const ConnectionToken&) = delete;
    ConnectionToken& operator=(const ConnectionToken&) = delete;
    ~ConnectionToken() { release(); }

    void release() noexcept;
    bool holds_place() const { return owner_ != nullptr; }

private:
    friend class ConnectionLimits;
    ConnectionToken(ConnectionLimits* owner, LimitScope scope, std::string key)
        : owner_(owner), scope_(scope), key_(std::move(key)) {}

    ConnectionLimits* owner_ = nullptr;
    LimitScope scope_ = LimitScope::address;
    std::string key_;
};

// An admitted session gets a token; a refused one gets nullopt. Must outlive every token it hands out.
class ConnectionLimits {
public:
    virtual ~ConnectionLimits() = default;

    // `address` as address_key() makes it.
    virtual core::Task<std::optional<ConnectionToken>> try_acquire_address(std::string address) = 0;
    // `user` is the user's id (stable across renames).
    virtual core::Task<std::optional<ConnectionToken>> try_acquire_user(std::string user) = 0;

protected:
    ConnectionToken make_token(LimitScope scope, std::string key) { return {this, scope, std::move(key)}; }
    // Called once per token that holds a place, from the thread that destroys it. Must not throw.
    virtual void release(LimitScope scope, const std::string& key) noexcept = 0;

private:
    friend class ConnectionToken;
};

// Counts in this process: a map per scope under one mutex. Sessions start, log in and end far less often
// than they run commands, and a reactor only holds the lock for a hash lookup, so the lock is uncontended
// in practice (and no loop ever waits on another loop for it).
class InProcessConnectionLimits final : public ConnectionLimits {
public:
    explicit InProcessConnectionLimits(ConnectionLimitOptions options) : options_(options) {}

    core::Task<std::optional<ConnectionToken>> try_acquire_address(std::string address) override;
    core::Task<std::optional<ConnectionToken>> try_acquire_user(std::string user) override;

    // The same, without a coroutine: what the overrides do.
    std::optional<ConnectionToken> acquire(LimitScope scope, std::string key);
    // Places held now under `key` (tests, diagnostics).
    std::uint32_t count(LimitScope scope, const std::string& key) const;

private:
    void release(LimitScope scope, const std::string& key) noexcept override;
    std::unordered_map<std::string, std::uint32_t>& counts(LimitScope scope) {
        return scope == LimitScope::address ? by_address_ : by_user_;
    }

    const ConnectionLimitOptions options_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::uint32_t> by_address_;
    std::unordered_map<std::string, std::uint32_t> by_user_;
};

// The key a client address is counted under: an IPv4 address as it is; an IPv6 address by its /64 prefix
// ("2001:db8:1:2::/64"), because one host or home is routinely given a whole /64 and could otherwise take a
// fresh address for every connection (RFC 4291 §2.5.4, RFC 6177). Anything unparsable is its own key.
std::string address_key(std::string_view ip);

}  // namespace mallard::auth
