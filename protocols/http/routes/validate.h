// The syntax checks WildDuck's Joi schemas make on names: usernames, e-mail addresses, mailbox paths, and
// the opaque paging cursors of listings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/types.h"

namespace mallard::http::routes {

// WildDuck's usernameSchema, after lower-casing: [a-z0-9-]+ parts joined by one of "._=:", optionally
// "@" and a domain of the same form; 1 to 128 characters.
bool valid_username(std::string_view username);

// A plain addr-spec check (RFC 5322 §3.4.1, as Joi's email({tlds: false}) accepts it): one '@', a
// non-empty local part and a dotted domain, no spaces or controls. Unicode is allowed (RFC 6532).
bool valid_email(std::string_view address);

// WildDuck's mailboxPathValidator: non-empty, no empty segment ("a//b", "/a", "a/"), at most 1024 bytes.
bool valid_mailbox_path(std::string_view path);

std::string lowercase_ascii(std::string_view in);

// Listing cursors: "n" (next page: after `key`) or "p" (previous page: before `key`), hex-encoded so they
// are opaque and URL-safe like WildDuck's.
struct Cursor {
    bool next = true;
    std::string key;
};
std::string encode_cursor(const Cursor& cursor);
std::optional<Cursor> decode_cursor(std::string_view text);

// A message selector as WildDuck's PUT …/messages/:message takes it: a UID, a range "1:100", "5:*", or a
// comma-separated list of those (IMAP's sequence-set syntax over UIDs, RFC 3501 §9). nullopt when malformed
// or when a UID is 0.
std::optional<std::vector<storage::UidRange>> parse_uid_ranges(std::string_view text);

// A date parameter: ISO 8601 ("2024-01-02", "2024-01-02T10:00:00Z", "…+02:00", fractions ignored), or a
// number of milliseconds since the epoch as JavaScript's Date takes it, or an RFC 5322 date. Epoch seconds.
std::optional<std::int64_t> parse_date_param(std::string_view text);

}  // namespace mallard::http::routes
