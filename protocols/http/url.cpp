// Percent-decoding and key=value lists (RFC 3986 §2.1, WHATWG URL §5.1).
#include "protocols/http/url.h"

namespace mallard::http {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return std::nullopt;  // needs two hex digits after '%'
            int hi = hex_value(in[i + 1]);
            int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            char decoded = static_cast<char>(hi * 16 + lo);
            if (decoded == '\0') return std::nullopt;
            out.push_back(decoded);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string percent_encode(std::string_view in) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : in) {
        if (unreserved(c)) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

std::optional<Pairs> parse_pairs(std::string_view in) {
    Pairs out;
    while (!in.empty()) {
        std::size_t amp = in.find('&');
        std::string_view piece = in.substr(0, amp);
        in = amp == std::string_view::npos ? std::string_view{} : in.substr(amp + 1);
        if (piece.empty()) continue;
        std::size_t eq = piece.find('=');
        auto key = percent_decode(piece.substr(0, eq), true);
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1), true);
        if (!key || !value) return std::nullopt;
        if (key->empty()) continue;
        out.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

}  // namespace mallard::http
