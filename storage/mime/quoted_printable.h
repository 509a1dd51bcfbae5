// Quoted-printable (RFC 2045 §6.7): a streaming decoder.
#pragma once

#include <string>
#include <string_view>

namespace mallard::storage::mime {

// Decodes input split anywhere. Hard line breaks are kept as written (CRLF or LF); soft breaks
// ("=" then optional transport padding then a line break) vanish; trailing whitespace on a line is
// dropped (§6.7 rule 3); "=" not followed by two hex digits (either case) is kept literally.
class QpDecoder {
public:
    void decode(std::string_view in, std::string& out);  // appends
    void finish(std::string& out);

private:
    enum class State : unsigned char { text, equals, equals_hex, equals_space, equals_cr };
    void step(char c, std::string& out);
    void flush_space(std::string& out);
    void literal_equals(std::string& out);

    State state_ = State::text;
    char hex_ = 0;           // the first digit after '='
    bool pending_cr_ = false;
    std::string space_;      // whitespace that is dropped if the line ends, emitted otherwise
    std::string eq_space_;   // whitespace after '=': a soft break if a line break follows
};

std::string decode_quoted_printable(std::string_view encoded);

}  // namespace mallard::storage::mime
