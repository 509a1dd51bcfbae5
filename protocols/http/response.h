// Response: status, headers and body of one HTTP/1.1 response, and its rendering (RFC 9112 §4, §6.3).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mallard::core {
template <class T>
class Task;
namespace net {
class Connection;
}
}  // namespace mallard::core

namespace mallard::http {

// A response whose body is produced after its head, for as long as the client listens (text/event-stream,
// GET /users/:user/updates). The session sends the head, hands the connection to run(), and closes it after:
// the body ends with the connection (RFC 9112 §6.3 item 8), so no Content-Length or chunking is needed.
class EventStream {
public:
    virtual ~EventStream() = default;
    // On the connection's loop thread. Writes the body; returns when the client is gone or the stream ends.
    virtual core::Task<void> run(core::net::Connection& conn) = 0;
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length, Connection, Date
    std::string body;
    std::shared_ptr<EventStream> stream;  // set: the body is streamed (see EventStream), `body` is ignored

    void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// A JSON response (application/json; charset=utf-8). WildDuck answers everything this way.
Response json_response(int status, const nlohmann::json& body);
// WildDuck's error shape: {"error": message, "code": code}.
Response error_response(int status, std::string_view code, std::string_view message);

std::string_view reason_phrase(int status);

// The bytes on the wire. `head` (a HEAD request, RFC 9110 §9.3.2) keeps Content-Length but sends no body;
// `keep_alive` false adds "Connection: close". A streamed response gets neither Content-Length nor a body here,
// and always "Connection: close".
std::string render(const Response& response, bool head, bool keep_alive);

}  // namespace mallard::http
