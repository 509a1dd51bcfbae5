// Store: the mail store as protocols see it — users, addresses, mailboxes, messages, journal — async and
// backend-neutral. Implementations: storage/sqlite/ (embedded), storage/mongo/ (later); built by open_store.
//
// Rules every backend keeps, so that the interface fits MongoDB without multi-document transactions:
// - UIDNEXT and HIGHESTMODSEQ are counters on the mailbox, advanced atomically (SQLite: an UPDATE … RETURNING
//   inside the write transaction; MongoDB: findOneAndUpdate {$inc: {uidnext: n, modseq: n}} returning the new
//   document). A counter advanced for a write that then fails leaves a gap, which IMAP allows.
// - Each change gets its own modseq and one journal entry keyed by (mailbox, modseq); messages are keyed by
//   (mailbox, uid). Both keys are unique, so a retried insert is a no-op or a duplicate-key error the backend
//   treats as success: writes are safe to retry.
// - Quota usage is a counter on the user, changed by a conditional increment (MongoDB: updateOne with
//   {quota_used: {$lte: limit - size}} and $inc), never recomputed by a scan on the hot path.
// - Conditional flag changes (UNCHANGEDSINCE) are single-document conditional updates ({modseq: {$lte: n}}).
// Errors: not_found (no such user/mailbox/message), exists, quota, permission (e.g. deleting INBOX),
// bad_input, conflict, unavailable (database busy or down), internal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/task.h"
#include "storage/search.h"
#include "storage/security_types.h"
#include "storage/types.h"

namespace mallard::storage {

template <class T>
using StoreTask = core::Task<core::Result<T>>;

class Store {
public:
    virtual ~Store() = default;

    // ---- users ----
    // Creates the user, its primary address (if given) and the default mailboxes (types.h).
    virtual StoreTask<User> create_user(NewUser user) = 0;
    virtual StoreTask<User> find_user(UserId id) = 0;
    // For authentication: `login` is a username or any of the user's addresses (normalised as for delivery).
    virtual StoreTask<User> find_user_by_login(std::string login) = 0;
    virtual StoreTask<std::vector<User>> list_users() = 0;
    // One page of users by id; `query` matches the username or the main address. The default (store.cpp) loads
    // every user; a backend pages in the database (SQLite: by primary key; MongoDB: find on _id with limit).
    virtual StoreTask<Page<User>> list_users_page(PageRequest request);
    virtual StoreTask<void> set_password_hash(UserId id, std::string password_hash) = 0;
    virtual StoreTask<void> set_quota_limit(UserId id, std::uint64_t quota_limit_bytes) = 0;
    virtual StoreTask<void> set_disabled(UserId id, bool disabled) = 0;
    // Removes the user with its addresses, mailboxes and messages.
    virtual StoreTask<void> delete_user(UserId id) = 0;
    // Sets the quota counter to the sum of the sizes of the user's messages, summed by the database in the same
    // write as the set (no delivery slips between), for a counter that drifted (POST /users/:user/quota/reset).
    // A scan of the user's messages: an administrative repair, never on the hot path.
    virtual StoreTask<QuotaRecount> recalculate_quota(UserId id) = 0;
    // The same for every user, one user per write (POST /quota/reset); answers how many were recounted.
    virtual StoreTask<std::uint64_t> recalculate_all_quotas() = 0;

    // ---- addresses ----
    // Fails with `exists` if the address (after normalisation) belongs to anyone already.
    virtual StoreTask<Address> add_address(UserId user, std::string address, bool make_primary) = 0;
    virtual StoreTask<void> remove_address(UserId user, std::string address) = 0;
    virtual StoreTask<std::vector<Address>> list_addresses(UserId user) = 0;
    // Every user's addresses, one page by lookup key; `query` matches the address. Default: via every user.
    virtual StoreTask<Page<Address>> list_addresses_page(PageRequest request);
    // An address by its id, whoever's it is: not_found otherwise. Default: searches every user's addresses.
    virtual StoreTask<Address> get_address(AddressId id);
    // Renames the user's address `id` (re-normalised; `exists` if someone has it) and/or makes it the main
    // one; not_found if it isn't the user's. The default removes and re-adds, which a backend does atomically.
    virtual StoreTask<Address> update_address(UserId user, AddressId id, std::optional<std::string> address,
                                              bool make_primary);
    // Delivery lookup: case-insensitive, dots in the local part ignored, +label stripped and returned,
    // IDN domains matched in Unicode and punycode (storage/address_normalize.h).
    virtual StoreTask<ResolvedAddress> resolve_address(std::string address) = 0;

    // ---- mailboxes ----
    virtual StoreTask<Mailbox> create_mailbox(UserId user, std::string name, SpecialUse special_use) = 0;
    virtual StoreTask<Mailbox> find_mailbox(UserId user, std::string name) = 0;
    virtual StoreTask<Mailbox> get_mailbox(MailboxId id) = 0;
    virtual StoreTask<std::vector<Mailbox>> list_mailboxes(UserId user) = 0;
    // Renames the mailbox and its children ("A" → "B" also moves "A/x" to "B/x"); INBOX can't be renamed.
    virtual StoreTask<Mailbox> rename_mailbox(MailboxId id, std::string new_name) = 0;
    // Deletes the mailbox and its messages (quota released). INBOX can't be deleted.
    virtual StoreTask<void> delete_mailbox(MailboxId id) = 0;
    virtual StoreTask<void> set_subscribed(MailboxId id, bool subscribed) = 0;
    // Messages, unseen messages and bytes in the mailbox. Default: a list_messages scan; SQLite counts in one
    // aggregate query; MongoDB would keep WildDuck's counters.
    virtual StoreTask<MailboxCounters> mailbox_counters(MailboxId box);

    // ---- messages ----
    // Returns once the message is durable (committed): it survives kill -9 of the process. The message joins
    // a thread of its user (storage/threading.h: a known Message-ID it references with the same base
    // subject, else a new thread); copies and moves keep their thread.
    virtual StoreTask<Appended> append(MailboxId box, AppendRequest message) = 0;
    virtual StoreTask<std::vector<MessageMeta>> list_messages(MailboxId box, UidRange uids) = 0;
    // One page of the mailbox's listing, with the listing's total (types.h PageQuery): the HTTP message list
    // pages with it, so a page costs its own rows and a count, not the whole mailbox's metadata.
    // SQLite: a range scan of the (mailbox_id, uid) key, LIMIT n+1, and COUNT(*) with the same filter; unseen
    // messages are in a partial index (migration 9). MongoDB: find({mailbox, uid: {$gt|$lt: cursor}}) sorted
    // by uid with limit n+1 on the {mailbox: 1, uid: 1} index, and countDocuments with the same filter; unseen
    // as WildDuck does it, an `unseen` boolean kept beside the flags array and indexed {mailbox, unseen, uid}.
    // The default (store.cpp) pages the whole list_messages in memory.
    virtual StoreTask<MessagePage> list_message_page(MailboxId box, PageQuery query);
    // The whole message, or a byte range of it.
    virtual StoreTask<std::string> read_message(MailboxId box, Uid uid, std::optional<ByteRange> range) = 0;
    // Byte ranges of several messages in one call (the HTTP listing's intros: a few KB of each text part), in
    // the given order; messages that don't exist (expunged meanwhile) are left out. The caller bounds the
    // count. The default (store.cpp) calls read_message for each.
    virtual StoreTask<std::vector<MessageSlice>> read_message_slices(MailboxId box, std::vector<MessageSlice> slices);
    // The message's parsed MIME tree (ENVELOPE, BODYSTRUCTURE, part offsets), computed once at append by
    // storage/ingest and serialised by storage/mime/serialize.h.
    virtual StoreTask<std::string> read_mime_tree(MailboxId box, Uid uid) = 0;
    // The MIME trees of the messages in `uids` that exist, ascending by UID: FETCH ENVELOPE/BODYSTRUCTURE of a
    // run of messages in one query instead of one each (at 100,000 messages the per-message round trips were
    // four fifths of the time). The caller bounds the range. The default (store.cpp) asks message by message.
    virtual StoreTask<std::vector<MimeTree>> read_mime_trees(MailboxId box, UidRange uids);
    virtual StoreTask<FlagResult> store_flags(MailboxId box, FlagChange change) = 0;
    virtual StoreTask<CopyResult> copy(MailboxId from, UidRange uids, MailboxId to) = 0;
    virtual StoreTask<CopyResult> move(MailboxId from, UidRange uids, MailboxId to) = 0;
    // Removes the messages flagged \Deleted (only those within `uids`, for UID EXPUNGE).
    virtual StoreTask<ExpungeResult> expunge(MailboxId box, UidRange uids) = 0;
    // SEARCH (RFC 3501 §6.4.4, RFC 7162 §3.1.5): the UIDs of the mailbox's messages matching `query`
    // (storage/search.h), ascending. Fails with bad_input past the limits of search.h.
    // SQLite: one SQL query over the message rows, text keys through an FTS5 trigram index (sqlite/search.cpp).
    // MongoDB, as WildDuck does it: a text index on the decoded headers and text of the message documents
    // for words, the keys translated into one find() filter on the mailbox's messages ($in for UID ranges,
    // $all/$nin on the flags array, ranges on dates, size and modseq, $and/$or/$nor for the tree), and
    // substring keys checked with an escaped, unanchored $regex on the stored folded text.
    virtual StoreTask<std::vector<Uid>> search(MailboxId box, SearchQuery query) = 0;
    // How many messages of the user each of `threads` holds (WildDuck's threadCounters); unknown ones are left
    // out. The default knows no threads and returns none.
    virtual StoreTask<std::vector<ThreadCount>> thread_counts(UserId user, std::vector<ThreadId> threads);

    // ---- filters ----
    // Delivery filters (types.h). create/update fail with not_found for an unknown user or an action mailbox
    // that is not the user's, bad_input for a field past max_filter_field_bytes, quota past
    // max_filters_per_user. An empty query matches every message (as in WildDuck). Lists are in creation
    // order, disabled filters included.
    virtual StoreTask<Filter> create_filter(UserId user, NewFilter filter) = 0;
    virtual StoreTask<std::vector<Filter>> list_filters(UserId user) = 0;
    virtual StoreTask<Filter> get_filter(UserId user, FilterId id) = 0;
    // Replaces name, query, action and disabled; id and created stay.
    virtual StoreTask<Filter> update_filter(UserId user, FilterId id, NewFilter filter) = 0;
    virtual StoreTask<void> delete_filter(UserId user, FilterId id) = 0;

    // ---- API tokens ----
    // Stores a token for token.user: not_found for an unknown user, exists when the hash is taken.
    virtual StoreTask<void> create_api_token(ApiToken token) = 0;
    // The token with that hash if it is still valid at `now`; not_found otherwise (an expired one is removed).
    virtual StoreTask<ApiToken> find_api_token(std::string hash, TimePoint now) = 0;
    // Moves the expiry (a sliding session); not_found if the token is gone.
    virtual StoreTask<void> extend_api_token(std::string hash, TimePoint expires) = 0;
    // Removes the token; removing an unknown one succeeds (logging out twice is not an error).
    virtual StoreTask<void> delete_api_token(std::string hash) = 0;
    // Clears needs_totp: the token's TOTP check passed. not_found if the token is gone.
    virtual StoreTask<void> confirm_api_token_totp(std::string hash) = 0;
    // Removes every token of the user (a password change ends all sessions, as WildDuck's authVersion does);
    // an unknown user has none. delete_user removes the user's tokens too.
    virtual StoreTask<void> delete_user_api_tokens(UserId user) = 0;
    // ---- account security (security_types.h) ----
    // Application-specific passwords. Lists are in creation order. find_ returns the user's unexpired ones with
    // this lookup digest (usually none or one), for the login code to verify.
    virtual StoreTask<AppPassword> create_app_password(UserId user, NewAppPassword asp) = 0;
    virtual StoreTask<std::vector<AppPassword>> list_app_passwords(UserId user) = 0;
    virtual StoreTask<AppPassword> get_app_password(UserId user, AppPasswordId id) = 0;
    virtual StoreTask<void> delete_app_password(UserId user, AppPasswordId id) = 0;
    virtual StoreTask<std::vector<AppPassword>> find_app_passwords(UserId user, std::string lookup) = 0;
    // TOTP. set_totp replaces the whole state; claim_totp_step records `step` as used only if it is later
    // than the last one used (a conditional update: {last_step: {$lt: step}}), false if it was not.
    virtual StoreTask<TotpState> get_totp(UserId user) = 0;
    virtual StoreTask<void> set_totp(UserId user, TotpState state) = 0;
    virtual StoreTask<bool> claim_totp_step(UserId user, std::int64_t step) = 0;
    // The auth log: record_ also drops the user's events older than `keep` (MongoDB: a TTL index instead).
    // Lists are newest first.
    virtual StoreTask<AuthEvent> record_auth_event(AuthEvent event, std::chrono::seconds keep) = 0;
    virtual StoreTask<std::vector<AuthEvent>> list_auth_events(UserId user, std::size_t limit) = 0;
    virtual StoreTask<AuthEvent> get_auth_event(UserId user, AuthEventId id) = 0;
    // Failure counters for rate limits, shared by every process on the store: add_ starts a new window of
    // `window` when the old one has passed (MongoDB: findOneAndUpdate with upsert; Redis: INCR + EXPIRE).
    virtual StoreTask<FailureCount> add_auth_failure(std::string key, std::chrono::seconds window) = 0;
    virtual StoreTask<FailureCount> read_auth_failures(std::string key) = 0;
    virtual StoreTask<void> clear_auth_failures(std::string key) = 0;

    // ---- journal ----
    // Entries with modseq > `since`, ascending.
    virtual StoreTask<std::vector<JournalEntry>> journal_since(MailboxId box, ModSeq since) = 0;
};

}  // namespace mallard::storage
