// Plain values of the Store interface (storage/store.h), in mail terms. Nothing here names a backend.
//
// Ids are opaque strings: SQLite renders its integer keys in decimal, MongoDB its ObjectIds in hex. Callers
// only compare and pass them back; they never parse them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mallard::storage {

using UserId = std::string;
using MailboxId = std::string;
using Uid = std::uint32_t;        // RFC 3501 §2.3.1.1: strictly increasing within a mailbox, never reused
using ModSeq = std::uint64_t;     // RFC 7162: per mailbox, strictly increasing with every change
using TimePoint = std::chrono::system_clock::time_point;  // stored with second precision

// ---- users ---------------------------------------------------------------------------------------------

struct User {
    UserId id;
    std::string username;
    std::string password_hash;          // opaque to the store: protocols/auth hashes and verifies
    std::string primary_address;        // as it was given (display form)
    std::uint64_t quota_limit_bytes = 0;  // 0 = unlimited
    std::uint64_t quota_used_bytes = 0;   // the sum of the sizes of every message in every mailbox
    bool disabled = false;
};

// A user's quota counter before and after Store::recalculate_quota.
struct QuotaRecount {
    std::uint64_t previous = 0;
    std::uint64_t current = 0;
};

struct NewUser {
    std::string username;
    std::string password_hash;
    std::string primary_address;        // optional: empty means no address yet
    std::uint64_t quota_limit_bytes = 0;
};

// ---- addresses -----------------------------------------------------------------------------------------

using AddressId = std::string;

// WildDuck's address record: its own id, and the address as normalizeAddress stores it (address_normalize.h
// `display`: local part folded, Unicode domain), whichever form it was added in.
struct Address {
    std::string address;
    UserId user;
    bool primary = false;
    AddressId id;
    TimePoint created{};  // epoch for addresses stored before schema 7
};

// What an incoming recipient resolved to: "John.Doe+lists@Example.com" → the user of john.doe@example.com,
// label "lists" (the LMTP delivery may file by it).
struct ResolvedAddress {
    UserId user;
    std::string address;  // the stored address it matched
    std::string label;    // the +label of the lookup, without '+'; empty if none
    AddressId id;         // the matched address's id
};

// ---- paged listings (GET /users, GET /addresses) --------------------------------------------------------

// One page of a listing in the store's order, found with an index rather than by loading everything:
// WildDuck's cursor paging (mongo-cursor-pagination) with a sort key per item. Users sort by id, addresses by
// their lookup key (WildDuck's `addrview`).
struct PageRequest {
    std::string query;                // a case-insensitive ASCII substring filter; empty = every item
    std::optional<UserId> only_user;  // only this user's items (a user-role token)
    std::size_t limit = 20;
    std::optional<std::string> after;   // a `next` cursor: items sorting after this key
    std::optional<std::string> before;  // a `previous` cursor: the `limit` items sorting before this key
};

template <class T>
struct Page {
    std::vector<T> items;           // ascending
    std::vector<std::string> keys;  // each item's sort key, for the cursors
    std::uint64_t total = 0;        // items matching the filter, all pages
    bool more_before = false;       // items sort before the first one shown
    bool more_after = false;        // items sort after the last one shown
};

// ---- mailboxes -----------------------------------------------------------------------------------------

// RFC 6154 special-use attributes.
enum class SpecialUse : std::uint8_t { none, sent, drafts, trash, junk, archive, all, flagged };
std::string_view special_use_name(SpecialUse use);          // "\\Sent", ... ; "" for none
std::optional<SpecialUse> parse_special_use(std::string_view name);

constexpr char mailbox_delimiter = '/';

struct Mailbox {
    MailboxId id;
    UserId user;
    std::string name;             // full path with '/' as the hierarchy delimiter; "INBOX" is the inbox
    SpecialUse special_use = SpecialUse::none;
    bool subscribed = true;
    std::uint32_t uidvalidity = 0;
    Uid uidnext = 1;
    ModSeq highest_modseq = 0;    // 0 until the first change
};

// The mailboxes every new user gets.
struct DefaultMailbox {
    std::string_view name;
    SpecialUse special_use;
};
inline constexpr DefaultMailbox default_mailboxes[] = {
    {"INBOX", SpecialUse::none},  {"Sent", SpecialUse::sent}, {"Drafts", SpecialUse::drafts},
    {"Trash", SpecialUse::trash}, {"Junk", SpecialUse::junk}, {"Archive", SpecialUse::archive},
};

// ---- messages ------------------------------------------------------------------------------------------

// A closed UID range; {1, max_uid} is "1:*".
struct UidRange {
    Uid first = 1;
    Uid last = max_uid;
    static constexpr Uid max_uid = 0xffffffffu;
    bool contains(Uid uid) const { return uid >= first && uid <= last; }
};

// Flags are kept as given ("\\Seen", "$Forwarded"), unique and sorted, compared case-sensitively; the
// protocol layer canonicalises system flag spelling before calling the store.
using Flags = std::vector<std::string>;
void normalize_flags(Flags& flags);  // sorts and removes duplicates
bool has_flag(const Flags& flags, std::string_view flag);
constexpr std::string_view flag_deleted = "\\Deleted";

struct AppendRequest {
    std::string raw;              // the message, exactly as received; read back byte for byte
    Flags flags;
    TimePoint internal_date{};    // epoch = now
};

struct Appended {
    Uid uid = 0;
    ModSeq modseq = 0;
    std::uint32_t uidvalidity = 0;
};

// One message's MIME tree, serialised (storage/mime/serialize.h): what Store::read_mime_trees returns.
struct MimeTree {
    Uid uid = 0;
    std::string bytes;
};

// A conversation, WildDuck's `thread`: per user, assigned when a message is stored (storage/threading.h).
using ThreadId = std::string;

struct MessageMeta {
    Uid uid = 0;
    ModSeq modseq = 0;
    Flags flags;
    TimePoint internal_date{};
    std::uint64_t size_bytes = 0;
    ThreadId thread;  // empty for messages stored before threads were kept
};

struct ThreadCount {
    ThreadId thread;
    std::uint64_t messages = 0;  // in every mailbox of the user
};

// A mailbox's counters, as WildDuck's mailbox listing shows them.
struct MailboxCounters {
    std::uint64_t total = 0;
    std::uint64_t unseen = 0;
    std::uint64_t size = 0;  // bytes
};

// A byte range of the whole message; a range past the end is cut at the end (IMAP partial fetch).
struct ByteRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

// A byte range of one message, and what Store::read_message_slices read there.
struct MessageSlice {
    Uid uid = 0;
    ByteRange range;
    std::string bytes;
};

// One page of a mailbox's listing (Store::list_message_page): the messages (all, or only those without \Seen)
// in UID order, ascending or descending. The page is the first `limit` of them after the `after` UID (in
// listing order, exclusive), or the last `limit` before the `before` UID (exclusive), or the first `limit`.
struct PageQuery {
    bool ascending = true;
    bool unseen_only = false;
    std::optional<Uid> after;   // a `next` cursor: continue past this UID
    std::optional<Uid> before;  // a `previous` cursor: the page that ends just before this UID
    std::size_t limit = 20;     // the caller bounds it
};

struct MessagePage {
    std::vector<MessageMeta> messages;  // in listing order
    std::uint64_t total = 0;            // how many messages the whole listing has (the same filter)
    bool more_before = false;           // the listing has messages before the first one on the page
    bool more_after = false;            // … and after the last one (both false on an empty page)
};

enum class FlagOp : std::uint8_t { set, add, remove };

struct FlagChange {
    UidRange uids;
    FlagOp op = FlagOp::add;
    Flags flags;
    std::optional<ModSeq> unchanged_since;  // RFC 7162 UNCHANGEDSINCE
};

struct FlagResult {
    std::vector<MessageMeta> changed;   // the new state of every message whose flags changed
    std::vector<Uid> conflicts;         // modseq > UNCHANGEDSINCE: not changed (the MODIFIED response code)
};

// COPY/MOVE (RFC 4315 COPYUID, RFC 6851): source_uids[i] became dest_uids[i].
struct CopyResult {
    std::uint32_t dest_uidvalidity = 0;
    std::vector<Uid> source_uids;
    std::vector<Uid> dest_uids;
};

struct ExpungeResult {
    std::vector<Uid> uids;  // ascending
};

// ---- filters ------------------------------------------------------------------------------------------

// A user's delivery filter, shaped like WildDuck's (/users/:user/filters) so the HTTP API maps one to one:
// a query every set field of which must match, and actions applied to the matching message. Filters run in
// creation order (ascending id); for each action the first matching filter that sets it wins.
using FilterId = std::string;

struct FilterQuery {
    // Case-insensitive substrings of the decoded header values; empty = not tested. `from` also looks at
    // Sender, `to` at Cc and Delivered-To; `list_id` at List-ID (only the part inside <…> when given so).
    std::string from, to, subject, list_id;
    std::string text;                     // a case-insensitive substring of the message's plain text
    std::optional<bool> has_attachment;   // WildDuck's `ha`
    std::int64_t size = 0;                // > 0: at least `size` bytes; < 0: at most -`size`; 0: not tested
    bool operator==(const FilterQuery&) const = default;
};

struct FilterAction {
    // Unset = this filter does not decide it (a later matching filter may).
    std::optional<bool> seen;     // store with \Seen
    std::optional<bool> flag;     // store with \Flagged
    std::optional<bool> discard;  // WildDuck's `delete`: accept the message but store nothing
    std::optional<bool> spam;     // true: to the \Junk mailbox; false: never to Junk, whatever the verdict
    MailboxId mailbox;            // store here instead of INBOX; empty = not set
    bool operator==(const FilterAction&) const = default;
};

struct NewFilter {
    std::string name;
    FilterQuery query;
    FilterAction action;
    bool disabled = false;
};

struct Filter {
    FilterId id;
    UserId user;
    std::string name;
    FilterQuery query;
    FilterAction action;
    bool disabled = false;
    TimePoint created{};
};

// Bounds that keep one delivery's filter work small, checked by every backend at create/update.
constexpr std::size_t max_filters_per_user = 400;    // WildDuck's default const:max:filters
constexpr std::size_t max_filter_field_bytes = 255;  // each query string and the name, as WildDuck's API

// Why `filter` can't be stored (a string past max_filter_field_bytes), or "" when it can. Every backend checks.
std::string filter_problem(const NewFilter& filter);

// ---- API tokens ---------------------------------------------------------------------------------------

// A user's HTTP API access token (POST /authenticate), kept as its hash: the store never holds a usable token,
// so a copy of the database grants nothing. The HTTP layer makes the token and its hash (protocols/http/tokens.h).
struct ApiToken {
    std::string hash;         // lower-case hex SHA-256 of the token; unique
    UserId user;
    std::string scope;        // "master" (WildDuck's only scope for API tokens)
    TimePoint created{};
    TimePoint expires{};      // the token is refused from this instant on
    // Issued by a password login of a user with TOTP on: until a TOTP check made with this token clears it,
    // the token reaches only the 2FA check and its own session routes (protocols/http/dispatch.cpp).
    bool needs_totp = false;
};

// ---- journal -------------------------------------------------------------------------------------------

// One change to one mailbox. Every change takes the mailbox's next modseq, so (mailbox, modseq) is unique
// and entries since a modseq are exactly the changes a session has not seen.
enum class JournalKind : std::uint8_t { append = 1, expunge = 2, flags = 3, rename = 4 };

struct JournalEntry {
    ModSeq modseq = 0;
    JournalKind kind = JournalKind::append;
    Uid uid = 0;          // append, expunge, flags
    Flags flags;          // append, flags: the message's flags after the change
    std::string name;     // rename: the new mailbox name
};

}  // namespace mallard::storage
