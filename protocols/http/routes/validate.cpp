// Name checks and cursors (see validate.h).
#include "protocols/http/routes/validate.h"

namespace mallard::http::routes {

namespace {

bool name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool joiner(char c) { return c == '.' || c == '_' || c == '=' || c == ':'; }

// [a-z0-9-]+ ( [._=:] [a-z0-9-]+ )*
bool dotted_name(std::string_view s) {
    if (s.empty() || !name_char(s.front()) || !name_char(s.back())) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (name_char(s[i])) continue;
        if (!joiner(s[i]) || joiner(s[i + 1])) return false;  // s.back() is a name char, so i + 1 exists
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

std::string lowercase_ascii(std::string_view in) {
    std::string out(in);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool valid_username(std::string_view username) {
    if (username.empty() || username.size() > 128) return false;
    std::size_t at = username.find('@');
    if (at == std::string_view::npos) return dotted_name(username);
    return dotted_name(username.substr(0, at)) && dotted_name(username.substr(at + 1));
}

bool valid_email(std::string_view address) {
    if (address.size() > 320) return false;
    std::size_t at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= address.size()) return false;
    std::string_view local = address.substr(0, at);
    std::string_view domain = address.substr(at + 1);
    if (local.size() > 64 || local.find('@') != std::string_view::npos) return false;
    for (unsigned char c : address)
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
            c == '\\' || c == '"' || c == '[' || c == ']')
            return false;
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
        domain.find("..") != std::string_view::npos)
        return false;
    return true;
}

bool valid_mailbox_path(std::string_view path) {
    if (path.empty() || path.size() > 1024) return false;
    if (path.front() == '/' || path.back() == '/' || path.find("//") != std::string_view::npos) return false;
    for (unsigned char c : path)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

std::string encode_cursor(const Cursor& cursor) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string raw = (cursor.next ? "n" : "p") + cursor.key;
    std::string out;
    for (unsigned char c : raw) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::optional<Cursor> decode_cursor(std::string_view text) {
    if (text.size() < 2 || text.size() % 2 || text.size() > 512) return std::nullopt;
    std::string raw;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        int hi = hex_value(text[i]);
        int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        raw.push_back(static_cast<char>(hi * 16 + lo));
    }
    if (raw[0] != 'n' && raw[0] != 'p') return std::nullopt;
    return Cursor{raw[0] == 'n', raw.substr(1)};
}

}  // namespace mallard::http::routes
