// MIME parameters: RFC 2045 §5.1, RFC 2183 §2, RFC 2231 §3–§4 (continuations and charsets).
#include "storage/mime/params.h"

#include <algorithm>
#include <unordered_map>

#include "storage/mime/charset.h"
#include "storage/mime/encoded_words.h"
#include "storage/mime/header_fields.h"
#include "storage/mime/lexer.h"

namespace mallard::storage::mime {

namespace {

constexpr unsigned max_section = 999;

struct Section {
    unsigned index;
    bool encoded;
    std::string text;
};

struct Collected {
    std::string name;
    bool has_plain = false;
    std::string plain;
    std::vector<Section> sections;
};

bool is_special(const Token& t, char c) { return t.kind == TokenKind::special && t.text[0] == c; }

// Splits "name*3*" into base "name", section 3, encoded. A plain name leaves `section` false.
bool split_name(const std::string& name, std::string& base, unsigned& index, bool& encoded) {
    std::size_t star = name.find('*');
    if (star == std::string::npos || star == 0) return false;
    std::string_view rest = std::string_view(name).substr(star + 1);
    encoded = false;
    index = 0;
    if (rest.empty()) {
        encoded = true;  // "name*": one extended section
    } else {
        if (rest.back() == '*') {
            encoded = true;
            rest.remove_suffix(1);
        }
        if (rest.empty() || rest.size() > 3) return false;
        for (char c : rest) {
            if (c < '0' || c > '9') return false;
            index = index * 10 + static_cast<unsigned>(c - '0');
        }
        if (index > max_section) return false;
    }
    base = name.substr(0, star);
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
        if (plain) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(digits[u >> 4]);
            out.push_back(digits[u & 15]);
        }
    }
    return out;
}

Param assemble(Collected& c) {
    Param p;
    p.name = c.name;
    if (c.sections.empty()) {
        p.raw = c.plain;
        p.value = decode_header_text(c.plain);  // also makes 8-bit text valid UTF-8
        return p;
    }
    std::stable_sort(c.sections.begin(), c.sections.end(),
                     [](const Section& a, const Section& b) { return a.index < b.index; });
    bool extended = std::any_of(c.sections.begin(), c.sections.end(), [](const Section& s) { return s.encoded; });
    std::string charset;
    std::string bytes;
    for (std::size_t k = 0; k < c.sections.size(); ++k) {
        const Section& s = c.sections[k];
        if (k > 0 && s.index == c.sections[k - 1].index) continue;  // a repeated section: first wins
        std::string_view text = s.text;
        if (k == 0 && s.encoded) {
            std::size_t q1 = text.find('\'');
            std::size_t q2 = q1 == std::string_view::npos ? q1 : text.find('\'', q1 + 1);
            if (q2 != std::string_view::npos) {
                charset = std::string(text.substr(0, q1));
                p.raw.append(text.substr(0, q2 + 1));
                text.remove_prefix(q2 + 1);
            } else {
                p.raw += "''";
            }
        } else if (k == 0 && extended) {
            p.raw += "''";
        }
        if (s.encoded) {
            bytes += percent_decode(text);
            p.raw.append(text);
        } else {
            bytes.append(text);
            p.raw += extended ? percent_encode(text) : std::string(text);
        }
    }
    p.extended = extended;
    p.value = extended ? to_utf8(bytes, charset) : decode_header_text(bytes);
    return p;
}

}  // namespace

std::vector<Param> parse_params(std::string_view list) {
    std::vector<Token> t = tokenize(list, Specials::mime);
    std::vector<Collected> collected;  // in order of first appearance
    std::unordered_map<std::string, std::size_t> by_name;
    auto entry = [&](const std::string& name) -> Collected& {
        auto [it, added] = by_name.try_emplace(name, collected.size());
        if (added) collected.push_back(Collected{name, false, {}, {}});
        return collected[it->second];
    };
    std::size_t i = 0;
    while (i < t.size() && !is_special(t[i], ';')) ++i;
    while (i < t.size()) {
        ++i;  // past ';'
        if (i + 1 >= t.size() || t[i].kind != TokenKind::atom || !is_special(t[i + 1], '=')) {
            while (i < t.size() && !is_special(t[i], ';')) ++i;  // no "name=": skip this one
            continue;
        }
        std::string name = to_lower_ascii(t[i].text);
        i += 2;
        std::string value;
        for (bool first = true; i < t.size() && !is_special(t[i], ';'); ++i) {
            if (t[i].kind == TokenKind::comment) continue;
            if (!first && t[i].space_before) value.push_back(' ');
            value += t[i].text;
            first = false;
        }
        std::string base;
        unsigned index = 0;
        bool encoded = false;
        if (split_name(name, base, index, encoded)) {
            entry(base).sections.push_back(Section{index, encoded, std::move(value)});
        } else {
            Collected& c = entry(name);
            if (!c.has_plain) {
                c.has_plain = true;
                c.plain = std::move(value);
            }
        }
    }
    std::vector<Param> params;
    params.reserve(collected.size());
    for (auto& c : collected) params.push_back(assemble(c));
    return params;
}

ContentType parse_content_type(std::string_view value) {
    ContentType ct;
    std::vector<Token> t = tokenize(value.substr(0, value.find(';')), Specials::mime);
    std::vector<const Token*> words;
    for (const auto& tok : t) {
        if (tok.kind != TokenKind::comment) words.push_back(&tok);
    }
    if (words.size() == 3 && words[0]->kind == TokenKind::atom && is_special(*words[1], '/') &&
        words[2]->kind == TokenKind::atom) {
        ct.type = to_lower_ascii(words[0]->text);
        ct.subtype = to_lower_ascii(words[2]->text);
        ct.valid = true;
    }
    ct.params = parse_params(value);
    return ct;
}

Disposition parse_disposition(std::string_view value) {
    Disposition d;
    for (const auto& tok : tokenize(value.substr(0, value.find(';')), Specials::mime)) {
        if (tok.kind == TokenKind::atom && d.type.empty()) d.type = to_lower_ascii(tok.text);
    }
    d.params = parse_params(value);
    return d;
}

}  // namespace mallard::storage::mime
