// Content-Transfer-Encoding: RFC 2045 §6.1–§6.8.
#include "storage/mime/transfer.h"

#include "storage/mime/header_fields.h"
#include "storage/mime/quoted_printable.h"

namespace mallard::storage::mime {

TransferEncoding transfer_encoding(std::string_view name) {
    if (name.empty() || iequals(name, "7bit") || iequals(name, "8bit") || iequals(name, "binary")) {
        return TransferEncoding::identity;
    }
    if (iequals(name, "base64")) return TransferEncoding::base64;
    if (iequals(name, "quoted-printable")) return TransferEncoding::quoted_printable;
    return TransferEncoding::unknown;
}

std::string decode_body(std::string_view encoded, TransferEncoding encoding) {
    switch (encoding) {
    case TransferEncoding::base64:
        return decode_base64(encoded);
    case TransferEncoding::quoted_printable:
        return decode_quoted_printable(encoded);
    case TransferEncoding::identity:
    case TransferEncoding::unknown:
        break;
    }
    return std::string(encoded);
}

std::optional<Reencoding> find_reencoding(std::string_view encoded, TransferEncoding encoding,
                                          std::string_view decoded) {
    if (encoding == TransferEncoding::identity) {
        if (decoded != encoded) return std::nullopt;
        return Reencoding{};
    }
    if (encoding != TransferEncoding::base64) return std::nullopt;
    // The first line gives the length and the line break; the end says whether a break follows the
    // last line. One candidate is enough: the comparison decides.
    Base64Layout layout;
    std::size_t nl = encoded.find('\n');
    if (nl == std::string_view::npos) {
        layout.line_length = 0;
        layout.crlf = true;
        layout.trailing_newline = false;
    } else {
        layout.crlf = nl > 0 && encoded[nl - 1] == '\r';
        std::size_t first_line = layout.crlf ? nl - 1 : nl;
        layout.trailing_newline = encoded.back() == '\n';
        // A single line followed by its break: any length at least as long reproduces it; 0 says so.
        bool one_line = nl + 1 == encoded.size();
        layout.line_length = one_line ? 0 : first_line;
        if (!one_line && first_line == 0) return std::nullopt;
    }
    Reencoding how{TransferEncoding::base64, layout};
    if (encode_base64(decoded, layout) != encoded) return std::nullopt;
    return how;
}

std::string reencode(std::string_view decoded, const Reencoding& how) {
    if (how.encoding == TransferEncoding::base64) return encode_base64(decoded, how.layout);
    return std::string(decoded);
}

}  // namespace mallard::storage::mime
