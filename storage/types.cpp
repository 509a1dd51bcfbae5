// Helpers for the plain values of storage/types.h.
#include "storage/types.h"

#include <algorithm>

namespace mallard::storage {

namespace {
constexpr std::pair<SpecialUse, std::string_view> special_use_names[] = {
    {SpecialUse::sent, "\\Sent"},   {SpecialUse::drafts, "\\Drafts"},   {SpecialUse::trash, "\\Trash"},
    {SpecialUse::junk, "\\Junk"},   {SpecialUse::archive, "\\Archive"}, {SpecialUse::all, "\\All"},
    {SpecialUse::flagged, "\\Flagged"},
};
}  // namespace

std::string_view special_use_name(SpecialUse use) {
    for (const auto& [u, name] : special_use_names)
        if (u == use) return name;
    return {};
}

std::optional<SpecialUse> parse_special_use(std::string_view name) {
    if (name.empty()) return SpecialUse::none;
    for (const auto& [u, n] : special_use_names)
        if (n == name) return u;
    return std::nullopt;
}

void normalize_flags(Flags& flags) {
    std::sort(flags.begin(), flags.end());
    flags.erase(std::unique(flags.begin(), flags.end()), flags.end());
}

bool has_flag(const Flags& flags, std::string_view flag) {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

std::string filter_problem(const NewFilter& filter) {
    const std::pair<std::string_view, const std::string*> fields[] = {
        {"name", &filter.name},           {"from", &filter.query.from},       {"to", &filter.query.to},
        {"subject", &filter.query.subject}, {"list id", &filter.query.list_id}, {"text", &filter.query.text},
    };
    for (const auto& [what, value] : fields)
        if (value->size() > max_filter_field_bytes)
            return "the filter's " + std::string(what) + " is longer than " + std::to_string(max_filter_field_bytes) +
                   " bytes";
    return {};
}

}  // namespace mallard::storage
