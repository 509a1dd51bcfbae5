// SqliteStore: each operation builds a job, runs it on the pool with the thread's connection, and turns
// database failures into core::Error there (SQLITE_BUSY after busy_timeout → unavailable).
#include "storage/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <unordered_map>

#include "core/log.h"
#include "storage/sqlite/migrations.h"
#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

namespace {

std::atomic<std::uint64_t> next_generation{1};

Error to_error(const SqliteError& e) {
    switch (e.code()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_IOERR: return Error(Errc::unavailable, e.what());
    default: return Error(Errc::internal, e.what());
    }
}

// Wraps a query `fn(Db&) -> Result<T>` into a job for pool.run: connection lookup and error mapping.
template <class F>
auto job(SqliteStore& store, F fn) {
    return [&store, fn = std::move(fn)]() -> decltype(fn(store.connection())) {
        try {
            return fn(store.connection());
        } catch (const SqliteError& e) {
            MLOG(warn) << "sqlite: " << e.what();
            return to_error(e);
        }
    };
}

}  // namespace

SqliteStore::SqliteStore(ConnectionOptions options, core::ThreadPool& pool)
    : options_(std::move(options)), pool_(pool), generation_(next_generation.fetch_add(1)) {}

SqliteStore::~SqliteStore() = default;

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteOptions& options, core::ThreadPool& pool) {
    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) return Error(Errc::io, "creating " + options.data_dir + ": " + ec.message());
    ConnectionOptions c;
    c.path = (std::filesystem::path(options.data_dir) / "mallard.db").string();
    c.synchronous_full = options.synchronous_full;
    c.busy_timeout_ms = options.busy_timeout_ms;
    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(c), pool));
    store->ingest_options_ = options.ingest;
    register_search_functions();  // before the first connection: every connection gets them
    try {
        Db db(store->options_);  // a short-lived connection on this thread, just for migrations
        migrate(db);
    } catch (const SqliteError& e) {
        return to_error(e);
    }
    return store;
}

Db& SqliteStore::connection() {
    thread_local std::unordered_map<std::uint64_t, Db*> mine;
    auto it = mine.find(generation_);
    if (it != mine.end()) return *it->second;
    auto db = std::make_unique<Db>(options_);
    Db* raw = db.get();
    {
        std::lock_guard lock(mutex_);
        connections_.push_back(std::move(db));
    }
    mine.emplace(generation_, raw);
    return *raw;
}

// One `auto x = co_await …;` per statement, the job built before it (STYLE.md, g++ 12 notes).
#define MALLARD_SQLITE_CALL(expr)                                                   \
    auto work = job(*this, [=](Db& db) { return expr; });                          \
    auto result = co_await pool_.run(std::move(work));                             \
    co_return result

StoreTask<User> SqliteStore::create_user(NewUser user) { MALLARD_SQLITE_CALL(sqlite::create_user(db, user)); }
StoreTask<User> SqliteStore::find_user(UserId id) { MALLARD_SQLITE_CALL(sqlite::find_user(db, id)); }
StoreTask<User> SqliteStore::find_user_by_login(std::string login) {
    MALLARD_SQLITE_CALL(sqlite::find_user_by_login(db, login));
}
StoreTask<std::vector<User>> SqliteStore::list_users() { MALLARD_SQLITE_CALL(sqlite::list_users(db)); }
StoreTask<void> SqliteStore::set_password_hash(UserId id, std::string password_hash) {
    MALLARD_SQLITE_CALL(sqlite::set_password_hash(db, id, password_hash));
}
StoreTask<void> SqliteStore::set_quota_limit(UserId id, std::uint64_t quota_limit_bytes) {
    MALLARD_SQLITE_CALL(sqlite::set_quota_limit(db, id, quota_limit_bytes));
}
StoreTask<void> SqliteStore::set_disabled(UserId id, bool disabled) {
    MALLARD_SQLITE_CALL(sqlite::set_disabled(db, id, disabled));
}
StoreTask<void> SqliteStore::delete_user(UserId id) { MALLARD_SQLITE_CALL(sqlite::delete_user(db, id)); }
StoreTask<Page<User>> SqliteStore::list_users_page(PageRequest request) {
    MALLARD_SQLITE_CALL(sqlite::list_users_page(db, request));
}
StoreTask<Page<Address>> SqliteStore::list_addresses_page(PageRequest request) {
    MALLARD_SQLITE_CALL(sqlite::list_addresses_page(db, request));
}
StoreTask<Address> SqliteStore::get_address(AddressId id) { MALLARD_SQLITE_CALL(sqlite::get_address(db, id)); }
StoreTask<Address> SqliteStore::update_address(UserId user, AddressId id, std::optional<std::string> address,
                                               bool make_primary) {
    MALLARD_SQLITE_CALL(sqlite::update_address(db, user, id, address, make_primary));
}
StoreTask<MailboxCounters> SqliteStore::mailbox_counters(MailboxId box) {
    MALLARD_SQLITE_CALL(sqlite::mailbox_counters(db, box));
}
StoreTask<std::vector<ThreadCount>> SqliteStore::thread_counts(UserId user, std::vector<ThreadId> threads) {
    MALLARD_SQLITE_CALL(sqlite::thread_counts(db, user, threads));
}
StoreTask<QuotaRecount> SqliteStore::recalculate_quota(UserId id) {
    MALLARD_SQLITE_CALL(sqlite::recalculate_quota(db, id));
}
StoreTask<std::uint64_t> SqliteStore::recalculate_all_quotas() {
    MALLARD_SQLITE_CALL(sqlite::recalculate_all_quotas(db));
}

StoreTask<Address> SqliteStore::add_address(UserId user, std::string address, bool make_primary) {
    MALLARD_SQLITE_CALL(sqlite::add_address(db, user, address, make_primary));
}
StoreTask<void> SqliteStore::remove_address(UserId user, std::string address) {
    MALLARD_SQLITE_CALL(sqlite::remove_address(db, user, address));
}
StoreTask<std::vector<Address>> SqliteStore::list_addresses(UserId user) {
    MALLARD_SQLITE_CALL(sqlite::list_addresses(db, user));
}
StoreTask<ResolvedAddress> SqliteStore::resolve_address(std::string address) {
    MALLARD_SQLITE_CALL(sqlite::resolve_address(db, address));
}

StoreTask<Mailbox> SqliteStore::create_mailbox(UserId user, std::string name, SpecialUse special_use) {
    MALLARD_SQLITE_CALL(sqlite::create_mailbox(db, user, name, special_use));
}
StoreTask<Mailbox> SqliteStore::find_mailbox(UserId user, std::string name) {
    MALLARD_SQLITE_CALL(sqlite::find_mailbox(db, user, name));
}
StoreTask<Mailbox> SqliteStore::get_mailbox(MailboxId id) { MALLARD_SQLITE_CALL(sqlite::get_mailbox(db, id)); }
StoreTask<std::vector<Mailbox>> SqliteStore::list_mailboxes(UserId user) {
    MALLARD_SQLITE_CALL(sqlite::list_mailboxes(db, user));
}
StoreTask<Mailbox> SqliteStore::rename_mailbox(MailboxId id, std::string new_name) {
    MALLARD_SQLITE_CALL(sqlite::rename_mailbox(db, id, new_name));
}
StoreTask<void> SqliteStore::delete_mailbox(MailboxId id) { MALLARD_SQLITE_CALL(sqlite::delete_mailbox(db, id)); }
StoreTask<void> SqliteStore::set_subscribed(MailboxId id, bool subscribed) {
    MALLARD_SQLITE_CALL(sqlite::set_subscribed(db, id, subscribed));
}

StoreTask<Appended> SqliteStore::append(MailboxId box, AppendRequest message) {
    auto shared = std::make_shared<const AppendRequest>(std::move(message));  // the job is copied; the bytes aren't
    const IngestOptions options = ingest_options_;  // copied: the job must not capture `this` implicitly
    MALLARD_SQLITE_CALL(sqlite::append(db, box, *shared, options));
}
StoreTask<std::vector<MessageMeta>> SqliteStore::list_messages(MailboxId box, UidRange uids) {
    MALLARD_SQLITE_CALL(sqlite::list_messages(db, box, uids));
}
StoreTask<MessagePage> SqliteStore::list_message_page(MailboxId box, PageQuery query) {
    MALLARD_SQLITE_CALL(sqlite::list_message_page(db, box, query));
}
StoreTask<std::vector<MessageSlice>> SqliteStore::read_message_slices(MailboxId box, std::vector<MessageSlice> slices) {
    MALLARD_SQLITE_CALL(sqlite::read_message_slices(db, box, slices));
}
StoreTask<std::string> SqliteStore::read_message(MailboxId box, Uid uid, std::optional<ByteRange> range) {
    MALLARD_SQLITE_CALL(sqlite::read_message(db, box, uid, range));
}
StoreTask<std::string> SqliteStore::read_mime_tree(MailboxId box, Uid uid) {
    MALLARD_SQLITE_CALL(sqlite::read_mime_tree(db, box, uid));
}
StoreTask<std::vector<MimeTree>> SqliteStore::read_mime_trees(MailboxId box, UidRange uids) {
    MALLARD_SQLITE_CALL(sqlite::read_mime_trees(db, box, uids));
}
StoreTask<FlagResult> SqliteStore::store_flags(MailboxId box, FlagChange change) {
    MALLARD_SQLITE_CALL(sqlite::store_flags(db, box, change));
}
StoreTask<CopyResult> SqliteStore::copy(MailboxId from, UidRange uids, MailboxId to) {
    MALLARD_SQLITE_CALL(sqlite::copy(db, from, uids, to, false));
}
StoreTask<CopyResult> SqliteStore::move(MailboxId from, UidRange uids, MailboxId to) {
    MALLARD_SQLITE_CALL(sqlite::copy(db, from, uids, to, true));
}
StoreTask<ExpungeResult> SqliteStore::expunge(MailboxId box, UidRange uids) {
    MALLARD_SQLITE_CALL(sqlite::expunge(db, box, uids));
}

StoreTask<std::vector<Uid>> SqliteStore::search(MailboxId box, SearchQuery query) {
    auto shared = std::make_shared<const SearchQuery>(std::move(query));  // the job is copied; the tree isn't
    const IngestOptions options = ingest_options_;  // for bodies stored before search was indexed
    MALLARD_SQLITE_CALL(sqlite::search(db, box, *shared, options));
}

StoreTask<AppPassword> SqliteStore::create_app_password(UserId user, NewAppPassword asp) {
    MALLARD_SQLITE_CALL(sqlite::create_app_password(db, user, asp));
}
StoreTask<std::vector<AppPassword>> SqliteStore::list_app_passwords(UserId user) {
    MALLARD_SQLITE_CALL(sqlite::list_app_passwords(db, user));
}
StoreTask<AppPassword> SqliteStore::get_app_password(UserId user, AppPasswordId id) {
    MALLARD_SQLITE_CALL(sqlite::get_app_password(db, user, id));
}
StoreTask<void> SqliteStore::delete_app_password(UserId user, AppPasswordId id) {
    MALLARD_SQLITE_CALL(sqlite::delete_app_password(db, user, id));
}
StoreTask<std::vector<AppPassword>> SqliteStore::find_app_passwords(UserId user, std::string lookup) {
    MALLARD_SQLITE_CALL(sqlite::find_app_passwords(db, user, lookup));
}
StoreTask<TotpState> SqliteStore::get_totp(UserId user) { MALLARD_SQLITE_CALL(sqlite::get_totp(db, user)); }
StoreTask<void> SqliteStore::set_totp(UserId user, TotpState state) {
    MALLARD_SQLITE_CALL(sqlite::set_totp(db, user, state));
}
StoreTask<bool> SqliteStore::claim_totp_step(UserId user, std::int64_t step) {
    MALLARD_SQLITE_CALL(sqlite::claim_totp_step(db, user, step));
}
StoreTask<AuthEvent> SqliteStore::record_auth_event(AuthEvent event, std::chrono::seconds keep) {
    MALLARD_SQLITE_CALL(sqlite::record_auth_event(db, event, keep));
}
StoreTask<std::vector<AuthEvent>> SqliteStore::list_auth_events(UserId user, std::size_t limit) {
    MALLARD_SQLITE_CALL(sqlite::list_auth_events(db, user, limit));
}
StoreTask<AuthEvent> SqliteStore::get_auth_event(UserId user, AuthEventId id) {
    MALLARD_SQLITE_CALL(sqlite::get_auth_event(db, user, id));
}
StoreTask<FailureCount> SqliteStore::add_auth_failure(std::string key, std::chrono::seconds window) {
    MALLARD_SQLITE_CALL(sqlite::add_auth_failure(db, key, window));
}
StoreTask<FailureCount> SqliteStore::read_auth_failures(std::string key) {
    MALLARD_SQLITE_CALL(sqlite::read_auth_failures(db, key));
}
StoreTask<void> SqliteStore::clear_auth_failures(std::string key) {
    MALLARD_SQLITE_CALL(sqlite::clear_auth_failures(db, key));
}

StoreTask<std::vector<JournalEntry>> SqliteStore::journal_since(MailboxId box, ModSeq since) {
    MALLARD_SQLITE_CALL(sqlite::journal_since(db, box, since));
}

StoreTask<Filter> SqliteStore::create_filter(UserId user, NewFilter filter) {
    MALLARD_SQLITE_CALL(sqlite::create_filter(db, user, filter));
}
StoreTask<std::vector<Filter>> SqliteStore::list_filters(UserId user) {
    MALLARD_SQLITE_CALL(sqlite::list_filters(db, user));
}
StoreTask<Filter> SqliteStore::get_filter(UserId user, FilterId id) {
    MALLARD_SQLITE_CALL(sqlite::get_filter(db, user, id));
}
StoreTask<Filter> SqliteStore::update_filter(UserId user, FilterId id, NewFilter filter) {
    MALLARD_SQLITE_CALL(sqlite::update_filter(db, user, id, filter));
}
StoreTask<void> SqliteStore::delete_filter(UserId user, FilterId id) {
    MALLARD_SQLITE_CALL(sqlite::delete_filter(db, user, id));
}

StoreTask<void> SqliteStore::create_api_token(ApiToken token) { MALLARD_SQLITE_CALL(sqlite::create_api_token(db, token)); }
StoreTask<ApiToken> SqliteStore::find_api_token(std::string hash, TimePoint now) {
    MALLARD_SQLITE_CALL(sqlite::find_api_token(db, hash, now));
}
StoreTask<void> SqliteStore::extend_api_token(std::string hash, TimePoint expires) {
    MALLARD_SQLITE_CALL(sqlite::extend_api_token(db, hash, expires));
}
StoreTask<void> SqliteStore::delete_api_token(std::string hash) { MALLARD_SQLITE_CALL(sqlite::delete_api_token(db, hash)); }
StoreTask<void> SqliteStore::confirm_api_token_totp(std::string hash) {
    MALLARD_SQLITE_CALL(sqlite::confirm_api_token_totp(db, hash));
}
StoreTask<void> SqliteStore::delete_user_api_tokens(UserId user) {
    MALLARD_SQLITE_CALL(sqlite::delete_user_api_tokens(db, user));
}

#undef MALLARD_SQLITE_CALL

}  // namespace mallard::storage::sqlite
