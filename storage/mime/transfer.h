// Content-Transfer-Encoding (RFC 2045 §6): decoding a body, and deciding whether a decoded body can be
// encoded again to exactly the bytes it arrived as, so the store may keep attachments decoded and
// content-addressed and still return the original message byte for byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/mime/base64.h"

namespace mallard::storage::mime {

enum class TransferEncoding : unsigned char {
    identity,          // 7bit, 8bit, binary, or none given: the body is its own content
    quoted_printable,
    base64,
    unknown,           // x-uuencode and friends: kept as is
};

TransferEncoding transfer_encoding(std::string_view name);  // from Part::encoding, any case

// Decodes a whole body. identity and unknown return it unchanged.
std::string decode_body(std::string_view encoded, TransferEncoding encoding);

// How to turn decoded content back into the exact encoded body.
struct Reencoding {
    TransferEncoding encoding = TransferEncoding::identity;
    Base64Layout layout;  // base64 only
    bool operator==(const Reencoding&) const = default;
};

// Given an encoded body and its decoded content (from decode_body), returns the parameters with which
// reencode(decoded) == encoded, or nullopt when no supported parameters reproduce it (the store then
// keeps the raw part). identity always reproduces; base64 reproduces when lines have one fixed length
// and one kind of line break; quoted-printable and unknown encodings are never re-encoded.
std::optional<Reencoding> find_reencoding(std::string_view encoded, TransferEncoding encoding,
                                          std::string_view decoded);

std::string reencode(std::string_view decoded, const Reencoding& how);

}  // namespace mallard::storage::mime
