// Address lookup normalisation; IDNA 2008 conversion through libidn2 (RFC 5890-5891, UTS #46 mapping).
#include "storage/address_normalize.h"

#include <idn2.h>

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

bool has_ace_label(std::string_view domain) {
    const std::string lower = ascii_lower(domain);
    return lower.rfind("xn--", 0) == 0 || lower.find(".xn--") != std::string::npos;
}

// Checks the labels are non-empty and free of controls, spaces and '@', and drops one trailing dot (a
// root-qualified name).
std::optional<std::string_view> plain_labels(std::string_view domain) {
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    if (domain.empty() || domain.front() == '.' || domain.find("..") != std::string_view::npos) return std::nullopt;
    for (char c : domain)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f || c == '@') return std::nullopt;
    return domain;
}

// Frees what libidn2 allocates.
struct Idn2String {
    char* text = nullptr;
    Idn2String() = default;
    Idn2String(const Idn2String&) = delete;
    Idn2String& operator=(const Idn2String&) = delete;
    ~Idn2String() { idn2_free(text); }
};

}  // namespace

// IDNA 2008 (RFC 5891 §5) with the UTS #46 non-transitional mapping, as browsers and WildDuck's punycode.js
// agree on: Unicode case folded, NFC, "ß" kept. An "xn--" label is validated (decoded and re-checked), so a
// bad A-label is refused rather than stored. Plain ASCII domains skip libidn2: domain literals ("[1.2.3.4]")
// and names with "_" are left alone, as the rest of the server treats them as opaque.
std::optional<std::string> domain_to_ascii(std::string_view domain) {
    auto labels = plain_labels(domain);
    if (!labels) return std::nullopt;
    if (is_ascii(*labels) && !has_ace_label(*labels)) return ascii_lower(*labels);
    std::u32string check;
    if (!utf8_decode(*labels, check)) return std::nullopt;
    const std::string input(*labels);
    Idn2String out;
    if (idn2_to_ascii_8z(input.c_str(), &out.text, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK)
        return std::nullopt;
    return ascii_lower(out.text);
}

std::optional<std::string> domain_to_unicode(std::string_view domain) {
    auto ascii = domain_to_ascii(domain);
    if (!ascii) return std::nullopt;
    if (!has_ace_label(*ascii)) return ascii;
    Idn2String out;
    if (idn2_to_unicode_8z8z(ascii->c_str(), &out.text, 0) != IDN2_OK) return std::nullopt;
    return std::string(out.text);
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
    const std::string folded_local = ascii_lower(local);
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
    out.display = folded_local + "@" + out.domain_unicode;
    return out;
}

}  // namespace mallard::storage
