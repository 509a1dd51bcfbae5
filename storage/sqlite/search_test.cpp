// SEARCH on SQLite specifically: bodies stored before migration 3 (no text row) are indexed when a search
// first meets them; text rows follow their bodies; text keys of 3+ characters use the trigram index; the
// index stays small (no positions, no copy of the text).
#include <sqlite3.h>

#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

class SqliteSearch : public StoreTest {
protected:
    std::int64_t query(const std::string& sql) {
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open((dir_ + "/mallard.db").c_str(), &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql << sqlite3_errmsg(db);
        std::int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return value;
    }

    Mailbox inbox() {
        auto user = ok(store().create_user(NewUser{"alice", "x", "alice@example.com", 0}));
        return ok(store().find_mailbox(user.id, "INBOX"));
    }
};

TEST_F(SqliteSearch, bodies_without_a_text_row_are_indexed_on_first_search) {
    auto box = inbox();
    for (int i = 0; i < 100; ++i)
        ok(store().append(box.id, AppendRequest{"Date: 2 Jan 2024 10:00 +0000\r\nSubject: old " + std::to_string(i) +
                                                    "\r\n\r\nlegacy text\r\n",
                                                {}, {}}));
    // As a database written before migration 3 looks: no text rows, no sent dates.
    query("INSERT INTO message_text (message_text) VALUES ('delete-all')");
    query("UPDATE bodies SET text_indexed = 0, sent_date = NULL, search_headers = NULL, search_body = NULL");
    EXPECT_EQ(query("SELECT COUNT(*) FROM message_text"), 0);
    auto found = ok(store().search(box.id, search::body("legacy")));
    EXPECT_EQ(found.size(), 100u);
    EXPECT_EQ(query("SELECT COUNT(*) FROM bodies WHERE text_indexed = 0"), 0);
    EXPECT_EQ(query("SELECT COUNT(*) FROM message_text"), 100);
    const std::chrono::year_month_day jan2{std::chrono::year(2024), std::chrono::month(1), std::chrono::day(2)};
    auto sent = ok(store().search(box.id, search::sent_date(DateOp::on, jan2)));
    EXPECT_EQ(sent.size(), 100u);
    EXPECT_EQ(ok(store().search(box.id, search::header("Subject", "old 42"))), std::vector<Uid>{43});
}

TEST_F(SqliteSearch, text_rows_are_freed_with_their_bodies) {
    auto box = inbox();
    ok(store().append(box.id, AppendRequest{"Subject: a\r\n\r\nx\r\n", {"\\Deleted"}, {}}));
    ok(store().append(box.id, AppendRequest{"Subject: b\r\n\r\ny\r\n", {}, {}}));
    EXPECT_EQ(query("SELECT COUNT(*) FROM message_text"), 2);
    ok(store().expunge(box.id, UidRange{}));
    EXPECT_EQ(query("SELECT COUNT(*) FROM message_text"), 1);
    EXPECT_EQ(query("SELECT COUNT(*) FROM message_text WHERE rowid NOT IN (SELECT id FROM bodies)"), 0);
}

TEST_F(SqliteSearch, substring_patterns_use_the_trigram_index) {
    inbox();
    EXPECT_EQ(query("SELECT COUNT(*) FROM pragma_table_list WHERE name = 'message_text'"), 1);
    // The plan for a 3+ character pattern is an FTS5 index query ("INDEX 0:G…"), not a full scan ("INDEX 0:").
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/mallard.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "EXPLAIN QUERY PLAN SELECT rowid FROM message_text WHERE message_text MATCH "
                                 "'{body} : (\"abc\" AND \"bcd\")'",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    EXPECT_NE(plan.find("VIRTUAL TABLE INDEX 0:M"), std::string::npos) << plan;
}

TEST_F(SqliteSearch, the_index_keeps_no_copy_of_the_text) {
    auto box = inbox();
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + " of a long and rather repetitive letter\r\n";
    ok(store().append(box.id, AppendRequest{"Subject: long\r\n\r\n" + text, {}, {}}));
    EXPECT_EQ(query("SELECT COUNT(*) FROM pragma_table_list WHERE name = 'message_text_content'"), 0);
    // The stored search text is compressed: far smaller than the text.
    EXPECT_LT(query("SELECT LENGTH(search_body) FROM bodies"), static_cast<std::int64_t>(text.size() / 4));
    EXPECT_EQ(ok(store().search(box.id, search::body("line 1999 of a long"))).size(), 1u);
    EXPECT_EQ(ok(store().search(box.id, search::body("line 2000 of a long"))).size(), 0u);
}

}  // namespace
}  // namespace mallard::storage::test
