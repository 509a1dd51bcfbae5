// Base64: RFC 2045 §6.8.
#include "storage/mime/base64.h"

#include <array>

namespace mallard::storage::mime {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_table() {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}
constexpr auto table = make_table();

}  // namespace

void Base64Decoder::decode(std::string_view in, std::string& out) {
    out.reserve(out.size() + in.size() / 4 * 3 + 3);
    for (char ch : in) {
        auto c = static_cast<unsigned char>(ch);
        int v = table[c];
        if (v >= 0) {
            if (padding_ > 0) {  // data after a padded quantum: another block follows
                clean_ = false;
                padding_ = 0;
            }
            bits_ = (bits_ << 6) | static_cast<std::uint32_t>(v);
            if (++count_ == 4) {
                out.push_back(static_cast<char>(bits_ >> 16));
                out.push_back(static_cast<char>(bits_ >> 8));
                out.push_back(static_cast<char>(bits_));
                bits_ = 0;
                count_ = 0;
            }
        } else if (c == '=') {
            if (padding_ > 0) {
                --padding_;  // the second '=' after two sextets
            } else if (count_ >= 2) {
                padding_ = 3 - count_;
                finish(out);
            } else {
                clean_ = false;  // '=' where no padding belongs
                bits_ = 0;
                count_ = 0;
            }
        } else if (c != '\r' && c != '\n') {
            clean_ = false;
        }
    }
}

void Base64Decoder::finish(std::string& out) {
    if (count_ == 1) clean_ = false;  // six bits make no byte
    if (count_ >= 2) {                // a partial quantum, padded or not
        std::uint32_t b = bits_ << (6 * (4 - count_));
        out.push_back(static_cast<char>(b >> 16));
        if (count_ == 3) out.push_back(static_cast<char>(b >> 8));
    }
    bits_ = 0;
    count_ = 0;
}

std::string decode_base64(std::string_view encoded) {
    std::string out;
    Base64Decoder decoder;
    decoder.decode(encoded, out);
    decoder.finish(out);
    return out;
}

std::string encode_base64(std::string_view data, const Base64Layout& layout) {
    std::size_t chars = (data.size() + 2) / 3 * 4;
    std::string_view eol = layout.crlf ? "\r\n" : "\n";
    std::size_t lines = layout.line_length == 0 ? 1 : (chars + layout.line_length - 1) / layout.line_length;
    std::string out;
    out.reserve(chars + lines * eol.size());
    std::size_t column = 0;
    auto put = [&](char c) {
        if (layout.line_length != 0 && column == layout.line_length) {
            out += eol;
            column = 0;
        }
        out.push_back(c);
        ++column;
    };
    for (std::size_t i = 0; i < data.size(); i += 3) {
        std::uint32_t b = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
        std::size_t n = data.size() - i;
        if (n > 1) b |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
        if (n > 2) b |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 2]));
        put(alphabet[(b >> 18) & 63]);
        put(alphabet[(b >> 12) & 63]);
        put(n > 1 ? alphabet[(b >> 6) & 63] : '=');
        put(n > 2 ? alphabet[b & 63] : '=');
    }
    if (layout.trailing_newline && !out.empty()) out += eol;
    return out;
}

}  // namespace mallard::storage::mime
