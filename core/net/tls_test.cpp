// TLS over loopback between a server Connection and a client Connection, each on its own reactor thread:
// implicit TLS, STARTTLS in place (with the CVE-2011-0411 check), context errors, and certificate reload.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "core/net/connection.h"
#include "core/net/listener.h"
#include "core/net/test_support.h"
#include "core/net/tls_context.h"

namespace mallard::core::net {
namespace {

using namespace std::chrono_literals;

using namespace test;

// Runs `task` on a fresh reactor in its own thread: the server side of each test.
template <class T>
class OnThread {
public:
    explicit OnThread(Task<T> task) : thread_([this, t = std::make_shared<Task<T>>(std::move(task))]() mutable {
          Reactor loop(1);
          result_ = loop.block_on(std::move(*t));
      }) {}
    T join() {
        thread_.join();
        return std::move(result_);
    }

private:
    T result_{};
    std::thread thread_;
};

class Tls : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char pattern[] = "/tmp/mallard-tls-test-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
        ASSERT_TRUE(write_self_signed("a.test", dir_ + "/a.pem", dir_ + "/a.key"));
        ASSERT_TRUE(write_self_signed("b.test", dir_ + "/b.pem", dir_ + "/b.key"));
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

    static std::shared_ptr<TlsContext> server_context(const std::string& name) {
        auto ctx = TlsContext::server(TlsOptions{dir_ + "/" + name + ".pem", dir_ + "/" + name + ".key", "", ""});
        EXPECT_TRUE(ctx) << ctx.error().to_string();
        return ctx ? *ctx : nullptr;
    }
    static std::shared_ptr<TlsContext> any_client() {
        auto ctx = TlsContext::client(false);
        EXPECT_TRUE(ctx);
        return *ctx;
    }
    // A client that verifies the server against exactly one of our self-signed certificates.
    static std::shared_ptr<TlsContext> client_trusting(const std::string& name) {
        auto ctx = TlsContext::client(true);
        EXPECT_TRUE(ctx);
        std::string cert = dir_ + "/" + name + ".pem";
        EXPECT_EQ(SSL_CTX_load_verify_locations((*ctx)->native(), cert.c_str(), nullptr), 1);
        return *ctx;
    }

    static std::string dir_;
};
std::string Tls::dir_;

std::string pattern_bytes(std::size_t n, char seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + static_cast<char>(i % 251));
    return s;
}

constexpr std::size_t blob_bytes = 1536 * 1024;

// ---- implicit TLS ------------------------------------------------------------------------------------

struct Side {
    std::string error;
    std::string description;
    bool blob_ok = false;
    std::string line;
};

Task<Side> implicit_server(int fd, std::shared_ptr<TlsContext> ctx) {
    Side out;
    Connection conn(fd, PeerAddress());
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::server, soon());
    if (!hs) {
        out.error = hs.error().to_string();
        co_return out;
    }
    out.description = conn.tls_description();
    auto line = co_await conn.read_line(1024, soon());
    out.line = line ? *line : line.error().to_string();
    auto blob = co_await conn.read_exact(blob_bytes, soon());
    out.blob_ok = blob && *blob == pattern_bytes(blob_bytes, 'c');
    conn.queue("* OK got it\r\n");
    conn.queue(pattern_bytes(blob_bytes, 's'));
    auto sent = co_await conn.flush(soon());
    if (!sent) out.error = sent.error().to_string();
    // Wait for the client to close, so our last bytes are read before the socket goes.
    auto end = co_await conn.read_line(1024, soon());
    if (end) out.error = "unexpected line after the blob: " + *end;
    co_return out;
}

Task<Side> implicit_client(int fd, std::shared_ptr<TlsContext> ctx) {
    Side out;
    Connection conn(fd, PeerAddress());
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::client, soon(), "a.test");
    if (!hs) {
        out.error = hs.error().to_string();
        co_return out;
    }
    out.description = conn.tls_description();
    conn.queue("a1 hello over TLS\r\n");
    conn.queue(pattern_bytes(blob_bytes, 'c'));
    auto sent = co_await conn.flush(soon());
    if (!sent) out.error = sent.error().to_string();
    auto line = co_await conn.read_line(1024, soon());
    out.line = line ? *line : line.error().to_string();
    auto blob = co_await conn.read_exact(blob_bytes, soon());
    out.blob_ok = blob && *blob == pattern_bytes(blob_bytes, 's');
    co_return out;
}

TEST_F(Tls, implicit_tls_carries_lines_and_megabytes_both_ways) {
    auto [client_fd, server_fd] = tcp_fds();
    OnThread<Side> server(implicit_server(server_fd, server_context("a")));
    Reactor loop;
    Side client = loop.block_on(implicit_client(client_fd, any_client()));
    Side served = server.join();
    EXPECT_EQ(served.error, "");
    EXPECT_EQ(client.error, "");
    EXPECT_EQ(served.line, "a1 hello over TLS");
    EXPECT_EQ(client.line, "* OK got it");
    EXPECT_TRUE(served.blob_ok);
    EXPECT_TRUE(client.blob_ok);
    EXPECT_EQ(served.description.rfind("TLSv1.3 ", 0), 0u) << served.description;
    EXPECT_EQ(client.description, served.description);
}

// ---- STARTTLS ----------------------------------------------------------------------------------------

Task<Side> starttls_server(int fd, std::shared_ptr<TlsContext> ctx) {
    Side out;
    Connection conn(fd, PeerAddress());
    conn.queue("* OK plain greeting\r\n");
    auto greeted = co_await conn.flush(soon());
    EXPECT_TRUE(greeted);
    auto command = co_await conn.read_line(1024, soon());
    if (!command || *command != "a STARTTLS") {
        out.error = "expected STARTTLS, got " + (command ? *command : command.error().to_string());
        co_return out;
    }
    conn.queue("a OK begin TLS now\r\n");
    auto ok = co_await conn.flush(soon());
    EXPECT_TRUE(ok);
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::server, soon());
    if (!hs) {
        out.error = hs.error().to_string();
        co_return out;
    }
    out.description = conn.tls_description();
    // The first line after the upgrade must be one the client sent over TLS, not the plaintext it pipelined.
    auto first = co_await conn.read_line(1024, soon());
    out.line = first ? *first : first.error().to_string();
    conn.queue("* echo " + out.line + "\r\n");
    auto echoed = co_await conn.flush(soon());
    EXPECT_TRUE(echoed);
    auto end = co_await conn.read_line(1024, soon());
    EXPECT_FALSE(end);
    co_return out;
}

Task<Side> starttls_client(int fd, std::shared_ptr<TlsContext> ctx) {
    Side out;
    Connection conn(fd, PeerAddress());
    auto greeting = co_await conn.read_line(1024, soon());
    EXPECT_TRUE(greeting && *greeting == "* OK plain greeting");
    // An attacker in the middle appends a command to the client's STARTTLS, in the same packet.
    conn.queue("a STARTTLS\r\nb INJECTED DELETE INBOX\r\n");
    auto sent = co_await conn.flush(soon());
    EXPECT_TRUE(sent);
    auto ok = co_await conn.read_line(1024, soon());
    if (!ok || *ok != "a OK begin TLS now") {
        out.error = "expected OK, got " + (ok ? *ok : ok.error().to_string());
        co_return out;
    }
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::client, soon());
    if (!hs) {
        out.error = hs.error().to_string();
        co_return out;
    }
    out.description = conn.tls_description();
    conn.queue("c NOOP over TLS\r\n");
    auto tls_sent = co_await conn.flush(soon());
    EXPECT_TRUE(tls_sent);
    auto echo = co_await conn.read_line(1024, soon());
    out.line = echo ? *echo : echo.error().to_string();
    co_return out;
}

TEST_F(Tls, starttls_upgrades_in_place_and_discards_plaintext_pipelined_after_the_command) {
    auto [client_fd, server_fd] = tcp_fds();
    OnThread<Side> server(starttls_server(server_fd, server_context("a")));
    Reactor loop;
    Side client = loop.block_on(starttls_client(client_fd, any_client()));
    Side served = server.join();
    EXPECT_EQ(client.error, "");
    EXPECT_EQ(served.error, "");
    EXPECT_EQ(served.line, "c NOOP over TLS");
    EXPECT_EQ(client.line, "* echo c NOOP over TLS");
    EXPECT_FALSE(served.description.empty());
}

// ---- handshake failures -------------------------------------------------------------------------------

Task<Side> handshake_only(int fd, std::shared_ptr<TlsContext> ctx, Clock::duration limit) {
    Side out;
    Connection conn(fd, PeerAddress());
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::server, Deadline::after(limit));
    if (!hs) out.error = std::string(errc_name(hs.error().code));
    co_return out;
}

Task<void> speak_plaintext(int fd) {
    Connection conn(fd, PeerAddress());
    conn.queue("a LOGIN user pass\r\n");
    auto sent = co_await conn.flush(soon());
    EXPECT_TRUE(sent);
    auto reply = co_await conn.read_line(1024, soon());
    EXPECT_FALSE(reply);  // the server gives up on us
}

TEST_F(Tls, a_client_speaking_plaintext_to_a_tls_port_fails_the_handshake_cleanly) {
    auto [client_fd, server_fd] = tcp_fds();
    OnThread<Side> server(handshake_only(server_fd, server_context("a"), 10s));
    Reactor loop;
    loop.block_on(speak_plaintext(client_fd));
    EXPECT_EQ(server.join().error, "TLS error");
}

TEST_F(Tls, a_silent_client_makes_the_handshake_time_out) {
    auto [client_fd, server_fd] = tcp_fds();
    auto start = Clock::now();
    OnThread<Side> server(handshake_only(server_fd, server_context("a"), 100ms));
    EXPECT_EQ(server.join().error, "timed out");
    EXPECT_GE(Clock::now() - start, 100ms);
    ::close(client_fd);
}

// ---- contexts -----------------------------------------------------------------------------------------

TEST_F(Tls, a_context_with_a_key_that_does_not_match_the_certificate_fails_clearly) {
    auto ctx = TlsContext::server(TlsOptions{dir_ + "/a.pem", dir_ + "/b.key", "", ""});
    ASSERT_FALSE(ctx);
    EXPECT_EQ(ctx.error().code, Errc::tls);
    EXPECT_NE(ctx.error().detail.find(dir_ + "/b.key"), std::string::npos) << ctx.error().detail;
    EXPECT_NE(ctx.error().detail.find("mismatch"), std::string::npos) << ctx.error().detail;
}

TEST_F(Tls, a_context_with_a_missing_key_or_certificate_names_the_file) {
    auto no_key = TlsContext::server(TlsOptions{dir_ + "/a.pem", dir_ + "/missing.key", "", ""});
    ASSERT_FALSE(no_key);
    EXPECT_NE(no_key.error().detail.find(dir_ + "/missing.key"), std::string::npos) << no_key.error().detail;
    auto no_cert = TlsContext::server(TlsOptions{dir_ + "/missing.pem", dir_ + "/a.key", "", ""});
    ASSERT_FALSE(no_cert);
    EXPECT_NE(no_cert.error().detail.find(dir_ + "/missing.pem"), std::string::npos) << no_cert.error().detail;
    auto bad_version = TlsContext::server(TlsOptions{dir_ + "/a.pem", dir_ + "/a.key", "SSLv3", ""});
    ASSERT_FALSE(bad_version);
    EXPECT_EQ(bad_version.error().code, Errc::bad_input);
}

TEST_F(Tls, write_self_signed_makes_the_key_private) {
    auto mode = std::filesystem::status(dir_ + "/a.key").permissions();
    EXPECT_EQ(mode & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
}

// ---- reload -------------------------------------------------------------------------------------------

struct Reload {
    TlsProvider* provider = nullptr;
    std::shared_ptr<TlsContext> next;
    std::string error;
    std::string after_reload;
};

// Serves two connections: the first starts with the provider's context, the provider is swapped (and the old
// context dropped everywhere but in that connection), then the first connection keeps talking and a second
// one is served with the new context.
Task<Reload> reload_server(int first_fd, int second_fd, Reload state) {
    Connection first(first_fd, PeerAddress());
    auto hs = co_await first.start_tls(state.provider->current(), TlsStream::Role::server, soon());
    if (!hs) {
        state.error = "first: " + hs.error().to_string();
        co_return state;
    }
    auto hello = co_await first.read_line(1024, soon());
    EXPECT_TRUE(hello);
    state.provider->replace(std::move(state.next));  // a reload: the old context now lives only in `first`
    first.queue("* reloaded\r\n");
    auto sent = co_await first.flush(soon());
    EXPECT_TRUE(sent);
    auto after = co_await first.read_line(1024, soon());
    state.after_reload = after ? *after : after.error().to_string();
    first.queue("* still here\r\n");
    auto sent2 = co_await first.flush(soon());
    EXPECT_TRUE(sent2);

    Connection second(second_fd, PeerAddress());
    auto hs2 = co_await second.start_tls(state.provider->current(), TlsStream::Role::server, soon());
    if (!hs2) state.error = "second: " + hs2.error().to_string();
    auto bye = co_await second.read_line(1024, soon());
    EXPECT_FALSE(bye);
    co_return state;
}

struct ReloadClient {
    std::string first_error, first_line, second_error;
};

Task<ReloadClient> reload_client(int first_fd, int second_fd, std::shared_ptr<TlsContext> trusts_a,
                                 std::shared_ptr<TlsContext> trusts_b) {
    ReloadClient out;
    Connection first(first_fd, PeerAddress());
    auto hs = co_await first.start_tls(trusts_a, TlsStream::Role::client, soon());
    if (!hs) {
        out.first_error = hs.error().to_string();
        co_return out;
    }
    first.queue("a hello\r\n");
    auto sent = co_await first.flush(soon());
    EXPECT_TRUE(sent);
    auto reloaded = co_await first.read_line(1024, soon());
    EXPECT_TRUE(reloaded && *reloaded == "* reloaded");
    first.queue("b still talking\r\n");
    auto sent2 = co_await first.flush(soon());
    EXPECT_TRUE(sent2);
    auto still = co_await first.read_line(1024, soon());
    out.first_line = still ? *still : still.error().to_string();

    Connection second(second_fd, PeerAddress());
    auto hs2 = co_await second.start_tls(trusts_b, TlsStream::Role::client, soon());
    if (!hs2) out.second_error = hs2.error().to_string();
    co_return out;
}

TEST_F(Tls, reload_replaces_the_context_for_new_connections_only) {
    auto provider = std::make_shared<TlsProvider>();
    provider->replace(server_context("a"));
    auto [c1, s1] = tcp_fds();
    auto [c2, s2] = tcp_fds();
    Reload state{provider.get(), server_context("b"), "", ""};
    OnThread<Reload> server(reload_server(s1, s2, std::move(state)));
    Reactor loop;
    // Each client verifies the server against one certificate only: the first must see a, the second b.
    ReloadClient client = loop.block_on(reload_client(c1, c2, client_trusting("a"), client_trusting("b")));
    Reload served = server.join();
    EXPECT_EQ(client.first_error, "");
    EXPECT_EQ(client.second_error, "");
    EXPECT_EQ(served.error, "");
    EXPECT_EQ(served.after_reload, "b still talking");
    EXPECT_EQ(client.first_line, "* still here");
}

TEST_F(Tls, a_verifying_client_rejects_a_certificate_it_does_not_trust) {
    auto [client_fd, server_fd] = tcp_fds();
    OnThread<Side> server(handshake_only(server_fd, server_context("a"), 10s));
    Reactor loop;
    Side client = loop.block_on(implicit_client(client_fd, client_trusting("b")));
    EXPECT_NE(client.error.find("TLS error"), std::string::npos) << client.error;
    EXPECT_NE(server.join().error, "");
}

// ---- a peer that goes away -----------------------------------------------------------------------------

Task<Side> say_bye_to_a_peer_that_died(int fd, std::shared_ptr<TlsContext> ctx) {
    Side out;
    Connection conn(fd, PeerAddress());
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::server, soon());
    if (!hs) {
        out.error = "handshake: " + hs.error().to_string();
        co_return out;
    }
    auto gone = co_await conn.read_line(1024, soon());  // the peer dies while we wait
    out.line = gone ? *gone : std::string(errc_name(gone.error().code));
    // Like a session saying BYE after a failed read. The socket is dead: this write, and the close_notify
    // sent when the connection closes, must fail quietly instead of raising SIGPIPE, which ends the server.
    std::string chunk(65536, 'z');
    for (int i = 0; i < 64; ++i) {
        auto w = co_await conn.write(chunk, soon());
        if (!w) {
            out.error = std::string(errc_name(w.error().code));
            break;
        }
    }
    auto flushed = co_await conn.flush(soon());
    if (out.error.empty() && !flushed) out.error = std::string(errc_name(flushed.error().code));
    co_return out;
}

Task<void> handshake_then_die(int fd, std::shared_ptr<TlsContext> ctx) {
    Connection conn(fd, PeerAddress());
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::client, soon());
    EXPECT_TRUE(hs);
    co_await sleep_for(20ms);
    // The client process dies: its socket is reset, with no close_notify. Replacing the descriptor drops
    // the last reference to the socket; the connection then closes /dev/null instead.
    linger abort{1, 0};
    ::setsockopt(conn.fd(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(null_fd, conn.fd());
    ::close(null_fd);
}

TEST_F(Tls, writing_to_a_peer_that_died_is_an_error_not_a_signal) {
    auto [client_fd, server_fd] = tcp_fds();
    OnThread<Side> server(say_bye_to_a_peer_that_died(server_fd, server_context("a")));
    Reactor loop;
    loop.block_on(handshake_then_die(client_fd, any_client()));
    Side served = server.join();
    EXPECT_EQ(served.line, "connection closed");
    EXPECT_TRUE(served.error == "connection closed" || served.error == "TLS error") << served.error;
}

Task<Side> read_until_the_peer_leaves(int fd, std::shared_ptr<TlsContext> ctx) {
    Side out;
    Connection conn(fd, PeerAddress());
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::server, soon());
    if (!hs) {
        out.error = "handshake: " + hs.error().to_string();
        co_return out;
    }
    auto line = co_await conn.read_line(1024, soon());
    out.line = line ? *line : line.error().to_string();
    auto end = co_await conn.read_line(1024, soon());
    out.error = end ? "got " + *end : end.error().to_string();
    co_return out;
}

Task<void> send_then_drop_tcp(int fd, std::shared_ptr<TlsContext> ctx) {
    Connection conn(fd, PeerAddress());
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::client, soon());
    EXPECT_TRUE(hs);
    conn.queue("a LOGOUT\r\n");
    auto sent = co_await conn.flush(soon());
    EXPECT_TRUE(sent);
    // Many clients just close the socket after LOGOUT, without a close_notify: a plain FIN.
    int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(null_fd, conn.fd());
    ::close(null_fd);
}

TEST_F(Tls, a_peer_that_closes_without_close_notify_ends_the_read_with_closed) {
    auto [client_fd, server_fd] = tcp_fds();
    OnThread<Side> server(read_until_the_peer_leaves(server_fd, server_context("a")));
    Reactor loop;
    loop.block_on(send_then_drop_tcp(client_fd, any_client()));
    Side served = server.join();
    EXPECT_EQ(served.line, "a LOGOUT");
    EXPECT_EQ(served.error.rfind("connection closed", 0), 0u) << served.error;
}

Task<void> send_then_close(int fd, std::shared_ptr<TlsContext> ctx) {
    Connection conn(fd, PeerAddress());
    auto hs = co_await conn.start_tls(ctx, TlsStream::Role::client, soon());
    EXPECT_TRUE(hs);
    conn.queue("a LOGOUT\r\n");
    auto sent = co_await conn.flush(soon());
    EXPECT_TRUE(sent);
    conn.close();  // with close_notify
}

TEST_F(Tls, a_peer_that_closes_with_close_notify_ends_the_read_with_closed) {
    auto [client_fd, server_fd] = tcp_fds();
    OnThread<Side> server(read_until_the_peer_leaves(server_fd, server_context("a")));
    Reactor loop;
    loop.block_on(send_then_close(client_fd, any_client()));
    Side served = server.join();
    EXPECT_EQ(served.line, "a LOGOUT");
    EXPECT_EQ(served.error.rfind("connection closed", 0), 0u) << served.error;
}

}  // namespace
}  // namespace mallard::core::net
