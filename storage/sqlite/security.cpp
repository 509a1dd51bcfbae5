// Account security on SQLite (storage/security_types.h, migration 6): app_passwords, the totp_* columns of
// users, auth_log and auth_failures. Times are epoch seconds.
// MongoDB, as WildDuck keeps them: `asps` {user, description, scopes, password, created, expires} (TTL index on
// expires), the TOTP seed on the user document, `authlog` with a TTL index on `expires`, and failure counters
// in Redis (or a `counters` collection with findOneAndUpdate upserts).
#include <algorithm>
#include <chrono>

#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

namespace {

constexpr const char* asp_columns = "id, user_id, description, scopes, password_hash, lookup, created, expires";
constexpr const char* event_columns =
    "id, user_id, created, action, result, protocol, remote, asp_id, user_agent, detail";

std::int64_t epoch(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint from_epoch(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }
std::int64_t now_epoch() { return epoch(std::chrono::system_clock::now()); }

std::string join_scopes(const std::vector<std::string>& scopes) {
    std::string out;
    for (const auto& s : scopes) {
        if (!out.empty()) out += ',';
        out += s;
    }
    return out;
}

std::vector<std::string> split_scopes(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

AppPassword asp_from_row(const Stmt& q) {
    AppPassword a;
    a.id = render_id(q.i64(0));
    a.user = render_id(q.i64(1));
    a.description = q.text(2);
    a.scopes = split_scopes(q.text(3));
    a.password_hash = q.text(4);
    a.lookup = q.text(5);
    a.created = from_epoch(q.i64(6));
    if (!q.is_null(7)) a.expires = from_epoch(q.i64(7));
    return a;
}

AuthEvent event_from_row(const Stmt& q) {
    AuthEvent e;
    e.id = render_id(q.i64(0));
    e.user = render_id(q.i64(1));
    e.created = from_epoch(q.i64(2));
    e.action = q.text(3);
    e.result = q.text(4);
    e.protocol = q.text(5);
    e.remote_address = q.text(6);
    e.asp = q.text(7);
    e.user_agent = q.text(8);
    e.detail = q.text(9);
    return e;
}

bool user_exists(Db& db, std::int64_t user) {
    auto q = db.prepare("SELECT 1 FROM users WHERE id = ?1");
    q.bind(1, user);
    return q.step();
}

Result<AppPassword> select_asp(Db& db, std::int64_t user, std::int64_t id) {
    static const std::string sql =
        std::string("SELECT ") + asp_columns + " FROM app_passwords WHERE id = ?1 AND user_id = ?2";
    auto q = db.prepare(sql.c_str());
    q.bind(1, id).bind(2, user);
    if (!q.step()) return Error(Errc::not_found, "no such application password");
    return asp_from_row(q);
}

}  // namespace

Result<AppPassword> create_app_password(Db& db, const UserId& user, const NewAppPassword& asp) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    if (!user_exists(db, *uid)) return Error(Errc::not_found, "no such user");
    auto q = db.prepare(
        "INSERT INTO app_passwords (user_id, description, scopes, password_hash, lookup, created, expires) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    q.bind(1, *uid).bind(2, asp.description).bind(3, join_scopes(asp.scopes)).bind(4, asp.password_hash);
    q.bind(5, asp.lookup).bind(6, now_epoch());
    if (asp.expires) q.bind(7, epoch(*asp.expires));
    else q.bind_null(7);
    q.run();
    auto created = select_asp(db, *uid, db.last_insert_rowid());
    if (created) tx.commit();
    return created;
}

Result<std::vector<AppPassword>> list_app_passwords(Db& db, const UserId& user) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    if (!user_exists(db, *uid)) return Error(Errc::not_found, "no such user");
    static const std::string sql =
        std::string("SELECT ") + asp_columns + " FROM app_passwords WHERE user_id = ?1 ORDER BY id";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *uid);
    std::vector<AppPassword> out;
    while (q.step()) out.push_back(asp_from_row(q));
    return out;
}

Result<AppPassword> get_app_password(Db& db, const UserId& user, const AppPasswordId& id) {
    auto uid = parse_id(user);
    auto aid = parse_id(id);
    if (!uid || !aid) return Error(Errc::not_found, "no such application password");
    return select_asp(db, *uid, *aid);
}

Result<void> delete_app_password(Db& db, const UserId& user, const AppPasswordId& id) {
    auto uid = parse_id(user);
    auto aid = parse_id(id);
    if (!uid || !aid) return Error(Errc::not_found, "no such application password");
    WriteTx tx(db);
    db.prepare("DELETE FROM app_passwords WHERE id = ?1 AND user_id = ?2").bind(1, *aid).bind(2, *uid).run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such application password");
    tx.commit();
    return core::success();
}

Result<std::vector<AppPassword>> find_app_passwords(Db& db, const UserId& user, const std::string& lookup) {
    auto uid = parse_id(user);
    if (!uid) return std::vector<AppPassword>{};
    static const std::string sql = std::string("SELECT ") + asp_columns +
                                   " FROM app_passwords WHERE user_id = ?1 AND lookup = ?2"
                                   " AND (expires IS NULL OR expires > ?3) ORDER BY id";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *uid).bind(2, lookup).bind(3, now_epoch());
    std::vector<AppPassword> out;
    while (q.step()) out.push_back(asp_from_row(q));
    return out;
}

Result<TotpState> get_totp(Db& db, const UserId& user) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    auto q = db.prepare("SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?1");
    q.bind(1, *uid);
    if (!q.step()) return Error(Errc::not_found, "no such user");
    return TotpState{q.text(0), q.i64(1) != 0, q.i64(2)};
}

Result<void> set_totp(Db& db, const UserId& user, const TotpState& state) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    auto q = db.prepare("UPDATE users SET totp_secret = ?2, totp_enabled = ?3, totp_last_step = ?4 WHERE id = ?1");
    q.bind(1, *uid).bind(2, state.secret).bind(3, std::int64_t{state.enabled}).bind(4, state.last_step).run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such user");
    tx.commit();
    return core::success();
}

Result<bool> claim_totp_step(Db& db, const UserId& user, std::int64_t step) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    db.prepare("UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2")
        .bind(1, *uid)
        .bind(2, step)
        .run();
    const bool claimed = db.changes() == 1;
    tx.commit();
    return claimed;
}

Result<AuthEvent> record_auth_event(Db& db, const AuthEvent& event, std::chrono::seconds keep) {
    auto uid = parse_id(event.user);
    if (!uid) return Error(Errc::not_found, "no such user");
    const std::int64_t now = now_epoch();
    WriteTx tx(db);
    db.prepare("DELETE FROM auth_log WHERE user_id = ?1 AND created < ?2").bind(1, *uid).bind(2, now - keep.count()).run();
    auto q = db.prepare(
        "INSERT INTO auth_log (user_id, created, action, result, protocol, remote, asp_id, user_agent, detail) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    q.bind(1, *uid).bind(2, now).bind(3, event.action).bind(4, event.result).bind(5, event.protocol);
    q.bind(6, event.remote_address).bind(7, event.asp).bind(8, event.user_agent).bind(9, event.detail);
    q.run();
    AuthEvent stored = event;
    stored.id = render_id(db.last_insert_rowid());
    stored.created = from_epoch(now);
    tx.commit();
    return stored;
}

Result<std::vector<AuthEvent>> list_auth_events(Db& db, const UserId& user, std::size_t limit) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    if (!user_exists(db, *uid)) return Error(Errc::not_found, "no such user");
    static const std::string sql =
        std::string("SELECT ") + event_columns + " FROM auth_log WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *uid).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 20)));
    std::vector<AuthEvent> out;
    while (q.step()) out.push_back(event_from_row(q));
    return out;
}

Result<AuthEvent> get_auth_event(Db& db, const UserId& user, const AuthEventId& id) {
    auto uid = parse_id(user);
    auto eid = parse_id(id);
    if (!uid || !eid) return Error(Errc::not_found, "no such event");
    static const std::string sql =
        std::string("SELECT ") + event_columns + " FROM auth_log WHERE id = ?1 AND user_id = ?2";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *eid).bind(2, *uid);
    if (!q.step()) return Error(Errc::not_found, "no such event");
    return event_from_row(q);
}

Result<FailureCount> add_auth_failure(Db& db, const std::string& key, std::chrono::seconds window) {
    const std::int64_t now = now_epoch();
    WriteTx tx(db);
    // A passed window starts again at one; a running one counts on.
    auto q = db.prepare(
        "INSERT INTO auth_failures (key, count, reset_at) VALUES (?1, 1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET "
        "count = CASE WHEN reset_at <= ?3 THEN 1 ELSE count + 1 END, "
        "reset_at = CASE WHEN reset_at <= ?3 THEN ?2 ELSE reset_at END "
        "RETURNING count, reset_at");
    q.bind(1, key).bind(2, now + window.count()).bind(3, now);
    FailureCount out;
    if (q.step()) out = {static_cast<std::uint32_t>(q.i64(0)), from_epoch(q.i64(1))};
    q.run();
    // Expired windows of other keys go now and then, so the table holds only keys that failed lately.
    if (out.count == 1) db.prepare("DELETE FROM auth_failures WHERE reset_at <= ?1").bind(1, now).run();
    tx.commit();
    return out;
}

Result<FailureCount> read_auth_failures(Db& db, const std::string& key) {
    auto q = db.prepare("SELECT count, reset_at FROM auth_failures WHERE key = ?1 AND reset_at > ?2");
    q.bind(1, key).bind(2, now_epoch());
    if (!q.step()) return FailureCount{};
    return FailureCount{static_cast<std::uint32_t>(q.i64(0)), from_epoch(q.i64(1))};
}

Result<void> clear_auth_failures(Db& db, const std::string& key) {
    WriteTx tx(db);
    db.prepare("DELETE FROM auth_failures WHERE key = ?1").bind(1, key).run();
    tx.commit();
    return core::success();
}

void delete_user_security(Db& db, std::int64_t user) {
    db.prepare("DELETE FROM app_passwords WHERE user_id = ?1").bind(1, user).run();
    db.prepare("DELETE FROM auth_log WHERE user_id = ?1").bind(1, user).run();
}

}  // namespace mallard::storage::sqlite
