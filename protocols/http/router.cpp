// Route matching by segments. Tables are small (tens of routes), so a linear scan is fast and obvious.
#include "protocols/http/router.h"

namespace mallard::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);  // "/users/" is "/users"
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    while (!path.empty()) {
        std::size_t slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
        if (path.empty()) out.emplace_back();  // "a//" keeps its empty segment
    }
    return out;
}

bool is_param(std::string_view segment) { return !segment.empty() && segment.front() == ':'; }

}  // namespace

void RouteTable::add(const Route& route) {
    Compiled c{route, split_path(route.pattern), 0};
    for (std::string_view s : c.segments)
        if (!is_param(s)) ++c.literals;
    routes_.push_back(std::move(c));
}

RouteResult RouteTable::match(std::string_view method, std::string_view path) const {
    const std::vector<std::string_view> segments = split_path(path);
    const std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
    const Compiled* best = nullptr;
    std::string allow;
    for (const Compiled& c : routes_) {
        if (c.segments.size() != segments.size()) continue;
        bool fits = true;
        for (std::size_t i = 0; i < segments.size() && fits; ++i)
            fits = is_param(c.segments[i]) ? !segments[i].empty() : c.segments[i] == segments[i];
        if (!fits) continue;
        if (c.route.method != want) {
            if (allow.find(c.route.method) == std::string::npos) {
                if (!allow.empty()) allow += ", ";
                allow += c.route.method;
                if (c.route.method == "GET") allow += ", HEAD";
            }
            continue;
        }
        if (!best || c.literals > best->literals) best = &c;
    }
    if (!best) return NoRoute{std::move(allow)};
    RouteMatch m{&best->route, {}};
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (!is_param(best->segments[i])) continue;
        auto value = percent_decode(segments[i], false);
        if (!value) return BadPath{};
        m.params.emplace_back(std::string(best->segments[i].substr(1)), std::move(*value));
    }
    return m;
}

}  // namespace mallard::http
