// Address lookup normalisation, shared by every backend: the key under which an address is stored and
// looked up. Local part: ASCII case folded, dots removed, "+label" stripped (and returned); UTF-8 local parts
// (RFC 6531) are accepted and kept as they are apart from ASCII folding. Domain: IDNA labels ("xn--…") are
// decoded with RFC 3492 punycode, so "bücher.example" and "xn--bcher-kva.example" give the same key.
// Limits: case folding is ASCII-only (no Unicode case folding or UTS #46 mapping); the key's domain is the
// Unicode form, lower-cased in ASCII.
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
    std::string key() const { return local + "@" + domain_unicode; }
};

// Fails with bad_input for: no '@', empty local part or domain, invalid UTF-8, a bad "xn--" label.
core::Result<NormalizedAddress> normalize_address(std::string_view address);

// A domain in either form → its Unicode / ASCII (punycode) form, lower-cased. nullopt if malformed.
std::optional<std::string> domain_to_unicode(std::string_view domain);
std::optional<std::string> domain_to_ascii(std::string_view domain);

// RFC 3492 on one label, without the "xn--" prefix. UTF-8 in and out.
std::optional<std::string> punycode_encode(std::string_view utf8_label);
std::optional<std::string> punycode_decode(std::string_view ascii_label);

}  // namespace mallard::storage
