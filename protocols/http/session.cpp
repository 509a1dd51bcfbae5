// The HTTP/1.1 connection loop (see session.h).
#include "protocols/http/session.h"

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <variant>

#include "core/log.h"
#include "protocols/http/dispatch.h"
#include "protocols/http/routes/api_routes.h"

namespace mallard::http {

using namespace std::chrono_literals;

namespace {

std::string error_bytes(const ParseError& error) {
    Response r = error_response(error.status, error.status == 413 ? "RequestTooLarge" : "BadRequest", error.text);
    return render(r, false, false);
}

class Session {
public:
    Session(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context)
        : conn_(std::move(conn)), context_(std::move(context)), parser_(context_->options.limits),
          request_deadline_(core::Deadline::never()) {}

    core::Task<void> run();

private:
    const Options& options() const { return context_->options; }
    // While no byte of the next request has arrived, the idle timeout; once one has, the request deadline.
    core::Deadline read_deadline() {
        if (!parser_.in_request()) return core::Deadline::after(options().idle_timeout);
        if (request_deadline_.is_never()) request_deadline_ = core::Deadline::after(options().request_timeout);
        return request_deadline_;
    }
    // Whether another request is waiting in the buffer (pipelining): answer it before flushing.
    bool more_buffered() const { return !conn_->input().empty(); }
    core::Task<bool> answer(Request request);
    core::Task<void> linger();

    std::unique_ptr<core::net::Connection> conn_;
    std::shared_ptr<const Context> context_;
    RequestParser parser_;
    core::Deadline request_deadline_;
};

// After an error response, the client may still be sending (a body we refused). Closing with unread bytes
// makes the kernel send RST, which can destroy the response before the client reads it (RFC 9112 §9.6):
// so half-close, then read and discard for a moment.
core::Task<void> Session::linger() {
    auto flushed = co_await conn_->flush(core::Deadline::after(5s));
    if (!flushed) co_return;
    if (!conn_->is_tls()) ::shutdown(conn_->fd(), SHUT_WR);
    const core::Deadline until = core::Deadline::after(2s);
    std::size_t drained = 0;
    while (drained < (std::size_t{1} << 20)) {
        drained += conn_->input().size();
        conn_->consume(conn_->input().size());
        auto more = co_await conn_->fill(until);
        if (!more) break;
    }
}

// Returns false when the connection should close after this response.
core::Task<bool> Session::answer(Request request) {
    request_deadline_ = core::Deadline::never();
    auto response = co_await dispatch(*context_, request, conn_->peer().is_loopback());
    const bool head = request.method == "HEAD";
    const bool keep_alive = request.keep_alive && !conn_->reads_interrupted();
    MLOG_CONN(debug, conn_->id()) << request.method << " " << request.path << " " << response.status;
    // write() flushes past the high-water mark: a client that pipelines without reading is suspended here.
    auto written = co_await conn_->write(render(response, head, keep_alive),
                                         core::Deadline::after(options().request_timeout));
    if (response.stream && !head && written.ok()) {
        // The connection is the stream's until it ends; then it closes (the body ends with it).
        auto flushed = co_await conn_->flush(core::Deadline::after(options().request_timeout));
        if (flushed) {
            co_await response.stream->run(*conn_);
        }
        co_return false;
    }
    co_return keep_alive && written.ok() && !response.stream;
}

core::Task<void> Session::run() {
    bool open = true;
    while (open) {
        std::size_t used = 0;
        ParseStep step = parser_.parse(conn_->input(), used);
        conn_->consume(used);
        if (auto* request = std::get_if<Request>(&step)) {
            auto keep = co_await answer(std::move(*request));
            open = keep;
            if (open && more_buffered()) continue;
            auto flushed = co_await conn_->flush(core::Deadline::after(options().request_timeout));
            if (!flushed) break;
            continue;
        }
        if (auto* error = std::get_if<ParseError>(&step)) {
            MLOG_CONN(debug, conn_->id()) << "http: " << error->status << " " << error->text;
            conn_->queue(error_bytes(*error));
            co_await linger();
            break;
        }
        // NeedMore: send what is queued, then read.
        if (parser_.take_continue()) conn_->queue("HTTP/1.1 100 Continue\r\n\r\n");
        auto flushed = co_await conn_->flush(core::Deadline::after(options().request_timeout));
        if (!flushed) break;
        auto filled = co_await conn_->fill(read_deadline());
        if (!filled) {
            core::Errc code = filled.error().code;
            if (code == core::Errc::timed_out && parser_.in_request())
                conn_->queue(render(error_response(408, "RequestTimeout", "Request not completed in time"), false, false));
            else if (code == core::Errc::cancelled && parser_.in_request())  // shutdown in the middle of a request
                conn_->queue(render(error_response(503, "ServiceUnavailable", "Server shutting down"), false, false));
            else if (code != core::Errc::closed && code != core::Errc::timed_out && code != core::Errc::cancelled)
                MLOG_CONN(debug, conn_->id()) << "http: connection ended: " << filled.error().to_string();
            break;
        }
    }
    // Send what is left (a final response or an error) briefly, then close.
    auto said = co_await conn_->flush(core::Deadline::after(5s));
    (void)said;
    conn_->close();
}

}  // namespace

core::Task<void> serve(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context) {
    std::uint64_t id = conn->id();
    Session session(std::move(conn), std::move(context));
    // The connection boundary: an exception is a bug; it ends this connection, never the process.
    try {
        co_await session.run();
    } catch (const std::exception& e) {
        MLOG_CONN(error, id) << "http session failed: " << e.what();
    } catch (...) {
        MLOG_CONN(error, id) << "http session failed: unknown exception";
    }
}

std::shared_ptr<Context> make_context(Options options, storage::Store& store, core::ThreadPool& pool,
                                      storage::notify::Bus* bus) {
    auto context = std::make_shared<Context>(Context{std::move(options), store, pool, RouteTable{}, bus});
    add_api_routes(context->routes);
    return context;
}

}  // namespace mallard::http
