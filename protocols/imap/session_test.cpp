// The IMAP session as a client sees it, over a socket pair on one reactor with a SqliteStore in a temporary
// directory: the greeting, CAPABILITY by state, LOGIN and AUTHENTICATE PLAIN (SASL-IR, continuation, "*"),
// literals in LOGIN, state checks, parser errors, STARTTLS, COMPRESS, LOGOUT, shutdown and autologout.
#include "protocols/imap/session.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/net/test_support.h"
#include "core/net/tls_context.h"
#include "core/reactor.h"
#include "core/thread_pool.h"
#include "protocols/auth/password.h"
#include "storage/sqlite/sqlite_store.h"

namespace mallard::imap {
namespace {

using namespace std::chrono_literals;
using core::Task;
using core::net::Connection;
using core::net::test::soon;

using Lines = std::vector<std::string>;

Task<void> run_server(std::unique_ptr<Connection> conn, std::shared_ptr<const Context> context, bool* done) {
    co_await serve(std::move(conn), std::move(context));
    *done = true;
}

// The client end of one session; the server runs on the same reactor.
class Client {
public:
    explicit Client(std::shared_ptr<const Context> context) {
        auto pair = core::net::test::unix_pair();
        conn_ = std::move(pair.first);
        server = pair.second.get();
        core::spawn(run_server(std::move(pair.second), std::move(context), &server_done));
    }

    Connection& conn() { return *conn_; }

    // One line without CRLF, or "<error>" when the connection ended.
    Task<std::string> line() {
        auto got = co_await conn_->read_line(1 << 20, soon());
        if (!got) co_return "<" + std::string(core::errc_name(got.error().code)) + ">";
        co_return std::move(*got);
    }

    Task<void> send(std::string bytes) {
        conn_->queue(bytes);
        auto sent = co_await conn_->flush(soon());
        EXPECT_TRUE(sent);
    }

    // Reads lines up to and including the one starting with "<tag> " (or the end of the connection).
    Task<Lines> until(std::string tag) {
        Lines lines;
        for (;;) {
            auto got = co_await line();
            lines.push_back(got);
            if (got.rfind(tag + " ", 0) == 0 || (!got.empty() && got.front() == '<')) co_return lines;
        }
    }

    // Sends "<tag> <command>\r\n" and reads its response.
    Task<Lines> command(std::string tag, std::string text) {
        co_await send(tag + " " + text + "\r\n");
        auto lines = co_await until(tag);
        co_return lines;
    }

    // Closes the client end and waits for the server's session to end.
    Task<void> finish() {
        conn_->close();
        for (int i = 0; i < 1000 && !server_done; ++i) {
            auto pause = core::sleep_for(5ms);
            co_await pause;
        }
        EXPECT_TRUE(server_done);
    }

    Connection* server = nullptr;  // valid until server_done
    bool server_done = false;

private:
    std::unique_ptr<Connection> conn_;
};

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string plain(std::string_view user, std::string_view password) {
    std::string message;
    message += '\0';
    message.append(user).append(1, '\0').append(password);
    return base64(message);
}

bool contains(const std::string& line, std::string_view part) { return line.find(part) != std::string::npos; }

class ImapSession : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char pattern[] = "/tmp/mallard-imap-session-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
        pool_ = new core::ThreadPool(2);
        storage::sqlite::SqliteOptions options;
        options.data_dir = dir_ + "/data";
        auto opened = storage::sqlite::SqliteStore::open(options, *pool_);
        ASSERT_TRUE(opened) << opened.error().to_string();
        store_ = opened->release();
        core::Reactor loop;
        loop.block_on(add_users());
        ASSERT_TRUE(core::net::write_self_signed("imap.test", dir_ + "/cert.pem", dir_ + "/key.pem"));
        auto tls = core::net::TlsContext::server(core::net::TlsOptions{dir_ + "/cert.pem", dir_ + "/key.pem", "", ""});
        ASSERT_TRUE(tls) << tls.error().to_string();
        tls_ = std::make_shared<core::net::TlsProvider>();
        tls_->replace(*tls);
    }
    static void TearDownTestSuite() {
        delete store_;
        delete pool_;
        tls_.reset();
        std::filesystem::remove_all(dir_);
    }

    static Task<void> add_users() {
        auth::Argon2Params cheap{1, 64, 1};  // tests only: the real cost is the default
        auto hash = auth::hash_password("secret", cheap);
        EXPECT_TRUE(hash);
        storage::NewUser alice_user{"alice", *hash, "alice@example.com", 0};
        auto alice = co_await store_->create_user(std::move(alice_user));
        EXPECT_TRUE(alice);
        storage::NewUser bob_user{"bob", *hash, "", 0};
        auto bob = co_await store_->create_user(std::move(bob_user));
        EXPECT_TRUE(bob);
        auto disabled = co_await store_->set_disabled(bob->id, true);
        EXPECT_TRUE(disabled);
    }

    static std::shared_ptr<const Context> context(Options options = test_options()) {
        return std::make_shared<const Context>(Context{std::move(options), *store_, *pool_, tls_});
    }
    static Options test_options() {
        Options options;
        options.hostname = "imap.test";
        options.auth_failure_delay = 10ms;
        options.limits.max_line_bytes = 1024;
        return options;
    }

    template <class T>
    static T run(Task<T> task) {
        core::Reactor loop;
        return loop.block_on(std::move(task));
    }

    static std::string dir_;
    static core::ThreadPool* pool_;
    static storage::sqlite::SqliteStore* store_;
    static std::shared_ptr<core::net::TlsProvider> tls_;
};
std::string ImapSession::dir_;
core::ThreadPool* ImapSession::pool_ = nullptr;
storage::sqlite::SqliteStore* ImapSession::store_ = nullptr;
std::shared_ptr<core::net::TlsProvider> ImapSession::tls_;

// Runs a plain script: the greeting, then each command in turn; returns every line received.
Task<Lines> transcript(std::shared_ptr<const Context> context, std::vector<std::string> commands) {
    Client client(std::move(context));
    Lines all;
    auto greeting = co_await client.line();
    all.push_back(greeting);
    for (std::size_t i = 0; i < commands.size(); ++i) {
        auto lines = co_await client.command("t" + std::to_string(i + 1), commands[i]);
        all.insert(all.end(), lines.begin(), lines.end());
    }
    co_await client.finish();
    co_return all;
}

TEST_F(ImapSession, greeting_lists_capabilities_and_host) {
    auto lines = run(transcript(context(), {}));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].rfind("* OK [CAPABILITY IMAP4rev1 ", 0), 0u) << lines[0];
    EXPECT_TRUE(contains(lines[0], " STARTTLS")) << lines[0];
    EXPECT_TRUE(contains(lines[0], " AUTH=PLAIN")) << lines[0];
    EXPECT_TRUE(contains(lines[0], "] imap.test Mallard ready")) << lines[0];
}

TEST_F(ImapSession, capability_before_and_after_login) {
    auto lines = run(transcript(context(), {"CAPABILITY", "LOGIN alice secret", "CAPABILITY"}));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[1].rfind("* CAPABILITY IMAP4rev1 ", 0), 0u);
    EXPECT_TRUE(contains(lines[1], " LITERAL+ SASL-IR ID ENABLE NAMESPACE UTF8=ACCEPT"));
    EXPECT_TRUE(contains(lines[1], " STARTTLS"));
    EXPECT_TRUE(contains(lines[1], " AUTH=PLAIN"));
    EXPECT_FALSE(contains(lines[1], "COMPRESS"));
    EXPECT_EQ(lines[2], "t1 OK CAPABILITY completed");
    EXPECT_EQ(lines[3].rfind("t2 OK [CAPABILITY IMAP4rev1 ", 0), 0u) << lines[3];
    EXPECT_EQ(lines[4].rfind("* CAPABILITY ", 0), 0u);
    EXPECT_FALSE(contains(lines[4], "STARTTLS"));
    EXPECT_FALSE(contains(lines[4], "AUTH=PLAIN"));
    EXPECT_TRUE(contains(lines[4], " COMPRESS=DEFLATE"));
}

TEST_F(ImapSession, login_disabled_without_tls) {
    Options options = test_options();
    options.login_disabled_without_tls = true;
    auto lines = run(transcript(context(options), {"CAPABILITY", "LOGIN alice secret", "AUTHENTICATE PLAIN " +
                                                                                         plain("alice", "secret")}));
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_TRUE(contains(lines[1], " LOGINDISABLED"));
    EXPECT_FALSE(contains(lines[1], "AUTH=PLAIN"));
    EXPECT_EQ(lines[3].rfind("t2 NO [PRIVACYREQUIRED]", 0), 0u) << lines[3];
    EXPECT_EQ(lines[4].rfind("t3 NO [PRIVACYREQUIRED]", 0), 0u) << lines[4];
}

TEST_F(ImapSession, login_by_username_and_by_address) {
    auto a = run(transcript(context(), {"LOGIN alice secret"}));
    ASSERT_EQ(a.size(), 2u);
    EXPECT_TRUE(contains(a[1], "] Logged in")) << a[1];
    auto b = run(transcript(context(), {"LOGIN \"alice@example.com\" \"secret\""}));
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[1].rfind("t1 OK [CAPABILITY ", 0), 0u) << b[1];
}

TEST_F(ImapSession, login_failures_are_authenticationfailed) {
    auto lines = run(transcript(context(), {"LOGIN alice wrong", "LOGIN nobody secret", "LOGIN bob secret",
                                            "NOOP", "LOGIN alice secret"}));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[1], "t1 NO [AUTHENTICATIONFAILED] Invalid credentials");
    EXPECT_EQ(lines[2], "t2 NO [AUTHENTICATIONFAILED] Invalid credentials");
    EXPECT_EQ(lines[3], "t3 NO [AUTHENTICATIONFAILED] Account disabled");
    EXPECT_EQ(lines[4], "t4 OK NOOP completed");
    EXPECT_EQ(lines[5].rfind("t5 OK [CAPABILITY ", 0), 0u) << lines[5];
}

TEST_F(ImapSession, authenticate_plain_with_initial_response) {
    auto lines = run(transcript(context(), {"AUTHENTICATE PLAIN " + plain("alice", "secret"),
                                            "AUTHENTICATE PLAIN " + plain("alice", "secret")}));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[1].rfind("t1 OK [CAPABILITY ", 0), 0u) << lines[1];
    EXPECT_EQ(lines[2], "t2 BAD AUTHENTICATE not valid after login");
}

TEST_F(ImapSession, authenticate_plain_bad_credentials_and_mechanism) {
    auto lines = run(transcript(context(), {"AUTHENTICATE PLAIN " + plain("alice", "nope"),
                                            "AUTHENTICATE PLAIN bm90IGJhc2U2NA",
                                            "AUTHENTICATE CRAM-MD5"}));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[1], "t1 NO [AUTHENTICATIONFAILED] Invalid credentials");
    EXPECT_EQ(lines[2].rfind("t2 NO [AUTHENTICATIONFAILED]", 0), 0u) << lines[2];
    EXPECT_EQ(lines[3].rfind("t3 NO ", 0), 0u) << lines[3];
}

Task<Lines> authenticate_continuation(std::shared_ptr<const Context> context, std::string response) {
    Client client(std::move(context));
    Lines all;
    auto greeting = co_await client.line();
    (void)greeting;
    co_await client.send("a1 AUTHENTICATE PLAIN\r\n");
    auto challenge = co_await client.line();
    all.push_back(challenge);
    co_await client.send(response + "\r\n");
    auto result = co_await client.until("a1");
    all.insert(all.end(), result.begin(), result.end());
    auto after = co_await client.command("a2", "NOOP");
    all.insert(all.end(), after.begin(), after.end());
    co_await client.finish();
    co_return all;
}

TEST_F(ImapSession, authenticate_plain_with_continuation) {
    auto lines = run(authenticate_continuation(context(), plain("alice", "secret")));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "+ ");
    EXPECT_EQ(lines[1].rfind("a1 OK [CAPABILITY ", 0), 0u) << lines[1];
    EXPECT_EQ(lines[2], "a2 OK NOOP completed");
}

TEST_F(ImapSession, authenticate_cancelled_with_star) {
    auto lines = run(authenticate_continuation(context(), "*"));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "+ ");
    EXPECT_EQ(lines[1], "a1 BAD Authentication cancelled");
    EXPECT_EQ(lines[2], "a2 OK NOOP completed");
}

Task<Lines> login_with_synchronising_literals(std::shared_ptr<const Context> context) {
    Client client(std::move(context));
    Lines all;
    auto greeting = co_await client.line();
    (void)greeting;
    co_await client.send("a1 LOGIN {5}\r\n");
    auto first = co_await client.line();
    all.push_back(first);
    co_await client.send("alice {6}\r\n");
    auto second = co_await client.line();
    all.push_back(second);
    co_await client.send("secret\r\n");
    auto result = co_await client.until("a1");
    all.insert(all.end(), result.begin(), result.end());
    co_await client.finish();
    co_return all;
}

TEST_F(ImapSession, login_with_synchronising_literals) {
    auto lines = run(login_with_synchronising_literals(context()));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "+ Ready for literal data");
    EXPECT_EQ(lines[1], "+ Ready for literal data");
    EXPECT_EQ(lines[2].rfind("a1 OK [CAPABILITY ", 0), 0u) << lines[2];
}

TEST_F(ImapSession, login_with_non_synchronising_literals) {
    auto lines = run(transcript(context(), {"LOGIN {5+}\r\nalice {6+}\r\nsecret"}));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1].rfind("t1 OK [CAPABILITY ", 0), 0u) << lines[1];
}

TEST_F(ImapSession, commands_in_the_wrong_state_are_bad) {
    auto lines = run(transcript(context(), {"SELECT INBOX", "ENABLE UTF8=ACCEPT", "COMPRESS DEFLATE",
                                            "LOGIN alice secret", "SELECT Nope", "STARTTLS", "FETCH 1 FLAGS"}));
    ASSERT_EQ(lines.size(), 8u);
    EXPECT_EQ(lines[1], "t1 BAD SELECT requires login");
    EXPECT_EQ(lines[2], "t2 BAD ENABLE requires login");
    EXPECT_EQ(lines[3], "t3 BAD COMPRESS requires login");
    EXPECT_EQ(lines[5], "t5 NO [NONEXISTENT] no such mailbox: Nope");
    EXPECT_EQ(lines[6], "t6 BAD STARTTLS not valid after login");
    EXPECT_EQ(lines[7], "t7 BAD FETCH requires a selected mailbox");
}

TEST_F(ImapSession, unknown_and_unsupported_commands_are_bad) {
    auto lines = run(transcript(context(), {"FROBNICATE", "IDLE", "NOOP"}));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[1], "t1 BAD unknown command");
    EXPECT_EQ(lines[2], "t2 BAD IDLE requires login");
    EXPECT_EQ(lines[3], "t3 OK NOOP completed");
}

TEST_F(ImapSession, over_long_line_is_bad_and_the_session_continues) {
    auto lines = run(transcript(context(), {"NOOP " + std::string(4000, 'x'), "NOOP"}));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[1].rfind("t1 BAD ", 0), 0u) << lines[1];
    EXPECT_EQ(lines[2], "t2 OK NOOP completed");
}

TEST_F(ImapSession, id_enable_namespace) {
    auto lines = run(transcript(context(), {"ID (\"name\" \"test\")", "LOGIN alice secret",
                                            "ENABLE UTF8=ACCEPT CONDSTORE", "NAMESPACE"}));
    ASSERT_EQ(lines.size(), 8u);
    EXPECT_EQ(lines[1], "* ID (\"name\" \"Mallard\" \"vendor\" \"Mallard\")");
    EXPECT_EQ(lines[2], "t1 OK ID completed");
    EXPECT_EQ(lines[4], "* ENABLED UTF8=ACCEPT CONDSTORE");
    EXPECT_EQ(lines[5], "t3 OK ENABLE completed");
    EXPECT_EQ(lines[6], "* NAMESPACE ((\"\" \"/\")) NIL NIL");
    EXPECT_EQ(lines[7], "t4 OK NAMESPACE completed");
}

TEST_F(ImapSession, enable_utf8_accept_lets_the_parser_take_utf8_quoted_strings) {
    auto lines = run(transcript(context(), {"LOGIN alice secret", "SELECT \"Entw\xc3\xbcrfe\"", "ENABLE UTF8=ACCEPT",
                                            "SELECT \"Entw\xc3\xbcrfe\""}));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines[2].rfind("t2 BAD ", 0), 0u) << lines[2];
    EXPECT_EQ(lines[5], "t4 NO [NONEXISTENT] no such mailbox: Entw\xc3\xbcrfe");
}

TEST_F(ImapSession, append_over_the_limit_is_toobig) {
    Options options = test_options();
    options.limits.max_append_bytes = 100;
    auto lines = run(transcript(context(options), {"LOGIN alice secret", "APPEND INBOX {1000}", "NOOP"}));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[2].rfind("t2 NO [TOOBIG] ", 0), 0u) << lines[2];
    EXPECT_EQ(lines[3], "t3 OK NOOP completed");
}

Task<Lines> logout(std::shared_ptr<const Context> context) {
    Client client(std::move(context));
    auto greeting = co_await client.line();
    (void)greeting;
    auto lines = co_await client.command("a1", "LOGOUT");
    auto end = co_await client.line();
    lines.push_back(end);
    co_await client.finish();
    co_return lines;
}

TEST_F(ImapSession, logout_says_bye_then_ok_then_closes) {
    auto lines = run(logout(context()));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "* BYE Mallard logging out");
    EXPECT_EQ(lines[1], "a1 OK LOGOUT completed");
    EXPECT_EQ(lines[2], "<connection closed>");
}

Task<Lines> shutdown(std::shared_ptr<const Context> context) {
    Client client(std::move(context));
    Lines all;
    auto greeting = co_await client.line();
    (void)greeting;
    auto ok = co_await client.command("a1", "LOGIN alice secret");
    all.insert(all.end(), ok.begin(), ok.end());
    client.server->interrupt_reads();
    auto bye = co_await client.line();
    all.push_back(bye);
    auto end = co_await client.line();
    all.push_back(end);
    co_await client.finish();
    co_return all;
}

TEST_F(ImapSession, shutdown_interrupt_says_bye) {
    auto lines = run(shutdown(context()));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[1], "* BYE Server shutting down");
    EXPECT_EQ(lines[2], "<connection closed>");
}

Task<Lines> idle_client(std::shared_ptr<const Context> context) {
    Client client(std::move(context));
    Lines all;
    auto greeting = co_await client.line();
    (void)greeting;
    auto bye = co_await client.line();
    all.push_back(bye);
    auto end = co_await client.line();
    all.push_back(end);
    co_await client.finish();
    co_return all;
}

TEST_F(ImapSession, autologout_before_login) {
    Options options = test_options();
    options.preauth_timeout = 100ms;
    auto lines = run(idle_client(context(options)));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "* BYE Autologout; idle for too long");
    EXPECT_EQ(lines[1], "<connection closed>");
}

Task<Lines> starttls_then_login(std::shared_ptr<const Context> context) {
    Client client(std::move(context));
    Lines all;
    auto greeting = co_await client.line();
    (void)greeting;
    // Pipelined plaintext after STARTTLS must be discarded, never run.
    auto ok = co_await client.command("a1", "STARTTLS\r\na2 LOGIN alice secret");
    all.insert(all.end(), ok.begin(), ok.end());
    auto tls = core::net::TlsContext::client(false);
    EXPECT_TRUE(tls);
    auto started = co_await client.conn().start_tls(*tls, core::net::TlsStream::Role::client, soon(), "imap.test");
    EXPECT_TRUE(started);
    auto caps = co_await client.command("a3", "CAPABILITY");
    all.insert(all.end(), caps.begin(), caps.end());
    auto again = co_await client.command("a4", "STARTTLS");
    all.insert(all.end(), again.begin(), again.end());
    auto login = co_await client.command("a5", "LOGIN alice secret");
    all.insert(all.end(), login.begin(), login.end());
    co_await client.finish();
    co_return all;
}

TEST_F(ImapSession, starttls_discards_pipelined_plaintext_and_refreshes_capabilities) {
    Options options = test_options();
    options.login_disabled_without_tls = true;
    auto lines = run(starttls_then_login(context(options)));
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "a1 OK Begin TLS negotiation now");
    EXPECT_EQ(lines[1].rfind("* CAPABILITY ", 0), 0u);
    EXPECT_FALSE(contains(lines[1], "STARTTLS"));
    EXPECT_FALSE(contains(lines[1], "LOGINDISABLED"));
    EXPECT_TRUE(contains(lines[1], "AUTH=PLAIN"));
    EXPECT_EQ(lines[2], "a3 OK CAPABILITY completed");
    EXPECT_EQ(lines[3], "a4 BAD TLS already active");
    EXPECT_EQ(lines[4].rfind("a5 OK [CAPABILITY ", 0), 0u) << lines[4];
}

Task<Lines> compress(std::shared_ptr<const Context> context) {
    Client client(std::move(context));
    Lines all;
    auto greeting = co_await client.line();
    (void)greeting;
    auto login = co_await client.command("a1", "LOGIN alice secret");
    (void)login;
    auto ok = co_await client.command("a2", "COMPRESS DEFLATE");
    all.insert(all.end(), ok.begin(), ok.end());
    client.conn().start_deflate();
    auto noop = co_await client.command("a3", "NOOP");
    all.insert(all.end(), noop.begin(), noop.end());
    auto again = co_await client.command("a4", "COMPRESS DEFLATE");
    all.insert(all.end(), again.begin(), again.end());
    auto caps = co_await client.command("a5", "CAPABILITY");
    all.insert(all.end(), caps.begin(), caps.end());
    co_await client.finish();
    co_return all;
}

TEST_F(ImapSession, compress_deflate_once) {
    auto lines = run(compress(context()));
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "a2 OK DEFLATE active");
    EXPECT_EQ(lines[1], "a3 OK NOOP completed");
    EXPECT_EQ(lines[2], "a4 NO [COMPRESSIONACTIVE] DEFLATE already active");
    EXPECT_FALSE(contains(lines[3], "COMPRESS"));
}

TEST(ImapCapabilities, advertise_only_what_works_in_each_state) {
    CapabilityState before;
    before.starttls_available = true;
    before.compress_available = true;
    EXPECT_EQ(capability_list(before),
              "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE NAMESPACE UTF8=ACCEPT STARTTLS AUTH=PLAIN");
    before.login_disabled = true;
    EXPECT_EQ(capability_list(before),
              "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE NAMESPACE UTF8=ACCEPT STARTTLS LOGINDISABLED");
    CapabilityState after;
    after.authenticated = true;
    after.compress_available = true;
    after.append_limit = 65536;
    EXPECT_EQ(capability_list(after), "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE NAMESPACE UTF8=ACCEPT COMPRESS=DEFLATE "
                                      "SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS UNSELECT IDLE "
                                      "MULTIAPPEND QUOTA QUOTA=RES-STORAGE APPENDLIMIT=65536 CONDSTORE BINARY UIDPLUS MOVE");
    after.compressed = true;
    EXPECT_EQ(capability_list(after),
              "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE NAMESPACE UTF8=ACCEPT SPECIAL-USE CREATE-SPECIAL-USE "
              "LIST-EXTENDED LIST-STATUS UNSELECT IDLE MULTIAPPEND QUOTA QUOTA=RES-STORAGE APPENDLIMIT=65536 CONDSTORE BINARY UIDPLUS MOVE");
}

}  // namespace
}  // namespace mallard::imap
