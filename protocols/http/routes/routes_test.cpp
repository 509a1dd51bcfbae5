// The API routes against a real store: WildDuck's response fields and error codes, through dispatch().
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocols/http/routes/routes_test_support.h"

namespace mallard::http {
namespace {

using nlohmann::json;
using test::HttpRoutes;

TEST_F(HttpRoutes, create_get_resolve_update_delete_user) {
    Answer made = call("POST", "/users", {{"username", "Alice"}, {"password", "secret pw"}, {"quota", 5000}});
    ASSERT_EQ(made.status, 200) << made.body.dump();
    EXPECT_EQ(made.body["success"], true);
    std::string id = made.body["id"];

    Answer got = call("GET", "/users/" + id);
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.body["username"], "alice");
    EXPECT_EQ(got.body["address"], "alice@mail.example.com");  // generated like WildDuck's
    EXPECT_EQ(got.body["limits"]["quota"]["allowed"], 5000);
    EXPECT_EQ(got.body["hasPasswordSet"], true);
    EXPECT_EQ(got.body["disabled"], false);

    EXPECT_EQ(call("GET", "/users/resolve/alice").body["id"], id);
    EXPECT_EQ(call("GET", "/users/resolve/nobody").body["code"], "UserNotFound");

    EXPECT_EQ(call("PUT", "/users/" + id, {{"disabled", true}, {"quota", 0}}).status, 200);
    got = call("GET", "/users/" + id);
    EXPECT_EQ(got.body["disabled"], true);
    EXPECT_EQ(got.body["limits"]["quota"]["allowed"], 1000);  // the server default
    Answer wrong = call("PUT", "/users/" + id, {{"existingPassword", "nope"}, {"password", "new"}});
    EXPECT_EQ(wrong.status, 403);
    EXPECT_EQ(wrong.body["code"], "AuthFailed");

    Answer gone = call("DELETE", "/users/" + id);
    EXPECT_EQ(gone.status, 200);
    EXPECT_EQ(gone.body["addresses"]["deleted"], 1);
    Answer missing = call("GET", "/users/" + id);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.body["code"], "UserNotFound");
}

TEST_F(HttpRoutes, create_user_validation_and_duplicates) {
    Answer bad = call("POST", "/users", {{"username", "bad name!"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.body["code"], "InputValidationError");
    EXPECT_TRUE(bad.body["details"].contains("username"));
    EXPECT_TRUE(bad.body["details"].contains("password"));
    create("bob");
    Answer again = call("POST", "/users", {{"username", "bob"}, {"password", false}});
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(again.body["code"], "UserExistsError");
}

TEST_F(HttpRoutes, user_listing_pages_with_cursors) {
    for (const char* n : {"u1", "u2", "u3", "u4", "u5"}) create(n);
    Answer first = call("GET", "/users?limit=2");
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(first.body["total"], 5);
    EXPECT_EQ(first.body["page"], 1);
    EXPECT_EQ(first.body["previousCursor"], false);
    ASSERT_EQ(first.body["results"].size(), 2u);
    EXPECT_EQ(first.body["results"][0]["username"], "u1");
    EXPECT_EQ(first.body["results"][0]["quota"]["allowed"], 1000);
    std::string next = first.body["nextCursor"];
    Answer second = call("GET", "/users?limit=2&page=2&next=" + next);
    ASSERT_EQ(second.body["results"].size(), 2u);
    EXPECT_EQ(second.body["results"][0]["username"], "u3");
    EXPECT_EQ(second.body["page"], 2);
    std::string previous = second.body["previousCursor"];
    Answer back = call("GET", "/users?limit=2&previous=" + previous);
    ASSERT_EQ(back.body["results"].size(), 2u);
    EXPECT_EQ(back.body["results"][0]["username"], "u1");
    Answer third = call("GET", "/users?limit=2&next=" + std::string(second.body["nextCursor"]));
    EXPECT_EQ(third.body["results"].size(), 1u);
    EXPECT_EQ(third.body["nextCursor"], false);
    EXPECT_EQ(call("GET", "/users?query=u3").body["total"], 1);
    EXPECT_EQ(call("GET", "/users?limit=0").status, 400);
    EXPECT_EQ(call("GET", "/users?next=zz").status, 400);
}

TEST_F(HttpRoutes, addresses) {
    std::string id = create("carol");
    Answer added = call("POST", "/users/" + id + "/addresses", {{"address", "Carol.Alias@Example.com"}});
    ASSERT_EQ(added.status, 200) << added.body.dump();
    EXPECT_EQ(call("POST", "/users/" + id + "/addresses", {{"address", "carol.alias@example.com"}}).body["code"],
              "AddressExistsError");
    EXPECT_EQ(call("POST", "/users/" + id + "/addresses", {{"address", "not an address"}}).status, 400);
    Answer list = call("GET", "/users/" + id + "/addresses");
    ASSERT_EQ(list.body["results"].size(), 2u);
    Answer resolved = call("GET", "/addresses/resolve/carolalias@example.com");
    ASSERT_EQ(resolved.status, 200) << resolved.body.dump();
    EXPECT_EQ(resolved.body["user"], id);
    EXPECT_EQ(call("DELETE", "/users/" + id + "/addresses/carol%40mail.example.com").body["code"], "NotPermitted");
    EXPECT_EQ(call("DELETE", "/users/" + id + "/addresses/Carol.Alias%40Example.com").status, 200);
    EXPECT_EQ(call("DELETE", "/users/" + id + "/addresses/Carol.Alias%40Example.com").body["code"], "AddressNotFound");
    EXPECT_EQ(call("GET", "/addresses/resolve/nobody@example.com").status, 404);
}

TEST_F(HttpRoutes, mailboxes_with_counters_rename_and_delete) {
    std::string id = create("dave");
    auto inbox = ok(store().find_mailbox(id, "INBOX"));
    storage::AppendRequest m;
    m.raw = "Subject: x\r\n\r\nbody\r\n";
    ok(store().append(inbox.id, m));
    m.flags = {"\\Seen"};
    ok(store().append(inbox.id, m));

    Answer list = call("GET", "/users/" + id + "/mailboxes?counters=true&sizes=true");
    ASSERT_EQ(list.status, 200);
    ASSERT_FALSE(list.body["results"].empty());
    json first = list.body["results"][0];
    EXPECT_EQ(first["path"], "INBOX");
    EXPECT_EQ(first["total"], 2);
    EXPECT_EQ(first["unseen"], 1);
    EXPECT_EQ(first["size"], 2 * m.raw.size());
    EXPECT_TRUE(first["specialUse"].is_null());
    EXPECT_FALSE(call("GET", "/users/" + id + "/mailboxes").body["results"][0].contains("total"));

    Answer made = call("POST", "/users/" + id + "/mailboxes", {{"path", "Projects/2026"}});
    ASSERT_EQ(made.status, 200) << made.body.dump();
    std::string box = made.body["id"];
    EXPECT_EQ(call("POST", "/users/" + id + "/mailboxes", {{"path", "Projects/2026"}}).body["code"],
              "MailboxExistsError");
    EXPECT_EQ(call("POST", "/users/" + id + "/mailboxes", {{"path", "a//b"}}).status, 400);
    Answer one = call("GET", "/users/" + id + "/mailboxes/" + box);
    EXPECT_EQ(one.body["name"], "2026");
    EXPECT_EQ(one.body["total"], 0);
    EXPECT_EQ(call("GET", "/users/" + id + "/mailboxes/resolve?path=Projects%2F2026").body["id"], box);
    EXPECT_EQ(call("PUT", "/users/" + id + "/mailboxes/" + box, {{"path", "Archive2026"}}).status, 200);
    EXPECT_EQ(call("GET", "/users/" + id + "/mailboxes/" + box).body["path"], "Archive2026");
    EXPECT_EQ(call("PUT", "/users/" + id + "/mailboxes/" + box, json::object()).body["code"], "NoUpdates");
    EXPECT_EQ(call("DELETE", "/users/" + id + "/mailboxes/" + inbox.id).body["code"], "DisallowedMailboxMethod");
    EXPECT_EQ(call("DELETE", "/users/" + id + "/mailboxes/" + box).status, 200);
    EXPECT_EQ(call("GET", "/users/" + id + "/mailboxes/" + box).body["code"], "NoSuchMailbox");
}

TEST_F(HttpRoutes, unknown_routes_and_methods) {
    Answer none = call("GET", "/nothing/here");
    EXPECT_EQ(none.status, 404);
    EXPECT_EQ(none.body["code"], "ResourceNotFound");
    Answer method = call("PATCH", "/users");
    EXPECT_EQ(method.status, 405);
    EXPECT_EQ(method.body["code"], "MethodNotAllowed");
}

}  // namespace
}  // namespace mallard::http
