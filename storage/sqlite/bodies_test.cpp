// What de-duplication saves on SQLite: an attachment sent many times is stored once, referenced per body,
// and freed with its last reference; the rest of the message is compressed.
#include <sqlite3.h>

#include "storage/mime/base64.h"
#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

class SqliteBodies : public StoreTest {
protected:
    // One integer from the database file, read with a separate connection as another process would.
    std::int64_t query(const std::string& sql) {
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open_v2((dir_ + "/mallard.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
        std::int64_t value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return value;
    }

    std::string message_with(const std::string& content, const std::string& subject) {
        return "From: a@example.com\r\nSubject: " + subject +
               "\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
               "hello\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
               mime::encode_base64(content) + "--b--\r\n";
    }

    Mailbox inbox() {
        auto user = ok(store().create_user(NewUser{"alice", "x", "alice@example.com", 0}));
        return ok(store().find_mailbox(user.id, "INBOX"));
    }
};

std::string pseudo_random(std::size_t n, unsigned seed) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(((i + seed) * 2654435761u) >> 24));
    return s;
}

TEST_F(SqliteBodies, an_attachment_sent_many_times_is_stored_once) {
    auto box = inbox();
    const std::string content = pseudo_random(200000, 1);
    std::vector<Uid> uids;
    for (int i = 0; i < 5; ++i)
        uids.push_back(ok(store().append(box.id, AppendRequest{message_with(content, "copy " + std::to_string(i)), {}, {}})).uid);
    EXPECT_EQ(query("SELECT COUNT(*) FROM attachments"), 1);
    EXPECT_EQ(query("SELECT refs FROM attachments"), 5);
    EXPECT_EQ(query("SELECT size FROM attachments"), 200000);
    // Five messages of ~270 KB each take little more than one attachment's worth.
    EXPECT_LT(query("SELECT SUM(LENGTH(raw_z)) FROM bodies") + query("SELECT SUM(LENGTH(content)) FROM attachments"),
              220000);

    ok(store().store_flags(box.id, FlagChange{UidRange{uids[0], uids[3]}, FlagOp::add, {"\\Deleted"}, {}}));
    ok(store().expunge(box.id, UidRange{}));
    EXPECT_EQ(query("SELECT refs FROM attachments"), 1);
    ok(store().store_flags(box.id, FlagChange{UidRange{}, FlagOp::add, {"\\Deleted"}, {}}));
    ok(store().expunge(box.id, UidRange{}));
    EXPECT_EQ(query("SELECT COUNT(*) FROM attachments"), 0);
    EXPECT_EQ(query("SELECT COUNT(*) FROM bodies"), 0);
}

TEST_F(SqliteBodies, copies_share_one_body_and_deleting_the_mailbox_frees_the_rest) {
    auto box = inbox();
    auto archive = ok(store().find_mailbox(box.user, "Archive"));
    ok(store().append(box.id, AppendRequest{message_with(pseudo_random(50000, 2), "x"), {}, {}}));
    ok(store().copy(box.id, UidRange{}, archive.id));
    EXPECT_EQ(query("SELECT COUNT(*) FROM bodies"), 1);
    EXPECT_EQ(query("SELECT refs FROM bodies"), 2);
    EXPECT_EQ(query("SELECT refs FROM attachments"), 1);  // one per body, not per message
    ok(store().delete_mailbox(archive.id));
    EXPECT_EQ(query("SELECT refs FROM bodies"), 1);
    ok(store().delete_user(box.user));
    EXPECT_EQ(query("SELECT COUNT(*) FROM bodies"), 0);
    EXPECT_EQ(query("SELECT COUNT(*) FROM attachments"), 0);
}

TEST_F(SqliteBodies, small_parts_and_irregular_encodings_stay_in_the_compressed_message) {
    auto box = inbox();
    std::string small = message_with(pseudo_random(1000, 3), "small");
    ok(store().append(box.id, AppendRequest{small, {}, {}}));
    EXPECT_EQ(query("SELECT COUNT(*) FROM attachments"), 0);
    EXPECT_EQ(query("SELECT LENGTH(layout) FROM bodies"), 0);
}

}  // namespace
}  // namespace mallard::storage::test
