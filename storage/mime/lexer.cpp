// Structured header field tokens: RFC 5322 §3.2.1–§3.2.5, RFC 2045 §5.1.
#include "storage/mime/lexer.h"

namespace mallard::storage::mime {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_special(char c, Specials specials) {
    std::string_view set = specials == Specials::address ? "()<>[]:;@\\,\"" : "()<>@,;:\\\"/[]?=";
    return set.find(c) != std::string_view::npos;
}

// Reads a delimited run starting after its opening character; `close` ends it, '\\' quotes the next
// character, CR/LF are folding. Comments nest. Returns the index after the closing character.
std::size_t read_delimited(std::string_view s, std::size_t i, char open, char close, std::string& out) {
    int depth = 1;
    while (i < s.size()) {
        char c = s[i++];
        if (c == '\\' && i < s.size()) {
            out.push_back(s[i++]);
        } else if (c == '\r' || c == '\n') {
            continue;
        } else if (c == close && --depth == 0) {
            return i;
        } else {
            if (c == open && open != close) ++depth;
            out.push_back(c);
        }
    }
    return i;
}

}  // namespace

std::vector<Token> tokenize(std::string_view s, Specials specials) {
    std::vector<Token> tokens;
    bool space = false;
    std::size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (is_space(c)) {
            space = true;
            ++i;
            continue;
        }
        Token t{TokenKind::atom, {}, space};
        if (c == '"') {
            t.kind = TokenKind::quoted;
            i = read_delimited(s, i + 1, '"', '"', t.text);
        } else if (c == '(') {
            t.kind = TokenKind::comment;
            i = read_delimited(s, i + 1, '(', ')', t.text);
        } else if (c == '[' && specials == Specials::address) {
            t.kind = TokenKind::literal;
            i = read_delimited(s, i + 1, '[', ']', t.text);
        } else if (is_special(c, specials)) {
            t.kind = TokenKind::special;
            t.text.assign(1, c);
            ++i;
        } else {
            std::size_t start = i;
            while (i < s.size() && !is_space(s[i]) && !is_special(s[i], specials)) ++i;
            t.text.assign(s.substr(start, i - start));
        }
        space = t.kind == TokenKind::comment;  // a comment separates like whitespace
        tokens.push_back(std::move(t));
    }
    return tokens;
}

}  // namespace mallard::storage::mime
