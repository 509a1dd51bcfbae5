// POP3 syntax, pure: command lines (RFC 1939 §3, RFC 2449 §3), multi-line responses with dot-stuffing
// (RFC 1939 §3), TOP's header-plus-k-lines cut (RFC 1939 §7), SASL PLAIN messages (RFC 4616, RFC 5034) and the
// maildrop arithmetic (newest N of INBOX, numbering, UID runs for the UPDATE state). No I/O: the session
// (session.cpp) reads lines from the connection and feeds them here, so tests drive this with plain bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "protocols/auth/sasl_plain.h"
#include "storage/types.h"

namespace mallard::pop3 {

// RFC 2449 §3: keywords are 3 or 4 characters, arguments at most 40 (we allow a little more for AUTH's
// initial response, which RFC 5034 §4 lets run to the line limit).
constexpr std::size_t max_keyword_bytes = 4;
constexpr std::size_t max_argument_bytes = 40;
constexpr std::size_t max_arguments = 2;

struct Command {
    std::string verb;               // upper-cased keyword: "RETR"
    std::vector<std::string> args;  // split on single spaces; PASS keeps the rest of the line as one argument
};

struct Bad {
    std::string text;  // becomes "-ERR <text>"
};

using Parsed = std::variant<Command, Bad>;

// One command line without its CRLF. Never throws; everything malformed is Bad.
Parsed parse_command(std::string_view line);

// A message number or line count: decimal digits only, no sign, fits 32 bits.
std::optional<std::uint32_t> parse_number(std::string_view text);

// Appends `message` as the body of a multi-line response: every line that starts with '.' gets one more
// '.', a final line break is added when the message lacks one, then the ".\r\n" terminator. Bytes are
// otherwise copied unchanged (line endings as stored).
void append_multiline(std::string& out, std::string_view message);

// TOP msg n: the header, the blank line that ends it, and the first `body_lines` lines of the body. A
// message without a blank line is all header.
std::string_view top_of_message(std::string_view message, std::uint32_t body_lines);

// SASL PLAIN is shared with IMAP (protocols/auth/sasl_plain.h).
using auth::PlainCredentials;
using auth::decode_sasl_plain;

// ---- the maildrop ----

struct DropMessage {
    storage::Uid uid = 0;
    std::uint64_t size_bytes = 0;
    bool deleted = false;    // DELE in this session
    bool retrieved = false;  // RETR in this session (\Seen at UPDATE)
};

// The newest `max_messages` of `listing` (any order), oldest first: message number n is element n-1.
std::vector<DropMessage> build_maildrop(const std::vector<storage::MessageMeta>& listing, std::size_t max_messages);

// RFC 1939 §7 UIDL: "<uidvalidity>.<uid>", unique per mailbox incarnation and never reused.
std::string unique_id(std::uint32_t uidvalidity, storage::Uid uid);

// The UID ranges covering exactly the drop messages that satisfy `pick`: maximal runs of neighbours in the
// drop. Safe as store ranges because the drop is a contiguous, UID-ordered suffix of INBOX at login, and
// messages delivered later get higher UIDs than any of it.
template <class Pick>
std::vector<storage::UidRange> uid_runs(const std::vector<DropMessage>& drop, Pick pick) {
    std::vector<storage::UidRange> runs;
    bool open = false;
    for (const DropMessage& m : drop) {
        if (!pick(m)) {
            open = false;
            continue;
        }
        if (open) runs.back().last = m.uid;
        else runs.push_back(storage::UidRange{m.uid, m.uid});
        open = true;
    }
    return runs;
}

}  // namespace mallard::pop3
