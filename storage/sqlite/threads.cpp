// Threads on SQLite (storage/threading.h): `threads` holds each thread's base subject, `thread_refs` the
// message ids it has seen, per user. A message row carries its thread_id; copies keep it.
#include <algorithm>

#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

std::int64_t assign_thread(Db& db, std::int64_t user, const ThreadKeys& keys) {
    std::optional<std::int64_t> thread;
    for (const std::string& ref : keys.refs) {
        auto q = db.prepare(
            "SELECT t.id FROM thread_refs r JOIN threads t ON t.id = r.thread_id "
            "WHERE r.user_id = ?1 AND r.ref = ?2 AND t.subject = ?3 ORDER BY t.id LIMIT 1");
        q.bind(1, user).bind(2, ref).bind(3, keys.subject);
        if (q.step()) {
            thread = q.i64(0);
            break;
        }
    }
    if (!thread) {
        db.prepare("INSERT INTO threads (user_id, subject) VALUES (?1, ?2)").bind(1, user).bind(2, keys.subject).run();
        thread = db.last_insert_rowid();
    }
    for (const std::string& ref : keys.refs)
        db.prepare("INSERT OR IGNORE INTO thread_refs (user_id, ref, thread_id) VALUES (?1, ?2, ?3)")
            .bind(1, user)
            .bind(2, ref)
            .bind(3, *thread)
            .run();
    return *thread;
}

Result<std::vector<ThreadCount>> thread_counts(Db& db, const UserId& user, const std::vector<ThreadId>& threads) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    ReadTx tx(db);
    std::vector<ThreadCount> out;
    for (const ThreadId& id : threads) {
        auto thread = parse_id(id);
        if (!thread) continue;
        if (std::any_of(out.begin(), out.end(), [&](const ThreadCount& c) { return c.thread == id; })) continue;
        // The thread belongs to the user, so its messages are the user's: the index on thread_id counts them.
        auto q = db.prepare(
            "SELECT COUNT(*) FROM messages WHERE thread_id = ?1 AND EXISTS "
            "(SELECT 1 FROM threads WHERE id = ?1 AND user_id = ?2)");
        q.bind(1, *thread).bind(2, *uid);
        if (q.step() && q.i64(0) > 0) out.push_back(ThreadCount{id, static_cast<std::uint64_t>(q.i64(0))});
    }
    return out;
}

void delete_user_threads(Db& db, std::int64_t user) {
    db.prepare("DELETE FROM thread_refs WHERE user_id = ?1").bind(1, user).run();
    db.prepare("DELETE FROM threads WHERE user_id = ?1").bind(1, user).run();
}

}  // namespace mallard::storage::sqlite
