// The lexer over one assembled command (frame.h): RFC 3501 §9 atoms, strings, numbers, flags, dates and
// sequence sets. Errors are sticky: the first failure is kept, later reads return empty values, and the
// command parsers check failed() before looping. Internal to the parser.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/imap/frame.h"
#include "protocols/imap/parser.h"
#include "protocols/imap/sequence_set.h"

namespace mallard::imap {

class Reader {
public:
    Reader(Frame& frame, const ParserLimits& limits, bool utf8)
        : frame_(frame), limits_(limits), utf8_(utf8) {}

    const ParserLimits& limits() const { return limits_; }
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    void fail(std::string_view why);

    bool at_end() const { return pos_ >= frame_.text.size(); }
    char peek(std::size_t ahead = 0) const;
    bool accept(char c);
    void expect(char c);
    void sp() { expect(' '); }
    void expect_end();

    // Counts one token or list item against max_arguments.
    void count();

    std::string atom();                      // 1*ATOM-CHAR
    std::string upper_atom();                // an atom, upper-cased
    bool keyword(std::string_view upper);    // the next atom is `upper` (any case): consume it
    std::string tag();                       // 1*<ASTRING-CHAR except "+">
    std::string astring();                   // 1*ASTRING-CHAR / string
    std::string string();                    // quoted / literal
    std::optional<std::string> nstring();    // string / NIL
    std::string mailbox();                   // astring; "INBOX" in any case becomes "INBOX"
    std::string list_mailbox();              // 1*list-char / string
    bool at_literal() const;                 // "{" or "~{" next
    // A literal at the current position; `binary` tells whether it was literal8.
    std::string literal(bool allow_binary, bool& binary);

    std::uint64_t number();                  // number: 32 bits (RFC 3501)
    std::uint32_t nz_number();
    std::uint64_t mod_sequence();            // mod-sequence-value: 1..2^63-1 (RFC 7162)
    std::uint64_t mod_sequence_valzer();     // 0..2^63-1
    SequenceSet sequence_set();
    std::string flag();                      // "\" atom / atom
    std::vector<std::string> flag_list();    // "(" [flag *(SP flag)] ")"
    std::chrono::year_month_day date();      // date-text / DQUOTE date-text DQUOTE
    std::chrono::sys_seconds date_time();    // DQUOTE date-day-fixed "-" month "-" year SP time SP zone DQUOTE

    std::size_t pos() const { return pos_; }

private:
    std::string quoted();
    std::uint64_t digits(std::uint64_t max);
    std::chrono::year_month_day date_text();

    Frame& frame_;
    const ParserLimits& limits_;
    bool utf8_;
    std::size_t pos_ = 0;
    std::size_t next_literal_ = 0;
    std::size_t items_ = 0;
    std::string error_;
};

bool is_atom_char(char c);
bool is_astring_char(char c);
char to_upper(char c);
std::string upper(std::string_view s);
bool valid_utf8(std::string_view s);

// The arguments after the command name (and its SP), for the families with their own files.
struct SearchCommand;
struct FetchCommand;
void parse_search_arguments(Reader& in, SearchCommand& out);           // search_syntax.cpp
void parse_fetch_arguments(Reader& in, FetchCommand& out, bool uid);   // fetch_syntax.cpp

}  // namespace mallard::imap
