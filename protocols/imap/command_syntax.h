// From an assembled command (frame.h) to a typed Command: the table of command names and their argument
// parsers. Internal to the parser.
#pragma once

#include <string>

#include "protocols/imap/frame.h"
#include "protocols/imap/parser.h"

namespace mallard::imap {

class Reader;

// The tag and name at the start of a command: "a1 UID FETCH ..." → {"a1", "UID FETCH", true}.
struct CommandHead {
    std::string tag;   // empty when invalid
    std::string name;  // upper-cased
    bool uid = false;
    bool known = false;
};
CommandHead read_command_head(Reader& in);

// Command or Bad.
Step parse_command(Frame& frame, const ParserLimits& limits, bool utf8);

}  // namespace mallard::imap
