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

    // Frees what the last command used: between commands (an idle session) a frame holds nothing.
    void clear() {
        std::string().swap(text);
        std::vector<std::size_t>().swap(literal_at);
        std::vector<std::string>().swap(literals);
    }
};

}  // namespace mallard::imap
