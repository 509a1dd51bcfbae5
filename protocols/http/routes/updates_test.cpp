// GET /users/:user/updates end to end on a socket pair: the stream hears a change through the bus, reads it
// from the journal and sends it; Last-Event-ID resumes; a closed client ends the stream.
#include <gtest/gtest.h>

#include "core/net/test_support.h"
#include "protocols/http/routes/routes_test_support.h"
#include "storage/notify/notifying_store.h"

namespace mallard::http {
namespace {

using namespace std::chrono_literals;
using core::net::test::ConnPtr;

class HttpUpdates : public test::HttpRoutes {
protected:
    void SetUp() override {
        HttpRoutes::SetUp();
        // The server's store: announcing every write on the bus.
        store_ = std::make_unique<storage::notify::NotifyingStore>(std::move(store_), bus_);
        Options o;
        o.hostname = "mail.example.com";
        o.heartbeat = 2s;  // changes must arrive well before it: through the bus, not the heartbeat's poll
        context_ = make_context(o, store(), pool_, &bus_);
    }

    // Reads from `client` until `needle` has arrived (or 10 s pass); returns everything read.
    core::Task<std::string> read_until(core::net::Connection& client, std::string needle) {
        std::string got;
        const core::Deadline until = core::Deadline::after(10s);
        while (got.find(needle) == std::string::npos) {
            auto filled = co_await client.fill(until);
            if (!filled) break;
            got += client.input();
            client.consume(client.input().size());
        }
        co_return got;
    }

    static core::Task<void> serve(std::shared_ptr<EventStream> stream, core::net::Connection& conn, bool& done) {
        co_await stream->run(conn);
        done = true;
    }

    // Connections live on the reactor's thread: made and dropped inside run().
    static core::Task<std::pair<ConnPtr, ConnPtr>> make_pair() { co_return core::net::test::unix_pair(); }
    static core::Task<void> drop(ConnPtr conn) {
        conn->close();
        conn.reset();
        co_return;
    }

    // Starts the stream on the reactor's thread, as the server's session runs it (its bus watches are that loop's).
    static core::Task<void> start(std::shared_ptr<EventStream> stream, core::net::Connection& conn, bool& done) {
        core::spawn(serve(std::move(stream), conn, done));
        co_return;
    }

    core::Task<void> wait_done(const bool& done) {
        for (int i = 0; i < 500 && !done; ++i) co_await core::sleep_for(10ms);
    }

    storage::notify::Bus bus_;
};

TEST_F(HttpUpdates, streams_changes_and_resumes) {
    const std::string user = create("sam");
    const std::string inbox = call("GET", "/users/" + user + "/mailboxes").body["results"][0]["id"];
    Request r;
    r.method = "GET";
    r.path = r.target = "/users/" + user + "/updates";
    Response head = run(dispatch(*context_, r, true));
    ASSERT_EQ(head.status, 200);
    ASSERT_TRUE(head.stream);
    std::string rendered = render(head, false, true);
    EXPECT_NE(rendered.find("Connection: close"), std::string::npos);
    EXPECT_EQ(rendered.find("Content-Length"), std::string::npos);

    auto [server, client] = run(make_pair());
    bool done = false;
    run(start(head.stream, *server, done));
    std::string hello = run(read_until(*client, "mallard updates"));
    EXPECT_NE(hello.find("retry:"), std::string::npos);

    ASSERT_EQ(call("POST", "/users/" + user + "/mailboxes/" + inbox + "/messages",
                   {{"raw", "Subject: hi\r\n\r\nbody\r\n"}, {"unseen", true}})
                  .status,
              200);
    const auto sent_at = std::chrono::steady_clock::now();
    std::string added = run(read_until(*client, "\n\n"));
    EXPECT_LT(std::chrono::steady_clock::now() - sent_at, 1s);
    EXPECT_NE(added.find("\"command\":\"EXISTS\""), std::string::npos) << added;
    const std::size_t id_at = added.find("id: ");
    ASSERT_NE(id_at, std::string::npos);
    const std::string last_id = added.substr(id_at + 4, added.find('\n', id_at) - id_at - 4);

    ASSERT_EQ(call("PUT", "/users/" + user + "/mailboxes/" + inbox + "/messages/1", {{"seen", true}}).status, 200);
    std::string flagged = run(read_until(*client, "FETCH"));
    EXPECT_NE(flagged.find("\\\\Seen"), std::string::npos) << flagged;
    std::string beat = run(read_until(*client, ": heartbeat"));
    EXPECT_NE(beat.find(": heartbeat"), std::string::npos);

    run(drop(std::move(client)));
    run(wait_done(done));
    run(drop(std::move(server)));
    EXPECT_TRUE(done);
    EXPECT_EQ(bus_.watchers_here(inbox), 0u);

    // Resuming from the EXISTS event: the flag change comes again, from the journal.
    r.headers.emplace_back("last-event-id", last_id);
    Response again = run(dispatch(*context_, r, true));
    ASSERT_TRUE(again.stream);
    auto [server2, client2] = run(make_pair());
    bool done2 = false;
    run(start(again.stream, *server2, done2));
    std::string missed = run(read_until(*client2, "FETCH"));
    EXPECT_NE(missed.find("FETCH"), std::string::npos);
    EXPECT_EQ(missed.find("EXISTS"), std::string::npos) << missed;
    run(drop(std::move(client2)));
    run(wait_done(done2));
    run(drop(std::move(server2)));

    r.headers.back().second = "garbage";
    EXPECT_EQ(run(dispatch(*context_, r, true)).status, 400);
}

}  // namespace
}  // namespace mallard::http
