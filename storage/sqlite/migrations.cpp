// The schema, as an ordered list of migrations. Never edit a released migration: append a new one.
//
// users      quota_used is a counter changed with the messages it counts; next_uidvalidity hands out
//            UIDVALIDITY values so a mailbox re-created under an old name never reuses one.
// addresses  `lookup` is the normalised key (storage/address_normalize.h), unique across all users.
// mailboxes  uidnext and modseq are the per-mailbox counters (modseq = HIGHESTMODSEQ).
// bodies     message content, zlib-compressed, shared by copies (refs); mime_tree is the seam for the
//            storage/mime Ingest step. Attachment de-duplication will split large parts out of here.
// messages   one row per (mailbox, uid).
// journal    one row per change, keyed by (mailbox, modseq).
// message_text  contentless FTS5 trigram index (columns, no positions) over each body's decoded, case-folded
//               header lines and text, which bodies keeps compressed; rowid = body id.
// filters    per-user delivery filters (storage/types.h), run in id order.
// api_tokens HTTP API tokens by their SHA-256 (storage/types.h ApiToken), never the tokens themselves;
//            needs_totp marks one still waiting for its TOTP check.
// app_passwords, auth_log, auth_failures, users.totp_*: account security (storage/security_types.h).
// threads, thread_refs, messages.thread_id: WildDuck's message threads (storage/threading.h).
#include "storage/sqlite/migrations.h"

#include <iterator>
#include <string>

namespace mallard::storage::sqlite {

namespace {

constexpr const char* migrations[] = {
    // 1: the initial schema
    R"sql(
CREATE TABLE users (
  id               INTEGER PRIMARY KEY,
  username         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash    TEXT NOT NULL DEFAULT '',
  quota_limit      INTEGER NOT NULL DEFAULT 0,
  quota_used       INTEGER NOT NULL DEFAULT 0,
  disabled         INTEGER NOT NULL DEFAULT 0,
  next_uidvalidity INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE addresses (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL,
  address    TEXT NOT NULL,
  lookup     TEXT NOT NULL UNIQUE,
  is_primary INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX addresses_user ON addresses(user_id);
CREATE TABLE mailboxes (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL,
  name        TEXT NOT NULL,
  special_use INTEGER NOT NULL DEFAULT 0,
  subscribed  INTEGER NOT NULL DEFAULT 1,
  uidvalidity INTEGER NOT NULL,
  uidnext     INTEGER NOT NULL DEFAULT 1,
  modseq      INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, name)
);
CREATE TABLE bodies (
  id        INTEGER PRIMARY KEY,
  refs      INTEGER NOT NULL,
  size      INTEGER NOT NULL,
  raw_z     BLOB NOT NULL,
  mime_tree BLOB NOT NULL DEFAULT x''
);
CREATE INDEX bodies_unreferenced ON bodies(id) WHERE refs <= 0;
CREATE TABLE messages (
  mailbox_id    INTEGER NOT NULL,
  uid           INTEGER NOT NULL,
  modseq        INTEGER NOT NULL,
  flags         TEXT NOT NULL DEFAULT '',
  internal_date INTEGER NOT NULL,
  size          INTEGER NOT NULL,
  body_id       INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
CREATE TABLE journal (
  mailbox_id INTEGER NOT NULL,
  modseq     INTEGER NOT NULL,
  kind       INTEGER NOT NULL,
  uid        INTEGER NOT NULL DEFAULT 0,
  data       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (mailbox_id, modseq)
) WITHOUT ROWID;
)sql",

    // 2: attachments stored once. A body's raw_z now holds its skeleton (the message without the bodies cut out,
    // storage/ingest.h) behind a one-byte tag ('z' zlib, 'p' plain), and `layout` says where the attachments go
    // back; an empty layout means nothing was cut. Version-1 rows are re-tagged so every row reads one way.
    R"sql(
CREATE TABLE attachments (
  hash    TEXT PRIMARY KEY,
  refs    INTEGER NOT NULL,
  size    INTEGER NOT NULL,
  content BLOB NOT NULL
) WITHOUT ROWID;
ALTER TABLE bodies ADD COLUMN layout BLOB NOT NULL DEFAULT x'';
UPDATE bodies SET raw_z = x'7a' || raw_z;
)sql",

    // 3: SEARCH. `sent_date` is the Date header as epoch seconds (NULL: none or unreadable) and `sent_zone` its
    // offset, so SENT* keys compare the day as written. `search_headers` (the decoded header lines) and
    // `search_body` (the plain text) are kept case-folded (storage/search.h) and compressed on the body, and
    // `message_text` indexes them: a contentless FTS5 trigram index that records which trigrams each column
    // has, not where. A text key looks up its pattern's trigrams there for candidates and checks them
    // exactly against the compressed text. Measured on the generated corpus, this costs a sixth of an
    // ordinary trigram table (positions plus an uncompressed copy of the text) with the same results.
    // Bodies stored before this version have text_indexed = 0: search indexes them when it first meets them
    // (sqlite/search.cpp), since SQL alone can't parse MIME.
    R"sql(
ALTER TABLE bodies ADD COLUMN sent_date INTEGER;
ALTER TABLE bodies ADD COLUMN sent_zone INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bodies ADD COLUMN text_indexed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bodies ADD COLUMN search_headers BLOB;
ALTER TABLE bodies ADD COLUMN search_body BLOB;
CREATE INDEX bodies_unindexed ON bodies(id) WHERE text_indexed = 0;
CREATE VIRTUAL TABLE message_text USING fts5(headers, body, tokenize = 'trigram', content = '', detail = 'column');
)sql",

    // 4: delivery filters, WildDuck's shape. Query strings are '' when not tested; the tri-state columns
    // (q_has_attachment and the a_* actions) are NULL when the filter leaves them alone. a_mailbox is the
    // target mailbox's id, kept even if that mailbox goes (delivery then falls back to INBOX, as WildDuck does).
    // The id orders filters by creation: SQLite hands out max(id)+1, so a new filter always sorts last.
    R"sql(
CREATE TABLE filters (
  id               INTEGER PRIMARY KEY,
  user_id          INTEGER NOT NULL,
  name             TEXT NOT NULL DEFAULT '',
  q_from           TEXT NOT NULL DEFAULT '',
  q_to             TEXT NOT NULL DEFAULT '',
  q_subject        TEXT NOT NULL DEFAULT '',
  q_list_id        TEXT NOT NULL DEFAULT '',
  q_text           TEXT NOT NULL DEFAULT '',
  q_has_attachment INTEGER,
  q_size           INTEGER NOT NULL DEFAULT 0,
  a_seen           INTEGER,
  a_flag           INTEGER,
  a_delete         INTEGER,
  a_spam           INTEGER,
  a_mailbox        INTEGER,
  disabled         INTEGER NOT NULL DEFAULT 0,
  created          INTEGER NOT NULL
);
CREATE INDEX filters_user ON filters(user_id, id);
)sql",

    // 5: HTTP API tokens (POST /authenticate), kept as the hex SHA-256 of the token; times are epoch seconds.
    // Expired rows are removed when looked up; the index by user removes a user's tokens with the user.
    R"sql(
CREATE TABLE api_tokens (
  hash     TEXT PRIMARY KEY,
  user_id  INTEGER NOT NULL,
  scope    TEXT NOT NULL DEFAULT 'master',
  created  INTEGER NOT NULL,
  expires  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
)sql",

    // 6: account security. Application-specific passwords (ids never reused: revocation is by id; scopes as a comma-separated list, `lookup` a short
    // digest of the password so a login verifies one argon2 hash, not all of them; expires NULL = never).
    // TOTP on the user row (totp_last_step: the last step a code was accepted for, never accepted again).
    // auth_log: attempts and security changes, newest first by id. auth_failures: rate-limit windows by key.
    R"sql(
CREATE TABLE app_passwords (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id       INTEGER NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  scopes        TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  lookup        TEXT NOT NULL,
  created       INTEGER NOT NULL,
  expires       INTEGER
);
CREATE INDEX app_passwords_lookup ON app_passwords(user_id, lookup);
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
CREATE TABLE auth_log (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL,
  created     INTEGER NOT NULL,
  action      TEXT NOT NULL,
  result      TEXT NOT NULL DEFAULT '',
  protocol    TEXT NOT NULL DEFAULT '',
  remote      TEXT NOT NULL DEFAULT '',
  asp_id      TEXT NOT NULL DEFAULT '',
  user_agent  TEXT NOT NULL DEFAULT '',
  detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auth_log_user ON auth_log(user_id, created);
CREATE TABLE auth_failures (
  key      TEXT PRIMARY KEY,
  count    INTEGER NOT NULL,
  reset_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",

    // 7: an API token issued by a password login while TOTP is on waits for its TOTP check (1) before it
    // reaches anything but the check itself; tokens from before this version had no such step (0).
    R"sql(
ALTER TABLE api_tokens ADD COLUMN needs_totp INTEGER NOT NULL DEFAULT 0;
)sql",

    // 8: WildDuck parity. addresses.created (epoch seconds; 0 for older rows). Threads (storage/threading.h):
    // `threads` keeps each thread's base subject, `thread_refs` the message ids it has seen (looked up by
    // user and id at every delivery), messages.thread_id the thread of each message (NULL for messages
    // stored before: their headers are not at hand in SQL) with an index to count a thread's messages.
    R"sql(
ALTER TABLE addresses ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
CREATE TABLE threads (
  id      INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL,
  subject TEXT NOT NULL
);
CREATE INDEX threads_user ON threads(user_id);
CREATE TABLE thread_refs (
  user_id   INTEGER NOT NULL,
  ref       TEXT NOT NULL,
  thread_id INTEGER NOT NULL,
  PRIMARY KEY (user_id, ref, thread_id)
) WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN thread_id INTEGER;
CREATE INDEX messages_thread ON messages(thread_id) WHERE thread_id IS NOT NULL;
)sql",

    // 9: the HTTP message list's unseen filter (GET …/messages?unseen=true) pages and counts through this
    // partial index instead of reading every row of the mailbox. Its WHERE term is the one
    // sqlite/messages.cpp page_rows writes, word for word: SQLite uses a partial index only for a query
    // that contains that term. Flags are space-separated, so " \Seen " matches the flag and not, say, "\Seenx".
    R"sql(
CREATE INDEX messages_unseen ON messages(mailbox_id, uid) WHERE instr(' ' || flags || ' ', ' \Seen ') = 0;
)sql",
};

void ensure_version_table(Db& db) {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
}

}  // namespace

std::int64_t latest_schema_version() { return static_cast<std::int64_t>(std::size(migrations)); }

std::int64_t schema_version(Db& db) {
    auto q = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    return q.step() ? q.i64(0) : 0;
}

void migrate(Db& db) {
    {
        WriteTx tx(db);
        ensure_version_table(db);
        tx.commit();
    }
    for (;;) {
        WriteTx tx(db);
        std::int64_t current = schema_version(db);
        if (current > latest_schema_version())
            throw SqliteError(1, "the database has schema version " + std::to_string(current) +
                                     ", newer than this program knows (" +
                                     std::to_string(latest_schema_version()) + ")");
        if (current == latest_schema_version()) return;  // up to date (maybe another process did it)
        db.exec(migrations[current]);
        db.prepare("INSERT INTO schema_version (version) VALUES (?1)").bind(1, current + 1).run();
        tx.commit();
    }
}

}  // namespace mallard::storage::sqlite
