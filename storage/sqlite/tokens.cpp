// HTTP API tokens on SQLite (storage/types.h ApiToken, migrations 5 and 7): one row per token, keyed by its hash.
// MongoDB, as WildDuck keeps them in Redis ("tn:token:<sha256>" with a TTL): an `api_tokens` collection keyed
// by the hash with a TTL index on `expires`, so the database removes expired tokens itself.
#include <chrono>

#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

namespace {

std::int64_t seconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

}  // namespace

Result<void> create_api_token(Db& db, const ApiToken& token) {
    auto uid = parse_id(token.user);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    {
        auto q = db.prepare("SELECT 1 FROM users WHERE id = ?1");
        q.bind(1, *uid);
        if (!q.step()) return Error(Errc::not_found, "no such user");
    }
    {
        auto q = db.prepare("SELECT 1 FROM api_tokens WHERE hash = ?1");
        q.bind(1, token.hash);
        if (q.step()) return Error(Errc::exists, "token exists");
    }
    db.prepare("INSERT INTO api_tokens (hash, user_id, scope, created, expires, needs_totp) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, token.hash)
        .bind(2, *uid)
        .bind(3, token.scope)
        .bind(4, seconds(token.created))
        .bind(5, seconds(token.expires))
        .bind(6, static_cast<std::int64_t>(token.needs_totp ? 1 : 0))
        .run();
    tx.commit();
    return core::success();
}

Result<ApiToken> find_api_token(Db& db, const std::string& hash, TimePoint now) {
    std::optional<ApiToken> found;
    {
        ReadTx tx(db);
        auto q = db.prepare("SELECT user_id, scope, created, expires, needs_totp FROM api_tokens WHERE hash = ?1");
        q.bind(1, hash);
        if (q.step())
            found = ApiToken{hash, render_id(q.i64(0)), q.text(1), TimePoint(std::chrono::seconds(q.i64(2))),
                             TimePoint(std::chrono::seconds(q.i64(3))), q.i64(4) != 0};
    }
    if (!found) return Error(Errc::not_found, "no such token");
    if (seconds(found->expires) > seconds(now)) return std::move(*found);
    // Expired: forget it, so the table holds only tokens that may still be used (and the ones never asked for).
    WriteTx tx(db);
    db.prepare("DELETE FROM api_tokens WHERE hash = ?1 AND expires <= ?2").bind(1, hash).bind(2, seconds(now)).run();
    tx.commit();
    return Error(Errc::not_found, "token expired");
}

Result<void> extend_api_token(Db& db, const std::string& hash, TimePoint expires) {
    WriteTx tx(db);
    db.prepare("UPDATE api_tokens SET expires = ?2 WHERE hash = ?1").bind(1, hash).bind(2, seconds(expires)).run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such token");
    tx.commit();
    return core::success();
}

Result<void> delete_api_token(Db& db, const std::string& hash) {
    WriteTx tx(db);
    db.prepare("DELETE FROM api_tokens WHERE hash = ?1").bind(1, hash).run();
    tx.commit();
    return core::success();
}

Result<void> confirm_api_token_totp(Db& db, const std::string& hash) {
    WriteTx tx(db);
    db.prepare("UPDATE api_tokens SET needs_totp = 0 WHERE hash = ?1").bind(1, hash).run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such token");
    tx.commit();
    return core::success();
}

Result<void> delete_user_api_tokens(Db& db, const UserId& user) {
    auto uid = parse_id(user);
    if (!uid) return core::success();
    WriteTx tx(db);
    db.prepare("DELETE FROM api_tokens WHERE user_id = ?1").bind(1, *uid).run();
    tx.commit();
    return core::success();
}

}  // namespace mallard::storage::sqlite
