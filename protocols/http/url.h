// The parts of a URL a route needs: percent-decoding (RFC 3986 §2.1) and key=value lists, which are the same
// syntax in a query string and in an application/x-www-form-urlencoded body (WHATWG URL §5.1: '+' is a space).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mallard::http {

// Decodes %XX escapes; `plus_is_space` for query strings and form bodies. A malformed escape ("%G1", "%4")
// or an encoded NUL is nullopt: a route then answers 400 rather than guessing.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

// Encodes everything but RFC 3986 unreserved characters (for cursors and Location-like values).
std::string percent_encode(std::string_view in);

using Pairs = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%20y&c" → {a,1} {b,"x y"} {c,""}; empty pieces are skipped. nullopt if any escape is malformed.
std::optional<Pairs> parse_pairs(std::string_view in);

}  // namespace mallard::http
