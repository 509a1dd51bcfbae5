// Connection limits as an IMAP client sees them: over the per-address limit the greeting is BYE and the
// connection closes; over the per-user limit LOGIN and AUTHENTICATE answer NO [LIMIT] (RFC 5530) and the
// session stays unauthenticated; a session that ends in any way gives its places back.
#include <gtest/gtest.h>

#include "protocols/auth/connection_limits.h"
#include "protocols/imap/session_test_support.h"
#include "storage/mime/base64.h"

namespace mallard::imap::test {
namespace {

using auth::InProcessConnectionLimits;
using auth::LimitScope;

// A client with its own session on the test's reactor.
struct Client {
    std::unique_ptr<Connection> conn;
    std::unique_ptr<bool> done = std::make_unique<bool>(false);  // set by run_server when the session ends
};

Task<std::string> read_line(Connection& conn) {
    auto got = co_await conn.read_line(1 << 20, soon());
    co_return got ? std::move(*got) : "<" + std::string(core::errc_name(got.error().code)) + ">";
}

// Connects a new session and returns the client with its greeting line.
Task<std::pair<Client, std::string>> connect(std::shared_ptr<const Context> context) {
    auto pair = core::net::test::unix_pair();
    Client client;
    client.conn = std::move(pair.first);
    core::spawn(run_server(std::move(pair.second), std::move(context), client.done.get()));
    auto greeting = co_await read_line(*client.conn);
    co_return std::pair<Client, std::string>(std::move(client), std::move(greeting));
}

// Sends "<tag> <command>" and returns the tagged response line (untagged lines are skipped).
Task<std::string> command(Client& client, std::string tag, std::string text) {
    client.conn->queue(tag + " " + text + "\r\n");
    auto sent = co_await client.conn->flush(soon());
    EXPECT_TRUE(sent);
    for (;;) {
        auto line = co_await read_line(*client.conn);
        if (line.rfind(tag + " ", 0) == 0 || line.front() == '<') co_return line;
    }
}

// Closes the client and waits for its session to end.
Task<void> hang_up(Client& client) {
    client.conn->close();
    for (int i = 0; i < 1000 && !*client.done; ++i) {
        auto pause = core::sleep_for(5ms);
        co_await pause;
    }
    EXPECT_TRUE(*client.done);
}

std::string sasl_plain(const std::string& user) {
    std::string message(1, '\0');
    message.append(user).append(1, '\0').append("secret");
    return storage::mime::encode_base64(message, {.line_length = 0, .crlf = true, .trailing_newline = false});
}

class ImapConnectionLimits : public SessionFixture {
protected:
    std::shared_ptr<const Context> context(auth::ConnectionLimits& limits) {
        Context context{test_options(), *store_, *pool_, nullptr};
        context.connection_limits = &limits;
        return std::make_shared<const Context>(std::move(context));
    }
    static std::string address() { return auth::address_key(core::net::PeerAddress().ip()); }
};

Task<Lines> over_the_address_limit(std::shared_ptr<const Context> context) {
    Lines out;
    auto first = co_await connect(context);
    out.push_back(first.second);
    auto second = co_await connect(context);
    out.push_back(second.second);
    auto after = co_await read_line(*second.first.conn);  // the server closed it
    out.push_back(after);
    co_await hang_up(second.first);
    co_await hang_up(first.first);  // its place comes back
    auto third = co_await connect(context);
    out.push_back(third.second);
    co_await hang_up(third.first);
    co_return out;
}

TEST_F(ImapConnectionLimits, over_the_address_limit_the_greeting_is_bye_and_the_connection_closes) {
    InProcessConnectionLimits limits({.per_address = 1, .per_user = 0});
    auto lines = run(over_the_address_limit(context(limits)));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].rfind("* OK [CAPABILITY ", 0), 0u) << lines[0];
    EXPECT_EQ(lines[1], "* BYE [UNAVAILABLE] Too many connections from your address");
    EXPECT_EQ(lines[2], "<" + std::string(core::errc_name(core::Errc::closed)) + ">");
    EXPECT_EQ(lines[3].rfind("* OK [CAPABILITY ", 0), 0u) << lines[3];
    EXPECT_EQ(limits.count(LimitScope::address, address()), 0u);
}

Task<Lines> over_the_user_limit(std::shared_ptr<const Context> context, std::string user, std::string plain) {
    Lines out;
    auto first = co_await connect(context);
    auto ok = co_await command(first.first, "a1", "LOGIN " + user + " secret");
    out.push_back(ok);
    auto second = co_await connect(context);
    auto refused = co_await command(second.first, "b1", "LOGIN " + user + " secret");
    out.push_back(refused);
    auto refused_sasl = co_await command(second.first, "b2", "AUTHENTICATE PLAIN " + plain);
    out.push_back(refused_sasl);
    auto still_out = co_await command(second.first, "b3", "SELECT INBOX");
    out.push_back(still_out);
    auto wrong = co_await command(second.first, "b4", "LOGIN " + user + " wrong");  // not a way to probe
    out.push_back(wrong);
    co_await hang_up(first.first);  // the peer leaves without LOGOUT: its place comes back
    auto now_ok = co_await command(second.first, "b5", "LOGIN " + user + " secret");
    out.push_back(now_ok);
    auto bye = co_await command(second.first, "b6", "LOGOUT");
    out.push_back(bye);
    co_await hang_up(second.first);
    co_return out;
}

TEST_F(ImapConnectionLimits, over_the_user_limit_login_and_authenticate_answer_no_limit) {
    InProcessConnectionLimits limits({.per_address = 0, .per_user = 1});
    auto lines = run(over_the_user_limit(context(limits), user_, sasl_plain(user_)));
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[0].rfind("a1 OK [CAPABILITY ", 0), 0u) << lines[0];
    EXPECT_EQ(lines[1], "b1 NO [LIMIT] Too many simultaneous connections for this user");
    EXPECT_EQ(lines[2], "b2 NO [LIMIT] Too many simultaneous connections for this user");
    EXPECT_EQ(lines[3], "b3 BAD SELECT requires login");
    EXPECT_EQ(lines[4], "b4 NO [AUTHENTICATIONFAILED] Invalid credentials");
    EXPECT_EQ(lines[5].rfind("b5 OK [CAPABILITY ", 0), 0u) << lines[5];
    EXPECT_EQ(lines[6].rfind("b6 OK", 0), 0u) << lines[6];
    EXPECT_EQ(limits.count(LimitScope::user, user_id_), 0u);
}

TEST_F(ImapConnectionLimits, without_limits_configured_nothing_is_counted) {
    InProcessConnectionLimits limits({});
    auto lines = run(over_the_user_limit(context(limits), user_, sasl_plain(user_)));
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[1].rfind("b1 OK", 0), 0u) << lines[1];
}

}  // namespace
}  // namespace mallard::imap::test
