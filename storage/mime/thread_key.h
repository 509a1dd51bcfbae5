// Threading inputs: message ids from Message-ID / In-Reply-To / References (RFC 5322 §3.6.4) and the
// base subject of RFC 5256 §2.1, for the store's thread assignment and for SORT/THREAD.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/mime/envelope.h"

namespace mallard::storage::mime {

// RFC 5256 §2.1: encoded-words decoded to UTF-8, whitespace collapsed, "(fwd)" trailers and
// "Re:", "Fw:", "Fwd:", "[blob]" leaders removed, "[Fwd: …]" unwrapped, repeatedly. Case is kept.
std::string base_subject(std::string_view raw_subject);

// The ids in a msg-id list, without angle brackets ("<a@b> <c@d>" → a@b, c@d). Text outside
// brackets is ignored unless there are no brackets at all, when whitespace-separated words count.
std::vector<std::string> parse_message_ids(std::string_view value);

struct ThreadKey {
    std::string message_id;               // this message's id; "" when it has none
    std::vector<std::string> references;  // ancestors, oldest first: References, then In-Reply-To
                                          // when References does not end with it; no duplicates
    std::string base_subject;
    bool operator==(const ThreadKey&) const = default;
};

inline constexpr std::size_t max_thread_references = 64;  // the first (the root) and the latest 63

ThreadKey thread_key(const Envelope& envelope);

}  // namespace mallard::storage::mime
