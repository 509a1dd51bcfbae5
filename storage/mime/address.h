// Address lists (RFC 5322 §3.4, with the obsolete forms of §4.4), in the shape of IMAP's ENVELOPE
// addresses (RFC 3501 §7.4.2).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mallard::storage::mime {

// One ENVELOPE address; an absent field is NIL. A group is the RFC 3501 pair of markers around its
// members: a start {mailbox = group name, host absent} and an end {mailbox and host absent}.
struct Address {
    std::optional<std::string> name;     // display name, raw: quotes removed, encoded-words kept
    std::optional<std::string> adl;      // obsolete source route ("@a,@b")
    std::optional<std::string> mailbox;  // local part (unquoted), or the group name
    std::optional<std::string> host;     // domain; "" for a bare local part

    bool is_group_start() const { return mailbox && !host; }
    bool is_group_end() const { return !mailbox && !host; }
    bool operator==(const Address&) const = default;
};

// Parses an unfolded or folded address-list header value. Never fails: garbage between addresses is
// skipped, a bare word becomes a mailbox without a host, an unterminated group is closed.
std::vector<Address> parse_address_list(std::string_view value);

}  // namespace mallard::storage::mime
