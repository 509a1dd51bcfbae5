// Delivery filters on SQLite (storage/types.h, migration 4): one row per filter, read in id (creation) order.
// MongoDB, as WildDuck keeps them: a `filters` collection {user, name, query, action, disabled, created},
// found by {user, disabled: {$ne: true}} sorted by _id.
#include <chrono>

#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

namespace {

constexpr const char* filter_columns =
    "id, user_id, name, q_from, q_to, q_subject, q_list_id, q_text, q_has_attachment, q_size, "
    "a_seen, a_flag, a_delete, a_spam, a_mailbox, disabled, created";

std::optional<bool> tri_state(const Stmt& q, int column) {
    if (q.is_null(column)) return std::nullopt;
    return q.i64(column) != 0;
}

void bind_tri_state(Stmt& q, int index, std::optional<bool> value) {
    if (value) q.bind(index, std::int64_t{*value});
    else q.bind_null(index);
}

Filter filter_from_row(const Stmt& q) {
    Filter f;
    f.id = render_id(q.i64(0));
    f.user = render_id(q.i64(1));
    f.name = q.text(2);
    f.query.from = q.text(3);
    f.query.to = q.text(4);
    f.query.subject = q.text(5);
    f.query.list_id = q.text(6);
    f.query.text = q.text(7);
    f.query.has_attachment = tri_state(q, 8);
    f.query.size = q.i64(9);
    f.action.seen = tri_state(q, 10);
    f.action.flag = tri_state(q, 11);
    f.action.discard = tri_state(q, 12);
    f.action.spam = tri_state(q, 13);
    if (!q.is_null(14)) f.action.mailbox = render_id(q.i64(14));
    f.disabled = q.i64(15) != 0;
    f.created = TimePoint(std::chrono::seconds(q.i64(16)));
    return f;
}

// Binds ?3.. of the insert and update statements: name, query, action, disabled (mailbox already checked).
void bind_filter(Stmt& q, const NewFilter& f, std::optional<std::int64_t> mailbox) {
    q.bind(3, f.name).bind(4, f.query.from).bind(5, f.query.to).bind(6, f.query.subject);
    q.bind(7, f.query.list_id).bind(8, f.query.text);
    bind_tri_state(q, 9, f.query.has_attachment);
    q.bind(10, f.query.size);
    bind_tri_state(q, 11, f.action.seen);
    bind_tri_state(q, 12, f.action.flag);
    bind_tri_state(q, 13, f.action.discard);
    bind_tri_state(q, 14, f.action.spam);
    if (mailbox) q.bind(15, *mailbox);
    else q.bind_null(15);
    q.bind(16, std::int64_t{f.disabled});
}

bool user_exists(Db& db, std::int64_t user) {
    auto q = db.prepare("SELECT 1 FROM users WHERE id = ?1");
    q.bind(1, user);
    return q.step();
}

// The checks create and update share: field sizes, and an action mailbox that belongs to the user.
Result<std::optional<std::int64_t>> checked_mailbox(Db& db, std::int64_t user, const NewFilter& filter) {
    if (auto problem = filter_problem(filter); !problem.empty()) return Error(Errc::bad_input, problem);
    if (filter.action.mailbox.empty()) return std::optional<std::int64_t>{};
    auto box = parse_id(filter.action.mailbox);
    if (box) {
        auto q = db.prepare("SELECT 1 FROM mailboxes WHERE id = ?1 AND user_id = ?2");
        q.bind(1, *box).bind(2, user);
        if (q.step()) return std::optional<std::int64_t>{*box};
    }
    return Error(Errc::not_found, "no such mailbox for the filter's action");
}

Result<Filter> select_filter(Db& db, std::int64_t user, std::int64_t id) {
    static const std::string sql = std::string("SELECT ") + filter_columns +
                                   " FROM filters WHERE id = ?1 AND user_id = ?2";
    auto q = db.prepare(sql.c_str());
    q.bind(1, id).bind(2, user);
    if (!q.step()) return Error(Errc::not_found, "no such filter");
    return filter_from_row(q);
}

}  // namespace

Result<Filter> create_filter(Db& db, const UserId& user, const NewFilter& filter) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    if (!user_exists(db, *uid)) return Error(Errc::not_found, "no such user");
    auto mailbox = checked_mailbox(db, *uid, filter);
    if (!mailbox) return mailbox.take_error();
    {
        auto q = db.prepare("SELECT COUNT(*) FROM filters WHERE user_id = ?1");
        q.bind(1, *uid);
        if (q.step() && static_cast<std::size_t>(q.i64(0)) >= max_filters_per_user)
            return Error(Errc::quota, "the user has " + std::to_string(max_filters_per_user) + " filters already");
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto q = db.prepare(
        "INSERT INTO filters (user_id, created, name, q_from, q_to, q_subject, q_list_id, q_text, q_has_attachment, "
        "q_size, a_seen, a_flag, a_delete, a_spam, a_mailbox, disabled) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
    q.bind(1, *uid).bind(2, std::int64_t{now});
    bind_filter(q, filter, *mailbox);
    q.run();
    auto created = select_filter(db, *uid, db.last_insert_rowid());
    if (created) tx.commit();
    return created;
}

Result<std::vector<Filter>> list_filters(Db& db, const UserId& user) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    ReadTx tx(db);
    if (!user_exists(db, *uid)) return Error(Errc::not_found, "no such user");
    static const std::string sql = std::string("SELECT ") + filter_columns +
                                   " FROM filters WHERE user_id = ?1 ORDER BY id";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *uid);
    std::vector<Filter> out;
    while (q.step()) out.push_back(filter_from_row(q));
    return out;
}

Result<Filter> get_filter(Db& db, const UserId& user, const FilterId& id) {
    auto uid = parse_id(user);
    auto fid = parse_id(id);
    if (!uid || !fid) return Error(Errc::not_found, "no such filter");
    return select_filter(db, *uid, *fid);
}

Result<Filter> update_filter(Db& db, const UserId& user, const FilterId& id, const NewFilter& filter) {
    auto uid = parse_id(user);
    auto fid = parse_id(id);
    if (!uid || !fid) return Error(Errc::not_found, "no such filter");
    WriteTx tx(db);
    auto mailbox = checked_mailbox(db, *uid, filter);
    if (!mailbox) return mailbox.take_error();
    auto q = db.prepare(
        "UPDATE filters SET name = ?3, q_from = ?4, q_to = ?5, q_subject = ?6, q_list_id = ?7, q_text = ?8, "
        "q_has_attachment = ?9, q_size = ?10, a_seen = ?11, a_flag = ?12, a_delete = ?13, a_spam = ?14, "
        "a_mailbox = ?15, disabled = ?16 WHERE id = ?1 AND user_id = ?2");
    q.bind(1, *fid).bind(2, *uid);
    bind_filter(q, filter, *mailbox);
    q.run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such filter");
    auto updated = select_filter(db, *uid, *fid);
    if (updated) tx.commit();
    return updated;
}

Result<void> delete_filter(Db& db, const UserId& user, const FilterId& id) {
    auto uid = parse_id(user);
    auto fid = parse_id(id);
    if (!uid || !fid) return Error(Errc::not_found, "no such filter");
    WriteTx tx(db);
    db.prepare("DELETE FROM filters WHERE id = ?1 AND user_id = ?2").bind(1, *fid).bind(2, *uid).run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such filter");
    tx.commit();
    return core::success();
}

}  // namespace mallard::storage::sqlite
