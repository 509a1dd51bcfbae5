// The mailbox journal on SQLite: one row per change, keyed by (mailbox, modseq), written in the transaction
// of the change it records. Read by storage/notify to turn changes into untagged responses.
#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

void append_journal(Db& db, std::int64_t box, ModSeq modseq, JournalKind kind, Uid uid, const std::string& data) {
    db.prepare("INSERT INTO journal (mailbox_id, modseq, kind, uid, data) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(1, box)
        .bind(2, static_cast<std::int64_t>(modseq))
        .bind(3, static_cast<std::int64_t>(kind))
        .bind(4, std::int64_t{uid})
        .bind(5, data)
        .run();
}

Result<std::vector<JournalEntry>> journal_since(Db& db, const MailboxId& id, ModSeq since) {
    auto box = parse_id(id);
    if (!box) return Error(Errc::not_found, "no such mailbox");
    ReadTx tx(db);
    {
        auto q = db.prepare("SELECT 1 FROM mailboxes WHERE id = ?1");
        q.bind(1, *box);
        if (!q.step()) return Error(Errc::not_found, "no such mailbox");
    }
    auto q = db.prepare("SELECT modseq, kind, uid, data FROM journal WHERE mailbox_id = ?1 AND modseq > ?2 ORDER BY modseq");
    q.bind(1, *box).bind(2, static_cast<std::int64_t>(since));
    std::vector<JournalEntry> out;
    while (q.step()) {
        JournalEntry e;
        e.modseq = static_cast<ModSeq>(q.i64(0));
        e.kind = static_cast<JournalKind>(q.i64(1));
        e.uid = static_cast<Uid>(q.i64(2));
        if (e.kind == JournalKind::rename) e.name = q.text(3);
        else e.flags = split_flags(q.text(3));
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace mallard::storage::sqlite
