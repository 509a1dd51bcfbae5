// Connection over a socketpair or loopback TCP: lines and literals as a protocol session reads them, limits,
// deadlines, cancellation, write backpressure, and an idle connection's memory.
#include "core/net/connection.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/counters.h"
#include "core/net/listener.h"
#include "core/net/test_support.h"

namespace mallard::core::net {
namespace {

using namespace std::chrono_literals;
using namespace test;

Task<void> yield() { co_await resume_on(*Reactor::current()); }

// ---- writers used by the reading tests -----------------------------------------------------------------

// Sends `text` in pieces of 1, 2, ... `max_piece` bytes, yielding to the loop after each so the reader sees
// them in separate reads.
Task<void> send_in_pieces(Connection* conn, std::string text, std::size_t max_piece) {
    std::size_t off = 0, piece = 1;
    while (off < text.size()) {
        std::size_t n = std::min(piece, text.size() - off);
        conn->queue(std::string_view(text).substr(off, n));
        auto sent = co_await conn->flush(soon());
        EXPECT_TRUE(sent);
        off += n;
        piece = piece % max_piece + 1;
        co_await yield();
        co_await yield();
    }
}

Task<std::vector<std::string>> read_lines(Connection* conn, std::size_t count, std::size_t max_bytes) {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < count; ++i) {
        auto line = co_await conn->read_line(max_bytes, soon());
        lines.push_back(line ? *line : "<error: " + line.error().to_string() + ">");
    }
    co_return lines;
}

const std::string mixed_endings = "A1 LOGIN user pass\r\nplain LF line\n\r\nlone\rCR inside\r\nlast\n";
const std::vector<std::string> mixed_lines = {"A1 LOGIN user pass", "plain LF line", "", "lone\rCR inside", "last"};

Task<std::vector<std::string>> lines_sent_in_pieces(std::size_t max_piece) {
    auto [a, b] = unix_pair();
    spawn(send_in_pieces(a.get(), mixed_endings, max_piece));
    auto lines = co_await read_lines(b.get(), mixed_lines.size(), 1024);
    co_return lines;
}

TEST(Connection, read_line_returns_lines_split_across_many_writes) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(lines_sent_in_pieces(7)), mixed_lines);
}

TEST(Connection, read_line_returns_lines_sent_one_byte_at_a_time) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(lines_sent_in_pieces(1)), mixed_lines);
}

Task<std::vector<std::string>> lines_sent_at_once() {
    auto [a, b] = unix_pair();
    a->queue(mixed_endings);
    auto sent = co_await a->flush(soon());
    EXPECT_TRUE(sent);
    auto lines = co_await read_lines(b.get(), mixed_lines.size(), 1024);
    co_return lines;
}

TEST(Connection, read_line_returns_pipelined_lines_from_one_read) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(lines_sent_at_once()), mixed_lines);
}

Task<std::vector<std::string>> lines_at_the_limit() {
    auto [a, b] = unix_pair();
    std::string at_limit(16, 'a');
    a->queue(at_limit + "\r\n" + at_limit + "b\r\n" + at_limit + "\n" + "after\r\n");
    auto sent = co_await a->flush(soon());
    EXPECT_TRUE(sent);
    auto lines = co_await read_lines(b.get(), 4, 16);
    co_return lines;
}

TEST(Connection, read_line_limit_counts_the_line_without_its_ending) {
    Reactor loop;
    std::string at_limit(16, 'a');
    EXPECT_EQ(loop.block_on(lines_at_the_limit()),
              (std::vector<std::string>{at_limit, "<error: too big: line too long>", at_limit, "after"}));
}

// ---- an over-long line ---------------------------------------------------------------------------------

constexpr std::size_t huge_line_bytes = 10 * 1024 * 1024;

Task<void> send_huge_line_then_next(Connection* conn) {
    std::string chunk(65536, 'x');
    for (std::size_t sent = 0; sent < huge_line_bytes; sent += chunk.size()) {
        auto w = co_await conn->write(chunk, soon());
        if (!w) co_return;
    }
    auto w = co_await conn->write("\r\nnext command\r\n", soon());
    EXPECT_TRUE(w);
    auto f = co_await conn->flush(soon());
    EXPECT_TRUE(f);
}

struct BufferWatch {
    const Connection* conn = nullptr;
    std::size_t max_input = 0;
    bool stop = false;
};

// Samples the reader's buffered input while the long line streams through it.
Task<void> watch_buffer(BufferWatch* watch) {
    while (!watch->stop) {
        watch->max_input = std::max(watch->max_input, watch->conn->input().size());
        co_await yield();
    }
}

struct HugeLineOutcome {
    std::string first, second;
    std::size_t max_input = 0;
    bool holds_buffer_after = true;
    std::uint64_t bytes_read = 0;
};

Task<HugeLineOutcome> read_huge_line() {
    auto [a, b] = unix_pair();
    auto bytes_in_before = thread_counters().bytes_in.load();
    BufferWatch watch{b.get()};
    spawn(send_huge_line_then_next(a.get()));
    spawn(watch_buffer(&watch));
    HugeLineOutcome out;
    auto first = co_await b->read_line(1024, soon());
    out.first = first ? *first : first.error().to_string();
    auto second = co_await b->read_line(1024, soon());
    out.second = second ? *second : second.error().to_string();
    watch.stop = true;
    co_await yield();
    co_await yield();
    out.max_input = watch.max_input;
    out.holds_buffer_after = b->holds_read_buffer();
    out.bytes_read = thread_counters().bytes_in.load() - bytes_in_before;
    co_return out;
}

TEST(Connection, an_over_long_line_is_too_big_and_the_next_line_still_reads) {
    Reactor loop;
    auto out = loop.block_on(read_huge_line());
    EXPECT_EQ(out.first, "too big: line too long");
    EXPECT_EQ(out.second, "next command");
    EXPECT_GE(out.bytes_read, huge_line_bytes);
    // 10 MB went through, but the connection never held more than one pooled buffer of it.
    EXPECT_LE(out.max_input, read_buffer_bytes);
    EXPECT_FALSE(out.holds_buffer_after);
}

// ---- literals ------------------------------------------------------------------------------------------

Task<void> send_literal_in_chunks(Connection* conn, std::string literal) {
    conn->queue("A2 APPEND INBOX {" + std::to_string(literal.size()) + "}\r\n");
    for (std::size_t off = 0; off < literal.size(); off += 1000) {
        conn->queue(std::string_view(literal).substr(off, 1000));
        auto f = co_await conn->flush(soon());
        EXPECT_TRUE(f);
        co_await yield();
    }
    conn->queue("\r\nA3 NOOP\r\n");
    auto f = co_await conn->flush(soon());
    EXPECT_TRUE(f);
}

Task<std::vector<std::string>> read_line_literal_line(std::string literal) {
    auto [a, b] = unix_pair();
    spawn(send_literal_in_chunks(a.get(), literal));
    std::vector<std::string> got;
    auto command = co_await b->read_line(1024, soon());
    got.push_back(command ? *command : "error");
    auto body = co_await b->read_exact(literal.size(), soon());
    got.push_back(body ? *body : "error");
    auto rest = co_await b->read_line(1024, soon());
    got.push_back(rest ? *rest : "error");
    auto next = co_await b->read_line(1024, soon());
    got.push_back(next ? *next : "error");
    co_return got;
}

TEST(Connection, read_exact_collects_a_literal_across_many_reads) {
    std::string literal;
    for (int i = 0; literal.size() < 100'000; ++i) literal += "line " + std::to_string(i) + "\r\n";
    Reactor loop;
    auto got = loop.block_on(read_line_literal_line(literal));
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0], "A2 APPEND INBOX {" + std::to_string(literal.size()) + "}");
    EXPECT_EQ(got[1], literal);
    EXPECT_EQ(got[2], "");
    EXPECT_EQ(got[3], "A3 NOOP");
}

// ---- deadlines, close, interrupt ---------------------------------------------------------------------

struct Timed {
    Errc code = Errc::internal;
    bool ok = false;
    Clock::duration waited{};
};

Task<Timed> read_with_short_deadline() {
    auto [a, b] = unix_pair();
    auto start = Clock::now();
    auto line = co_await b->read_line(1024, Deadline::after(60ms));
    Timed t;
    t.waited = Clock::now() - start;
    t.ok = line.ok();
    if (!line) t.code = line.error().code;
    co_return t;
}

TEST(Connection, a_read_with_a_deadline_times_out_with_timed_out) {
    Reactor loop;
    auto t = loop.block_on(read_with_short_deadline());
    EXPECT_FALSE(t.ok);
    EXPECT_EQ(t.code, Errc::timed_out);
    EXPECT_GE(t.waited, 60ms);
    EXPECT_LT(t.waited, 5s);
}

struct PendingRead {
    Connection* conn = nullptr;
    bool ended = false;
    Errc code = Errc::internal;
};

Task<void> read_until_error(PendingRead* r) {
    auto line = co_await r->conn->read_line(1024, Deadline::never());
    if (!line) r->code = line.error().code;
    r->ended = true;
}

Task<PendingRead> close_during_read() {
    auto [a, b] = unix_pair();
    PendingRead r{b.get()};
    spawn(read_until_error(&r));
    co_await sleep_for(10ms);
    EXPECT_FALSE(r.ended);
    b->close();
    co_await sleep_for(10ms);
    co_return r;
}

TEST(Connection, close_wakes_a_pending_read_with_cancelled_and_the_reader_ends) {
    Reactor loop;
    auto r = loop.block_on(close_during_read());
    EXPECT_TRUE(r.ended);
    EXPECT_EQ(r.code, Errc::cancelled);
}

struct Interrupted {
    Errc pending = Errc::internal, later = Errc::internal;
    bool pending_ended = false;
    bool goodbye_sent = false;
    std::string peer_got;
};

Task<Interrupted> interrupt_during_read() {
    auto [a, b] = unix_pair();
    Interrupted out;
    PendingRead r{b.get()};
    spawn(read_until_error(&r));
    co_await sleep_for(10ms);
    b->interrupt_reads();
    co_await sleep_for(10ms);
    out.pending_ended = r.ended;
    out.pending = r.code;
    // Input that arrives later is not read either.
    a->queue("A1 NOOP\r\n");
    auto f = co_await a->flush(soon());
    EXPECT_TRUE(f);
    auto later = co_await b->read_line(1024, soon());
    if (!later) out.later = later.error().code;
    // But the session can still say goodbye.
    b->queue("* BYE server shutting down\r\n");
    auto sent = co_await b->flush(soon());
    out.goodbye_sent = sent.ok();
    auto got = co_await a->read_line(1024, soon());
    out.peer_got = got ? *got : got.error().to_string();
    co_return out;
}

TEST(Connection, interrupt_reads_cancels_pending_and_later_reads_but_writes_still_work) {
    Reactor loop;
    auto out = loop.block_on(interrupt_during_read());
    EXPECT_TRUE(out.pending_ended);
    EXPECT_EQ(out.pending, Errc::cancelled);
    EXPECT_EQ(out.later, Errc::cancelled);
    EXPECT_TRUE(out.goodbye_sent);
    EXPECT_EQ(out.peer_got, "* BYE server shutting down");
}

Task<Errc> read_after_peer_closes() {
    auto [a, b] = unix_pair();
    a->queue("partial line without end");
    auto f = co_await a->flush(soon());
    EXPECT_TRUE(f);
    a.reset();
    auto line = co_await b->read_line(1024, soon());
    co_return line ? Errc::internal : line.error().code;
}

TEST(Connection, a_peer_that_closes_ends_the_read_with_closed) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(read_after_peer_closes()), Errc::closed);
}

// ---- write backpressure -----------------------------------------------------------------------------

struct Backpressure {
    Errc code = Errc::internal;
    bool failed = false;
    std::size_t accepted = 0;
    std::size_t queued = 0;
    Clock::duration waited{};
};

// The peer never reads. Writing must stop at the deadline with timed_out, holding at most the high-water mark
// plus the last chunk, not the whole 16 MB.
Task<Backpressure> write_to_a_peer_that_never_reads() {
    auto [client_fd, server_fd] = tcp_fds(4096);
    auto writer = std::make_unique<Connection>(server_fd, PeerAddress());
    auto idle_peer = std::make_unique<Connection>(client_fd, PeerAddress());
    std::string chunk(32768, 'y');
    Backpressure out;
    auto deadline = Deadline::after(300ms);
    auto start = Clock::now();
    while (out.accepted < 16u * 1024 * 1024) {
        auto w = co_await writer->write(chunk, deadline);
        if (!w) {
            out.failed = true;
            out.code = w.error().code;
            break;
        }
        out.accepted += chunk.size();
    }
    out.waited = Clock::now() - start;
    out.queued = writer->queued_bytes();
    co_return out;
}

TEST(Connection, flush_to_a_peer_that_stops_reading_times_out_at_its_deadline) {
    Reactor loop;
    auto out = loop.block_on(write_to_a_peer_that_never_reads());
    ASSERT_TRUE(out.failed) << "accepted " << out.accepted << " bytes without the peer reading";
    EXPECT_EQ(out.code, Errc::timed_out);
    EXPECT_GE(out.waited, 300ms);
    EXPECT_LT(out.waited, 10s);
    EXPECT_LT(out.accepted, 4u * 1024 * 1024);
    EXPECT_LE(out.queued, Connection::high_water_bytes + 32768);
}

struct InterruptedWriter {
    bool flushed = false;
    Errc read_after = Errc::internal;
    std::string read_line;
};

Task<void> drain_then_send(Connection* peer, std::size_t bytes) {
    co_await sleep_for(50ms);  // the writer is stuck in flush, and gets interrupted meanwhile
    auto body = co_await peer->read_exact(bytes, soon());
    EXPECT_TRUE(body);
    peer->queue("A9 NOOP\r\n");
    auto sent = co_await peer->flush(soon());
    EXPECT_TRUE(sent);
}

Task<void> interrupt_after(Connection* conn, Clock::duration delay) {
    co_await sleep_for(delay);
    conn->interrupt_reads();
}

// Shutdown can interrupt a session while it is blocked writing a large response. The interruption must still
// hold when the write finishes, or the session would go back to reading and ignore the shutdown.
Task<InterruptedWriter> interrupt_while_flushing() {
    auto [client_fd, server_fd] = tcp_fds(4096);
    auto writer = std::make_unique<Connection>(server_fd, PeerAddress());
    auto peer = std::make_unique<Connection>(client_fd, PeerAddress());
    constexpr std::size_t response_bytes = 1 << 20;
    spawn(drain_then_send(peer.get(), response_bytes));
    spawn(interrupt_after(writer.get(), 20ms));
    writer->queue(std::string(response_bytes, 'r'));
    InterruptedWriter out;
    auto flushed = co_await writer->flush(soon());
    out.flushed = flushed.ok();
    co_await sleep_for(20ms);  // the peer's next command has arrived
    auto line = co_await writer->read_line(1024, soon());
    if (line) out.read_line = *line;
    else out.read_after = line.error().code;
    co_return out;
}

TEST(Connection, an_interrupt_during_a_blocked_write_still_holds_for_the_next_read) {
    Reactor loop;
    auto out = loop.block_on(interrupt_while_flushing());
    EXPECT_TRUE(out.flushed);
    EXPECT_EQ(out.read_line, "");
    EXPECT_EQ(out.read_after, Errc::cancelled);
}

// ---- idle memory ------------------------------------------------------------------------------------

struct Holding {
    bool before_any_read = true;
    bool between_pipelined_lines = false;
    bool after_draining = true;
    bool after_an_idle_wait = true;
    std::string rest;
};

Task<Holding> buffer_holding() {
    auto [a, b] = unix_pair();
    Holding h;
    h.before_any_read = b->holds_read_buffer();
    a->queue("A1 NOOP\r\nA2 NOOP\r\n");
    auto f = co_await a->flush(soon());
    EXPECT_TRUE(f);
    auto first = co_await b->read_line(1024, soon());
    EXPECT_TRUE(first);
    h.between_pipelined_lines = b->holds_read_buffer();
    h.rest = std::string(b->input());
    auto second = co_await b->read_line(1024, soon());
    EXPECT_TRUE(second);
    h.after_draining = b->holds_read_buffer() || !b->input().empty();
    auto idle = co_await b->fill(Deadline::after(20ms));
    EXPECT_FALSE(idle);
    h.after_an_idle_wait = b->holds_read_buffer();
    co_return h;
}

TEST(Connection, an_idle_connection_holds_no_read_buffer) {
    Reactor loop;
    auto h = loop.block_on(buffer_holding());
    EXPECT_FALSE(h.before_any_read);
    EXPECT_TRUE(h.between_pipelined_lines);
    EXPECT_EQ(h.rest, "A2 NOOP\r\n");
    EXPECT_FALSE(h.after_draining);
    EXPECT_FALSE(h.after_an_idle_wait);
}

// ---- fill_once (IMAP IDLE's wait) -------------------------------------------------------------------

struct FillOnceRun {
    std::string line;                 // what came, once a whole line was in
    Errc woken = Errc::internal;      // the wait that wake_reader() ended
    Errc timed_out = Errc::internal;  // the wait that its deadline ended
    bool holds_buffer_while_waiting = true;
};

Task<void> wake_soon(Connection* conn) {
    co_await sleep_for(10ms);
    conn->wake_reader();
}

Task<FillOnceRun> fill_once_until_a_line() {
    auto [a, b] = unix_pair();
    FillOnceRun run;
    spawn(send_in_pieces(a.get(), "DONE\r\n", 2));
    while (b->input().find('\n') == std::string_view::npos) {
        auto filled = co_await b->fill_once(soon());  // success may bring no bytes: look again
        EXPECT_TRUE(filled);
        if (!filled) co_return run;
    }
    run.line = std::string(b->input());
    b->consume(b->input().size());
    spawn(wake_soon(b.get()));
    auto woken = co_await b->fill_once(soon());
    run.woken = woken ? Errc::internal : woken.error().code;
    run.holds_buffer_while_waiting = b->holds_read_buffer();
    auto timed_out = co_await b->fill_once(Deadline::after(20ms));
    run.timed_out = timed_out ? Errc::internal : timed_out.error().code;
    co_return run;
}

TEST(Connection, fill_once_reads_until_the_line_is_in_and_ends_with_woken_or_timed_out) {
    Reactor loop;
    auto run = loop.block_on(fill_once_until_a_line());
    EXPECT_EQ(run.line, "DONE\r\n");
    EXPECT_EQ(run.woken, Errc::woken);
    EXPECT_EQ(run.timed_out, Errc::timed_out);
    EXPECT_FALSE(run.holds_buffer_while_waiting);
}

// ---- connect_tcp ------------------------------------------------------------------------------------

Task<std::string> connect_and_greet() {
    auto address = parse_address("127.0.0.1", 0);
    auto listener = open_listener(*address, 4);
    auto bound = local_address(*listener);
    auto conn = co_await connect_tcp(*bound, soon());
    if (!conn) co_return conn.error().to_string();
    int server_fd = -1;
    for (int tries = 0; server_fd < 0 && tries < 1000; ++tries) {
        server_fd = ::accept4(*listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (server_fd < 0) co_await sleep_for(1ms);
    }
    ::close(*listener);
    Connection server(server_fd, PeerAddress());
    server.queue("* OK hello\r\n");
    auto f = co_await server.flush(soon());
    EXPECT_TRUE(f);
    auto line = co_await (*conn)->read_line(1024, soon());
    co_return line ? *line : line.error().to_string();
}

TEST(Connection, connect_tcp_reaches_a_loopback_listener) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(connect_and_greet()), "* OK hello");
}

Task<Errc> connect_to_closed_port() {
    auto address = parse_address("127.0.0.1", 0);
    auto listener = open_listener(*address, 4);
    auto bound = local_address(*listener);
    ::close(*listener);  // nobody listens there any more
    auto conn = co_await connect_tcp(*bound, soon());
    co_return conn ? Errc::internal : conn.error().code;
}

TEST(Connection, connect_tcp_to_a_closed_port_fails_with_io) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(connect_to_closed_port()), Errc::io);
}

// A benchmark spreads its connections over 127.0.0.0/8: the server sees the chosen source address.
Task<std::string> connect_from_source() {
    auto address = parse_address("127.0.0.1", 0);
    auto listener = open_listener(*address, 4);
    auto bound = local_address(*listener);
    auto source = parse_address("127.0.0.7", 0);
    auto conn = co_await connect_tcp(*bound, soon(), *source);
    if (!conn) co_return conn.error().to_string();
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int server_fd = -1;
    for (int tries = 0; server_fd < 0 && tries < 1000; ++tries) {
        server_fd = ::accept4(*listener, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
        if (server_fd < 0) co_await sleep_for(1ms);
    }
    ::close(*listener);
    if (server_fd < 0) co_return "not accepted";
    ::close(server_fd);
    co_return PeerAddress(reinterpret_cast<const sockaddr*>(&peer)).ip();
}

TEST(Connection, connect_tcp_binds_the_source_address_it_is_given) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(connect_from_source()), "127.0.0.7");
}

}  // namespace
}  // namespace mallard::core::net
