// Mailboxes on SQLite: create with special-use, rename (with children), delete, subscribe, list; and the
// UIDNEXT/MODSEQ counters every message change allocates from.
#include <algorithm>

#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

namespace {

constexpr const char* mailbox_columns =
    "SELECT id, user_id, name, special_use, subscribed, uidvalidity, uidnext, modseq FROM mailboxes ";

Mailbox read_mailbox(const Stmt& q) {
    Mailbox m;
    m.id = render_id(q.i64(0));
    m.user = render_id(q.i64(1));
    m.name = q.text(2);
    m.special_use = static_cast<SpecialUse>(q.i64(3));
    m.subscribed = q.i64(4) != 0;
    m.uidvalidity = static_cast<std::uint32_t>(q.i64(5));
    m.uidnext = static_cast<Uid>(q.i64(6));
    m.highest_modseq = static_cast<ModSeq>(q.i64(7));
    return m;
}

Result<Mailbox> load_mailbox(Db& db, std::int64_t id) {
    static const std::string sql = std::string(mailbox_columns) + "WHERE id = ?1";
    auto q = db.prepare(sql.c_str());
    q.bind(1, id);
    if (!q.step()) return Error(Errc::not_found, "no such mailbox");
    return read_mailbox(q);
}

bool is_inbox(const std::string& name) {
    return name.size() == 5 && std::equal(name.begin(), name.end(), "INBOX", [](char a, char b) {
               return (a >= 'a' && a <= 'z' ? a - 32 : a) == b;
           });
}

// "inbox" in any case is INBOX (RFC 3501 §5.1); so is "inbox/x" → "INBOX/x".
std::string canonical_name(const std::string& name) {
    if (is_inbox(name)) return "INBOX";
    if (name.size() > 5 && name[5] == mailbox_delimiter && is_inbox(name.substr(0, 5))) return "INBOX" + name.substr(5);
    return name;
}

bool valid_name(const std::string& name) {
    if (name.empty() || name.front() == mailbox_delimiter || name.back() == mailbox_delimiter) return false;
    if (name.find("//") != std::string::npos) return false;
    return std::none_of(name.begin(), name.end(), [](char c) { return c == '\0' || c == '\r' || c == '\n'; });
}

bool name_taken(Db& db, std::int64_t user, const std::string& name) {
    auto q = db.prepare("SELECT 1 FROM mailboxes WHERE user_id = ?1 AND name = ?2");
    q.bind(1, user).bind(2, name);
    return q.step();
}

}  // namespace

Result<Allocation> allocate(Db& db, std::int64_t box, std::uint32_t uids, std::uint32_t modseqs) {
    auto q = db.prepare(
        "UPDATE mailboxes SET uidnext = uidnext + ?2, modseq = modseq + ?3 WHERE id = ?1 "
        "RETURNING uidnext - ?2, modseq - ?3 + 1, uidvalidity, user_id");
    q.bind(1, box).bind(2, std::int64_t{uids}).bind(3, std::int64_t{modseqs});
    if (!q.step()) return Error(Errc::not_found, "no such mailbox");
    Allocation a;
    const std::int64_t first_uid = q.i64(0);
    if (first_uid + uids > std::int64_t{UidRange::max_uid})
        return Error(Errc::too_big, "UID space exhausted: the mailbox needs a new UIDVALIDITY");
    a.first_uid = static_cast<Uid>(first_uid);
    a.first_modseq = static_cast<ModSeq>(q.i64(1));
    a.uidvalidity = static_cast<std::uint32_t>(q.i64(2));
    a.user = q.i64(3);
    q.run();
    return a;
}

Result<std::int64_t> insert_mailbox(Db& db, std::int64_t user, const std::string& given, SpecialUse use) {
    const std::string name = canonical_name(given);
    if (!valid_name(name)) return Error(Errc::bad_input, "invalid mailbox name: " + given);
    if (name_taken(db, user, name)) return Error(Errc::exists, "mailbox exists: " + name);
    std::int64_t uidvalidity = 0;
    {
        // Never below the clock (so a new database doesn't repeat old values), never repeated for this user.
        auto q = db.prepare(
            "UPDATE users SET next_uidvalidity = MAX(next_uidvalidity + 1, CAST(strftime('%s', 'now') AS INTEGER)) "
            "WHERE id = ?1 RETURNING next_uidvalidity");
        q.bind(1, user);
        if (!q.step()) return Error(Errc::not_found, "no such user");
        uidvalidity = q.i64(0) & 0xffffffff;
        q.run();
    }
    db.prepare("INSERT INTO mailboxes (user_id, name, special_use, uidvalidity) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, user)
        .bind(2, name)
        .bind(3, static_cast<std::int64_t>(use))
        .bind(4, uidvalidity)
        .run();
    return db.last_insert_rowid();
}

Result<Mailbox> create_mailbox(Db& db, const UserId& user, const std::string& name, SpecialUse use) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    WriteTx tx(db);
    auto id = insert_mailbox(db, *uid, name, use);
    if (!id) return id.take_error();
    tx.commit();
    return load_mailbox(db, *id);
}

Result<Mailbox> find_mailbox(Db& db, const UserId& user, const std::string& name) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such mailbox");
    static const std::string sql = std::string(mailbox_columns) + "WHERE user_id = ?1 AND name = ?2";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *uid).bind(2, canonical_name(name));
    if (!q.step()) return Error(Errc::not_found, "no such mailbox: " + name);
    return read_mailbox(q);
}

Result<Mailbox> get_mailbox(Db& db, const MailboxId& id) {
    auto box = parse_id(id);
    if (!box) return Error(Errc::not_found, "no such mailbox");
    return load_mailbox(db, *box);
}

Result<std::vector<Mailbox>> list_mailboxes(Db& db, const UserId& user) {
    auto uid = parse_id(user);
    if (!uid) return Error(Errc::not_found, "no such user");
    static const std::string sql = std::string(mailbox_columns) + "WHERE user_id = ?1 ORDER BY name";
    auto q = db.prepare(sql.c_str());
    q.bind(1, *uid);
    std::vector<Mailbox> out;
    while (q.step()) out.push_back(read_mailbox(q));
    return out;
}

Result<Mailbox> rename_mailbox(Db& db, const MailboxId& id, const std::string& given) {
    auto box = parse_id(id);
    if (!box) return Error(Errc::not_found, "no such mailbox");
    const std::string new_name = canonical_name(given);
    if (!valid_name(new_name)) return Error(Errc::bad_input, "invalid mailbox name: " + given);
    WriteTx tx(db);
    auto current = load_mailbox(db, *box);
    if (!current) return current;
    if (current->name == "INBOX") return Error(Errc::permission, "INBOX can't be renamed");
    if (is_inbox(new_name.substr(0, 5)) && (new_name.size() == 5 || new_name[5] == mailbox_delimiter))
        return Error(Errc::permission, "can't rename into INBOX");
    const std::int64_t user = *parse_id(current->user);
    if (name_taken(db, user, new_name)) return Error(Errc::exists, "mailbox exists: " + new_name);

    // The mailbox and its children: "old" and "old/…".
    struct Renamed {
        std::int64_t id;
        std::string name;
    };
    std::vector<Renamed> renames;
    {
        auto q = db.prepare(
            "SELECT id, name FROM mailboxes WHERE user_id = ?1 AND (name = ?2 OR substr(name, 1, length(?2) + 1) = ?2 || '/')");
        q.bind(1, user).bind(2, current->name);
        while (q.step()) renames.push_back({q.i64(0), new_name + q.text(1).substr(current->name.size())});
    }
    for (const auto& r : renames) {
        if (r.id != *box && name_taken(db, user, r.name)) return Error(Errc::exists, "mailbox exists: " + r.name);
    }
    for (const auto& r : renames) {
        db.prepare("UPDATE mailboxes SET name = ?2 WHERE id = ?1").bind(1, r.id).bind(2, r.name).run();
        auto a = allocate(db, r.id, 0, 1);
        if (!a) return a.take_error();
        append_journal(db, r.id, a->first_modseq, JournalKind::rename, 0, r.name);
    }
    tx.commit();
    return load_mailbox(db, *box);
}

void release_mailbox_messages(Db& db, std::int64_t box) {
    // Quota first, while the rows still say how much they weigh.
    db.prepare(
          "UPDATE users SET quota_used = MAX(0, quota_used - "
          "(SELECT COALESCE(SUM(size), 0) FROM messages WHERE mailbox_id = ?1)) "
          "WHERE id = (SELECT user_id FROM mailboxes WHERE id = ?1)")
        .bind(1, box)
        .run();
    db.prepare(
          "UPDATE bodies SET refs = refs - (SELECT COUNT(*) FROM messages m WHERE m.mailbox_id = ?1 AND m.body_id = bodies.id) "
          "WHERE id IN (SELECT body_id FROM messages WHERE mailbox_id = ?1)")
        .bind(1, box)
        .run();
    db.prepare("DELETE FROM messages WHERE mailbox_id = ?1").bind(1, box).run();
    collect_unreferenced_bodies(db);
}

Result<void> delete_mailbox(Db& db, const MailboxId& id) {
    auto box = parse_id(id);
    if (!box) return Error(Errc::not_found, "no such mailbox");
    WriteTx tx(db);
    auto current = load_mailbox(db, *box);
    if (!current) return current.take_error();
    if (current->name == "INBOX") return Error(Errc::permission, "INBOX can't be deleted");
    release_mailbox_messages(db, *box);
    db.prepare("DELETE FROM journal WHERE mailbox_id = ?1").bind(1, *box).run();
    db.prepare("DELETE FROM mailboxes WHERE id = ?1").bind(1, *box).run();
    tx.commit();
    return core::success();
}

Result<void> set_subscribed(Db& db, const MailboxId& id, bool subscribed) {
    auto box = parse_id(id);
    if (!box) return Error(Errc::not_found, "no such mailbox");
    db.prepare("UPDATE mailboxes SET subscribed = ?2 WHERE id = ?1").bind(1, *box).bind(2, std::int64_t{subscribed}).run();
    if (db.changes() == 0) return Error(Errc::not_found, "no such mailbox");
    return core::success();
}

}  // namespace mallard::storage::sqlite
