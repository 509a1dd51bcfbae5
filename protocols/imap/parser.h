// The IMAP command parser: RFC 3501 §9 formal syntax with LITERAL+ / LITERAL- (RFC 7888), literal8
// (RFC 3516), UTF8=ACCEPT quoted strings (RFC 6855) and the command arguments of the extensions Mallard
// implements. Pure and incremental: the session hands it the connection's unread bytes and consumes what
// it took; it never reads a socket.
//
//   auto in = conn.input();                 // after co_await conn.fill(deadline)
//   Step step = parser.parse(in);           // takes bytes off the front of `in`
//   conn.consume(conn.input().size() - in.size());
//
// parse() stops after each result, so bytes pipelined after a command stay unconsumed (STARTTLS and
// COMPRESS can see exactly where the command ended). Feeding the bytes whole or one at a time gives the
// same results.
//
// The parser keeps only the command being built: its bytes outside literals (at most max_line_bytes) and
// its literals (at most max_literal_bytes, or max_append_bytes for APPEND, each message at most
// max_append_message_bytes). A literal is copied once, from the input into the string that becomes the
// Command's (APPEND: AppendMessage::message), and moved out with the Command: the session receives APPEND's
// message whole, already sized; it never needs a second copy.
//
// Errors resynchronise at the end of the command's line: a synchronising literal announced on a bad line is
// not waited for (the client gets BAD instead of "+"), a non-synchronising one is skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/imap/command.h"
#include "protocols/imap/frame.h"

namespace mallard::imap {

struct ParserLimits {
    std::size_t max_line_bytes = 64 * 1024;            // one command's bytes outside its literals
    std::uint64_t max_literal_bytes = 64 * 1024;       // all literals of one command other than APPEND
    std::uint64_t max_append_bytes = 64 * 1024 * 1024; // all literals of one APPEND; beyond: TooBig
    // one literal of APPEND (one message, RFC 7889 APPENDLIMIT); beyond: TooBig. The session sets it.
    std::uint64_t max_append_message_bytes = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t max_nonsync_literal_bytes = std::numeric_limits<std::uint64_t>::max();  // 4096: LITERAL-
    std::size_t max_search_depth = 32;        // nesting of SEARCH parentheses, NOT and OR
    std::size_t max_arguments = 4096;         // tokens and list items in one command
    std::size_t max_sequence_ranges = 4096;   // ranges in one sequence set
};

struct NeedMore {
    bool operator==(const NeedMore&) const = default;
};
// A synchronising literal was announced and accepted: the session sends "+ Ready", then feeds more.
struct SendContinuation {
    std::uint64_t literal_bytes = 0;
    bool operator==(const SendContinuation&) const = default;
};
// Becomes "<tag> BAD <text>"; tag is "*" when the line had no valid tag.
struct Bad {
    std::string tag;
    std::string text;
    bool operator==(const Bad&) const = default;
};
// An APPEND whose literals exceed max_append_bytes: "<tag> NO [TOOBIG] ..." (RFC 7889, RFC 4469).
// The literal was not waited for (synchronising) or was skipped (non-synchronising).
struct TooBig {
    std::string tag;
    std::uint64_t literal_bytes = 0;  // the literal that went over the limit, as announced
    bool operator==(const TooBig&) const = default;
};

using Step = std::variant<NeedMore, SendContinuation, Command, Bad, TooBig>;

class Parser {
public:
    explicit Parser(const ParserLimits& limits);

    // Consumes bytes from the front of `in` until it has a result or `in` is empty (NeedMore).
    Step parse(std::string_view& in);

    // The next line is returned raw, as a Command holding a RawLine (IDLE's DONE, an AUTHENTICATE
    // response), with no literal processing. Call it after answering IDLE or sending "+" for AUTHENTICATE.
    void expect_line();

    // RFC 6855 UTF8=ACCEPT (after ENABLE): quoted strings may hold UTF-8. Off: 7-bit quoted strings only.
    void enable_utf8(bool on) { utf8_ = on; }

    // Whether a command is partly received (bytes of it consumed, no result yet).
    bool in_command() const;

private:
    enum class Mode : std::uint8_t { line, literal, discard_line, skip_literal };

    bool take_line_bytes(std::string_view& in, bool& line_ended);
    std::optional<Step> end_of_line();
    std::optional<Step> announce_literal(std::uint64_t bytes, bool sync);
    Step line_too_long();
    void discard_bytes(std::string_view& in);
    void start_segment(Mode mode);
    void track_quote(char c);
    std::string bad_tag();
    void reset();

    ParserLimits limits_;
    bool utf8_ = false;
    bool raw_line_ = false;
    Mode mode_ = Mode::line;

    Frame frame_;                           // the command being built
    std::uint64_t literal_total_ = 0;
    std::size_t segment_start_ = 0;         // where the current line segment starts in frame_.text
    bool in_quote_ = false;
    bool quote_escape_ = false;
    bool started_ = false;

    std::uint64_t skip_left_ = 0;           // literal / skip_literal: bytes still to come
    std::string tail_;                      // discard_line: the last bytes of the segment (marker check)
};

// The canonical names of the commands the parser knows ("FETCH", "UID FETCH", ...).
bool is_known_command(std::string_view upper_name);

}  // namespace mallard::imap
