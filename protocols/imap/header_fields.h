// BODY[HEADER.FIELDS (…)] and BODY[HEADER.FIELDS.NOT (…)] (RFC 3501 §6.4.5): the session reads the header
// block with storage/section.h (HEADER, or n.HEADER of a message/rfc822 part) and filters it here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mallard::imap {

enum class FieldMatch { only, except };  // HEADER.FIELDS, HEADER.FIELDS.NOT

// The fields of `block` whose names are (only) or are not (except) in `names`, compared ASCII
// case-insensitively, each with its continuation lines and line breaks exactly as stored, then the blank
// line that ends the block. A block without one (a message with no body) gets "\r\n", so the result always
// ends with the blank line the RFC describes. Lines that are neither a field nor a continuation (the
// parser keeps none, but a stored block might) follow the field before them.
std::string filter_header_fields(std::string_view block, const std::vector<std::string>& names, FieldMatch match);

}  // namespace mallard::imap
