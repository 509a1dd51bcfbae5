// Response: status, headers and body of one HTTP/1.1 response, and its rendering (RFC 9112 §4, §6.3).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mallard::http {

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length, Connection, Date
    std::string body;

    void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// A JSON response (application/json; charset=utf-8). WildDuck answers everything this way.
Response json_response(int status, const nlohmann::json& body);
// WildDuck's error shape: {"error": message, "code": code}.
Response error_response(int status, std::string_view code, std::string_view message);

std::string_view reason_phrase(int status);

// The bytes on the wire. `head` (a HEAD request, RFC 9110 §9.3.2) keeps Content-Length but sends no body;
// `keep_alive` false adds "Connection: close".
std::string render(const Response& response, bool head, bool keep_alive);

}  // namespace mallard::http
