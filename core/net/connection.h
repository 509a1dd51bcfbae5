// Connection: one client (or outgoing) socket on one reactor, read and written through its layered stream
// (TCP → TLS → DEFLATE). Protocol sessions see only this class.
//
// Memory: an idle connection holds no read buffer (it is borrowed from the loop's pool while bytes are
// unread), an empty write queue, and TLS/DEFLATE layers that have released what they can.
// Every wait takes a Deadline; close() and interrupt_reads() wake pending waits with `cancelled`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/buffer_pool.h"
#include "core/deadline.h"
#include "core/reactor.h"
#include "core/result.h"
#include "core/task.h"
#include "core/net/address.h"
#include "core/net/stream.h"
#include "core/net/tls_stream.h"

namespace mallard::core::net {

class Connection;
Task<Result<std::unique_ptr<Connection>>> connect_tcp(SocketAddress address, Deadline deadline,
                                                      std::optional<SocketAddress> source = std::nullopt);

class Connection {
public:
    // Takes ownership of a connected, non-blocking socket. Must be called on the reactor thread that will
    // own the connection for its whole life.
    Connection(int fd, PeerAddress peer);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    std::uint64_t id() const { return id_; }
    const PeerAddress& peer() const { return peer_; }
    int fd() const { return io_.fd(); }
    bool is_open() const { return io_.is_open(); }
    bool is_tls() const { return tls_; }
    bool is_compressed() const { return compressed_; }

    // ---- reading ----
    // Reads more bytes into the input buffer. Errors: closed (peer EOF), timed_out, cancelled, too_big
    // (the buffer is full of unconsumed bytes), io/tls.
    Task<Result<void>> fill(Deadline deadline);
    // fill() as an awaiter, not a coroutine, for a caller that loops until its line is in (IMAP IDLE): no
    // frame of the connection's own sits under such a waiter. It reads what is there or waits once, so
    // success may bring no new bytes (a wake-up with no whole TLS record yet): check input() and call again.
    class FillOnce;
    FillOnce fill_once(Deadline deadline);
    std::string_view input() const;
    void consume(std::size_t bytes);
    // Whether a read buffer is borrowed from the pool right now (false for an idle connection).
    bool holds_read_buffer() const { return in_ != nullptr; }
    // A line up to `max_bytes` (without its CRLF or LF). An over-long line is read to its end, discarded,
    // and reported as too_big, so the caller can answer and go on; memory never grows past the limit.
    Task<Result<std::string>> read_line(std::size_t max_bytes, Deadline deadline);
    // Exactly `bytes` bytes (a literal). The caller checks the size against its limit first.
    Task<Result<std::string>> read_exact(std::size_t bytes, Deadline deadline);

    // PROXY protocol v1/v2 (proxy_protocol.h), on listeners that require it: reads exactly the header the load
    // balancer sent first (peeking, so nothing after it is taken from the socket) and makes the client address
    // in it this connection's peer(). Call right after accept, before TLS. Errors: bad_input (no valid
    // header), closed, timed_out, cancelled, io.
    Task<Result<void>> accept_proxy_header(Deadline deadline);

    // ---- writing ----
    void queue(std::string_view bytes);
    std::size_t queued_bytes() const { return out_.size() - out_off_; }
    // Queues and, past the high-water mark, flushes: a client that does not read suspends the writer.
    Task<Result<void>> write(std::string_view bytes, Deadline deadline);
    Task<Result<void>> flush(Deadline deadline);
    static constexpr std::size_t high_water_bytes = 65536;

    // ---- layers ----
    // Implicit TLS (right after accept) or STARTTLS: bytes the client sent after the STARTTLS command are
    // discarded first (a man in the middle could have injected them: CVE-2011-0411).
    Task<Result<void>> start_tls(std::shared_ptr<TlsContext> context, TlsStream::Role role, Deadline deadline,
                                 std::string server_name = {});
    // RFC 4978: everything written and read from now on is compressed. Call after the OK is flushed.
    void start_deflate();
    std::string tls_description() const;  // "TLSv1.3 TLS_AES_256_GCM_SHA384", or empty

    // ---- lifetime ----
    // Cancels pending waits and closes the socket (sending TLS close_notify, best effort).
    void close();
    // Pending and future reads end with `cancelled` (server shutdown, administrative logout); writes still
    // work so the session can say goodbye.
    void interrupt_reads();
    bool reads_interrupted() const { return interrupted_; }
    // The pending read (or the next one, if none is pending) ends once with `woken`, so a session waiting for
    // its client can attend to something else — IDLE announcing a mailbox change — and then read on.
    void wake_reader();

    // Every open connection on this thread, for shutdown and administrative logout.
    template <class F>
    static void for_each_on_this_thread(F&& fn);

private:
    friend Task<Result<std::unique_ptr<Connection>>> connect_tcp(SocketAddress address, Deadline deadline,
                                                                 std::optional<SocketAddress> source);
    Result<void> io_error(IoOutcome outcome, const char* what) const;
    // One attempt of fill(): ok when bytes were added or the read failed (`result` says which); else the
    // direction to wait for, nothing read.
    IoStatus read_once(Result<void>& result);
    void release_idle_buffers();
    // `for_read`: the wait serves a read, which interrupt_reads() ends. A write waiting for a TLS read (key
    // update) is not a read: it keeps going (success, and the caller tries again), so a session can still
    // say goodbye. An awaiter, not a coroutine: no frame of its own under every waiting connection.
    class Wait;
    Wait wait_for(IoStatus want, Deadline deadline, bool for_read);

    IoHandle io_;
    std::unique_ptr<Stream> stream_;
    TlsStream* tls_layer_ = nullptr;  // inside stream_, when TLS is on
    PooledBuffer in_;
    std::uint32_t in_start_ = 0;
    std::uint32_t in_end_ = 0;
    std::string out_;
    std::size_t out_off_ = 0;
    std::uint64_t id_;
    PeerAddress peer_;
    bool tls_ = false;
    bool compressed_ = false;
    bool interrupted_ = false;
    bool woken_ = false;
    Connection* prev_ = nullptr;  // this thread's registry: an intrusive list
    Connection* next_ = nullptr;
    static thread_local Connection* registry_head_;
};

class Connection::Wait {
public:
    Wait(Connection& conn, IoStatus want, Deadline deadline, bool for_read);
    Wait(const Wait&) = delete;
    Wait& operator=(const Wait&) = delete;
    bool await_ready() const noexcept;
    void await_suspend(std::coroutine_handle<> h) { wait_.await_suspend(h); }
    Result<void> await_resume();

private:
    Connection& conn_;
    bool for_read_;
    IoHandle::Wait wait_;
};

class Connection::FillOnce {
public:
    FillOnce(Connection& conn, Deadline deadline) : conn_(conn), deadline_(deadline) {}
    FillOnce(const FillOnce&) = delete;
    FillOnce& operator=(const FillOnce&) = delete;
    bool await_ready();
    void await_suspend(std::coroutine_handle<> h) { wait_->await_suspend(h); }
    Result<void> await_resume();

private:
    Connection& conn_;
    Deadline deadline_;
    Result<void> result_;        // of the read in await_ready, when it needed no wait
    std::optional<Wait> wait_;   // when it did
};

template <class F>
void Connection::for_each_on_this_thread(F&& fn) {
    for (Connection* c = registry_head_; c;) {
        Connection* next = c->next_;  // fn may close c, but not free it: sessions free on their own turn
        fn(*c);
        c = next;
    }
}

// Opens a client connection (tests, benchmarks, Redis). Runs on the calling reactor. `source` (an IP, port 0)
// binds the local end first, with the port chosen at connect time (IP_BIND_ADDRESS_NO_PORT), so one source
// address is limited only by unique 4-tuples: a benchmark spreads 100,000 loopback connections over
// 127.0.0.0/8 this way. Without a source, lets the kernel choose both.
Task<Result<std::unique_ptr<Connection>>> connect_tcp(SocketAddress address, Deadline deadline,
                                                      std::optional<SocketAddress> source);

}  // namespace mallard::core::net
