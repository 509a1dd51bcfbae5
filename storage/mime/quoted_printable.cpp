// Quoted-printable decoding: RFC 2045 §6.7.
#include "storage/mime/quoted_printable.h"

namespace mallard::storage::mime {

namespace {

// Whitespace runs longer than this are emitted rather than held: memory stays bounded on a line of
// endless blanks, at the price of keeping trailing blanks past this length.
constexpr std::size_t max_held_space = 1024;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

void QpDecoder::flush_space(std::string& out) {
    out += space_;
    space_.clear();
}

// '=' turned out not to start an escape or soft break: emit it and replay what followed it.
void QpDecoder::literal_equals(std::string& out) {
    out.push_back('=');
    state_ = State::text;
    std::string held;
    held.swap(eq_space_);
    for (char c : held) step(c, out);
}

void QpDecoder::step(char c, std::string& out) {
    switch (state_) {
    case State::text:
        if (pending_cr_) {
            pending_cr_ = false;
            if (c == '\n') {
                space_.clear();
                out += "\r\n";
                return;
            }
            flush_space(out);
            out.push_back('\r');
        }
        if (c == ' ' || c == '\t') {
            space_.push_back(c);
            if (space_.size() > max_held_space) flush_space(out);
        } else if (c == '\r') {
            pending_cr_ = true;
        } else if (c == '\n') {
            space_.clear();
            out.push_back('\n');
        } else {
            flush_space(out);
            if (c == '=') {
                state_ = State::equals;
            } else {
                out.push_back(c);
            }
        }
        return;
    case State::equals:
        if (hex_value(c) >= 0) {
            hex_ = c;
            state_ = State::equals_hex;
        } else if (c == '\n') {
            state_ = State::text;  // soft line break
        } else if (c == '\r') {
            state_ = State::equals_cr;
        } else if (c == ' ' || c == '\t') {
            eq_space_.push_back(c);
            state_ = State::equals_space;
        } else {
            literal_equals(out);
            step(c, out);
        }
        return;
    case State::equals_hex:
        state_ = State::text;
        if (hex_value(c) >= 0) {
            out.push_back(static_cast<char>(hex_value(hex_) * 16 + hex_value(c)));
        } else {
            out.push_back('=');
            out.push_back(hex_);
            step(c, out);
        }
        return;
    case State::equals_space:
        if (c == ' ' || c == '\t') {
            eq_space_.push_back(c);
            if (eq_space_.size() > max_held_space) literal_equals(out);
        } else if (c == '\r') {
            state_ = State::equals_cr;
        } else if (c == '\n') {
            eq_space_.clear();
            state_ = State::text;  // soft break with transport padding
        } else {
            literal_equals(out);
            step(c, out);
        }
        return;
    case State::equals_cr:
        if (c == '\n') {
            eq_space_.clear();
            state_ = State::text;
        } else {
            literal_equals(out);
            step('\r', out);
            step(c, out);
        }
        return;
    }
}

void QpDecoder::decode(std::string_view in, std::string& out) {
    out.reserve(out.size() + in.size());
    for (char c : in) step(c, out);
}

void QpDecoder::finish(std::string& out) {
    // An unfinished escape is kept as written; blanks at the very end are trailing and dropped.
    if (state_ == State::equals || state_ == State::equals_space) out.push_back('=');
    if (state_ == State::equals_hex) {
        out.push_back('=');
        out.push_back(hex_);
    }
    if (state_ == State::equals_cr) out += "=\r";
    if (state_ == State::text && pending_cr_) out.push_back('\r');
    state_ = State::text;
    pending_cr_ = false;
    space_.clear();
    eq_space_.clear();
}

std::string decode_quoted_printable(std::string_view encoded) {
    std::string out;
    QpDecoder decoder;
    decoder.decode(encoded, out);
    decoder.finish(out);
    return out;
}

}  // namespace mallard::storage::mime
