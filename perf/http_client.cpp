// See http_client.h.
#include "perf/http_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mallard::perf {
namespace {

using core::Deadline;
using core::Task;

constexpr std::size_t max_head_line = 8192;
constexpr int max_header_lines = 100;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

HttpReply failed(std::string error) {
    HttpReply r;
    r.error = std::move(error);
    return r;
}

}  // namespace

std::string http_get_request(std::string_view target, std::string_view token) {
    std::string out = "GET ";
    out.append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (!token.empty()) out.append("X-Access-Token: ").append(token).append("\r\n");
    out.append("\r\n");
    return out;
}

Task<HttpReply> read_http_reply(core::net::Connection& conn, std::size_t max_body, Deadline deadline) {
    auto status_line = co_await conn.read_line(max_head_line, deadline);
    if (!status_line) co_return failed("status line: " + status_line.error().to_string());
    // "HTTP/1.1 200 OK" (RFC 9112 §4)
    const std::string& line = *status_line;
    HttpReply reply;
    if (line.size() < 12 || line.compare(0, 7, "HTTP/1.") != 0 || line[8] != ' ' ||
        std::from_chars(line.data() + 9, line.data() + 12, reply.status).ec != std::errc() || reply.status < 100)
        co_return failed("malformed status line: " + line.substr(0, 80));
    reply.close = line[7] == '0';  // HTTP/1.0 without keep-alive
    std::size_t length = 0;
    bool has_length = false;
    for (int i = 0;; ++i) {
        if (i == max_header_lines) co_return failed("too many header lines");
        auto header = co_await conn.read_line(max_head_line, deadline);
        if (!header) co_return failed("header: " + header.error().to_string());
        if (header->empty()) break;
        std::string_view h = *header;
        const std::size_t colon = h.find(':');
        if (colon == std::string_view::npos) co_return failed("malformed header line");
        const std::string_view name = h.substr(0, colon), value = trim(h.substr(colon + 1));
        if (iequals(name, "Content-Length")) {
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
            if (ec != std::errc() || end != value.data() + value.size()) co_return failed("bad Content-Length");
            has_length = true;
        } else if (iequals(name, "Transfer-Encoding")) {
            co_return failed("Transfer-Encoding is not supported by this client");
        } else if (iequals(name, "Connection") && iequals(value, "close")) {
            reply.close = true;
        }
    }
    if (!has_length) co_return failed("no Content-Length");
    if (length > max_body) co_return failed("body of " + std::to_string(length) + " bytes is over the limit");
    if (length > 0) {
        auto body = co_await conn.read_exact(length, deadline);
        if (!body) co_return failed("body: " + body.error().to_string());
        reply.body = std::move(*body);
    }
    co_return reply;
}

Task<HttpReply> http_get(core::net::Connection& conn, std::string target, std::string token, std::size_t max_body,
                         Deadline deadline) {
    conn.queue(http_get_request(target, token));
    auto sent = co_await conn.flush(deadline);
    if (!sent) co_return failed("send: " + sent.error().to_string());
    auto reply = co_await read_http_reply(conn, max_body, deadline);
    co_return reply;
}

}  // namespace mallard::perf
