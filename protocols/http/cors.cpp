// CORS (see cors.h).
#include "protocols/http/cors.h"

namespace mallard::http {

namespace {

const std::string* allowed_origin(const Request& request, const std::vector<std::string>& origins) {
    const std::string* origin = request.header("origin");
    if (!origin || origins.empty()) return nullptr;
    for (const std::string& o : origins)
        if (o == "*" || o == *origin) return origin;
    return nullptr;
}

void allow_origin(Response& response, const std::string& origin) {
    // The origin is echoed rather than "*": credentials are allowed, and "*" forbids them (Fetch §3.2.5).
    response.set_header("Access-Control-Allow-Origin", origin);
    response.set_header("Access-Control-Allow-Credentials", "true");
    response.set_header("Vary", "Origin");
}

}  // namespace

std::optional<Response> cors_preflight(const Request& request, const std::vector<std::string>& origins) {
    if (request.method != "OPTIONS" || !request.header("origin") || !request.header("access-control-request-method"))
        return std::nullopt;
    Response r;
    const std::string* origin = allowed_origin(request, origins);
    if (!origin) {
        r.status = 403;
        return r;
    }
    r.status = 204;
    allow_origin(r, *origin);
    r.set_header("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
    r.set_header("Access-Control-Allow-Headers", "X-Access-Token, Authorization, Content-Type");
    r.set_header("Access-Control-Max-Age", "600");
    return r;
}

void add_cors_headers(Response& response, const Request& request, const std::vector<std::string>& origins) {
    for (const auto& header : response.headers)
        if (header.first == "Access-Control-Allow-Origin") return;  // a preflight answer has them already
    if (const std::string* origin = allowed_origin(request, origins)) allow_origin(response, *origin);
}

}  // namespace mallard::http
