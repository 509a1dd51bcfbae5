// Modified UTF-7: see mutf7.h.
#include "protocols/imap/mutf7.h"

#include <cstdint>
#include <vector>

namespace mallard::imap {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

bool printable(unsigned char c) { return c >= 0x20 && c <= 0x7e; }

// The next code point of `s` at `i`, advancing `i`; U+FFFD for an invalid sequence (one byte skipped).
char32_t next_code_point(std::string_view s, std::size_t& i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
        ++i;
        return 0xfffd;
    }
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xc0) != 0x80) {
            ++i;
            return 0xfffd;
        }
        cp = (cp << 6) | (cc & 0x3f);
    }
    constexpr char32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        ++i;
        return 0xfffd;
    }
    i += n;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

void append_base64(std::string& out, const std::vector<std::uint16_t>& units) {
    std::uint32_t bits = 0;
    int count = 0;
    for (auto u : units) {
        bits = (bits << 16) | u;
        count += 16;
        while (count >= 6) {
            count -= 6;
            out += alphabet[(bits >> count) & 0x3f];
        }
        bits &= (1u << count) - 1;
    }
    if (count > 0) out += alphabet[(bits << (6 - count)) & 0x3f];
}

// One "&…-" run's base64 (without the delimiters) → UTF-16 units, or false when malformed.
bool decode_base64(std::string_view run, std::vector<std::uint16_t>& units) {
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : run) {
        auto pos = alphabet.find(c);
        if (pos == std::string_view::npos) return false;
        bits = (bits << 6) | static_cast<std::uint32_t>(pos);
        count += 6;
        if (count >= 16) {
            count -= 16;
            units.push_back(static_cast<std::uint16_t>(bits >> count));
            bits &= (1u << count) - 1;
        }
    }
    // Leftover bits must be fewer than 6 and zero (RFC 2152 padding rule).
    return count < 6 && bits == 0 && !units.empty();
}

}  // namespace

std::string mutf7_encode(std::string_view utf8) {
    std::string out;
    std::vector<std::uint16_t> units;
    auto flush = [&] {
        if (units.empty()) return;
        out += '&';
        append_base64(out, units);
        out += '-';
        units.clear();
    };
    for (std::size_t i = 0; i < utf8.size();) {
        auto c = static_cast<unsigned char>(utf8[i]);
        if (printable(c)) {
            flush();
            out += c == '&' ? "&-" : std::string(1, static_cast<char>(c));
            ++i;
            continue;
        }
        char32_t cp = next_code_point(utf8, i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            units.push_back(static_cast<std::uint16_t>(0xd800 + (cp >> 10)));
            units.push_back(static_cast<std::uint16_t>(0xdc00 + (cp & 0x3ff)));
        } else {
            units.push_back(static_cast<std::uint16_t>(cp));
        }
    }
    flush();
    return out;
}

std::optional<std::string> mutf7_decode(std::string_view in) {
    std::string out;
    std::vector<std::uint16_t> units;
    for (std::size_t i = 0; i < in.size();) {
        auto c = static_cast<unsigned char>(in[i]);
        if (!printable(c)) return std::nullopt;
        if (c != '&') {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        auto end = in.find('-', i + 1);
        if (end == std::string_view::npos) return std::nullopt;
        if (end == i + 1) {
            out += '&';
            i = end + 1;
            continue;
        }
        units.clear();
        if (!decode_base64(in.substr(i + 1, end - i - 1), units)) return std::nullopt;
        for (std::size_t k = 0; k < units.size(); ++k) {
            char32_t cp = units[k];
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (k + 1 >= units.size() || units[k + 1] < 0xdc00 || units[k + 1] > 0xdfff) return std::nullopt;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (units[k + 1] - 0xdc00);
                ++k;
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return std::nullopt;
            } else if (printable(static_cast<unsigned char>(cp < 0x80 ? cp : 0))) {
                return std::nullopt;  // printable ASCII must be sent as itself
            }
            append_utf8(out, cp);
        }
        i = end + 1;
    }
    return out;
}

}  // namespace mallard::imap
