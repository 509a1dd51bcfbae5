// Flag names: see flag_names.h.
#include "protocols/imap/flag_names.h"

#include <array>
#include <cstdint>
#include <strings.h>

#include "storage/types.h"

namespace mallard::imap {

namespace {

constexpr std::array<std::string_view, 5> system_flags = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen",
                                                          "\\Draft"};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

FlagName classify_flag(std::string_view flag) {
    if (flag.empty() || flag.front() != '\\') return FlagName{FlagKind::keyword, std::string(flag)};
    for (auto name : system_flags) {
        if (iequals(flag, name)) return FlagName{FlagKind::system, std::string(name)};
    }
    if (iequals(flag, "\\Recent")) return FlagName{FlagKind::recent, "\\Recent"};
    return FlagName{FlagKind::unknown_system, std::string(flag)};
}

std::optional<std::vector<std::string>> flags_to_store(const std::vector<std::string>& flags) {
    std::vector<std::string> out;
    out.reserve(flags.size());
    for (const auto& flag : flags) {
        FlagName name = classify_flag(flag);
        if (name.kind == FlagKind::unknown_system) return std::nullopt;
        if (name.kind == FlagKind::recent) continue;
        out.push_back(std::move(name.name));
    }
    storage::normalize_flags(out);
    return out;
}

}  // namespace mallard::imap
