// The delivery pipeline behind LMTP: recipient checks at RCPT time, then, after DATA, one stored copy per
// distinct user with its trace headers, and one reply per recipient (RFC 2033 §4.2) in RCPT order.
// Each user's filters (filters.h) and the scanner's spam verdict (spam_verdict.h) choose the copy's mailbox
// and flags, or drop it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/task.h"
#include "core/thread_pool.h"
#include "protocols/lmtp/parser.h"
#include "protocols/lmtp/spam_verdict.h"
#include "storage/store.h"

namespace mallard::lmtp {

// A recipient accepted at RCPT time.
struct Recipient {
    std::string address;     // as given in RCPT TO, +label included
    storage::UserId user;
};

struct RecipientCheck {
    Reply reply;                         // 250 2.1.5, or why not
    std::optional<Recipient> accepted;
};

// Resolves the address (aliases, dots, case, +label, IDN) and checks the account: unknown → 550 5.1.1,
// disabled → 550 5.2.1, quota already full (or too full for the SIZE the client declared) → 452 4.2.2,
// store unavailable → 451 4.3.0.
core::Task<RecipientCheck> check_recipient(storage::Store& store, std::string address,
                                           std::uint64_t declared_size);

// What the server's configuration adds to every delivery.
struct DeliveryPolicy {
    std::vector<SpamRule> spam_rules;    // empty: no spam verdicts
    core::ThreadPool* pool = nullptr;    // parses big messages for filters off the loop; null: inline
    // Messages at least this big are parsed for body filters on the pool (when there is one).
    std::uint64_t pool_parse_min_bytes = 64 * 1024;
};

struct Delivery {
    std::string sender;
    std::vector<Recipient> recipients;   // in RCPT order; several may name the same user
    std::string lhlo_name;
    std::string peer;
    std::string hostname;
    std::string id;
    bool smtputf8 = false;
    DeliveryPolicy policy;
};

// Stores one copy per distinct user (internal date now), each with its trace headers, and returns one
// reply per recipient in order. A 250 means store.append returned: the copy is committed — or a filter
// said `delete`, which drops an accepted message. The copy goes to, in order of precedence: a filter's
// mailbox (if it still exists), \Junk when a filter says spam or, with no filter deciding spam, the
// spam verdict says so (if the user has a \Junk mailbox), else INBOX. A filter's seen and flag actions
// add \Seen and \Flagged.
core::Task<std::vector<Reply>> deliver(storage::Store& store, Delivery delivery, std::string message);

// The one place a store error becomes an LMTP reply: permanent for what will not change by retrying,
// temporary (451 4.3.0) for everything else, so the MTA keeps the message.
Reply reply_for(const core::Error& error);

}  // namespace mallard::lmtp
