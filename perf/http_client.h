// The HTTP/1.1 client the benchmarks share: one GET on a keep-alive connection (RFC 9112 §9.3: the connection
// stays open for the next request unless the server says "Connection: close") and its response, read by
// Content-Length (§6.3) — mallard's API always sends one. Bounded: header lines, header count and body size
// have limits, every read a deadline. Runs on the calling thread's reactor.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/deadline.h"
#include "core/net/connection.h"
#include "core/task.h"

namespace mallard::perf {

struct HttpReply {
    int status = 0;           // 0: no valid response (see `error`); the connection is then unusable
    bool close = false;       // the server closes the connection after this response
    std::string body;
    std::string error;
};

// The request's bytes: GET `target` with Host and, when given, X-Access-Token (WildDuck's header).
std::string http_get_request(std::string_view target, std::string_view token);

// Reads one response's head and body. Transfer-Encoding (chunked) is not supported: an error.
core::Task<HttpReply> read_http_reply(core::net::Connection& conn, std::size_t max_body, core::Deadline deadline);

// Sends GET `target` and reads its response.
core::Task<HttpReply> http_get(core::net::Connection& conn, std::string target, std::string token,
                               std::size_t max_body, core::Deadline deadline);

}  // namespace mallard::perf
