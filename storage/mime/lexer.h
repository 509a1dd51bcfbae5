// Tokens of structured header fields: RFC 5322 §3.2 (atoms, quoted strings, comments, domain
// literals) with the specials of either RFC 5322 (addresses) or RFC 2045 (MIME parameters).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mallard::storage::mime {

enum class TokenKind : unsigned char { atom, quoted, comment, literal, special };

struct Token {
    TokenKind kind;
    std::string text;           // atom as written; quoted/comment/literal contents, quoted-pairs undone
    bool space_before = false;  // whitespace (or a comment) separated it from the previous token
};

enum class Specials : unsigned char {
    address,  // ()<>[]:;@\,"  — '.' stays inside atoms so dotted words and local parts hold together
    mime,     // ()<>@,;:\"/[]?=  (RFC 2045 tspecials)
};

// Splits a header value into tokens. Never fails: an unterminated quoted string, comment or literal
// runs to the end, CR and LF are dropped as folding, 8-bit bytes are atom characters. Domain
// literals ("[…]") are recognised only with Specials::address.
std::vector<Token> tokenize(std::string_view value, Specials specials);

}  // namespace mallard::storage::mime
