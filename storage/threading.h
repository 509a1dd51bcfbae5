// Threads (WildDuck's message `thread`): which earlier messages of the same user a new message belongs with.
//
// WildDuck (lib/message-handler.js getThreadId) gathers the message's own Message-ID, In-Reply-To, the ids in
// References and the first 22 characters of Thread-Index, and joins the user's thread that already knows one
// of those ids *and* has the same base subject (its normalizeSubject with removePrefix: "Re:", "Fwd:",
// "[tag]" and "(fwd)" stripped); otherwise it starts a new thread. Either way the thread learns the ids, so
// a later reply to this message finds it. There is no time window. Mallard does the same observable thing;
// this file is the pure part (what to look up), the backends keep the threads (SQLite: sqlite/threads.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mallard::storage {

inline constexpr std::size_t max_thread_refs = 10;       // ids kept per message, as WildDuck
inline constexpr std::size_t max_thread_ref_bytes = 250;  // longer ids are cut (still unique in practice)

struct ThreadKeys {
    std::string subject;            // the base subject
    std::vector<std::string> refs;  // message ids without <>, unique, in header order, at most max_thread_refs
};

// The base subject: white space runs collapsed, then reply/forward prefixes, leading "[…]" tags (when text
// follows) and a trailing "(fwd)" removed, case-insensitively, until none is left.
std::string base_subject(std::string_view subject);

// The keys of a message from its decoded header lines ("Name: value\n" per field, IngestedMessage::header_text).
// The last field of each name counts, as WildDuck reads it.
ThreadKeys thread_keys(std::string_view header_text);

}  // namespace mallard::storage
