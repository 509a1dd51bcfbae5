// Base64 (RFC 2045 §6.8): a streaming decoder and an encoder whose line layout is a parameter, so a
// stored decoded attachment can be encoded back to the exact bytes it arrived as.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mallard::storage::mime {

// Decodes input split anywhere. Characters outside the alphabet are ignored (§6.8 says so); "="
// ends a quantum, and decoding resumes after it, which also handles concatenated base64 blocks.
class Base64Decoder {
public:
    void decode(std::string_view in, std::string& out);  // appends
    void finish(std::string& out);                       // flushes a final partial quantum
    // Nothing but the alphabet, line breaks and correct padding was seen.
    bool clean() const { return clean_; }

private:
    std::uint32_t bits_ = 0;
    int count_ = 0;    // sextets held in bits_
    int padding_ = 0;  // '=' still expected after a partial quantum
    bool clean_ = true;
};

std::string decode_base64(std::string_view encoded);

struct Base64Layout {
    std::size_t line_length = 76;  // characters per line; 0: one line
    bool crlf = true;              // line breaks are CRLF, else LF
    bool trailing_newline = true;  // the last line ends with a line break too
    bool operator==(const Base64Layout&) const = default;
};

std::string encode_base64(std::string_view data, const Base64Layout& layout = {});

}  // namespace mallard::storage::mime
