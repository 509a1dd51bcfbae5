#include "tools/mallard/placeholder_handlers.h"

#include <chrono>

#include "core/log.h"

namespace mallard::server {

using core::Deadline;
using namespace std::chrono_literals;

namespace {

core::Task<void> say_and_close(std::unique_ptr<core::net::Connection> conn, std::string text) {
    conn->queue(text);
    auto sent = co_await conn->flush(Deadline::after(10s));
    if (!sent) MLOG_CONN(debug, conn->id()) << "greeting not sent: " << sent.error().to_string();
    conn->close();
}

}  // namespace

// Reads the request head (bounded by size and time) so the client sees a response, not a reset.
core::Task<void> http_unavailable(std::unique_ptr<core::net::Connection> conn, std::string hostname) {
    auto deadline = Deadline::after(10s);
    for (int lines = 0; lines < 100; ++lines) {
        auto line = co_await conn->read_line(8192, deadline);
        if (!line || line->empty()) break;
    }
    std::string body = "{\"error\":\"The Mallard HTTP API on " + hostname +
                       " is not available yet\",\"code\":\"ServiceUnavailable\"}";
    std::string response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                           "Content-Length: " + std::to_string(body.size()) +
                           "\r\nConnection: close\r\n\r\n" + body;
    co_await say_and_close(std::move(conn), std::move(response));
}

}  // namespace mallard::server
