// CORS for browser clients of the API (WHATWG Fetch §3.2): preflight answers and the headers on actual
// responses, for the configured origins only ("*" allows any). WildDuck allows the X-Access-Token and
// Authorization request headers and credentials for every allowed origin; so does this.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocols/http/request.h"
#include "protocols/http/response.h"

namespace mallard::http {

// An OPTIONS request with Origin and Access-Control-Request-Method: 204 with the allow headers if the origin
// is allowed, 403 otherwise. nullopt for anything that is not a preflight (it goes to the routes).
std::optional<Response> cors_preflight(const Request& request, const std::vector<std::string>& origins);

// Adds Access-Control-Allow-Origin (and friends) when the request's Origin is allowed.
void add_cors_headers(Response& response, const Request& request, const std::vector<std::string>& origins);

}  // namespace mallard::http
