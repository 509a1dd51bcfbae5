// RedisConnectionLimits: see redis_connection_limits.h.
#include "protocols/auth/redis_connection_limits.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_map>
#include <utility>

#include "core/log.h"

namespace mallard::auth {

using storage::redis::RedisReply;

// KEYS[1] the count hash; ARGV[1] "<prefix>instance:", ARGV[2] this instance, ARGV[3] the limit, ARGV[4] the
// hash's TTL in ms. 1: admitted (and counted), 0: refused. This instance's own field always counts, even if
// its heartbeat lapsed a moment ago.
const char* const RedisConnectionLimits::acquire_script =
    "local fields = redis.call('HGETALL', KEYS[1])\n"
    "local total = 0\n"
    "for i = 1, #fields, 2 do\n"
    "  local id = fields[i]\n"
    "  if id == ARGV[2] or redis.call('EXISTS', ARGV[1] .. id) == 1 then\n"
    "    total = total + (tonumber(fields[i + 1]) or 0)\n"
    "  else\n"
    "    redis.call('HDEL', KEYS[1], id)\n"
    "  end\n"
    "end\n"
    "if total >= tonumber(ARGV[3]) then return 0 end\n"
    "redis.call('HINCRBY', KEYS[1], ARGV[2], 1)\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[4])\n"
    "return 1\n";

// KEYS[1] the count hash; ARGV[1] this instance, ARGV[2] places given back, ARGV[3] the hash's TTL in ms.
// A field at zero or below (the places were already forgotten: a Redis restart, a lapsed heartbeat) goes.
const char* const RedisConnectionLimits::release_script =
    "local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -tonumber(ARGV[2]))\n"
    "if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
    "return n\n";

namespace {

std::string ms_text(std::chrono::milliseconds span) { return std::to_string(span.count()); }

const std::string key_ttl_text =
    ms_text(std::chrono::duration_cast<std::chrono::milliseconds>(RedisConnectionLimits::key_ttl));

}  // namespace

// Places whose release did not reach Redis, by count key.
struct RedisConnectionLimits::Pending {
    std::mutex mutex;
    std::unordered_map<std::string, long long> releases;

    void add(const std::string& key, long long n) {
        std::lock_guard lock(mutex);
        releases[key] += n;
    }
    std::unordered_map<std::string, long long> take() {
        std::lock_guard lock(mutex);
        return std::exchange(releases, {});
    }
};

std::string new_limits_instance_id() {
    std::random_device random;
    std::uint64_t value = (static_cast<std::uint64_t>(random()) << 32) ^ random();
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

RedisConnectionLimits::RedisConnectionLimits(storage::redis::RedisClient& client, RedisConnectionLimitOptions options)
    : client_(client),
      options_(std::move(options)),
      instance_(new_limits_instance_id()),
      fallback_(options_.limits),
      pending_(std::make_shared<Pending>()) {
    beat_ = std::thread([this] { heartbeat(); });
}

RedisConnectionLimits::~RedisConnectionLimits() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    beat_.join();
    client_.send({"DEL", instance_key()});
}

std::string RedisConnectionLimits::count_key(LimitScope scope, std::string_view key) const {
    return options_.prefix + "conn:" + options_.name + (scope == LimitScope::user ? ":user:" : ":addr:") +
           std::string(key);
}

core::Task<std::optional<ConnectionToken>> RedisConnectionLimits::try_acquire_address(std::string address) {
    auto token = co_await acquire(LimitScope::address, std::move(address));
    co_return token;
}

core::Task<std::optional<ConnectionToken>> RedisConnectionLimits::try_acquire_user(std::string user) {
    auto token = co_await acquire(LimitScope::user, std::move(user));
    co_return token;
}

core::Task<std::optional<ConnectionToken>> RedisConnectionLimits::acquire(LimitScope scope, std::string key) {
    const std::uint32_t limit = scope == LimitScope::address ? options_.limits.per_address : options_.limits.per_user;
    if (limit == 0) co_return ConnectionToken();  // unlimited: nothing to count
    std::vector<std::string> args{"EVAL", acquire_script, "1", count_key(scope, key),
                                  options_.prefix + "instance:", instance_, std::to_string(limit), key_ttl_text};
    auto reply = co_await client_.command(std::move(args));
    if (reply && reply->type == RedisReply::Type::integer) {
        if (degraded_.exchange(false))
            MLOG(info) << "connection limits (" << options_.name << "): counted in Redis again";
        if (reply->integer == 1) co_return make_token(scope, std::move(key));
        co_return std::nullopt;
    }
    if (!degraded_.exchange(true)) {
        MLOG(warn) << "connection limits (" << options_.name << "): Redis unavailable ("
                   << (reply ? std::string("unexpected reply") : reply.error().to_string())
                   << "); counting this instance's sessions only until it returns";
    }
    co_return fallback_.acquire(scope, std::move(key));
}

void RedisConnectionLimits::release(LimitScope scope, const std::string& key) noexcept {
    try {
        std::string hash = count_key(scope, key);
        std::shared_ptr<Pending> pending = pending_;
        client_.send({"EVAL", release_script, "1", hash, instance_, "1", key_ttl_text},
                     [pending, hash](const core::Result<RedisReply>& reply) {
                         if (!reply) pending->add(hash, 1);
                     });
    } catch (...) {
        // Out of memory: the place stays counted until the instance ends (its heartbeat key then goes).
    }
}

void RedisConnectionLimits::heartbeat() {
    const auto period = std::max(options_.instance_timeout / 3, std::chrono::milliseconds(100));
    const std::string ttl = ms_text(options_.instance_timeout);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        client_.send({"SET", instance_key(), "1", "PX", ttl});
        // Releases that failed: sent again, behind the heartbeat (so after Redis is seen to be back).
        for (auto& [hash, n] : pending_->take()) {
            std::shared_ptr<Pending> pending = pending_;
            client_.send({"EVAL", release_script, "1", hash, instance_, std::to_string(n), key_ttl_text},
                         [pending, hash = hash, n = n](const core::Result<RedisReply>& reply) {
                             if (!reply) pending->add(hash, n);
                         });
        }
        lock.lock();
        wake_.wait_for(lock, period, [this] { return stopping_; });
    }
}

}  // namespace mallard::auth
