// Address lookup normalisation and RFC 3492 punycode (IDNA labels, RFC 5891 §4.4 "xn--" prefix).
#include "storage/address_normalize.h"

#include <cstdint>
#include <vector>

namespace mallard::storage {

namespace {

// ---- UTF-8 ----

bool utf8_decode(std::string_view in, std::u32string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size();) {
        auto c = static_cast<unsigned char>(in[i]);
        char32_t cp;
        std::size_t n;
        if (c < 0x80) { cp = c; n = 1; }
        else if ((c & 0xe0) == 0xc0) { cp = c & 0x1f; n = 2; }
        else if ((c & 0xf0) == 0xe0) { cp = c & 0x0f; n = 3; }
        else if ((c & 0xf8) == 0xf0) { cp = c & 0x07; n = 4; }
        else return false;
        if (i + n > in.size()) return false;
        for (std::size_t k = 1; k < n; ++k) {
            auto cc = static_cast<unsigned char>(in[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        static constexpr char32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        out.push_back(cp);
        i += n;
    }
    return true;
}

bool utf8_encode(std::u32string_view in, std::string& out) {
    out.clear();
    for (char32_t cp : in) {
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else {
            out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        }
    }
    return true;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = ascii_lower(c);
    return out;
}

bool is_ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// ---- RFC 3492 §5 parameters and §6.1 bias adaptation ----

constexpr std::uint32_t base = 36, tmin = 1, tmax = 26, skew = 38, damp = 700, initial_bias = 72,
                        initial_n = 0x80;
constexpr std::uint32_t max_u32 = 0xffffffffu;

std::uint32_t adapt(std::uint32_t delta, std::uint32_t numpoints, bool first) {
    delta = first ? delta / damp : delta / 2;
    delta += delta / numpoints;
    std::uint32_t k = 0;
    while (delta > ((base - tmin) * tmax) / 2) {
        delta /= base - tmin;
        k += base;
    }
    return k + (base - tmin + 1) * delta / (delta + skew);
}

char encode_digit(std::uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

std::optional<std::uint32_t> decode_digit(char c) {
    if (c >= '0' && c <= '9') return static_cast<std::uint32_t>(c - '0' + 26);
    if (c >= 'a' && c <= 'z') return static_cast<std::uint32_t>(c - 'a');
    if (c >= 'A' && c <= 'Z') return static_cast<std::uint32_t>(c - 'A');
    return std::nullopt;
}

std::uint32_t threshold(std::uint32_t k, std::uint32_t bias) {
    if (k <= bias) return tmin;
    if (k >= bias + tmax) return tmax;
    return k - bias;
}

}  // namespace

// RFC 3492 §6.3
std::optional<std::string> punycode_encode(std::string_view utf8_label) {
    std::u32string input;
    if (!utf8_decode(utf8_label, input)) return std::nullopt;
    std::string out;
    for (char32_t c : input)
        if (c < 0x80) out.push_back(static_cast<char>(c));
    const auto b = static_cast<std::uint32_t>(out.size());
    std::uint32_t h = b;
    if (b > 0) out.push_back('-');
    std::uint32_t n = initial_n, delta = 0, bias = initial_bias;
    const auto total = static_cast<std::uint32_t>(input.size());
    while (h < total) {
        std::uint32_t m = max_u32;
        for (char32_t c : input)
            if (c >= n && c < m) m = c;
        if (m - n > (max_u32 - delta) / (h + 1)) return std::nullopt;
        delta += (m - n) * (h + 1);
        n = m;
        for (char32_t c : input) {
            if (c < n && ++delta == 0) return std::nullopt;
            if (c != n) continue;
            std::uint32_t q = delta;
            for (std::uint32_t k = base;; k += base) {
                std::uint32_t t = threshold(k, bias);
                if (q < t) break;
                out.push_back(encode_digit(t + (q - t) % (base - t)));
                q = (q - t) / (base - t);
            }
            out.push_back(encode_digit(q));
            bias = adapt(delta, h + 1, h == b);
            delta = 0;
            ++h;
        }
        ++delta;
        ++n;
    }
    return out;
}

// RFC 3492 §6.2
std::optional<std::string> punycode_decode(std::string_view ascii_label) {
    std::u32string output;
    std::size_t basic_end = ascii_label.rfind('-');
    std::size_t start = 0;
    if (basic_end != std::string_view::npos) {
        for (std::size_t i = 0; i < basic_end; ++i) {
            auto c = static_cast<unsigned char>(ascii_label[i]);
            if (c >= 0x80) return std::nullopt;
            output.push_back(c);
        }
        start = basic_end + 1;
    }
    std::uint32_t n = initial_n, i = 0, bias = initial_bias;
    for (std::size_t in = start; in < ascii_label.size();) {
        std::uint32_t oldi = i, w = 1;
        for (std::uint32_t k = base;; k += base) {
            if (in >= ascii_label.size()) return std::nullopt;
            auto digit = decode_digit(ascii_label[in++]);
            if (!digit) return std::nullopt;
            if (*digit > (max_u32 - i) / w) return std::nullopt;
            i += *digit * w;
            std::uint32_t t = threshold(k, bias);
            if (*digit < t) break;
            if (w > max_u32 / (base - t)) return std::nullopt;
            w *= base - t;
        }
        const auto len = static_cast<std::uint32_t>(output.size() + 1);
        bias = adapt(i - oldi, len, oldi == 0);
        if (i / len > max_u32 - n) return std::nullopt;
        n += i / len;
        i %= len;
        if (n < 0x80 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return std::nullopt;
        output.insert(output.begin() + i, static_cast<char32_t>(n));
        ++i;
    }
    std::string out;
    if (!utf8_encode(output, out)) return std::nullopt;
    return out;
}

namespace {

template <class LabelFn>
std::optional<std::string> map_labels(std::string_view domain, LabelFn fn) {
    if (domain.empty()) return std::nullopt;
    if (domain.back() == '.') domain.remove_suffix(1);  // a root-qualified name
    std::string out;
    std::size_t pos = 0;
    for (;;) {
        std::size_t dot = domain.find('.', pos);
        std::string_view label = domain.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
        if (label.empty()) return std::nullopt;
        auto mapped = fn(label);
        if (!mapped || mapped->empty()) return std::nullopt;
        out += *mapped;
        if (dot == std::string_view::npos) break;
        out.push_back('.');
        pos = dot + 1;
    }
    return out;
}

bool has_ace_prefix(std::string_view label) {
    return label.size() > 4 && ascii_lower(label.substr(0, 4)) == "xn--";
}

}  // namespace

std::optional<std::string> domain_to_unicode(std::string_view domain) {
    return map_labels(domain, [](std::string_view label) -> std::optional<std::string> {
        std::u32string check;
        if (!utf8_decode(label, check)) return std::nullopt;
        if (!has_ace_prefix(label)) return ascii_lower(label);
        auto decoded = punycode_decode(ascii_lower(label.substr(4)));
        if (!decoded) return std::nullopt;
        return ascii_lower(*decoded);
    });
}

std::optional<std::string> domain_to_ascii(std::string_view domain) {
    auto unicode = domain_to_unicode(domain);
    if (!unicode) return std::nullopt;
    return map_labels(*unicode, [](std::string_view label) -> std::optional<std::string> {
        if (is_ascii(label)) return std::string(label);
        auto encoded = punycode_encode(label);
        if (!encoded) return std::nullopt;
        return "xn--" + *encoded;
    });
}

core::Result<NormalizedAddress> normalize_address(std::string_view address) {
    using core::Errc;
    using core::Error;
    std::size_t at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
        return Error(Errc::bad_input, "not an address: " + std::string(address));
    std::string_view local = address.substr(0, at);
    std::u32string check;
    if (!utf8_decode(local, check)) return Error(Errc::bad_input, "invalid UTF-8 in the local part");

    NormalizedAddress out;
    std::size_t plus = local.find('+');
    if (plus != std::string_view::npos) {
        out.label = std::string(local.substr(plus + 1));
        local = local.substr(0, plus);
    }
    for (char c : local)
        if (c != '.') out.local.push_back(ascii_lower(c));
    if (out.local.empty()) return Error(Errc::bad_input, "empty local part: " + std::string(address));

    auto unicode = domain_to_unicode(address.substr(at + 1));
    auto ascii = unicode ? domain_to_ascii(*unicode) : std::nullopt;
    if (!unicode || !ascii) return Error(Errc::bad_input, "bad domain: " + std::string(address.substr(at + 1)));
    out.domain_unicode = std::move(*unicode);
    out.domain_ascii = std::move(*ascii);
    return out;
}

}  // namespace mallard::storage
