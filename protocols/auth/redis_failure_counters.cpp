// RedisFailureCounters: see redis_failure_counters.h.
#include "protocols/auth/redis_failure_counters.h"

#include <algorithm>

namespace mallard::auth {

using storage::redis::RedisReply;

// KEYS[1] the counter, ARGV[1] the window in ms. A count without a TTL (never made by us, but a key set by
// hand would otherwise block its login for ever) gets a fresh window.
const char* const RedisFailureCounters::add_script =
    "local n = redis.call('INCR', KEYS[1])\n"
    "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end\n"
    "local ttl = redis.call('PTTL', KEYS[1])\n"
    "if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end\n"
    "return {n, ttl}\n";

// KEYS[1] the counter. {0, 0} when there is none.
const char* const RedisFailureCounters::read_script =
    "local v = redis.call('GET', KEYS[1])\n"
    "if not v then return {0, 0} end\n"
    "return {tonumber(v) or 0, redis.call('PTTL', KEYS[1])}\n";

namespace {

// {count, ms left} into a FailureCount.
core::Result<storage::FailureCount> to_count(const core::Result<RedisReply>& reply) {
    if (!reply) return reply.error();
    if (reply->type != RedisReply::Type::array || reply->elements.size() != 2 ||
        reply->elements[0].type != RedisReply::Type::integer || reply->elements[1].type != RedisReply::Type::integer)
        return core::Error(core::Errc::internal, "redis: unexpected reply to a failure counter script");
    storage::FailureCount count;
    long long n = std::clamp<long long>(reply->elements[0].integer, 0, UINT32_MAX);
    count.count = static_cast<std::uint32_t>(n);
    long long left = std::max<long long>(reply->elements[1].integer, 0);
    count.reset_at = std::chrono::system_clock::now() + std::chrono::milliseconds(left);
    return count;
}

}  // namespace

core::Task<core::Result<storage::FailureCount>> RedisFailureCounters::read(std::string key) {
    std::vector<std::string> args{"EVAL", read_script, "1", redis_key(key)};
    auto reply = co_await client_.command(std::move(args));
    co_return to_count(reply);
}

core::Task<core::Result<storage::FailureCount>> RedisFailureCounters::add(std::string key, std::chrono::seconds window) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(window).count();
    std::vector<std::string> args{"EVAL", add_script, "1", redis_key(key), std::to_string(ms)};
    auto reply = co_await client_.command(std::move(args));
    co_return to_count(reply);
}

core::Task<core::Result<void>> RedisFailureCounters::clear(std::string key) {
    std::vector<std::string> args{"DEL", redis_key(key)};
    auto reply = co_await client_.command(std::move(args));
    if (!reply) co_return reply.error();
    co_return core::success();
}

}  // namespace mallard::auth
