// Request: one parsed HTTP/1.1 request (RFC 9112 §3, §6), owning its bytes so it outlives the read buffer.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mallard::http {

struct Request {
    std::string method;       // "GET", "POST", … as sent (methods are case-sensitive: RFC 9110 §9.1)
    std::string target;       // the request-target exactly as sent: "/users?limit=5"
    std::string path;         // the target's path, still percent-encoded: routes split it before decoding
    std::string query;        // after '?', without it, still encoded; empty if none
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, values trimmed
    std::string body;         // de-chunked
    bool keep_alive = true;   // RFC 9112 §9.3: HTTP/1.1 default, "Connection: close", HTTP/1.0 rules
    unsigned version_minor = 1;

    // The first header of that (lower-case) name, or nullptr.
    const std::string* header(std::string_view name) const {
        for (const auto& [n, v] : headers)
            if (n == name) return &v;
        return nullptr;
    }
};

}  // namespace mallard::http
