// Charset conversion to UTF-8: glibc iconv, and a latin1 fallback for labels it does not know.
#include "storage/mime/charset.h"

#include <iconv.h>

#include <cerrno>
#include <cstring>

#include "storage/mime/header_fields.h"

namespace mallard::storage::mime {

namespace {

// windows-1252's 0x80–0x9F; the undefined bytes map to the C1 controls like latin1.
constexpr char16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

// MIME labels → names glibc knows, where the two differ or where mail practice picks a superset.
struct Alias {
    std::string_view label;
    std::string_view iconv_name;
};
constexpr Alias aliases[] = {
    {"iso-8859-1", "WINDOWS-1252"}, {"iso8859-1", "WINDOWS-1252"}, {"latin1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},         {"cp1252", "WINDOWS-1252"},    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},             {"x-gbk", "GB18030"},          {"cp936", "GB18030"},
    {"ks_c_5601-1987", "CP949"},    {"ks_c_5601", "CP949"},        {"euc-kr", "CP949"},
    {"shift_jis", "CP932"},         {"sjis", "CP932"},             {"x-sjis", "CP932"},
    {"ms_kanji", "CP932"},          {"big5", "BIG5-HKSCS"},        {"x-mac-roman", "MACINTOSH"},
    {"unicode-1-1-utf-7", "UTF-7"}, {"iso-8859-8-i", "ISO-8859-8"}, {"tis-620", "CP874"},
};

enum class Family { utf8, other, unusable };

// Lower-cases the label and sorts out the cases that need no iconv.
Family classify(std::string_view charset, std::string& iconv_name) {
    std::string label = to_lower_ascii(charset);
    if (label.empty() || label.size() > 40) return Family::unusable;
    for (char c : label) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                  c == ':';
        if (!ok) return Family::unusable;  // also keeps "//TRANSLIT"-style suffixes out of iconv_open
    }
    if (label == "utf-8" || label == "utf8" || label == "us-ascii" || label == "ascii" ||
        label == "ansi_x3.4-1968" || label == "iso646-us" || label == "unknown-8bit" ||
        label == "x-unknown" || label == "default" || label == "x-user-defined") {
        return Family::utf8;  // ASCII labels mislabel 8-bit text so often that best effort is better
    }
    iconv_name = label;
    for (const auto& a : aliases) {
        if (a.label == label) iconv_name = a.iconv_name;
    }
    return Family::other;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 if it is not a valid sequence.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    if (c < 0x80) return 1;
    std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
    }
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // past U+10FFFF
    return len;
}

void append_replacement(std::string& out) { out += "\xEF\xBF\xBD"; }

std::string convert(std::string_view bytes, iconv_t cd) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 2 + 16);
    char buffer[4096];
    auto* in = const_cast<char*>(bytes.data());  // iconv's prototype is not const-correct
    std::size_t in_left = bytes.size();
    while (in_left > 0) {
        char* o = buffer;
        std::size_t o_left = sizeof buffer;
        std::size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
        int err = errno;
        out.append(buffer, sizeof buffer - o_left);
        if (rc != static_cast<std::size_t>(-1)) break;
        if (err == E2BIG) continue;
        append_replacement(out);
        if (err == EINVAL) break;  // truncated sequence at the end
        ++in;                      // EILSEQ (or anything else): skip one byte and go on
        --in_left;
        iconv(cd, nullptr, nullptr, nullptr, nullptr);
    }
    char* o = buffer;  // flush a stateful decoder's pending output
    std::size_t o_left = sizeof buffer;
    iconv(cd, nullptr, nullptr, &o, &o_left);
    out.append(buffer, sizeof buffer - o_left);
    return out;
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

bool is_valid_utf8(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size();) {
        std::size_t len = utf8_sequence(bytes, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::size_t utf8_prefix_length(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s.size();
    std::size_t n = max_bytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // s[n] continues a sequence
    return n;
}

std::string best_effort_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size();) {
        std::size_t len = utf8_sequence(bytes, i);
        if (len > 0) {
            out.append(bytes.substr(i, len));
            i += len;
            continue;
        }
        auto c = static_cast<unsigned char>(bytes[i++]);
        append_utf8(out, c < 0xA0 ? cp1252_high[c - 0x80] : char32_t{c});
    }
    return out;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
    std::string iconv_name;
    Family family = classify(charset, iconv_name);
    if (family != Family::other) {
        return is_valid_utf8(bytes) ? std::string(bytes) : best_effort_utf8(bytes);
    }
    iconv_t cd = iconv_open("UTF-8", iconv_name.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        return is_valid_utf8(bytes) ? std::string(bytes) : best_effort_utf8(bytes);
    }
    std::string out = convert(bytes, cd);
    iconv_close(cd);
    return is_valid_utf8(out) ? out : best_effort_utf8(out);  // guards against odd iconv modules
}

}  // namespace mallard::storage::mime
