// Helpers shared by the MIME tests: test messages, line-ending variants, and a parse that checks the
// streaming contract (whole, one byte at a time and in odd chunks all give the same tree).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>

#include "storage/mime/parser.h"

namespace mallard::storage::mime::test {

inline std::string read_data(std::string_view name) {
    std::ifstream in(std::string(MIME_TEST_DATA) + "/" + std::string(name), std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing test message " << name;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Bare LF → CRLF (existing CRLF stays): the wire form of a message stored with LF line endings.
inline std::string to_crlf(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out.push_back('\r');
        out.push_back(s[i]);
    }
    return out;
}

// CRLF → LF, so one expectation holds for both variants of a message.
inline std::string to_lf(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        out.push_back(s[i]);
    }
    return out;
}

inline std::string slice(std::string_view msg, std::uint64_t from, std::uint64_t to) {
    return std::string(msg.substr(from, to - from));
}
inline std::string header_of(std::string_view msg, const Part& p) {
    return to_lf(slice(msg, p.header_start, p.body_start));
}
inline std::string body_of(std::string_view msg, const Part& p) { return to_lf(slice(msg, p.body_start, p.body_end)); }

// A part by its IMAP-style path of child indexes (0-based here): {} is the root.
inline const Part& part_at(const ParsedMessage& m, std::initializer_list<std::size_t> path) {
    const Part* p = &m.root;
    for (std::size_t i : path) {
        if (i >= p->children.size()) {
            ADD_FAILURE() << "no child " << i;
            return m.root;
        }
        p = &p->children[i];
    }
    return *p;
}

inline ParsedMessage parse_in_pieces(std::string_view msg, std::size_t piece, const ParserLimits& limits) {
    Parser parser(limits);
    for (std::size_t i = 0; i < msg.size(); i += piece) parser.feed(msg.substr(i, piece));
    return parser.finish();
}

// Parses whole, one byte at a time, and in 7- and 4096-byte pieces; all must agree.
inline ParsedMessage parse_checked(std::string_view msg, const ParserLimits& limits = {}) {
    ParsedMessage whole = parse(msg, limits);
    EXPECT_TRUE(parse_in_pieces(msg, 1, limits) == whole) << "byte-at-a-time parse differs";
    EXPECT_TRUE(parse_in_pieces(msg, 7, limits) == whole) << "7-byte-piece parse differs";
    EXPECT_TRUE(parse_in_pieces(msg, 4096, limits) == whole) << "4096-byte-piece parse differs";
    EXPECT_EQ(whole.size, msg.size());
    return whole;
}

}  // namespace mallard::storage::mime::test
