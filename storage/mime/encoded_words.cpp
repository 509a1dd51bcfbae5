// RFC 2047 encoded-words (§2–§6), the RFC 2231 §5 "charset*language" form, and the joining of
// adjacent words (§6.2).
#include "storage/mime/encoded_words.h"

#include <optional>

#include "storage/mime/base64.h"
#include "storage/mime/charset.h"
#include "storage/mime/header_fields.h"

namespace mallard::storage::mime {

namespace {

struct EncodedWord {
    std::string_view charset;
    std::string bytes;     // decoded, still in charset
    std::size_t length;    // of the whole "=?…?=" in the input
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::optional<std::string> decode_q(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '_') {
            out.push_back(' ');
        } else if (c == '=') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = hex_value(text[i + 1]);
            int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

bool is_token_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '?';
}

// Parses an encoded-word at the start of `s` ("=?charset?X?text?=").
std::optional<EncodedWord> parse_encoded_word(std::string_view s) {
    if (s.size() < 8 || s[0] != '=' || s[1] != '?') return std::nullopt;
    std::size_t q1 = 2;
    while (q1 < s.size() && is_token_char(s[q1])) ++q1;
    if (q1 == 2 || q1 + 2 >= s.size() || s[q1] != '?' || s[q1 + 2] != '?') return std::nullopt;
    char encoding = s[q1 + 1];
    std::size_t text_start = q1 + 3;
    std::size_t end = text_start;
    while (end < s.size() && is_token_char(s[end])) ++end;
    if (end + 1 >= s.size() || s[end] != '?' || s[end + 1] != '=') return std::nullopt;
    std::string_view text = s.substr(text_start, end - text_start);
    std::string_view charset = s.substr(2, q1 - 2);
    charset = charset.substr(0, charset.find('*'));  // RFC 2231 §5: charset*language
    EncodedWord word{charset, {}, end + 2};
    if (encoding == 'B' || encoding == 'b') {
        Base64Decoder decoder;
        decoder.decode(text, word.bytes);
        decoder.finish(word.bytes);
        if (!decoder.clean()) return std::nullopt;
    } else if (encoding == 'Q' || encoding == 'q') {
        auto bytes = decode_q(text);
        if (!bytes) return std::nullopt;
        word.bytes = std::move(*bytes);
    } else {
        return std::nullopt;
    }
    return word;
}

bool only_whitespace(std::string_view s) {
    for (char c : s) {
        if (c != ' ' && c != '\t') return false;
    }
    return true;
}

}  // namespace

std::string decode_header_text(std::string_view raw) {
    std::string text = unfold(raw);
    std::string_view s = text;
    std::string out;
    out.reserve(s.size());
    std::string plain;         // text outside encoded-words, not yet converted
    std::string run_bytes;     // bytes of adjacent encoded-words in one charset
    std::string run_charset;
    bool after_word = false;   // the last thing emitted was an encoded-word
    auto flush_run = [&] {
        if (!run_bytes.empty() || !run_charset.empty()) out += to_utf8(run_bytes, run_charset);
        run_bytes.clear();
        run_charset.clear();
    };
    auto flush_plain = [&] {
        if (!plain.empty()) out += is_valid_utf8(plain) ? plain : best_effort_utf8(plain);
        plain.clear();
    };
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t start = s.find("=?", i);
        if (start == std::string_view::npos) start = s.size();
        auto word = start < s.size() ? parse_encoded_word(s.substr(start)) : std::nullopt;
        if (!word) {
            std::size_t stop = start < s.size() ? start + 2 : start;
            flush_run();
            plain.append(s.substr(i, stop - i));
            after_word = false;
            i = stop;
            continue;
        }
        std::string_view between = s.substr(i, start - i);
        if (!(after_word && only_whitespace(between))) {
            flush_run();
            plain.append(between);
        }
        flush_plain();
        if (!iequals(word->charset, run_charset)) {
            flush_run();
            run_charset = std::string(word->charset);
        }
        run_bytes += word->bytes;
        after_word = true;
        i = start + word->length;
    }
    flush_run();
    flush_plain();
    return out;
}

}  // namespace mallard::storage::mime
