// Delivery filters: WildDuck's query and action semantics (lib/filter-handler.js checkFilter and the
// first-wins merge of actions), over the decoded headers and text of MessageFacts.
#include "protocols/lmtp/filters.h"

#include <string_view>

namespace mallard::lmtp {

namespace {

// The names a query field looks at.
struct HeaderTest {
    const std::string* needle;
    std::initializer_list<std::string_view> names;
};

// A List-ID needle written as "Name <id>" is matched by the id alone.
std::string list_id_needle(const std::string& raw) {
    std::size_t open = raw.find('<');
    if (open == std::string::npos) return raw;
    std::size_t close = raw.find('>', open);
    std::string id = raw.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    return normalize_text(id).empty() ? raw : id;
}

bool some_header_contains(const MessageFacts& facts, std::initializer_list<std::string_view> names,
                          const std::string& needle) {
    for (const auto& h : facts.headers) {
        bool named = false;
        for (std::string_view n : names) named = named || h.name == n;
        if (named && normalize_text(h.value).find(needle) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

bool needs_body(const storage::FilterQuery& query) {
    return !query.text.empty() || query.has_attachment.has_value();
}

bool filter_matches(const storage::FilterQuery& query, const MessageFacts& facts) {
    const std::string list_id = list_id_needle(query.list_id);
    const HeaderTest tests[] = {
        {&query.from, {"from", "sender"}},
        {&query.to, {"to", "cc", "delivered-to"}},
        {&query.subject, {"subject"}},
        {&list_id, {"list-id"}},
    };
    for (const auto& test : tests) {
        const std::string needle = normalize_text(*test.needle);
        if (needle.empty()) continue;
        if (!some_header_contains(facts, test.names, needle)) return false;
    }
    if (query.size > 0 && facts.size_bytes < static_cast<std::uint64_t>(query.size)) return false;
    if (query.size < 0 && facts.size_bytes > static_cast<std::uint64_t>(-(query.size + 1)) + 1) return false;
    if (needs_body(query) && !facts.has_body) return false;
    if (query.has_attachment && *query.has_attachment != facts.has_attachment) return false;
    if (!query.text.empty()) {
        const std::string needle = normalize_text(query.text);
        if (!needle.empty() && facts.text.find(needle) == std::string::npos) return false;
    }
    return true;
}

FilterOutcome run_filters(const std::vector<storage::Filter>& filters, const MessageFacts& facts) {
    FilterOutcome out;
    std::optional<bool> seen, flag, discard;
    for (const auto& f : filters) {
        if (f.disabled || !filter_matches(f.query, facts)) continue;
        out.matched.push_back(f.id);
        if (!seen) seen = f.action.seen;
        if (!flag) flag = f.action.flag;
        if (!discard) discard = f.action.discard;
        if (!out.spam) out.spam = f.action.spam;
        if (out.mailbox.empty()) out.mailbox = f.action.mailbox;
    }
    out.seen = seen.value_or(false);
    out.flag = flag.value_or(false);
    out.discard = discard.value_or(false);
    return out;
}

}  // namespace mallard::lmtp
