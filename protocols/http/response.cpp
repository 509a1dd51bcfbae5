// Rendering responses (RFC 9112 §4 status line, §6.3 Content-Length; RFC 9110 §6.6.1 Date) and the JSON
// bodies every route answers with.
#include "protocols/http/response.h"

#include <ctime>

#include <nlohmann/json.hpp>

namespace mallard::http {

Response json_response(int status, const nlohmann::json& body) {
    Response r;
    r.status = status;
    r.set_header("Content-Type", "application/json; charset=utf-8");
    // error_handler::replace: a store value that is not valid UTF-8 becomes U+FFFD instead of throwing.
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

Response error_response(int status, std::string_view code, std::string_view message) {
    nlohmann::json body = {{"error", message}, {"code", code}};
    return json_response(status, body);
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 413: return "Content Too Large";
        case 414: return "URI Too Long";
        case 415: return "Unsupported Media Type";
        case 422: return "Unprocessable Content";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 503: return "Service Unavailable";
        case 505: return "HTTP Version Not Supported";
        default: return "Unknown";
    }
}

namespace {

// IMF-fixdate (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[40];
    std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buf, n);
}

}  // namespace

std::string render(const Response& response, bool head, bool keep_alive) {
    std::string out;
    out.reserve(160 + response.body.size());
    out.append("HTTP/1.1 ").append(std::to_string(response.status)).append(" ");
    out.append(reason_phrase(response.status)).append("\r\n");
    out.append("Date: ").append(http_date()).append("\r\n");
    for (const auto& [name, value] : response.headers) out.append(name).append(": ").append(value).append("\r\n");
    const bool streamed = response.stream != nullptr;
    const bool no_body = response.status == 204 || response.status == 304 || response.status < 200 || streamed;
    if (!no_body) out.append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
    if (!keep_alive || streamed) out.append("Connection: close\r\n");
    out.append("\r\n");
    if (!head && !no_body) out.append(response.body);
    return out;
}

}  // namespace mallard::http
