// A SQLite connection for one pool thread: pragmas, a prepared-statement cache, statements and transactions
// as small RAII types. Errors are thrown as SqliteError and turned into core::Error at the SqliteStore
// boundary (sqlite_store.cpp), so the query files read as straight-line code.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace mallard::storage::sqlite {

class SqliteError : public std::runtime_error {
public:
    SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }  // the primary SQLite result code (SQLITE_BUSY, ...)

private:
    int code_;
};

struct ConnectionOptions {
    std::string path;
    bool synchronous_full = false;  // FULL also survives power loss; NORMAL survives process crashes (WAL)
    int busy_timeout_ms = 10000;
};

// A borrowed, cached statement: bindings and state are reset when the Stmt goes out of scope.
class Stmt {
public:
    explicit Stmt(sqlite3_stmt* stmt, bool owned = false) : stmt_(stmt), owned_(owned) {}
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    ~Stmt();

    // Parameters are 1-based, as in SQL (?1, ?2, ...).
    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, std::string_view text);
    Stmt& bind_blob(int index, std::string_view bytes);
    Stmt& bind_null(int index);

    bool step();  // true: a row is ready; false: done
    void run();   // steps to the end (statements without rows)

    std::int64_t i64(int column) const;
    std::string text(int column) const;
    std::string blob(int column) const;
    bool is_null(int column) const;

private:
    void check(int rc) const;
    sqlite3_stmt* stmt_;
    bool owned_;  // from prepare_uncached: finalized, not reset, when dropped
};

class Db {
public:
    // Opens (creating if needed) the database and sets WAL, synchronous, secure_delete=OFF, busy_timeout.
    explicit Db(const ConnectionOptions& options);
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db();

    // Cached per connection, keyed by the SQL text. One Stmt per SQL text at a time: finish (or drop) a
    // statement before preparing the same text again, e.g. collect rows before looping over them.
    Stmt prepare(const char* sql);
    // Not cached, finalized when dropped: for SQL built per request (SEARCH), whose texts are unbounded.
    Stmt prepare_uncached(const std::string& sql);
    void exec(const char* sql);     // one or more statements without parameters or rows
    std::int64_t changes() const;
    std::int64_t last_insert_rowid() const;
    [[noreturn]] void fail(int rc, std::string_view context) const;

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE: takes the write lock up front (waiting up to busy_timeout), so a write transaction never
// fails half-way on a lock upgrade. Rolls back unless committed.
class WriteTx {
public:
    explicit WriteTx(Db& db);
    WriteTx(const WriteTx&) = delete;
    WriteTx& operator=(const WriteTx&) = delete;
    ~WriteTx();
    void commit();

private:
    Db& db_;
    bool open_ = true;
};

// BEGIN (deferred): a consistent snapshot for reads that take more than one statement.
class ReadTx {
public:
    explicit ReadTx(Db& db);
    ReadTx(const ReadTx&) = delete;
    ReadTx& operator=(const ReadTx&) = delete;
    ~ReadTx();

private:
    Db& db_;
};

}  // namespace mallard::storage::sqlite
