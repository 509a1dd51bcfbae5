// SEARCH on SQLite specifically: bodies stored before migration 3 (no text row) are indexed when a search
// first meets them; text rows follow their bodies; text keys of 3+ characters use the trigram index.
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
    query("DELETE FROM message_text");
    query("UPDATE bodies SET text_indexed = 0, sent_date = NULL");
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
    ASSERT_EQ(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT rowid FROM message_text WHERE body GLOB '*abc*'", -1,
                                 &stmt, nullptr),
              SQLITE_OK);
    std::string plan;
    while (sqlite3_step(stmt) == SQLITE_ROW) plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    EXPECT_NE(plan.find("VIRTUAL TABLE INDEX 0:G"), std::string::npos) << plan;
}

}  // namespace
}  // namespace mallard::storage::test
