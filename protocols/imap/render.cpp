// IMAP strings, literals and flag lists: RFC 3501 §4.3 and §9 (quoted, QUOTED-CHAR, literal, CHAR8),
// RFC 6855 §3 (uQUOTED-CHAR: UTF-8 in quoted strings once UTF8=ACCEPT is enabled), RFC 3516 (literal8).
#include "protocols/imap/render.h"

namespace mallard::imap {

namespace {

// Length of the well-formed UTF-8 sequence (RFC 3629) starting at s[i], or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;  // no overlong forms
        if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    }
    return n;
}

void append_number(std::string& out, std::size_t n) { out += std::to_string(n); }

}  // namespace

bool quotable(std::string_view bytes, const RenderOptions& options) {
    for (std::size_t i = 0; i < bytes.size();) {
        auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\0' || c == '\r' || c == '\n') return false;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (!options.utf8_enabled) return false;
        std::size_t n = utf8_sequence(bytes, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

void append_string(std::string& out, std::string_view bytes, const RenderOptions& options) {
    if (bytes.size() > options.max_quoted_bytes || !quotable(bytes, options)) {
        append_literal(out, bytes);
        return;
    }
    out.reserve(out.size() + bytes.size() + 2);
    out.push_back('"');
    for (char c : bytes) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

void append_nstring(std::string& out, const std::optional<std::string>& value, const RenderOptions& options) {
    if (value) {
        append_string(out, *value, options);
    } else {
        out += "NIL";
    }
}

void append_nstring_or_nil_if_empty(std::string& out, std::string_view value, const RenderOptions& options) {
    if (value.empty()) {
        out += "NIL";
    } else {
        append_string(out, value, options);
    }
}

void append_literal(std::string& out, std::string_view bytes) {
    out.push_back('{');
    append_number(out, bytes.size());
    out += "}\r\n";
    std::size_t start = out.size();
    out += bytes;
    for (std::size_t i = start; i < out.size(); ++i) {
        if (out[i] == '\0') out[i] = static_cast<char>(0x80);
    }
}

void append_literal8(std::string& out, std::string_view bytes) {
    out += "~{";
    append_number(out, bytes.size());
    out += "}\r\n";
    out += bytes;
}

void append_flag_list(std::string& out, const std::vector<std::string>& flags) {
    out.push_back('(');
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if (i > 0) out.push_back(' ');
        out += flags[i];
    }
    out.push_back(')');
}

}  // namespace mallard::imap
