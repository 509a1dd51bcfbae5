#include "core/net/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/counters.h"
#include "core/log.h"
#include "core/net/deflate_stream.h"
#include "core/net/tcp_stream.h"

namespace mallard::core::net {

thread_local Connection* Connection::registry_head_ = nullptr;

Connection::Connection(int fd, PeerAddress peer)
    : stream_(std::make_unique<TcpStream>(fd)), id_(log::next_connection_id()), peer_(peer) {
    io_.open(fd);
    next_ = registry_head_;
    if (next_) next_->prev_ = this;
    registry_head_ = this;
    thread_counters().add(thread_counters().connections_open);
}

Connection::~Connection() {
    close();
    if (prev_) prev_->next_ = next_;
    else registry_head_ = next_;
    if (next_) next_->prev_ = prev_;
    thread_counters().sub(thread_counters().connections_open);
}

void Connection::close() {
    if (!io_.is_open()) return;
    if (tls_layer_) tls_layer_->shutdown();
    io_.close();
}

void Connection::interrupt_reads() {
    interrupted_ = true;
    io_.cancel_read_wait();
}

void Connection::wake_reader() {
    woken_ = true;
    io_.cancel_read_wait();
}

Result<void> Connection::io_error(IoOutcome outcome, const char* what) const {
    switch (outcome.status) {
        case IoStatus::eof: return Error(Errc::closed, what);
        case IoStatus::error: {
            std::string detail = std::string(what) + ": " + stream_->last_error();
            return Error(tls_ ? Errc::tls : Errc::io, detail);
        }
        default: return Error(Errc::internal, what);
    }
}

namespace {

IoHandle& cleared(IoHandle& io, IoStatus want) {
    if (want == IoStatus::want_read) io.clear_readable();
    else io.clear_writable();
    return io;
}

}  // namespace

Connection::Wait::Wait(Connection& conn, IoStatus want, Deadline deadline, bool for_read)
    : conn_(conn), for_read_(for_read), wait_(cleared(conn.io_, want), want == IoStatus::want_write, deadline) {}

bool Connection::Wait::await_ready() const noexcept {
    return (for_read_ && conn_.interrupted_) || wait_.await_ready();
}

Result<void> Connection::Wait::await_resume() {
    if (for_read_ && conn_.interrupted_) return Error(Errc::cancelled, "interrupted");
    if (for_read_ && conn_.woken_) {
        conn_.woken_ = false;
        return Error(Errc::woken);
    }
    WaitResult w = wait_.await_resume();
    if (w == WaitResult::timed_out) return Error(Errc::timed_out);
    if (w == WaitResult::cancelled) {
        // interrupt_reads() cancels whatever waits for input, even a write's wait: only close() ends a write,
        // which tries again (and waits again) on success.
        if (!for_read_ && conn_.io_.is_open()) return success();
        return Error(Errc::cancelled);
    }
    return success();
}

Connection::Wait Connection::wait_for(IoStatus want, Deadline deadline, bool for_read) {
    return Wait(*this, want, deadline, for_read);
}

// ---- reading ------------------------------------------------------------------------------------------

std::string_view Connection::input() const {
    if (!in_) return {};
    return std::string_view(in_.get() + in_start_, in_end_ - in_start_);
}

void Connection::consume(std::size_t bytes) {
    in_start_ += static_cast<std::uint32_t>(bytes);
    if (in_start_ >= in_end_) {
        in_start_ = in_end_ = 0;
        in_.reset();  // drained: an idle connection holds no read buffer
    }
}

void Connection::release_idle_buffers() {
    if (in_ && in_start_ == in_end_) {
        in_.reset();
        in_start_ = in_end_ = 0;
    }
    stream_->release_buffers();
}

IoStatus Connection::read_once(Result<void>& result) {
    if (interrupted_) {
        result = Error(Errc::cancelled, "interrupted");
        return IoStatus::ok;
    }
    if (!io_.is_open()) {
        result = Error(Errc::cancelled, "connection closed");
        return IoStatus::ok;
    }
    if (woken_) {
        woken_ = false;
        result = Error(Errc::woken);
        return IoStatus::ok;
    }
    if (!in_) in_ = acquire_buffer();
    if (in_end_ == read_buffer_bytes && in_start_ > 0) {
        std::memmove(in_.get(), in_.get() + in_start_, in_end_ - in_start_);
        in_end_ -= in_start_;
        in_start_ = 0;
    }
    if (in_end_ == read_buffer_bytes) {
        result = Error(Errc::too_big, "input buffer full");
        return IoStatus::ok;
    }
    IoOutcome r = stream_->read(in_.get() + in_end_, read_buffer_bytes - in_end_);
    if (r.status == IoStatus::ok) {
        in_end_ += static_cast<std::uint32_t>(r.bytes);
        thread_counters().add(thread_counters().bytes_in, r.bytes);
        result = success();
        return IoStatus::ok;
    }
    if (r.status == IoStatus::want_read || r.status == IoStatus::want_write) {
        if (r.status == IoStatus::want_read) release_idle_buffers();
        return r.status;
    }
    result = io_error(r, "read");
    return IoStatus::ok;
}

Task<Result<void>> Connection::fill(Deadline deadline) {
    for (;;) {
        Result<void> result;
        IoStatus want = read_once(result);
        if (want == IoStatus::ok) co_return result;
        auto waited = co_await wait_for(want, deadline, true);
        if (!waited) co_return waited;
    }
}

Connection::FillOnce Connection::fill_once(Deadline deadline) { return FillOnce(*this, deadline); }

bool Connection::FillOnce::await_ready() {
    IoStatus want = conn_.read_once(result_);
    if (want == IoStatus::ok) return true;
    wait_.emplace(conn_, want, deadline_, true);
    return wait_->await_ready();
}

Result<void> Connection::FillOnce::await_resume() {
    if (!wait_) return std::move(result_);
    return wait_->await_resume();  // ready: the caller's next call reads
}

Task<Result<std::string>> Connection::read_line(std::size_t max_bytes, Deadline deadline) {
    std::string line;
    bool too_long = false;
    for (;;) {
        std::string_view have = input();
        std::size_t lf = have.find('\n');
        std::size_t take = lf == std::string_view::npos ? have.size() : lf;
        if (!too_long) {
            if (line.size() + take > max_bytes + 1) {  // +1: the CR that may end it
                too_long = true;
                line.clear();
                line.shrink_to_fit();
            } else {
                line.append(have.substr(0, take));
            }
        }
        if (lf != std::string_view::npos) {
            consume(lf + 1);
            if (too_long) co_return Error(Errc::too_big, "line too long");
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.size() > max_bytes) co_return Error(Errc::too_big, "line too long");
            co_return line;
        }
        consume(have.size());
        auto filled = co_await fill(deadline);
        if (!filled) co_return filled.take_error();
    }
}

Task<Result<std::string>> Connection::read_exact(std::size_t bytes, Deadline deadline) {
    std::string data;
    data.reserve(bytes);
    while (data.size() < bytes) {
        std::string_view have = input();
        if (have.empty()) {
            auto filled = co_await fill(deadline);
            if (!filled) co_return filled.take_error();
            continue;
        }
        std::size_t take = std::min(have.size(), bytes - data.size());
        data.append(have.substr(0, take));
        consume(take);
    }
    co_return data;
}

// ---- writing ------------------------------------------------------------------------------------------

void Connection::queue(std::string_view bytes) {
    if (out_off_ == out_.size()) {
        out_.clear();
        out_off_ = 0;
    }
    out_.append(bytes);
}

Task<Result<void>> Connection::write(std::string_view bytes, Deadline deadline) {
    queue(bytes);
    if (queued_bytes() < high_water_bytes) co_return success();
    co_return co_await flush(deadline);
}

Task<Result<void>> Connection::flush(Deadline deadline) {
    if (!io_.is_open()) co_return Error(Errc::cancelled, "connection closed");
    for (;;) {
        IoOutcome r;
        if (out_off_ < out_.size()) {
            r = stream_->write(out_.data() + out_off_, out_.size() - out_off_);
            if (r.status == IoStatus::ok) {
                out_off_ += r.bytes;
                thread_counters().add(thread_counters().bytes_out, r.bytes);
                continue;
            }
        } else {
            r = stream_->flush();
            if (r.status == IoStatus::ok) break;
        }
        if (r.status == IoStatus::want_read || r.status == IoStatus::want_write) {
            // A TLS write may need a read (key update); an interrupted connection still gets to write.
            auto waited = co_await wait_for(r.status, deadline, false);
            if (!waited) co_return waited;
            continue;
        }
        co_return io_error(r, "write");
    }
    // Sent: give the queue's memory back. Most connections sit idle between short bursts, and an idle
    // connection's bytes are the product's figure (ARCHITECTURE.md); one allocation per burst is cheap.
    std::string().swap(out_);
    out_off_ = 0;
    co_return success();
}

// ---- layers -------------------------------------------------------------------------------------------

Task<Result<void>> Connection::start_tls(std::shared_ptr<TlsContext> context, TlsStream::Role role,
                                         Deadline deadline, std::string server_name) {
    if (tls_ || compressed_) co_return Error(Errc::bad_input, "TLS already active or compression on");
    consume(input().size());
    auto layer = std::make_unique<TlsStream>(io_.fd(), std::move(context), role, server_name);
    TlsStream* tls = layer.get();
    stream_ = std::move(layer);
    tls_layer_ = tls;
    tls_ = true;
    for (;;) {
        IoOutcome r = tls->handshake();
        if (r.status == IoStatus::ok) break;
        if (r.status == IoStatus::want_read || r.status == IoStatus::want_write) {
            auto waited = co_await wait_for(r.status, deadline, true);  // shutdown ends a handshake too
            if (!waited) co_return waited;
            continue;
        }
        co_return io_error(r, "TLS handshake");
    }
    co_return success();
}

void Connection::start_deflate() {
    // Bytes already read past the command that turned compression on were compressed by the peer: they go
    // through the inflater, not to the session as if they were plain text.
    std::string_view early = input();
    stream_ = std::make_unique<DeflateStream>(std::move(stream_), early);
    consume(early.size());
    compressed_ = true;
}

std::string Connection::tls_description() const {
    if (!tls_layer_) return {};
    return tls_layer_->protocol() + " " + tls_layer_->cipher();
}

// ---- client connections -------------------------------------------------------------------------------

Task<Result<std::unique_ptr<Connection>>> connect_tcp(SocketAddress address, Deadline deadline,
                                                      std::optional<SocketAddress> source) {
    int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) co_return Error(Errc::io, std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (source) {
        if (source->family() == AF_INET) ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&source->storage), source->length) < 0) {
            int e = errno;
            ::close(fd);
            co_return Error(Errc::io, std::string("bind source address: ") + std::strerror(e));
        }
    }
    int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length);
    if (r < 0 && errno != EINPROGRESS) {
        int e = errno;
        ::close(fd);
        co_return Error(Errc::io, std::string("connect: ") + std::strerror(e));
    }
    auto conn = std::make_unique<Connection>(fd, PeerAddress(reinterpret_cast<const sockaddr*>(&address.storage)));
    if (r < 0) {
        auto waited = co_await conn->wait_for(IoStatus::want_write, deadline, false);
        if (!waited) co_return waited.take_error();
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) co_return Error(Errc::io, std::string("connect: ") + std::strerror(err));
    }
    co_return std::move(conn);
}

}  // namespace mallard::core::net
