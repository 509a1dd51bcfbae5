// The streaming MIME parser: RFC 5322 header blocks, RFC 2045/2046 multiparts and message/rfc822.
// Bytes go in as chunks split anywhere; a tree of parts with exact offsets comes out. The parser
// keeps no message bytes beyond the current header block and the start of the current line, so its
// memory is O(tree + longest header block): the caller keeps the message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mime/part.h"

namespace mallard::storage::mime {

struct ParserLimits {
    std::uint32_t max_depth = 32;               // a part this deep is not opened (children at most this deep)
    std::uint32_t max_parts = 5000;             // parts in the tree, root included
    std::size_t max_header_bytes = 256 * 1024;  // per header block; past it the block ends, the rest is body
    std::size_t max_boundary_bytes = 200;       // RFC 2046 allows 70; a longer one leaves the multipart a leaf
};

class Parser {
public:
    explicit Parser(const ParserLimits& limits = {});
    Parser(Parser&&) noexcept = default;  // movable: the tree lives on the heap, frames point into it
    Parser& operator=(Parser&&) noexcept = default;

    void feed(std::string_view bytes);
    ParsedMessage finish();  // the end of the message; call once, the parser is spent afterwards

    // Bytes held for the current header block and line: at most max_header_bytes plus a little,
    // however long the message or its lines are.
    std::size_t buffered_bytes() const { return header_.capacity() + line_.capacity(); }

private:
    enum class State : unsigned char { header, body };
    struct Frame {
        Part* part = nullptr;
        std::uint32_t depth = 0;
        State state = State::header;
        bool message_top = false;  // the header block is a message's: build an envelope
        bool in_digest = false;    // a child of multipart/digest
        bool after_field = false;  // header state: a field line came (continuations attach to it)
        std::uint64_t lfs_at_body = 0;
        std::string boundary;  // a multipart whose boundary is live: open, not yet closed
    };
    // An offset with the number of LFs before it, so a part ending there can count its lines.
    struct Mark {
        std::uint64_t offset;
        std::uint64_t lfs;
    };
    struct Line {
        std::uint64_t start;
        std::uint64_t eol;  // where the line break starts (CR of CRLF, or LF), = end at EOF
        std::uint64_t end;  // after the line break
    };

    void take(std::string_view segment, bool ends_line);
    void end_line(const Line& line);
    bool match_boundary(const Line& line);
    bool header_line(const Line& line);
    void end_header(Mark body_start, std::size_t keep_bytes);
    void start_body(Frame& f, Mark body_start);
    void push_child(Part& part, std::uint32_t depth, Mark start, bool message_top, bool in_digest);
    void close_above(std::size_t keep, Mark end, Mark line_start);

    ParserLimits limits_;
    std::size_t line_cap_;  // bytes of a line kept for classification and boundary matching
    std::unique_ptr<ParsedMessage> msg_;
    std::vector<Frame> stack_;
    std::uint32_t parts_ = 1;
    std::size_t live_boundaries_ = 0;
    std::string header_;  // the current header block (the innermost frame is in header state)
    bool header_full_ = false;
    std::string line_;       // the first line_cap_ bytes of the current line, without its LF
    bool line_tail_blank_ = true;  // bytes past line_cap_ are all SP, HTAB or CR
    std::uint64_t pos_ = 0;
    std::uint64_t line_start_ = 0;
    std::uint64_t lfs_ = 0;  // LFs before line_start_
    std::uint64_t prev_eol_ = 0;  // where the previous line's break starts
    char last_byte_ = 0;
    bool finished_ = false;
};

// Parses a whole message held in memory.
ParsedMessage parse(std::string_view message, const ParserLimits& limits = {});

}  // namespace mallard::storage::mime
