// The bytes of one command as the parser assembles them: its text outside literals and its literals.
// Internal to the parser (parser.cpp builds it, command_syntax.cpp reads it).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mallard::imap {

struct Frame {
    std::string text;                      // CRLFs after literal markers dropped, markers kept
    std::vector<std::size_t> literal_at;   // offset in text just after each literal's marker
    std::vector<std::string> literals;

    void clear() {
        text.clear();
        literal_at.clear();
        literals.clear();
    }
};

}  // namespace mallard::imap
