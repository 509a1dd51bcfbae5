// Delivery filters (storage::Filter, WildDuck's model): which of a user's filters match a message, and what
// their actions add up to. Pure: the store lists the filters, deliver.cpp acts on the outcome.
#pragma once

#include <optional>
#include <vector>

#include "protocols/lmtp/message_facts.h"
#include "storage/types.h"

namespace mallard::lmtp {

// Whether every set field of `query` matches (an empty query matches everything):
// - from/to/subject/list_id: the needle, case-folded with runs of white space as one, is contained in the
//   value of a header of that name, likewise normalised. `from` also looks at Sender, `to` at Cc and
//   Delivered-To (as WildDuck does). A list_id written with angle brackets ("Dev <dev.example.org>") is
//   matched by its id only.
// - text: contained in the plain text; has_attachment; size > 0: at least that many bytes, < 0: at most.
// Text and attachment tests need facts with a body (add_body_facts); without one they do not match.
bool filter_matches(const storage::FilterQuery& query, const MessageFacts& facts);

// Whether matching `query` needs add_body_facts.
bool needs_body(const storage::FilterQuery& query);

// The combined actions of the filters that matched, in filter order. For each action the first matching
// filter that sets it decides (so flags from different filters add up, and the first mailbox wins).
struct FilterOutcome {
    bool seen = false;
    bool flag = false;
    bool discard = false;
    std::optional<bool> spam;            // unset: no filter decided; the spam verdict stands
    storage::MailboxId mailbox;          // empty: none
    std::vector<storage::FilterId> matched;
};

// Runs the enabled filters in order (disabled ones are skipped).
FilterOutcome run_filters(const std::vector<storage::Filter>& filters, const MessageFacts& facts);

}  // namespace mallard::lmtp
