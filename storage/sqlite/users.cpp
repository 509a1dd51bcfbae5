// Users and addresses on SQLite.
#include <charconv>
#include <chrono>

#include "storage/address_normalize.h"
#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

std::optional<std::int64_t> parse_id(const std::string& id) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
    if (ec != std::errc() || end != id.data() + id.size() || value <= 0) return std::nullopt;
    return value;
}

std::string render_id(std::int64_t id) { return std::to_string(id); }

const char* const user_columns =
    "SELECT u.id, u.username, u.password_hash, u.quota_limit, u.quota_used, u.disabled, "
    "COALESCE((SELECT address FROM addresses a WHERE a.user_id = u.id AND a.is_primary = 1), '') FROM users u ";

User read_user(const Stmt& q) {
    User u;
    u.id = render_id(q.i64(0));
    u.username = q.text(1);
    u.password_hash = q.text(2);
    u.quota_limit_bytes = static_cast<std::uint64_t>(q.i64(3));
    u.quota_used_bytes = static_cast<std::uint64_t>(q.i64(4));
    u.disabled = q.i64(5) != 0;
    u.primary_address = q.text(6);
    return u;
}

namespace {

Result<User> load_user(Db& db, std::int64_t id) {
    static const std::string sql = std::string(user_columns) + "WHERE u.id = ?1";
    auto q = db.prepare(sql.c_str());
    q.bind(1, id);
    if (!q.step()) return Error(Errc::not_found, "no such user");
    return read_user(q);
}

bool user_exists(Db& db, std::int64_t id) {
    auto q = db.prepare("SELECT 1 FROM users WHERE id = ?1");
    q.bind(1, id);
    return q.step();
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Inside a write transaction. The address is kept as WildDuck's normalizeAddress keeps it (Unicode domain),
// so both IDN forms of it read back the same.
Result<Address> insert_address(Db& db, std::int64_t user, const std::string& address, bool make_primary) {
    auto normalized = normalize_address(address);
    if (!normalized) return normalized.take_error();
    if (!normalized->label.empty()) return Error(Errc::bad_input, "an address can't carry a +label");
    const std::string key = normalized->key();
    {
        auto q = db.prepare("SELECT 1 FROM addresses WHERE lookup = ?1");
        q.bind(1, key);
        if (q.step()) return Error(Errc::exists, "address already in use: " + address);
    }
    if (make_primary) db.prepare("UPDATE addresses SET is_primary = 0 WHERE user_id = ?1").bind(1, user).run();
    const std::int64_t created = now_seconds();
    db.prepare("INSERT INTO addresses (user_id, address, lookup, is_primary, created) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(1, user)
        .bind(2, normalized->display)
        .bind(3, key)
        .bind(4, std::int64_t{make_primary})
        .bind(5, created)
        .run();
    return Address{normalized->display, render_id(user), make_primary, render_id(db.last_insert_rowid()),
                   TimePoint(std::chrono::seconds(created))};
}

Result<void> update_user(Db& db, const UserId& id, const char* sql, std::int64_t value,
                         const std::string* text = nullptr) {
    auto uid = parse_id(id);
    if (!uid) return Error(Errc::not_found, "no such user");
    auto q = db.prepare(sql);
    q.bind(1, *uid);
    if (text) q.bind(2, *text);
    else q.bind(2, value);
    q.run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such user");
    return core::success();
}

}  // namespace

Result<User> create_user(Db& db, const NewUser& user) {
    if (user.username.empty()) return Error(Errc::bad_input, "empty username");
    WriteTx tx(db);
    {
        auto q = db.prepare("SELECT 1 FROM users WHERE username = ?1");
        q.bind(1, user.username);
        if (q.step()) return Error(Errc::exists, "user exists: " + user.username);
    }
    db.prepare("INSERT INTO users (username, password_hash, quota_limit) VALUES (?1, ?2, ?3)")
        .bind(1, user.username)
        .bind(2, user.password_hash)
        .bind(3, static_cast<std::int64_t>(user.quota_limit_bytes))
        .run();
    const std::int64_t id = db.last_insert_rowid();
    if (!user.primary_address.empty()) {
        auto address = insert_address(db, id, user.primary_address, true);
        if (!address) return address.take_error();
    }
    for (const auto& box : default_mailboxes) {
        auto created = insert_mailbox(db, id, std::string(box.name), box.special_use);
        if (!created) return created.take_error();
    }
    tx.commit();
    return load_user(db, id);
}

Result<User> find_user(Db& db, const UserId& id) {
    auto uid = parse_id(id);
    if (!uid) return Error(Errc::not_found, "no such user");
    return load_user(db, *uid);
}

Result<User> find_user_by_login(Db& db, const std::string& login) {
    {
        static const std::string sql = std::string(user_columns) + "WHERE u.username = ?1";
        auto q = db.prepare(sql.c_str());
        q.bind(1, login);
        if (q.step()) return read_user(q);
    }
    if (login.find('@') == std::string::npos) return Error(Errc::not_found, "no such user");
    auto resolved = resolve_address(db, login);
    if (!resolved) return resolved.take_error();
    return find_user(db, resolved->user);
}

Result<std::vector<User>> list_users(Db& db) {
    static const std::string sql = std::string(user_columns) + "ORDER BY u.username";
    auto q = db.prepare(sql.c_str());
    std::vector<User> users;
    while (q.step()) users.push_back(read_user(q));
    return users;
}

Result<void> set_password_hash(Db& db, const UserId& id, const std::string& hash) {
    return update_user(db, id, "UPDATE users SET password_hash = ?2 WHERE id = ?1", 0, &hash);
}

Result<void> set_quota_limit(Db& db, const UserId& id, std::uint64_t limit) {
    return update_user(db, id, "UPDATE users SET quota_limit = ?2 WHERE id = ?1", static_cast<std::int64_t>(limit));
}

Result<void> set_disabled(Db& db, const UserId& id, bool disabled) {
    return update_user(db, id, "UPDATE users SET disabled = ?2 WHERE id = ?1", std::int64_t{disabled});
}

namespace {

// One user's counter set to the sum of its messages' sizes, inside the caller's write transaction: nothing
// can append or expunge between the SUM and the SET.
Result<QuotaRecount> recount(Db& db, std::int64_t user) {
    QuotaRecount r;
    {
        auto q = db.prepare("SELECT quota_used FROM users WHERE id = ?1");
        q.bind(1, user);
        if (!q.step()) return Error(Errc::not_found, "no such user");
        r.previous = static_cast<std::uint64_t>(q.i64(0));
    }
    auto q = db.prepare(
        "UPDATE users SET quota_used = (SELECT COALESCE(SUM(m.size), 0) FROM messages m "
        "JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.user_id = ?1) WHERE id = ?1 RETURNING quota_used");
    q.bind(1, user);
    if (!q.step()) return Error(Errc::not_found, "no such user");
    r.current = static_cast<std::uint64_t>(q.i64(0));
    q.run();
    return r;
}

}  // namespace

Result<QuotaRecount> recalculate_quota(Db& db, const UserId& id) {
    auto uid = parse_id(id);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    auto r = recount(db, *uid);
    if (!r) return r;
    tx.commit();
    return r;
}

Result<std::uint64_t> recalculate_all_quotas(Db& db) {
    std::vector<std::int64_t> users;
    {
        auto q = db.prepare("SELECT id FROM users");
        while (q.step()) users.push_back(q.i64(0));
    }
    // One short write per user rather than one long one: deliveries to other users wait for one user's sum.
    std::uint64_t done = 0;
    for (std::int64_t user : users) {
        WriteTx tx(db);
        if (!recount(db, user)) continue;  // deleted meanwhile
        tx.commit();
        ++done;
    }
    return done;
}

Result<void> delete_user(Db& db, const UserId& id) {
    auto uid = parse_id(id);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    if (!user_exists(db, *uid)) return Error(Errc::not_found, "no such user");
    std::vector<std::int64_t> boxes;
    {
        auto q = db.prepare("SELECT id FROM mailboxes WHERE user_id = ?1");
        q.bind(1, *uid);
        while (q.step()) boxes.push_back(q.i64(0));
    }
    for (auto box : boxes) {
        release_mailbox_messages(db, box);
        db.prepare("DELETE FROM journal WHERE mailbox_id = ?1").bind(1, box).run();
    }
    db.prepare("DELETE FROM mailboxes WHERE user_id = ?1").bind(1, *uid).run();
    db.prepare("DELETE FROM addresses WHERE user_id = ?1").bind(1, *uid).run();
    delete_user_threads(db, *uid);
    db.prepare("DELETE FROM filters WHERE user_id = ?1").bind(1, *uid).run();
    db.prepare("DELETE FROM api_tokens WHERE user_id = ?1").bind(1, *uid).run();
    delete_user_security(db, *uid);
    db.prepare("DELETE FROM users WHERE id = ?1").bind(1, *uid).run();
    tx.commit();
    return core::success();
}

Result<Address> add_address(Db& db, const UserId& user, const std::string& address, bool make_primary) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    if (!user_exists(db, *uid)) return Error(Errc::not_found, "no such user");
    auto added = insert_address(db, *uid, address, make_primary);
    if (!added) return added;
    tx.commit();
    return added;
}

Result<void> remove_address(Db& db, const UserId& user, const std::string& address) {
    auto uid = parse_id(user);
    auto normalized = normalize_address(address);
    if (!normalized) return normalized.take_error();
    if (!uid) return Error(Errc::not_found, "no such user");
    db.prepare("DELETE FROM addresses WHERE user_id = ?1 AND lookup = ?2").bind(1, *uid).bind(2, normalized->key()).run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such address: " + address);
    return core::success();
}

Address read_address(const Stmt& q) {
    return Address{q.text(0), render_id(q.i64(1)), q.i64(2) != 0, render_id(q.i64(3)),
                   TimePoint(std::chrono::seconds(q.i64(4)))};
}

Result<std::vector<Address>> list_addresses(Db& db, const UserId& user) {
    auto uid = parse_id(user);
    if (!uid || !user_exists(db, *uid)) return Error(Errc::not_found, "no such user");
    static const std::string sql = std::string("SELECT ") + address_columns +
                                   " FROM addresses WHERE user_id = ?1 ORDER BY is_primary DESC, lookup";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *uid);
    std::vector<Address> out;
    while (q.step()) out.push_back(read_address(q));
    return out;
}

Result<Address> get_address(Db& db, const AddressId& id) {
    auto key = parse_id(id);
    if (!key) return Error(Errc::not_found, "no such address");
    static const std::string sql = std::string("SELECT ") + address_columns + " FROM addresses WHERE id = ?1";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *key);
    if (!q.step()) return Error(Errc::not_found, "no such address");
    return read_address(q);
}

Result<Address> update_address(Db& db, const UserId& user, const AddressId& id,
                               const std::optional<std::string>& address, bool make_primary) {
    auto uid = parse_id(user);
    auto key = parse_id(id);
    if (!uid || !key) return Error(Errc::not_found, "no such address");
    WriteTx tx(db);
    {
        auto q = db.prepare("SELECT 1 FROM addresses WHERE id = ?1 AND user_id = ?2");
        q.bind(1, *key).bind(2, *uid);
        if (!q.step()) return Error(Errc::not_found, "no such address");
    }
    if (address) {
        auto normalized = normalize_address(*address);
        if (!normalized) return normalized.take_error();
        if (!normalized->label.empty()) return Error(Errc::bad_input, "an address can't carry a +label");
        auto q = db.prepare("SELECT 1 FROM addresses WHERE lookup = ?1 AND id <> ?2");
        q.bind(1, normalized->key()).bind(2, *key);
        if (q.step()) return Error(Errc::exists, "address already in use: " + *address);
        db.prepare("UPDATE addresses SET address = ?2, lookup = ?3 WHERE id = ?1")
            .bind(1, *key)
            .bind(2, normalized->display)
            .bind(3, normalized->key())
            .run();
    }
    if (make_primary) {
        db.prepare("UPDATE addresses SET is_primary = 0 WHERE user_id = ?1").bind(1, *uid).run();
        db.prepare("UPDATE addresses SET is_primary = 1 WHERE id = ?1").bind(1, *key).run();
    }
    auto updated = get_address(db, id);
    if (!updated) return updated;
    tx.commit();
    return updated;
}

Result<ResolvedAddress> resolve_address(Db& db, const std::string& address) {
    auto normalized = normalize_address(address);
    if (!normalized) return normalized.take_error();
    auto q = db.prepare("SELECT user_id, address, id FROM addresses WHERE lookup = ?1");
    q.bind(1, normalized->key());
    if (!q.step()) return Error(Errc::not_found, "no such address: " + address);
    return ResolvedAddress{render_id(q.i64(0)), q.text(1), normalized->label, render_id(q.i64(2))};
}

}  // namespace mallard::storage::sqlite
