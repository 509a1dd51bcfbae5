// WildDuck parity of the API (issue 9): IDN addresses in both forms, address ids on every address route,
// GET /addresses paging, and message threads (thread, threadCounters, search by thread).
#include <gtest/gtest.h>

#include "protocols/http/routes/routes_test_support.h"

namespace mallard::http {
namespace {

using nlohmann::json;
using test::HttpRoutes;

TEST_F(HttpRoutes, idn_addresses_resolve_in_both_forms) {
    std::string user = create("dora");
    Answer added = call("POST", "/users/" + user + "/addresses", {{"address", "Dora@XN--EXMPLE-CUA.com"}});
    ASSERT_EQ(added.status, 200) << added.body.dump();
    const std::string id = added.body["id"];
    // The same address in its Unicode form is taken already.
    EXPECT_EQ(call("POST", "/users/" + user + "/addresses", {{"address", "dora@exämple.com"}}).body["code"],
              "AddressExistsError");
    for (const char* form : {"dora@ex%C3%A4mple.com", "dora@xn--exmple-cua.com", "DORA@EX%C3%84MPLE.COM"}) {
        Answer r = call("GET", std::string("/addresses/resolve/") + form);
        ASSERT_EQ(r.status, 200) << form << " " << r.body.dump();
        EXPECT_EQ(r.body["id"], id);
        EXPECT_EQ(r.body["address"], "dora@exämple.com");  // stored as WildDuck's normalizeAddress keeps it
        EXPECT_EQ(r.body["user"], user);
        EXPECT_TRUE(r.body["created"].is_string());
    }
    EXPECT_EQ(call("GET", "/addresses/resolve/" + id).body["address"], "dora@exämple.com");
    EXPECT_EQ(call("GET", "/addresses/resolve/dora@xn--.com").body["code"], "AddressNotFound");
}

TEST_F(HttpRoutes, address_routes_take_the_address_id) {
    std::string user = create("erin");
    std::string other = create("fred");
    const std::string id = call("POST", "/users/" + user + "/addresses", {{"address", "alias@example.com"}}).body["id"];
    Answer got = call("GET", "/users/" + user + "/addresses/" + id);
    ASSERT_EQ(got.status, 200) << got.body.dump();
    EXPECT_EQ(got.body["id"], id);
    EXPECT_EQ(got.body["address"], "alias@example.com");
    EXPECT_EQ(got.body["main"], false);
    EXPECT_EQ(call("GET", "/users/" + user + "/addresses/alias%40example.com").body["id"], id);
    EXPECT_EQ(call("GET", "/users/" + other + "/addresses/" + id).body["code"], "AddressNotFound");

    Answer listed = call("GET", "/users/" + user + "/addresses");
    ASSERT_EQ(listed.body["results"].size(), 2u);
    for (const json& a : listed.body["results"]) EXPECT_TRUE(a["id"].is_string() && a["created"].is_string());

    EXPECT_EQ(call("PUT", "/users/" + user + "/addresses/" + id, {{"address", "renamed@example.com"}}).status, 200);
    EXPECT_EQ(call("GET", "/addresses/resolve/renamed@example.com").body["id"], id);
    EXPECT_EQ(call("PUT", "/users/" + user + "/addresses/" + id, {{"main", false}}).body["code"],
              "InputValidationError");
    EXPECT_EQ(call("PUT", "/users/" + user + "/addresses/" + id, {{"address", "fred@mail.example.com"}}).body["code"],
              "AddressExistsError");
    EXPECT_EQ(call("PUT", "/users/" + user + "/addresses/" + id, {{"main", true}}).status, 200);
    EXPECT_EQ(call("GET", "/users/" + user).body["address"], "renamed@example.com");
    EXPECT_EQ(call("DELETE", "/users/" + user + "/addresses/" + id).body["code"], "NotPermitted");  // now main
    const std::string old_main = call("GET", "/addresses/resolve/erin@mail.example.com").body["id"];
    EXPECT_EQ(call("DELETE", "/users/" + user + "/addresses/" + old_main).status, 200);
    EXPECT_EQ(call("GET", "/addresses/resolve/" + old_main).status, 404);
}

TEST_F(HttpRoutes, all_addresses_listing_pages) {
    for (const char* n : {"gina", "hank", "ivan"}) create(n);
    Answer first = call("GET", "/addresses?limit=2");
    ASSERT_EQ(first.status, 200) << first.body.dump();
    EXPECT_EQ(first.body["total"], 3);
    ASSERT_EQ(first.body["results"].size(), 2u);
    EXPECT_EQ(first.body["results"][0]["address"], "gina@mail.example.com");
    EXPECT_TRUE(first.body["results"][0]["user"].is_string());
    EXPECT_EQ(first.body["results"][0]["forwarded"], false);
    EXPECT_EQ(first.body["previousCursor"], false);
    Answer second = call("GET", "/addresses?limit=2&next=" + std::string(first.body["nextCursor"]));
    ASSERT_EQ(second.body["results"].size(), 1u);
    EXPECT_EQ(second.body["results"][0]["address"], "ivan@mail.example.com");
    EXPECT_EQ(second.body["nextCursor"], false);
    Answer back = call("GET", "/addresses?limit=2&previous=" + std::string(second.body["previousCursor"]));
    EXPECT_EQ(back.body["results"][1]["address"], "hank@mail.example.com");
    EXPECT_EQ(call("GET", "/addresses?query=hank").body["total"], 1);
    EXPECT_EQ(call("GET", "/addresses?tags=x").body["total"], 0);
    EXPECT_EQ(call("GET", "/addresses?limit=251").status, 400);
}

TEST_F(HttpRoutes, messages_carry_threads_and_thread_counters) {
    std::string user = create("jane");
    std::string inbox, sent;
    const Answer boxes = call("GET", "/users/" + user + "/mailboxes");
    for (const json& b : boxes.body["results"]) {
        if (b["path"] == "INBOX") inbox = b["id"];
        if (b["path"] == "Sent") sent = b["id"];
    }
    auto upload = [&](const std::string& box, const std::string& raw) {
        Answer a = call("POST", "/users/" + user + "/mailboxes/" + box + "/messages", {{"raw", raw}});
        EXPECT_EQ(a.status, 200) << a.body.dump();
        return a.body["message"]["id"].get<int>();
    };
    const int first = upload(inbox, "Subject: Plans\r\nMessage-ID: <p1@x>\r\n\r\nhi\r\n");
    upload(sent, "Subject: Re: Plans\r\nMessage-ID: <p2@x>\r\nIn-Reply-To: <p1@x>\r\n\r\nok\r\n");
    upload(inbox, "Subject: Other\r\n\r\nunrelated\r\n");
    Answer list = call("GET", "/users/" + user + "/mailboxes/" + inbox + "/messages?threadCounters=true&order=asc");
    ASSERT_EQ(list.status, 200) << list.body.dump();
    ASSERT_EQ(list.body["results"].size(), 2u);
    const std::string thread = list.body["results"][0]["thread"];
    EXPECT_EQ(list.body["results"][0]["threadMessageCount"], 2);  // the reply in Sent counts too
    EXPECT_NE(list.body["results"][1]["thread"], thread);
    EXPECT_EQ(list.body["results"][1]["threadMessageCount"], 1);
    const Answer plain = call("GET", "/users/" + user + "/mailboxes/" + inbox + "/messages");
    EXPECT_FALSE(plain.body["results"][0].contains("threadMessageCount"));
    Answer one = call("GET", "/users/" + user + "/mailboxes/" + inbox + "/messages/" + std::to_string(first));
    EXPECT_EQ(one.body["thread"], thread);

    Answer found = call("GET", "/users/" + user + "/search?thread=" + thread + "&threadCounters=true");
    ASSERT_EQ(found.status, 200) << found.body.dump();
    ASSERT_EQ(found.body["results"].size(), 2u);  // both mailboxes: INBOX and Sent
    EXPECT_EQ(found.body["results"][0]["threadMessageCount"], 2);
    EXPECT_EQ(call("GET", "/users/" + user + "/search?thread=not-hex").status, 400);
}

TEST_F(HttpRoutes, mailbox_counters_come_from_the_store) {
    std::string user = create("kate");
    std::string inbox;
    const Answer boxes = call("GET", "/users/" + user + "/mailboxes");
    for (const json& b : boxes.body["results"])
        if (b["path"] == "INBOX") inbox = b["id"];
    call("POST", "/users/" + user + "/mailboxes/" + inbox + "/messages", {{"raw", "Subject: a\r\n\r\nx\r\n"}});
    call("POST", "/users/" + user + "/mailboxes/" + inbox + "/messages",
         {{"raw", "Subject: b\r\n\r\ny\r\n"}, {"unseen", true}});
    Answer box = call("GET", "/users/" + user + "/mailboxes/" + inbox);
    EXPECT_EQ(box.body["total"], 2);
    EXPECT_EQ(box.body["unseen"], 1);
    Answer listed = call("GET", "/users/" + user + "/mailboxes?counters=true&sizes=true");
    EXPECT_EQ(listed.body["results"][0]["total"], 2);
    EXPECT_GT(listed.body["results"][0]["size"].get<int>(), 20);
}

}  // namespace
}  // namespace mallard::http
