// The synchronous queries behind SqliteStore, one file per concern (users.cpp, addresses in users.cpp,
// mailboxes.cpp, messages.cpp, journal.cpp, filters.cpp). They run on a pool thread with that thread's connection, and
// throw SqliteError for database failures; expected failures are returned as core::Error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/sqlite/connection.h"
#include "storage/ingest.h"
#include "storage/search.h"
#include "storage/security_types.h"
#include "storage/threading.h"
#include "storage/types.h"

namespace mallard::storage::sqlite {

using core::Result;

// Ids: SQLite integer keys rendered in decimal. A malformed id is simply not found.
std::optional<std::int64_t> parse_id(const std::string& id);
std::string render_id(std::int64_t id);
std::string join_flags(const Flags& flags);
Flags split_flags(const std::string& text);

// users.cpp
// "SELECT <user columns> FROM users u " and the User they read.
extern const char* const user_columns;
User read_user(const Stmt& q);
Result<User> create_user(Db& db, const NewUser& user);
Result<User> find_user(Db& db, const UserId& id);
Result<User> find_user_by_login(Db& db, const std::string& login);
Result<std::vector<User>> list_users(Db& db);
Result<void> set_password_hash(Db& db, const UserId& id, const std::string& hash);
Result<void> set_quota_limit(Db& db, const UserId& id, std::uint64_t limit);
Result<void> set_disabled(Db& db, const UserId& id, bool disabled);
Result<void> delete_user(Db& db, const UserId& id);
Result<QuotaRecount> recalculate_quota(Db& db, const UserId& id);
Result<std::uint64_t> recalculate_all_quotas(Db& db);
Result<Address> add_address(Db& db, const UserId& user, const std::string& address, bool make_primary);
Result<void> remove_address(Db& db, const UserId& user, const std::string& address);
Result<std::vector<Address>> list_addresses(Db& db, const UserId& user);
Result<ResolvedAddress> resolve_address(Db& db, const std::string& address);
Result<Address> get_address(Db& db, const AddressId& id);
Result<Address> update_address(Db& db, const UserId& user, const AddressId& id,
                               const std::optional<std::string>& address, bool make_primary);
// The columns read_address reads, in order.
inline constexpr const char* address_columns = "address, user_id, is_primary, id, created";
Address read_address(const Stmt& q);

// listings.cpp: paged listings and counters, each one indexed query (storage/store.h).
Result<Page<User>> list_users_page(Db& db, const PageRequest& request);
Result<Page<Address>> list_addresses_page(Db& db, const PageRequest& request);
Result<MailboxCounters> mailbox_counters(Db& db, const MailboxId& box);

// threads.cpp (storage/threading.h)
// Inside append's write transaction: the thread the message joins, created if none matches.
std::int64_t assign_thread(Db& db, std::int64_t user, const ThreadKeys& keys);
Result<std::vector<ThreadCount>> thread_counts(Db& db, const UserId& user, const std::vector<ThreadId>& threads);
// Inside delete_user's write transaction.
void delete_user_threads(Db& db, std::int64_t user);

// mailboxes.cpp
// Inside a write transaction: inserts a mailbox with a fresh UIDVALIDITY.
Result<std::int64_t> insert_mailbox(Db& db, std::int64_t user, const std::string& name, SpecialUse use);
Result<Mailbox> create_mailbox(Db& db, const UserId& user, const std::string& name, SpecialUse use);
Result<Mailbox> find_mailbox(Db& db, const UserId& user, const std::string& name);
Result<Mailbox> get_mailbox(Db& db, const MailboxId& id);
Result<std::vector<Mailbox>> list_mailboxes(Db& db, const UserId& user);
Result<Mailbox> rename_mailbox(Db& db, const MailboxId& id, const std::string& new_name);
Result<void> delete_mailbox(Db& db, const MailboxId& id);
Result<void> set_subscribed(Db& db, const MailboxId& id, bool subscribed);
// Inside a write transaction: frees every message of the mailbox (bodies, quota); keeps the mailbox row.
void release_mailbox_messages(Db& db, std::int64_t box);

// The counters of a mailbox, advanced atomically inside the caller's write transaction.
struct Allocation {
    Uid first_uid = 0;
    ModSeq first_modseq = 0;
    std::uint32_t uidvalidity = 0;
    std::int64_t user = 0;
};
Result<Allocation> allocate(Db& db, std::int64_t box, std::uint32_t uids, std::uint32_t modseqs);

// messages.cpp
Result<Appended> append(Db& db, const MailboxId& box, const AppendRequest& message, const IngestOptions& options);
Result<std::vector<MessageMeta>> list_messages(Db& db, const MailboxId& box, UidRange uids);
Result<MessagePage> list_message_page(Db& db, const MailboxId& box, const PageQuery& query);
Result<std::string> read_message(Db& db, const MailboxId& box, Uid uid, std::optional<ByteRange> range);
Result<std::vector<MessageSlice>> read_message_slices(Db& db, const MailboxId& box, std::vector<MessageSlice> slices);
Result<std::string> read_mime_tree(Db& db, const MailboxId& box, Uid uid);
Result<std::vector<MimeTree>> read_mime_trees(Db& db, const MailboxId& box, UidRange uids);
Result<FlagResult> store_flags(Db& db, const MailboxId& box, const FlagChange& change);
Result<CopyResult> copy(Db& db, const MailboxId& from, UidRange uids, const MailboxId& to, bool move);
Result<ExpungeResult> expunge(Db& db, const MailboxId& box, UidRange uids);

// bodies.cpp
// A message's content made ready for storage outside the write lock: parsed, cut (storage/ingest.h) and
// compressed.
struct PreparedAttachment {
    std::string hash;
    std::int64_t size = 0;  // decoded bytes
    std::string content;    // packed for storage; empty when the store already had it at prepare time
    std::string raw;        // the decoded bytes when `content` is empty (in case it must be stored after all)
};
// What text search keys match (storage/search.h), case-folded; sent date for SENT* keys.
struct SearchText {
    std::optional<std::int64_t> sent_date;  // epoch seconds
    std::int64_t sent_zone = 0;             // the Date header's UTC offset, seconds
    std::string headers;                    // IngestedMessage::header_text, folded
    std::string body;                       // IngestedMessage::body_text, folded
};
SearchText search_text_of(const IngestedMessage& message);
struct PreparedBody {
    std::int64_t size = 0;  // the original message
    std::string skeleton;   // packed
    std::string layout;     // MessageLayout::serialize(), empty when nothing was cut out
    std::string mime_tree;
    std::vector<PreparedAttachment> attachments;
    SearchText search;
    ThreadKeys thread;
};
PreparedBody prepare_body(Db& db, const std::string& raw, const IngestOptions& options);
// Inside a write transaction: stores the body with one reference and takes a reference on each attachment.
std::int64_t insert_body(Db& db, const PreparedBody& body);
// Inside a write transaction: sets a body's sent date and its message_text row (replacing any).
void store_search_text(Db& db, std::int64_t body, const SearchText& text);
// Inside a write transaction: drops one reference; frees the body (and attachments nobody else uses) at zero.
void release_body(Db& db, std::int64_t body);
// Inside a write transaction: frees every body whose reference count reached zero, with its attachments.
void collect_unreferenced_bodies(Db& db);
// A body's stored search text (search_headers, search_body), uncompressed.
Result<std::string> unpack_text(std::string_view packed);
// The message, or a byte range of it, rebuilt from its skeleton and attachments.
Result<std::string> read_body(Db& db, std::int64_t box, Uid uid, std::optional<ByteRange> range);
// The slices of the messages that exist, in the given order, from one snapshot.
Result<std::vector<MessageSlice>> read_bodies(Db& db, std::int64_t box, std::vector<MessageSlice> slices);

// search.cpp
Result<std::vector<Uid>> search(Db& db, const MailboxId& box, const SearchQuery& query, const IngestOptions& options);
// Registers the SQL functions search uses on every connection opened afterwards (sqlite3_auto_extension).
void register_search_functions();

// filters.cpp
Result<Filter> create_filter(Db& db, const UserId& user, const NewFilter& filter);
Result<std::vector<Filter>> list_filters(Db& db, const UserId& user);
Result<Filter> get_filter(Db& db, const UserId& user, const FilterId& id);
Result<Filter> update_filter(Db& db, const UserId& user, const FilterId& id, const NewFilter& filter);
Result<void> delete_filter(Db& db, const UserId& user, const FilterId& id);

// tokens.cpp
Result<void> create_api_token(Db& db, const ApiToken& token);
Result<ApiToken> find_api_token(Db& db, const std::string& hash, TimePoint now);
Result<void> extend_api_token(Db& db, const std::string& hash, TimePoint expires);
Result<void> delete_api_token(Db& db, const std::string& hash);
Result<void> confirm_api_token_totp(Db& db, const std::string& hash);
Result<void> delete_user_api_tokens(Db& db, const UserId& user);
// security.cpp
Result<AppPassword> create_app_password(Db& db, const UserId& user, const NewAppPassword& asp);
Result<std::vector<AppPassword>> list_app_passwords(Db& db, const UserId& user);
Result<AppPassword> get_app_password(Db& db, const UserId& user, const AppPasswordId& id);
Result<void> delete_app_password(Db& db, const UserId& user, const AppPasswordId& id);
Result<std::vector<AppPassword>> find_app_passwords(Db& db, const UserId& user, const std::string& lookup);
Result<TotpState> get_totp(Db& db, const UserId& user);
Result<void> set_totp(Db& db, const UserId& user, const TotpState& state);
Result<bool> claim_totp_step(Db& db, const UserId& user, std::int64_t step);
Result<AuthEvent> record_auth_event(Db& db, const AuthEvent& event, std::chrono::seconds keep);
Result<std::vector<AuthEvent>> list_auth_events(Db& db, const UserId& user, std::size_t limit);
Result<AuthEvent> get_auth_event(Db& db, const UserId& user, const AuthEventId& id);
Result<FailureCount> add_auth_failure(Db& db, const std::string& key, std::chrono::seconds window);
Result<FailureCount> read_auth_failures(Db& db, const std::string& key);
Result<void> clear_auth_failures(Db& db, const std::string& key);
// Inside delete_user's write transaction.
void delete_user_security(Db& db, std::int64_t user);

// journal.cpp
void append_journal(Db& db, std::int64_t box, ModSeq modseq, JournalKind kind, Uid uid, const std::string& data);
Result<std::vector<JournalEntry>> journal_since(Db& db, const MailboxId& box, ModSeq since);

}  // namespace mallard::storage::sqlite
