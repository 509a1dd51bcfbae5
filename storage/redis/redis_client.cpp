// RedisClient: see redis_client.h.
#include "storage/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>

#include "core/log.h"
#include "core/reactor.h"

namespace mallard::storage::redis {

namespace {

constexpr std::chrono::milliseconds first_backoff{100};

timeval to_timeval(std::chrono::milliseconds span) {
    timeval tv{};
    tv.tv_sec = static_cast<decltype(tv.tv_sec)>(span.count() / 1000);
    tv.tv_usec = static_cast<decltype(tv.tv_usec)>((span.count() % 1000) * 1000);
    return tv;
}

RedisReply copy_reply(const redisReply& r) {
    RedisReply out;
    switch (r.type) {
        case REDIS_REPLY_INTEGER:
            out.type = RedisReply::Type::integer;
            out.integer = r.integer;
            break;
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
            out.type = r.type == REDIS_REPLY_STRING ? RedisReply::Type::string : RedisReply::Type::status;
            out.text.assign(r.str, r.len);
            break;
        case REDIS_REPLY_ARRAY:
            out.type = RedisReply::Type::array;
            out.elements.reserve(r.elements);
            for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy_reply(*r.element[i]));
            break;
        default:
            break;  // nil (errors are handled by the caller)
    }
    return out;
}

// Sends one command and reads its reply. A transport failure leaves ctx->err set (the context is then
// useless); a Redis error reply is returned as Errc::internal with the server's text.
core::Result<RedisReply> run(redisContext* ctx, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const std::string& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        ::redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (!reply) {
        return core::Error(core::Errc::unavailable,
                           std::string("redis: ") + (ctx->err ? ctx->errstr : "no reply"));
    }
    core::Result<RedisReply> out = reply->type == REDIS_REPLY_ERROR
                                       ? core::Result<RedisReply>(core::Error(
                                             core::Errc::internal, "redis: " + std::string(reply->str, reply->len)))
                                       : core::Result<RedisReply>(copy_reply(*reply));
    ::freeReplyObject(reply);
    return out;
}

}  // namespace

RedisClient::RedisClient(RedisClientOptions options)
    : options_(std::move(options)), pool_(std::make_unique<core::ThreadPool>(options_.threads)) {}

RedisClient::~RedisClient() {
    finish();  // runs what is queued (releases), each call bounded by the timeout
    for (redisContext* ctx : idle_) ::redisFree(ctx);
}

void RedisClient::finish() {
    std::unique_ptr<core::ThreadPool> pool;
    {
        std::lock_guard lock(pool_mutex_);
        pool = std::move(pool_);
    }
    pool.reset();
}

core::Task<core::Result<RedisReply>> RedisClient::command(std::vector<std::string> args) {
    core::ThreadPool* pool = nullptr;
    {
        std::lock_guard lock(pool_mutex_);
        pool = pool_.get();  // only finish() clears it, and only once no loop runs commands
    }
    if (!pool) co_return call(args);
    // The job built before the co_await, one co_await per statement (g++ 12 notes in STYLE.md).
    auto job = [this, args = std::move(args)] { return call(args); };
    auto reply = co_await pool->run(std::move(job));
    co_return reply;
}

void RedisClient::send(std::vector<std::string> args, std::function<void(const core::Result<RedisReply>&)> done) {
    auto job = [this, args = std::move(args), done = std::move(done)] {
        auto reply = call(args);
        if (done) done(reply);
    };
    {
        std::lock_guard lock(pool_mutex_);
        if (pool_) {
            pool_->submit(std::move(job));
            return;
        }
    }
    job();
}

core::Result<RedisReply> RedisClient::call(const std::vector<std::string>& args) {
    // A blocking call on a loop would stall every session on it for up to `timeout`.
    if (core::Reactor::current()) return core::Error(core::Errc::internal, "redis: blocking call on a loop");
    auto ctx = take_context();
    if (!ctx) return ctx.take_error();
    auto reply = run(*ctx, args);
    if ((*ctx)->err) {
        std::string why = (*ctx)->errstr;
        ::redisFree(*ctx);
        note_failure(why);
        return reply.ok() ? core::Error(core::Errc::unavailable, "redis: " + why) : reply;
    }
    give_back(*ctx);
    return reply;
}

core::Result<redisContext*> RedisClient::take_context() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            redisContext* ctx = idle_.back();
            idle_.pop_back();
            return ctx;
        }
        if (down_ && std::chrono::steady_clock::now() < retry_at_)
            return core::Error(core::Errc::unavailable, "redis: " + where() + " is unreachable (retrying later)");
    }
    return connect();
}

void RedisClient::give_back(redisContext* ctx) {
    std::lock_guard lock(mutex_);
    idle_.push_back(ctx);
}

core::Result<redisContext*> RedisClient::connect() {
    redisContext* ctx = ::redisConnectWithTimeout(options_.host.c_str(), options_.port, to_timeval(options_.timeout));
    std::string why;
    if (!ctx) why = "out of memory";
    else if (ctx->err) why = ctx->errstr;
    else if (::redisSetTimeout(ctx, to_timeval(options_.timeout)) != REDIS_OK) why = "cannot set the timeout";
    if (why.empty() && !options_.password.empty()) {
        auto auth = run(ctx, {"AUTH", options_.password});
        if (!auth) why = auth.error().detail;
    }
    if (why.empty() && options_.db != 0) {
        auto select = run(ctx, {"SELECT", std::to_string(options_.db)});
        if (!select) why = select.error().detail;
    }
    if (!why.empty()) {
        if (ctx) ::redisFree(ctx);
        note_failure(why);
        return core::Error(core::Errc::unavailable, "redis: " + where() + ": " + why);
    }
    note_success();
    return ctx;
}

void RedisClient::note_failure(const std::string& why) {
    std::lock_guard lock(mutex_);
    // Idle contexts opened before the failure are most likely dead too: drop them rather than fail on each.
    for (redisContext* ctx : idle_) ::redisFree(ctx);
    idle_.clear();
    backoff_ = down_ ? std::min(backoff_ * 2, std::max(options_.retry_max, first_backoff)) : first_backoff;
    retry_at_ = std::chrono::steady_clock::now() + backoff_;
    if (!down_) MLOG(warn) << "redis: commands cannot reach " << where() << " (" << why << "); retrying";
    down_ = true;
}

void RedisClient::note_success() {
    std::lock_guard lock(mutex_);
    if (down_) MLOG(info) << "redis: commands reach " << where() << " again";
    down_ = false;
    backoff_ = std::chrono::milliseconds(0);
}

}  // namespace mallard::storage::redis
