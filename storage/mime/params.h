// Content-Type and Content-Disposition values with their parameters: RFC 2045 §5.1, RFC 2183, and
// RFC 2231 (continuations, charsets, languages).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/mime/part.h"

namespace mallard::storage::mime {

struct ContentType {
    std::string type;     // lower case
    std::string subtype;  // lower case
    std::vector<Param> params;
    bool valid = false;   // "type/subtype" was there; params are parsed either way
};

ContentType parse_content_type(std::string_view value);
Disposition parse_disposition(std::string_view value);

// Parameters from a "; name=value; …" list (anything before the first ';' is ignored). RFC 2231
// sections are joined in index order; an extended parameter wins over a plain one of the same name;
// otherwise the first occurrence of a name counts. Values that are not RFC 2231 encoded but hold
// RFC 2047 encoded-words (a common non-standard filename form) are decoded into Param::value.
std::vector<Param> parse_params(std::string_view list);

}  // namespace mallard::storage::mime
