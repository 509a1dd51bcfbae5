// Spam verdicts from an upstream scanner's headers: a rule names a header field and what its value starts
// with; a message with any matching field is spam and is delivered to the user's \Junk mailbox (RFC 6154)
// unless one of the user's filters says otherwise (filters.h). Configured by lmtp.spam_headers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "protocols/lmtp/message_facts.h"

namespace mallard::lmtp {

struct SpamRule {
    std::string header;  // the field name, compared case-insensitively
    std::string prefix;  // the unfolded, trimmed value starts with this, case-insensitively; "" = present
    bool operator==(const SpamRule&) const = default;
};

// "X-Spam-Status: Yes" → {"x-spam-status", "yes"}. bad_input without a field name before the colon.
core::Result<SpamRule> parse_spam_rule(std::string_view text);
core::Result<std::vector<SpamRule>> parse_spam_rules(const std::vector<std::string>& texts);

// Whether any header field of the message matches any rule.
bool spam_verdict(const std::vector<SpamRule>& rules, const MessageFacts& facts);

}  // namespace mallard::lmtp
