// RedisClient: request/response commands to Redis (counters, limits), as opposed to the pub/sub of
// notify/redis_bus.h. Synchronous hiredis contexts with a connect and command timeout, run only on the
// client's own small core::ThreadPool and awaited from a loop like a store call:
//   auto reply = co_await client.command({"INCR", key});
//
// Why blocking contexts on a pool rather than hiredis's async API on a loop: these are a few commands per
// login or session, each answered in well under a millisecond, and a blocking context gives what the async
// API lacks (DEPENDENCIES.md): timeouts on connect and on every command, and no callback that may free its
// context. Why a pool of its own rather than the store's: a Redis outage then costs at most a Redis
// thread per call for `timeout`, never a thread the store's queries wait for, and the client's queued jobs
// (fire-and-forget releases) finish before the client goes away whatever else is torn down.
//
// Contexts are kept in a free list under a mutex and made on demand, so there are never more than the
// threads that use them. A context that fails (I/O error, timeout, a closed connection) is freed, never
// reused: the next call connects afresh. After a failed connection every call fails at once (Errc::
// unavailable) for a back-off that doubles from 100 ms up to `retry_max`, so that an unreachable server
// costs the callers nothing while it is down; one warning is logged when Redis goes away, one line when
// it is back.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/task.h"
#include "core/thread_pool.h"

struct redisContext;

namespace mallard::storage::redis {

// One reply, copied out of hiredis's. Redis error replies are not replies here but errors (Errc::internal
// with the server's text).
struct RedisReply {
    enum class Type { nil, integer, string, status, array };
    Type type = Type::nil;
    long long integer = 0;
    std::string text;                  // string and status
    std::vector<RedisReply> elements;  // array
};

struct RedisClientOptions {
    std::string host = "127.0.0.1";    // an IP address (the caller checks: a name would be resolved blocking)
    std::uint16_t port = 6379;
    unsigned db = 0;
    std::string password;              // empty: no AUTH
    std::chrono::milliseconds timeout{2000};    // connecting, and each command's reply
    std::chrono::milliseconds retry_max{5000};  // longest fail-fast span after a failed connection
    unsigned threads = 4;              // the client's own pool: mostly waiting on the network
};

class RedisClient {
public:
    explicit RedisClient(RedisClientOptions options);
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;
    // Finishes the queued commands (each bounded by the timeout), then closes every connection.
    ~RedisClient();

    // Runs one command on the client's pool and resumes on the awaiting loop.
    core::Task<core::Result<RedisReply>> command(std::vector<std::string> args);
    // Queues one command without waiting; `done`, if any, is called with the outcome on a pool thread.
    void send(std::vector<std::string> args, std::function<void(const core::Result<RedisReply>&)> done = {});
    // The blocking call under both: never on a reactor loop.
    core::Result<RedisReply> call(const std::vector<std::string>& args);

    // For shutdown, once the loops have stopped and before they are destroyed: runs every queued command
    // (whose coroutines resume by posting to their loop) and joins the pool. Commands sent later (the
    // releases of sessions destroyed with the engine) run on the sending thread.
    void finish();

    const RedisClientOptions& options() const { return options_; }
    std::string where() const { return options_.host + ":" + std::to_string(options_.port); }

private:
    core::Result<redisContext*> take_context();
    void give_back(redisContext* ctx);
    core::Result<redisContext*> connect();
    void note_failure(const std::string& why);
    void note_success();

    const RedisClientOptions options_;
    std::mutex mutex_;
    std::vector<redisContext*> idle_;
    bool down_ = false;                                  // logged as down, not yet back
    std::chrono::steady_clock::time_point retry_at_{};  // while down: fail fast until then
    std::chrono::milliseconds backoff_{0};
    std::mutex pool_mutex_;
    std::unique_ptr<core::ThreadPool> pool_;             // joined first, in ~RedisClient or finish()
};

}  // namespace mallard::storage::redis
