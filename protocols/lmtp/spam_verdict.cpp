// Spam verdicts from scanner headers. The default rules (config/default.toml) cover SpamAssassin's
// X-Spam-Flag: YES and X-Spam-Status: Yes, and what Rspamd's milter_headers module writes for a message
// whose action is neither "no action" nor "greylist": X-Spam-Status: Yes, X-Spam: Yes and its spam-header
// routine's Deliver-To: Junk; X-Spamd-Result says "default: True" only for "reject". X-Rspamd-Action carries
// the action itself where an MTA integration copies it into the message ("add header", "rewrite subject",
// "reject").
#include "protocols/lmtp/spam_verdict.h"

#include "storage/mime/header_fields.h"

namespace mallard::lmtp {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool field_name_char(char c) { return c > 32 && c < 127 && c != ':'; }  // RFC 5322 §3.6.8 ftext

}  // namespace

core::Result<SpamRule> parse_spam_rule(std::string_view text) {
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos)
        return core::Error(core::Errc::bad_input, "a spam rule is \"Header-Name: value prefix\"");
    std::string_view name = trim(text.substr(0, colon));
    if (name.empty()) return core::Error(core::Errc::bad_input, "a spam rule needs a header name before ':'");
    for (char c : name)
        if (!field_name_char(c)) return core::Error(core::Errc::bad_input, "bad character in spam rule header name");
    SpamRule rule;
    rule.header = storage::mime::to_lower_ascii(name);
    rule.prefix = storage::mime::to_lower_ascii(trim(text.substr(colon + 1)));
    return rule;
}

core::Result<std::vector<SpamRule>> parse_spam_rules(const std::vector<std::string>& texts) {
    std::vector<SpamRule> rules;
    for (const auto& t : texts) {
        auto rule = parse_spam_rule(t);
        if (!rule) return core::Error(rule.error().code, "\"" + t + "\": " + rule.error().detail);
        rules.push_back(std::move(*rule));
    }
    return rules;
}

bool spam_verdict(const std::vector<SpamRule>& rules, const MessageFacts& facts) {
    for (const auto& h : facts.headers) {
        for (const auto& rule : rules) {
            if (h.name != rule.header || h.value.size() < rule.prefix.size()) continue;
            if (storage::mime::iequals(std::string_view(h.value).substr(0, rule.prefix.size()), rule.prefix))
                return true;
        }
    }
    return false;
}

}  // namespace mallard::lmtp
