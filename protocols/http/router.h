// RouteTable: method + path pattern ("/users/:user/mailboxes/:mailbox") → handler, with the :params decoded.
// Like restify (which WildDuck uses): a path that exists under another method is 405 with Allow, HEAD is
// served by the GET route (RFC 9110 §9.3.2), and a literal segment wins over a :param at the same place.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/http/url.h"

namespace mallard::http {

struct Call;
struct Response;
}  // namespace mallard::http

namespace mallard::core {
template <class T>
class Task;
}

namespace mallard::http {

using Handler = core::Task<Response> (*)(Call&);

struct Route {
    std::string_view method;   // "GET", "POST", "PUT", "DELETE"
    std::string_view pattern;  // segments; ":name" captures one segment
    Handler handler;
};

struct RouteMatch {
    const Route* route;
    Pairs params;              // percent-decoded, in pattern order
};
struct NoRoute {
    std::string allow;         // non-empty: the path exists for these methods (405)
};
struct BadPath {};             // a malformed %-escape in a captured segment (400)
using RouteResult = std::variant<RouteMatch, NoRoute, BadPath>;

class RouteTable {
public:
    void add(const Route& route);
    // `path` is the request's still-encoded path.
    RouteResult match(std::string_view method, std::string_view path) const;
    std::size_t size() const { return routes_.size(); }

private:
    struct Compiled {
        Route route;
        std::vector<std::string_view> segments;
        int literals = 0;
    };
    std::vector<Compiled> routes_;
};

}  // namespace mallard::http
