// Messages, search, filters and health through dispatch() against a real store.
#include <gtest/gtest.h>

#include "protocols/http/routes/routes_test_support.h"

namespace mallard::http {
namespace {

using nlohmann::json;
using test::HttpRoutes;

const std::string with_attachment =
    "From: Bob <bob@example.com>\r\n"
    "To: alice@example.com\r\n"
    "Subject: report\r\n"
    "Date: Tue, 2 Jan 2024 10:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "See the attached numbers.\r\n"
    "--b\r\n"
    "Content-Type: application/octet-stream; name=data.bin\r\n"
    "Content-Disposition: attachment; filename=data.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAwQFBgcICQ==\r\n"
    "--b--\r\n";

class HttpMessages : public HttpRoutes {
protected:
    void SetUp() override {
        HttpRoutes::SetUp();
        user_ = create("alice");
        Answer boxes = call("GET", "/users/" + user_ + "/mailboxes");
        for (const json& b : boxes.body["results"]) {
            if (b["path"] == "INBOX") inbox_ = b["id"];
            if (b["path"] == "Archive") archive_ = b["id"];
        }
    }
    std::string messages() { return "/users/" + user_ + "/mailboxes/" + inbox_ + "/messages"; }
    int upload(const std::string& raw, json extra = json::object()) {
        extra["raw"] = raw;
        Answer a = call("POST", messages(), extra);
        EXPECT_EQ(a.status, 200) << a.body.dump();
        return a.body["message"]["id"];
    }
    std::string user_, inbox_, archive_;
};

TEST_F(HttpMessages, upload_list_read_download) {
    const int id = upload(with_attachment, {{"unseen", true}});
    upload("Subject: second\r\n\r\nplain body\r\n");
    Answer list = call("GET", messages() + "?limit=1");
    ASSERT_EQ(list.status, 200) << list.body.dump();
    EXPECT_EQ(list.body["total"], 2);
    ASSERT_EQ(list.body["results"].size(), 1u);
    EXPECT_EQ(list.body["results"][0]["subject"], "second");  // newest first
    EXPECT_EQ(list.body["results"][0]["intro"], "plain body");
    EXPECT_EQ(list.body["results"][0]["seen"], true);
    Answer older = call("GET", messages() + "?limit=1&next=" + std::string(list.body["nextCursor"]));
    ASSERT_EQ(older.body["results"].size(), 1u);
    EXPECT_EQ(older.body["results"][0]["id"], id);
    EXPECT_EQ(older.body["results"][0]["attachments"], true);
    EXPECT_EQ(older.body["results"][0]["from"]["address"], "bob@example.com");
    EXPECT_EQ(older.body["nextCursor"], false);
    Answer back = call("GET", messages() + "?limit=1&previous=" + std::string(older.body["previousCursor"]));
    EXPECT_EQ(back.body["results"][0]["subject"], "second");
    EXPECT_EQ(call("GET", messages() + "?unseen=true").body["total"], 1);
    EXPECT_EQ(call("GET", messages() + "?order=asc").body["results"][0]["id"], id);
    EXPECT_EQ(call("GET", messages() + "?order=sideways").status, 400);
    EXPECT_EQ(call("GET", messages() + "?next=zz").status, 400);
    // A well-formed cursor around a key that is no UID ("n" + 30 digits, hex-encoded).
    EXPECT_EQ(call("GET", messages() + "?next=6e" + std::string(60, '3')).status, 400);

    const std::string one = messages() + "/" + std::to_string(id);
    Answer full = call("GET", one);
    ASSERT_EQ(full.status, 200) << full.body.dump();
    EXPECT_EQ(full.body["text"], "See the attached numbers.");
    ASSERT_EQ(full.body["attachments"].size(), 1u);
    EXPECT_EQ(full.body["attachments"][0]["id"], "ATT00001");
    EXPECT_EQ(full.body["attachments"][0]["filename"], "data.bin");
    EXPECT_EQ(full.body["seen"], false);

    Answer eml = call("GET", one + "/message.eml");
    EXPECT_EQ(eml.raw, with_attachment);  // byte for byte
    Answer file = call("GET", one + "/attachments/ATT00001");
    EXPECT_EQ(file.status, 200);
    EXPECT_EQ(file.raw, std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", 10));
    EXPECT_EQ(call("GET", one + "/attachments/ATT00009").body["code"], "AttachmentNotFound");
    EXPECT_EQ(call("GET", messages() + "/999").body["code"], "MessageNotFound");
    EXPECT_EQ(call("GET", messages() + "/abc").status, 400);
}

TEST_F(HttpMessages, update_move_and_delete) {
    const int a = upload("Subject: a\r\n\r\na\r\n", {{"unseen", true}});
    const int b = upload("Subject: b\r\n\r\nb\r\n", {{"unseen", true}});
    Answer marked = call("PUT", messages() + "/" + std::to_string(a) + ":" + std::to_string(b),
                         {{"seen", true}, {"flagged", true}});
    ASSERT_EQ(marked.status, 200) << marked.body.dump();
    EXPECT_EQ(marked.body["updated"], 2);
    Answer got = call("GET", messages() + "/" + std::to_string(a));
    EXPECT_EQ(got.body["seen"], true);
    EXPECT_EQ(got.body["flagged"], true);
    EXPECT_EQ(call("PUT", messages() + "/" + std::to_string(a), json::object()).body["code"], "NoUpdates");
    EXPECT_EQ(call("PUT", messages() + "/1:x", {{"seen", true}}).status, 400);
    EXPECT_EQ(call("PUT", messages() + "/500", {{"seen", true}}).status, 404);
    // WildDuck's mailbox-wide route takes the UID range in the body.
    Answer unmarked = call("PUT", messages(), {{"message", std::to_string(a) + ":" + std::to_string(b)}, {"flagged", false}});
    ASSERT_EQ(unmarked.status, 200) << unmarked.body.dump();
    EXPECT_EQ(unmarked.body["updated"], 2);
    EXPECT_EQ(call("GET", messages() + "/" + std::to_string(b)).body["flagged"], false);
    Answer no_range = call("PUT", messages(), {{"seen", true}});
    EXPECT_EQ(no_range.status, 400);
    EXPECT_TRUE(no_range.body["details"].contains("message")) << no_range.body.dump();

    Answer moved = call("PUT", messages() + "/" + std::to_string(b), {{"moveTo", archive_}});
    ASSERT_EQ(moved.status, 200) << moved.body.dump();
    EXPECT_EQ(moved.body["mailbox"], archive_);
    EXPECT_EQ(moved.body["id"][0][0], b);
    EXPECT_EQ(call("GET", messages()).body["total"], 1);

    EXPECT_EQ(call("DELETE", messages() + "/" + std::to_string(a)).status, 200);
    EXPECT_EQ(call("GET", messages()).body["total"], 0);
    upload("Subject: c\r\n\r\nc\r\n");
    upload("Subject: d\r\n\r\nd\r\n");
    Answer emptied = call("DELETE", messages());
    EXPECT_EQ(emptied.body["deleted"], 2);
    EXPECT_EQ(call("GET", messages()).body["total"], 0);
}

TEST_F(HttpMessages, upload_validation) {
    EXPECT_EQ(call("POST", messages(), {{"flags", {"\\Seen"}}}).body["details"].contains("raw"), true);
    EXPECT_EQ(call("POST", messages(), {{"raw", "x"}, {"flags", {"bad flag"}}}).status, 400);
    EXPECT_EQ(call("POST", messages(), {{"raw", "x"}, {"date", "not a date"}}).status, 400);
    const int id = upload("Subject: dated\r\n\r\nx\r\n", {{"date", "2020-05-06T07:08:09Z"}, {"flags", {"$Work"}}});
    Answer got = call("GET", messages() + "/" + std::to_string(id));
    EXPECT_EQ(got.body["idate"], "2020-05-06T07:08:09.000Z");
    EXPECT_EQ(got.body["flags"], json({"$Work", "\\Seen"}));
}

TEST_F(HttpMessages, search_across_mailboxes) {
    upload(with_attachment);
    upload("From: carol@example.com\r\nSubject: lunch\r\n\r\nsandwiches\r\n", {{"unseen", true}});
    Answer moved_from = call("GET", messages() + "?order=asc");
    const int lunch = moved_from.body["results"][1]["id"];
    call("PUT", messages() + "/" + std::to_string(lunch), {{"moveTo", archive_}});
    const std::string search = "/users/" + user_ + "/search";
    Answer by_text = call("GET", search + "?q=sandwiches");
    ASSERT_EQ(by_text.status, 200) << by_text.body.dump();
    ASSERT_EQ(by_text.body["total"], 1);
    EXPECT_EQ(by_text.body["results"][0]["mailbox"], archive_);
    EXPECT_EQ(call("GET", search + "?from=bob").body["total"], 1);
    EXPECT_EQ(call("GET", search + "?subject=lunch&mailbox=" + inbox_).body["total"], 0);
    EXPECT_EQ(call("GET", search + "?unseen=true").body["total"], 1);
    EXPECT_EQ(call("GET", search + "?attachments=true").body["total"], 1);
    EXPECT_EQ(call("GET", search + "?minSize=1").body["total"], 2);
    EXPECT_EQ(call("GET", search + "?maxSize=10").body["total"], 0);
    EXPECT_EQ(call("GET", search + "?datestart=2000-01-01&dateend=2000-12-31").body["total"], 0);
    EXPECT_EQ(call("GET", search + "?datestart=garbage").status, 400);
    Answer paged = call("GET", search + "?limit=1");
    ASSERT_EQ(paged.body["results"].size(), 1u);
    Answer rest = call("GET", search + "?limit=1&next=" + std::string(paged.body["nextCursor"]));
    ASSERT_EQ(rest.body["results"].size(), 1u);
    EXPECT_NE(rest.body["results"][0]["subject"], paged.body["results"][0]["subject"]);
}

TEST_F(HttpMessages, filters_round_trip) {
    const std::string filters = "/users/" + user_ + "/filters";
    Answer made = call("POST", filters, {{"name", "lists"},
                                         {"query", {{"from", "bob"}, {"ha", true}, {"size", -1000}}},
                                         {"action", {{"seen", true}, {"mailbox", archive_}}}});
    ASSERT_EQ(made.status, 200) << made.body.dump();
    const std::string id = made.body["id"];
    Answer got = call("GET", filters + "/" + id);
    EXPECT_EQ(got.body["query"]["from"], "bob");
    EXPECT_EQ(got.body["query"]["ha"], true);
    EXPECT_EQ(got.body["query"]["size"], -1000);
    EXPECT_EQ(got.body["action"]["mailbox"], archive_);
    Answer listed = call("GET", filters);
    ASSERT_EQ(listed.body["results"].size(), 1u);
    EXPECT_EQ(listed.body["results"][0]["query"][0], json({"from", "(bob)"}));
    EXPECT_EQ(listed.body["results"][0]["action"][1], json({"move to folder", "\"Archive\""}));
    EXPECT_EQ(listed.body["limits"]["used"], 1);
    EXPECT_EQ(call("GET", "/filters").body["results"][0]["user"], user_);

    EXPECT_EQ(call("PUT", filters + "/" + id, {{"query", {{"from", ""}, {"subject", "hi"}}}}).status, 200);
    got = call("GET", filters + "/" + id);
    EXPECT_FALSE(got.body["query"].contains("from"));
    EXPECT_EQ(got.body["query"]["subject"], "hi");
    EXPECT_EQ(got.body["action"]["seen"], true);  // untouched

    EXPECT_EQ(call("POST", filters, {{"query", {{"from", std::string(300, 'x')}}}}).status, 400);
    EXPECT_EQ(call("POST", filters, {{"action", {{"targets", {"a@b.c"}}}}}).status, 400);
    EXPECT_EQ(call("POST", filters, {{"action", {{"mailbox", "99999"}}}}).status, 404);
    EXPECT_EQ(call("DELETE", filters + "/" + id).status, 200);
    EXPECT_EQ(call("GET", filters + "/" + id).body["code"], "FilterNotFound");
}

TEST_F(HttpMessages, health) {
    Answer h = call("GET", "/health");
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.body["success"], true);
}

}  // namespace
}  // namespace mallard::http

namespace mallard::http {
namespace {

using test::HttpRoutes;

TEST_F(HttpRoutes, user_tokens_reach_only_their_own_user) {
    Answer made = call("POST", "/users", {{"username", "tina"}, {"password", "tina's secret"}});
    ASSERT_EQ(made.status, 200);
    const std::string tina = made.body["id"];
    const std::string other = create("otto");
    EXPECT_EQ(call("POST", "/authenticate", {{"username", "tina"}, {"password", "wrong"}}).body["code"], "AuthFailed");
    EXPECT_EQ(call("POST", "/authenticate", {{"username", "nobody"}, {"password", "x"}}).body["code"], "AuthFailed");
    EXPECT_EQ(call("POST", "/authenticate", {{"username", "tina"}, {"password", "x"}, {"token", true}, {"scope", "imap"}}).status,
              400);
    Answer login = call("POST", "/authenticate", {{"username", "tina"}, {"password", "tina's secret"}, {"token", true}});
    ASSERT_EQ(login.status, 200) << login.body.dump();
    EXPECT_EQ(login.body["id"], tina);
    EXPECT_EQ(login.body["scope"], "master");
    const std::string token = login.body["token"];
    EXPECT_EQ(token.size(), 40u);

    EXPECT_EQ(call("GET", "/users/" + tina, nullptr, token).status, 200);
    EXPECT_EQ(call("GET", "/users/me", nullptr, token).body["id"], tina);
    EXPECT_EQ(call("GET", "/users/me/mailboxes", nullptr, token).status, 200);
    EXPECT_EQ(call("GET", "/users/" + other, nullptr, token).status, 403);
    EXPECT_EQ(call("GET", "/users", nullptr, token).status, 403);
    EXPECT_EQ(call("POST", "/users", {{"username", "x"}, {"password", "y"}}, token).status, 403);
    EXPECT_EQ(call("DELETE", "/users/" + tina, nullptr, token).status, 403);
    EXPECT_EQ(call("POST", "/preauth", {{"username", "tina"}}, token).status, 403);
    Answer who = call("GET", "/authenticated", nullptr, token);
    EXPECT_EQ(who.body["role"], "user");
    EXPECT_EQ(who.body["id"], tina);
    EXPECT_EQ(call("GET", "/authenticated").body["role"], "root");
    EXPECT_EQ(call("GET", "/users/me").status, 404);  // root has no "me"

    Answer pre = call("POST", "/preauth", {{"username", "tina"}});
    EXPECT_EQ(pre.body["id"], tina);
    EXPECT_EQ(call("POST", "/preauth", {{"username", "ghost"}}).status, 403);

    EXPECT_EQ(call("DELETE", "/authenticate", nullptr, token).status, 200);
    Answer after = call("GET", "/users/me", nullptr, token);
    EXPECT_EQ(after.status, 403);
    EXPECT_EQ(after.body["code"], "InvalidToken");
    EXPECT_EQ(call("GET", "/users/me", nullptr, std::string(40, 'f')).status, 403);

    // A new password ends every session.
    Answer again = call("POST", "/authenticate", {{"username", "tina"}, {"password", "tina's secret"}, {"token", true}});
    const std::string second = again.body["token"];
    EXPECT_EQ(call("GET", "/users/me", nullptr, second).status, 200);
    EXPECT_EQ(call("PUT", "/users/" + tina, {{"password", "new secret"}}).status, 200);
    EXPECT_EQ(call("GET", "/users/me", nullptr, second).status, 403);
}

}  // namespace
}  // namespace mallard::http
