// Engine: listeners on every loop, sessions served by a handler, implicit TLS, the connection limit, and a
// graceful shutdown, observed by clients on their own reactor in the same process.
#include "core/engine.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace mallard::core {
// Failure messages name the error instead of showing its bytes.
static void PrintTo(Errc code, std::ostream* os) { *os << errc_name(code); }
}  // namespace mallard::core

namespace mallard::core {
namespace {

using namespace std::chrono_literals;
using net::Connection;

Deadline soon() { return Deadline::after(10s); }

// What the sessions saw, shared between the loops' threads and the test.
struct ServerLog {
    std::atomic<int> sessions{0};
    std::atomic<int> ended{0};
    std::atomic<int> interrupted{0};
    std::atomic<int> on_loop[2] = {0, 0};
};

// An echo session: greets, echoes each line, and says BYE when the server interrupts its read.
Task<void> echo_session(std::unique_ptr<Connection> conn, ServerLog* log) {
    log->sessions.fetch_add(1);
    log->on_loop[Reactor::current()->index() % 2].fetch_add(1);
    conn->queue("* OK echo ready\r\n");
    auto greeted = co_await conn->flush(soon());
    while (greeted) {
        auto line = co_await conn->read_line(4096, Deadline::after(30s));
        if (!line) {
            if (line.error().code == Errc::cancelled && conn->reads_interrupted()) {
                log->interrupted.fetch_add(1);
                conn->queue("* BYE server shutting down\r\n");
                auto bye = co_await conn->flush(soon());
                (void)bye;
            }
            break;
        }
        conn->queue(*line + "\r\n");
        auto sent = co_await conn->flush(soon());
        if (!sent) break;
    }
    log->ended.fetch_add(1);
}

ConnectionHandler echo_handler(ServerLog* log) {
    return [log](std::unique_ptr<Connection> conn) { return echo_session(std::move(conn), log); };
}

net::SocketAddress loopback(std::uint16_t port) { return *net::parse_address("127.0.0.1", port); }

// ---- clients ----------------------------------------------------------------------------------------

struct ClientLog {
    int done = 0;
    int echoed = 0;
    std::vector<std::string> failures;
};

Task<void> one_echo_client(net::SocketAddress address, int id, ClientLog* log) {
    auto conn = co_await net::connect_tcp(address, soon());
    if (!conn) {
        log->failures.push_back("connect: " + conn.error().to_string());
        ++log->done;
        co_return;
    }
    auto greeting = co_await (*conn)->read_line(1024, soon());
    std::string text = "client " + std::to_string(id) + " says hello";
    (*conn)->queue(text + "\r\n");
    auto sent = co_await (*conn)->flush(soon());
    auto echo = co_await (*conn)->read_line(1024, soon());
    if (greeting && sent && echo && *echo == text) ++log->echoed;
    else log->failures.push_back("client " + std::to_string(id) + ": " + (echo ? *echo : echo.error().to_string()));
    ++log->done;
}

Task<void> many_echo_clients(net::SocketAddress address, int count, ClientLog* log) {
    for (int i = 0; i < count; ++i) spawn(one_echo_client(address, i, log));
    auto limit = Deadline::after(30s);
    while (log->done < count && !limit.passed()) co_await sleep_for(1ms);
}

TEST(Engine, serves_many_clients_on_two_loops) {
    constexpr int clients = 200;
    ServerLog served;
    Engine engine(EngineOptions{2, 2, 1000, std::chrono::seconds(5)});
    auto port = engine.listen(ListenerSpec{"echo", loopback(0), nullptr, echo_handler(&served)});
    ASSERT_TRUE(port) << port.error().to_string();
    ASSERT_NE(*port, 0);
    engine.start();
    Reactor client_loop(7);
    ClientLog log;
    client_loop.block_on(many_echo_clients(loopback(*port), clients, &log));
    EXPECT_EQ(log.done, clients);
    EXPECT_EQ(log.echoed, clients);
    for (std::size_t i = 0; i < log.failures.size() && i < 5; ++i) ADD_FAILURE() << log.failures[i];
    engine.shutdown(2s);
    EXPECT_EQ(served.sessions.load(), clients);
    EXPECT_EQ(served.ended.load(), clients);
    // SO_REUSEPORT spreads connections over both loops' sockets.
    EXPECT_GT(served.on_loop[0].load(), 0);
    EXPECT_GT(served.on_loop[1].load(), 0);
}

// ---- Unix domain sockets ---------------------------------------------------------------------------------

TEST(Engine, serves_a_unix_socket_on_every_loop_and_removes_it_at_the_end) {
    namespace fs = std::filesystem;
    std::string dir = (fs::temp_directory_path() / "mallard-engine-XXXXXX").string();
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    const std::string path = dir + "/echo.sock";
    {  // A socket file left behind by a process that is gone: replaced.
        auto stale = net::open_unix_listener(path, 1);
        ASSERT_TRUE(stale) << stale.error().to_string();
        ::close(*stale);
        ASSERT_TRUE(fs::exists(path));
    }
    constexpr int clients = 50;
    ServerLog served;
    ClientLog log;
    {
        Engine engine(EngineOptions{2, 2, 1000, std::chrono::seconds(5)});
        auto port = engine.listen(ListenerSpec{"echo", *net::unix_address(path), nullptr, echo_handler(&served)});
        ASSERT_TRUE(port) << port.error().to_string();
        EXPECT_EQ(*port, 0);
        EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write);
        // A live socket is never taken over.
        auto second = net::open_unix_listener(path, 1);
        ASSERT_FALSE(second);
        EXPECT_EQ(second.error().code, Errc::exists);
        engine.start();
        Reactor client_loop(7);
        client_loop.block_on(many_echo_clients(*net::unix_address(path), clients, &log));
        engine.shutdown(2s);
    }
    EXPECT_EQ(log.echoed, clients);
    for (std::size_t i = 0; i < log.failures.size() && i < 5; ++i) ADD_FAILURE() << log.failures[i];
    EXPECT_GE(served.sessions.load(), clients);  // plus the probe of the refused second listener
    EXPECT_FALSE(fs::exists(path));

    // Any other kind of file at the path is left alone.
    { std::ofstream(path) << "not a socket"; }
    auto refused = net::open_unix_listener(path, 1);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::exists);
    EXPECT_TRUE(fs::exists(path));
    EXPECT_EQ(net::unix_address(std::string(200, 'x')).error().code, Errc::bad_input);
    fs::remove_all(dir);
}

// ---- shutdown -------------------------------------------------------------------------------------------

struct IdleClients {
    std::atomic<int> greeted{0};
    std::atomic<int> got_bye{0};
    std::atomic<int> saw_close{0};
    int done = 0;
};

Task<void> idle_client(std::uint16_t port, IdleClients* log) {
    auto conn = co_await net::connect_tcp(loopback(port), soon());
    if (conn) {
        auto greeting = co_await (*conn)->read_line(1024, soon());
        if (greeting) log->greeted.fetch_add(1);
        // Idle: the next thing from the server is its goodbye, then the end of the connection.
        auto line = co_await (*conn)->read_line(1024, Deadline::after(20s));
        if (line && line->rfind("* BYE", 0) == 0) log->got_bye.fetch_add(1);
        auto end = co_await (*conn)->read_line(1024, Deadline::after(20s));
        if (!end && end.error().code == Errc::closed) log->saw_close.fetch_add(1);
    }
    ++log->done;
}

Task<void> idle_clients(std::uint16_t port, int count, IdleClients* log) {
    for (int i = 0; i < count; ++i) spawn(idle_client(port, log));
    auto limit = Deadline::after(30s);
    while (log->done < count && !limit.passed()) co_await sleep_for(1ms);
}

TEST(Engine, shutdown_interrupts_idle_sessions_which_say_goodbye_and_end) {
    constexpr int clients = 20;
    ServerLog served;
    Engine engine(EngineOptions{2, 2, 1000, std::chrono::seconds(5)});
    auto port = engine.listen(ListenerSpec{"echo", loopback(0), nullptr, echo_handler(&served)});
    ASSERT_TRUE(port);
    engine.start();
    IdleClients log;
    std::thread clients_thread([&] {
        Reactor client_loop(7);
        client_loop.block_on(idle_clients(*port, clients, &log));
    });
    for (int i = 0; i < 5000 && log.greeted.load() < clients; ++i) std::this_thread::sleep_for(1ms);
    ASSERT_EQ(log.greeted.load(), clients);

    auto start = Clock::now();
    engine.shutdown(10s);
    auto took = Clock::now() - start;
    clients_thread.join();
    // Every session ended on its own when interrupted: shutdown did not wait out the grace period.
    EXPECT_LT(took, 5s);
    EXPECT_EQ(served.interrupted.load(), clients);
    EXPECT_EQ(served.ended.load(), clients);
    EXPECT_EQ(log.got_bye.load(), clients);
    EXPECT_EQ(log.saw_close.load(), clients);
}

// A session that, told to stop, starts a response its client never reads: it is stuck in flush until the grace
// period ends, when shutdown closes the connection and the session unwinds with `cancelled`.
std::atomic<int> stuck_ended{0};
std::atomic<int> stuck_cancelled{0};

Task<void> stubborn_session(std::unique_ptr<Connection> conn) {
    auto line = co_await conn->read_line(1024, Deadline::after(30s));
    if (!line) {
        std::string chunk(1 << 20, 'x');
        for (int i = 0; i < 64; ++i) {
            auto w = co_await conn->write(chunk, Deadline::after(60s));
            if (!w) {
                if (w.error().code == Errc::cancelled) stuck_cancelled.fetch_add(1);
                break;
            }
        }
    }
    stuck_ended.fetch_add(1);
}

Task<void> connect_and_never_read(std::uint16_t port, std::atomic<int>* connected, std::atomic<bool>* release) {
    auto conn = co_await net::connect_tcp(loopback(port), soon());
    if (!conn) co_return;
    connected->fetch_add(1);
    while (!release->load()) co_await sleep_for(5ms);
}

TEST(Engine, shutdown_closes_sessions_still_busy_when_the_grace_period_ends) {
    stuck_ended = 0;
    stuck_cancelled = 0;
    Engine engine(EngineOptions{1, 1, 1000, std::chrono::seconds(5)});
    auto port = engine.listen(ListenerSpec{"stubborn", loopback(0), nullptr, stubborn_session});
    ASSERT_TRUE(port);
    engine.start();
    std::atomic<int> connected{0};
    std::atomic<bool> release{false};
    std::thread clients_thread([&] {
        Reactor client_loop(7);
        client_loop.block_on(connect_and_never_read(*port, &connected, &release));
    });
    for (int i = 0; i < 5000 && connected.load() < 1; ++i) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(20ms);  // the session is now waiting for a command

    auto start = Clock::now();
    engine.shutdown(300ms);
    auto took = Clock::now() - start;
    release = true;
    clients_thread.join();
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 5s);
    EXPECT_EQ(stuck_ended.load(), 1);
    EXPECT_EQ(stuck_cancelled.load(), 1);
}

// ---- limits and TLS -------------------------------------------------------------------------------------

struct LimitLog {
    std::atomic<int> greeted{0};
    std::atomic<int> refused{0};
    int done = 0;
};

Task<void> client_counting_greetings(std::uint16_t port, LimitLog* log, std::atomic<bool>* release) {
    auto conn = co_await net::connect_tcp(loopback(port), soon());
    if (conn) {
        auto greeting = co_await (*conn)->read_line(1024, Deadline::after(2s));
        if (greeting) log->greeted.fetch_add(1);
        else if (greeting.error().code == Errc::closed) log->refused.fetch_add(1);
        while (!release->load()) co_await sleep_for(5ms);
    }
    ++log->done;
}

Task<void> limited_clients(std::uint16_t port, int count, LimitLog* log, std::atomic<bool>* release) {
    for (int i = 0; i < count; ++i) {
        spawn(client_counting_greetings(port, log, release));
        co_await sleep_for(20ms);  // one at a time, so which ones are over the limit is clear
    }
    while (log->greeted.load() + log->refused.load() < count) co_await sleep_for(1ms);
    release->store(true);
    while (log->done < count) co_await sleep_for(1ms);
}

TEST(Engine, connections_over_the_limit_are_closed_at_once) {
    ServerLog served;
    Engine engine(EngineOptions{1, 1, 3, std::chrono::seconds(5)});
    auto port = engine.listen(ListenerSpec{"echo", loopback(0), nullptr, echo_handler(&served)});
    ASSERT_TRUE(port);
    engine.start();
    LimitLog log;
    std::atomic<bool> release{false};
    Reactor client_loop(7);
    // The clients' own connections are in this process too; only the server's count towards its limit.
    client_loop.block_on(limited_clients(*port, 5, &log, &release));
    engine.shutdown(2s);
    EXPECT_EQ(log.greeted.load(), 3);
    EXPECT_EQ(log.refused.load(), 2);
}

Task<std::string> tls_client(std::uint16_t port, std::shared_ptr<net::TlsContext> ctx) {
    auto conn = co_await net::connect_tcp(loopback(port), soon());
    if (!conn) co_return conn.error().to_string();
    auto hs = co_await (*conn)->start_tls(ctx, net::TlsStream::Role::client, soon());
    if (!hs) co_return hs.error().to_string();
    auto greeting = co_await (*conn)->read_line(1024, soon());
    (*conn)->queue("over implicit TLS\r\n");
    auto sent = co_await (*conn)->flush(soon());
    auto echo = co_await (*conn)->read_line(1024, soon());
    if (!greeting || !sent) co_return "lost the greeting";
    co_return echo ? *echo : echo.error().to_string();
}

TEST(Engine, an_implicit_tls_listener_handshakes_before_the_handler_runs) {
    char pattern[] = "/tmp/mallard-engine-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    std::string dir = pattern;
    ASSERT_TRUE(net::write_self_signed("localhost", dir + "/cert.pem", dir + "/key.pem"));
    auto server_ctx = net::TlsContext::server(net::TlsOptions{dir + "/cert.pem", dir + "/key.pem", "", ""});
    ASSERT_TRUE(server_ctx) << server_ctx.error().to_string();
    auto provider = std::make_shared<net::TlsProvider>();
    provider->replace(*server_ctx);

    ServerLog served;
    Engine engine(EngineOptions{2, 2, 1000, std::chrono::seconds(5)});
    auto port = engine.listen(ListenerSpec{"echos", loopback(0), provider, echo_handler(&served)});
    ASSERT_TRUE(port);
    engine.start();
    Reactor client_loop(7);
    auto client_ctx = net::TlsContext::client(false);
    ASSERT_TRUE(client_ctx);
    EXPECT_EQ(client_loop.block_on(tls_client(*port, *client_ctx)), "over implicit TLS");
    engine.shutdown(2s);
    std::filesystem::remove_all(dir);
}

TEST(Engine, listening_on_a_port_in_use_fails_with_exists) {
    Engine first(EngineOptions{1, 1, 10, std::chrono::seconds(5)});
    ServerLog served;
    auto port = first.listen(ListenerSpec{"one", loopback(0), nullptr, echo_handler(&served)});
    ASSERT_TRUE(port);
    Engine second(EngineOptions{1, 1, 10, std::chrono::seconds(5)});
    // SO_REUSEPORT lets sockets of one user share a port; a plain socket bound there first makes it busy.
    int plain = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(0);
    ASSERT_EQ(::bind(plain, reinterpret_cast<const sockaddr*>(&address.storage), address.length), 0);
    auto taken = net::local_address(plain);
    ::listen(plain, 1);
    auto clash = second.listen(ListenerSpec{"two", *taken, nullptr, echo_handler(&served)});
    ::close(plain);
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().code, Errc::exists);
}

}  // namespace
}  // namespace mallard::core
