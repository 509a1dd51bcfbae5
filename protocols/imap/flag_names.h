// Flag names as clients send them (STORE, APPEND, SEARCH KEYWORD) → as the store keeps them. RFC 3501 §2.3.2:
// system flags are case-insensitive ("\seen" is \Seen), so they are stored in one canonical spelling; keywords
// are kept as sent (the store compares flags case-sensitively). \Recent is session state that Mallard doesn't
// keep, and other backslash names aren't flags a client may set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mallard::imap {

enum class FlagKind : std::uint8_t { system, keyword, recent, unknown_system };

struct FlagName {
    FlagKind kind = FlagKind::keyword;
    std::string name;  // canonical for system flags ("\\Seen"), as sent for keywords
};

FlagName classify_flag(std::string_view flag);

// The flags to store from a client's list: system flags canonicalised, \Recent dropped (it can't be set,
// §2.3.2), duplicates removed. nullopt when a backslash name isn't a system flag (the caller answers BAD).
std::optional<std::vector<std::string>> flags_to_store(const std::vector<std::string>& flags);

}  // namespace mallard::imap
