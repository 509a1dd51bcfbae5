// SQLite connection setup (pragmas per DEPENDENCIES.md), statement cache and transactions.
#include "storage/sqlite/connection.h"

#include <sqlite3.h>

namespace mallard::storage::sqlite {

Stmt::~Stmt() {
    if (owned_) {
        sqlite3_finalize(stmt_);
        return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

void Stmt::check(int rc) const {
    if (rc == SQLITE_OK) return;
    sqlite3* db = sqlite3_db_handle(stmt_);
    throw SqliteError(rc & 0xff, std::string(sqlite3_errmsg(db)) + " in: " + sqlite3_sql(stmt_));
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
}

Stmt& Stmt::bind(int index, std::string_view text) {
    check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}

Stmt& Stmt::bind_blob(int index, std::string_view bytes) {
    check(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
    return *this;
}

Stmt& Stmt::bind_null(int index) {
    check(sqlite3_bind_null(stmt_, index));
    return *this;
}

bool Stmt::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    check(rc);
    return false;
}

void Stmt::run() {
    while (step()) {
    }
}

std::int64_t Stmt::i64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Stmt::text(int column) const {
    auto p = sqlite3_column_text(stmt_, column);
    auto n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::string Stmt::blob(int column) const {
    auto p = sqlite3_column_blob(stmt_, column);
    auto n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

bool Stmt::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Db::Db(const ConnectionOptions& options) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(options.path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw SqliteError(rc & 0xff, "opening " + options.path + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 0);
    sqlite3_busy_timeout(db_, options.busy_timeout_ms);
    // journal_mode=WAL is persistent in the file; setting it again is cheap and covers a fresh database.
    exec("PRAGMA journal_mode=WAL");
    exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    exec("PRAGMA secure_delete=OFF");
    exec("PRAGMA foreign_keys=OFF");
}

Db::~Db() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

Stmt Db::prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return Stmt(it->second);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, sql);
    cache_.emplace(sql, stmt);
    return Stmt(stmt);
}

Stmt Db::prepare_uncached(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), 0, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, sql);
    return Stmt(stmt, true);
}

void Db::exec(const char* sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw SqliteError(rc & 0xff, message + " in: " + sql);
    }
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }
std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

void Db::fail(int rc, std::string_view context) const {
    throw SqliteError(rc & 0xff, std::string(sqlite3_errmsg(db_)) + " in: " + std::string(context));
}

WriteTx::WriteTx(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

WriteTx::~WriteTx() {
    if (!open_) return;
    try {
        db_.exec("ROLLBACK");
    } catch (...) {  // the transaction may already have been rolled back by SQLite itself
    }
}

void WriteTx::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

ReadTx::ReadTx(Db& db) : db_(db) { db_.exec("BEGIN"); }

ReadTx::~ReadTx() {
    try {
        db_.exec("COMMIT");
    } catch (...) {
    }
}

}  // namespace mallard::storage::sqlite
