// LIST pattern matching: see list_pattern.h.
#include "protocols/imap/list_pattern.h"

#include <vector>

#include "storage/types.h"

namespace mallard::imap {

namespace {

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

bool is_inbox_prefix(std::string_view name) {
    if (name.size() < 5) return false;
    for (std::size_t i = 0; i < 5; ++i) {
        if (upper(name[i]) != "INBOX"[i]) return false;
    }
    return name.size() == 5 || name[5] == storage::mailbox_delimiter;
}

}  // namespace

std::string canonical_mailbox_name(std::string name) {
    if (is_inbox_prefix(name)) {
        for (std::size_t i = 0; i < 5; ++i) name[i] = upper(name[i]);
    }
    return name;
}

bool list_pattern_match(std::string_view pattern, std::string_view name) {
    // Positions below `fold` compare case-insensitively: the INBOX part of "INBOX" or "INBOX/…".
    const std::size_t fold = is_inbox_prefix(name) ? 5 : 0;
    // match[j]: pattern[0, i) matches name[0, j). Dynamic programming keeps "*%*%…" patterns linear per row.
    std::vector<char> match(name.size() + 1, 0), next(name.size() + 1, 0);
    match[0] = 1;
    for (char p : pattern) {
        std::fill(next.begin(), next.end(), 0);
        if (p == '*' || p == '%') {
            bool reachable = false;
            for (std::size_t j = 0; j <= name.size(); ++j) {
                if (match[j]) reachable = true;
                next[j] = reachable ? 1 : 0;
                // '%' cannot cross a delimiter: name[j] ends the run for the next position.
                if (p == '%' && j < name.size() && name[j] == storage::mailbox_delimiter) reachable = false;
            }
        } else {
            for (std::size_t j = 0; j < name.size(); ++j) {
                if (!match[j]) continue;
                const bool same = j < fold ? upper(p) == name[j] : p == name[j];
                if (same) next[j + 1] = 1;
            }
        }
        match.swap(next);
    }
    return match[name.size()] != 0;
}

}  // namespace mallard::imap
