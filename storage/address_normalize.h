// Address lookup normalisation, shared by every backend: the key under which an address is stored and
// looked up. Local part: ASCII case folded, dots removed, "+label" stripped (and returned); UTF-8 local parts
// (RFC 6531) are accepted and kept as they are apart from ASCII folding. Domain: IDNA 2008 through libidn2
// (RFC 5891, UTS #46 non-transitional mapping: Unicode case folding, NFC), so "Bücher.example",
// "bücher.example" and "xn--bcher-kva.example" give the same key, whose domain is the Unicode form — the
// form WildDuck's normalizeAddress stores (lib/tools.js normalizeDomain: punycode.toUnicode).
// Limit: the local part is folded in ASCII only (WildDuck lower-cases it in Unicode), so "Jürgen@" and
// "jürgen@" stay two addresses here; a U-label domain and its A-label always meet.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace mallard::storage {

struct NormalizedAddress {
    std::string local;           // folded local part, no dots, no +label
    std::string label;           // the +label without '+', as given; empty if none
    std::string domain_unicode;  // lower-case, IDNA labels decoded
    std::string domain_ascii;    // lower-case, non-ASCII labels punycode-encoded ("xn--…")
    std::string display;         // what is stored and shown, as WildDuck's normalizeAddress: the local part
                                 // folded (dots and +label kept) @ the Unicode domain
    std::string key() const { return local + "@" + domain_unicode; }
};

// Fails with bad_input for: no '@', empty local part or domain, invalid UTF-8, a bad "xn--" label.
core::Result<NormalizedAddress> normalize_address(std::string_view address);

// A domain in either form → its Unicode / ASCII (punycode) form, mapped and lower-cased. nullopt if it is not
// a valid IDNA 2008 name (a bad "xn--" label, a disallowed code point, an empty label).
std::optional<std::string> domain_to_unicode(std::string_view domain);
std::optional<std::string> domain_to_ascii(std::string_view domain);

}  // namespace mallard::storage
