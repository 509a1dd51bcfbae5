// IMAP response syntax for values (RFC 3501 §4, §9; RFC 6855 for UTF8=ACCEPT; RFC 3516 literal8): strings,
// nstrings, literals and flag lists appended to a std::string. Pure: what is appended depends only on the
// arguments, so a test compares bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mallard::imap {

// What the session has negotiated that changes how values are written.
struct RenderOptions {
    bool utf8_enabled = false;            // ENABLE UTF8=ACCEPT: valid UTF-8 may be quoted, parameters decoded
    std::size_t max_quoted_bytes = 1024;  // longer values are sent as literals
};

// A string: quoted when RFC 3501 (or RFC 6855 once UTF8=ACCEPT is enabled) allows it and the value is at
// most max_quoted_bytes, else a literal "{n}\r\n…". A literal cannot carry NUL (CHAR8 is %x01-ff): a NUL is
// sent as 0x80, as Dovecot's nonuls stream does for non-BINARY FETCH.
void append_string(std::string& out, std::string_view bytes, const RenderOptions& options);

// NIL when absent.
void append_nstring(std::string& out, const std::optional<std::string>& value, const RenderOptions& options);

// NIL when empty: the storage tree keeps absent MIME header values as "".
void append_nstring_or_nil_if_empty(std::string& out, std::string_view value, const RenderOptions& options);

// "{n}\r\n" and the bytes (NUL sent as 0x80, see append_string).
void append_literal(std::string& out, std::string_view bytes);

// RFC 3516 literal8 "~{n}\r\n" for BINARY[…]: the bytes unchanged, NUL included.
void append_literal8(std::string& out, std::string_view bytes);

// "(\Seen $Forwarded)": flags are atoms (storage keeps them validated), joined by one space.
void append_flag_list(std::string& out, const std::vector<std::string>& flags);

// Whether `bytes` can be sent as a quoted string under `options` (ignoring max_quoted_bytes).
bool quotable(std::string_view bytes, const RenderOptions& options);

}  // namespace mallard::imap
