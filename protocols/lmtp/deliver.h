// The delivery pipeline behind LMTP: recipient checks at RCPT time, then, after DATA, one stored copy per
// distinct user with its trace headers, and one reply per recipient (RFC 2033 §4.2) in RCPT order.
// Filters and spam routing (issue 6 items 4-5) are not here yet: every copy goes to the user's INBOX.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/task.h"
#include "protocols/lmtp/parser.h"
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

struct Delivery {
    std::string sender;
    std::vector<Recipient> recipients;   // in RCPT order; several may name the same user
    std::string lhlo_name;
    std::string peer;
    std::string hostname;
    std::string id;
    bool smtputf8 = false;
};

// Stores one copy per distinct user in its INBOX (internal date now), each with its trace headers, and
// returns one reply per recipient in order. A 250 means store.append returned: the copy is committed.
core::Task<std::vector<Reply>> deliver(storage::Store& store, Delivery delivery, std::string message);

// The one place a store error becomes an LMTP reply: permanent for what will not change by retrying,
// temporary (451 4.3.0) for everything else, so the MTA keeps the message.
Reply reply_for(const core::Error& error);

}  // namespace mallard::lmtp
