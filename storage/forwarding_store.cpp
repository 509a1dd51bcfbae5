// ForwardingStore: see forwarding_store.h. Each call returns the inner store's task as it is: no coroutine
// frame of its own.
#include "storage/forwarding_store.h"

#include <utility>

namespace mallard::storage {

StoreTask<User> ForwardingStore::create_user(NewUser user) { return inner_.create_user(std::move(user)); }
StoreTask<User> ForwardingStore::find_user(UserId id) { return inner_.find_user(std::move(id)); }
StoreTask<User> ForwardingStore::find_user_by_login(std::string login) { return inner_.find_user_by_login(std::move(login)); }
StoreTask<std::vector<User>> ForwardingStore::list_users() { return inner_.list_users(); }
StoreTask<Page<User>> ForwardingStore::list_users_page(PageRequest request) { return inner_.list_users_page(std::move(request)); }
StoreTask<Page<Address>> ForwardingStore::list_addresses_page(PageRequest request) { return inner_.list_addresses_page(std::move(request)); }
StoreTask<Address> ForwardingStore::get_address(AddressId id) { return inner_.get_address(std::move(id)); }
StoreTask<Address> ForwardingStore::update_address(UserId user, AddressId id, std::optional<std::string> address,
                                                   bool make_primary) {
    return inner_.update_address(std::move(user), std::move(id), std::move(address), make_primary);
}
StoreTask<MailboxCounters> ForwardingStore::mailbox_counters(MailboxId box) { return inner_.mailbox_counters(std::move(box)); }
StoreTask<std::vector<ThreadCount>> ForwardingStore::thread_counts(UserId user, std::vector<ThreadId> threads) {
    return inner_.thread_counts(std::move(user), std::move(threads));
}
StoreTask<void> ForwardingStore::set_password_hash(UserId id, std::string password_hash) { return inner_.set_password_hash(std::move(id), std::move(password_hash)); }
StoreTask<void> ForwardingStore::set_quota_limit(UserId id, std::uint64_t quota_limit_bytes) { return inner_.set_quota_limit(std::move(id), quota_limit_bytes); }
StoreTask<void> ForwardingStore::set_disabled(UserId id, bool disabled) { return inner_.set_disabled(std::move(id), disabled); }
StoreTask<void> ForwardingStore::delete_user(UserId id) { return inner_.delete_user(std::move(id)); }
StoreTask<QuotaRecount> ForwardingStore::recalculate_quota(UserId id) { return inner_.recalculate_quota(std::move(id)); }
StoreTask<std::uint64_t> ForwardingStore::recalculate_all_quotas() { return inner_.recalculate_all_quotas(); }
StoreTask<Address> ForwardingStore::add_address(UserId user, std::string address, bool make_primary) { return inner_.add_address(std::move(user), std::move(address), make_primary); }
StoreTask<void> ForwardingStore::remove_address(UserId user, std::string address) { return inner_.remove_address(std::move(user), std::move(address)); }
StoreTask<std::vector<Address>> ForwardingStore::list_addresses(UserId user) { return inner_.list_addresses(std::move(user)); }
StoreTask<ResolvedAddress> ForwardingStore::resolve_address(std::string address) { return inner_.resolve_address(std::move(address)); }
StoreTask<Mailbox> ForwardingStore::create_mailbox(UserId user, std::string name, SpecialUse special_use) { return inner_.create_mailbox(std::move(user), std::move(name), special_use); }
StoreTask<Mailbox> ForwardingStore::find_mailbox(UserId user, std::string name) { return inner_.find_mailbox(std::move(user), std::move(name)); }
StoreTask<Mailbox> ForwardingStore::get_mailbox(MailboxId id) { return inner_.get_mailbox(std::move(id)); }
StoreTask<std::vector<Mailbox>> ForwardingStore::list_mailboxes(UserId user) { return inner_.list_mailboxes(std::move(user)); }
StoreTask<Mailbox> ForwardingStore::rename_mailbox(MailboxId id, std::string new_name) { return inner_.rename_mailbox(std::move(id), std::move(new_name)); }
StoreTask<void> ForwardingStore::delete_mailbox(MailboxId id) { return inner_.delete_mailbox(std::move(id)); }
StoreTask<void> ForwardingStore::set_subscribed(MailboxId id, bool subscribed) { return inner_.set_subscribed(std::move(id), subscribed); }
StoreTask<Appended> ForwardingStore::append(MailboxId box, AppendRequest message) { return inner_.append(std::move(box), std::move(message)); }
StoreTask<std::vector<MessageMeta>> ForwardingStore::list_messages(MailboxId box, UidRange uids) { return inner_.list_messages(std::move(box), std::move(uids)); }
StoreTask<MessagePage> ForwardingStore::list_message_page(MailboxId box, PageQuery query) { return inner_.list_message_page(std::move(box), std::move(query)); }
StoreTask<std::vector<MessageSlice>> ForwardingStore::read_message_slices(MailboxId box, std::vector<MessageSlice> slices) { return inner_.read_message_slices(std::move(box), std::move(slices)); }
StoreTask<std::string> ForwardingStore::read_message(MailboxId box, Uid uid, std::optional<ByteRange> range) { return inner_.read_message(std::move(box), uid, std::move(range)); }
StoreTask<std::string> ForwardingStore::read_mime_tree(MailboxId box, Uid uid) { return inner_.read_mime_tree(std::move(box), uid); }
StoreTask<std::vector<MimeTree>> ForwardingStore::read_mime_trees(MailboxId box, UidRange uids) { return inner_.read_mime_trees(std::move(box), uids); }
StoreTask<FlagResult> ForwardingStore::store_flags(MailboxId box, FlagChange change) { return inner_.store_flags(std::move(box), std::move(change)); }
StoreTask<CopyResult> ForwardingStore::copy(MailboxId from, UidRange uids, MailboxId to) { return inner_.copy(std::move(from), std::move(uids), std::move(to)); }
StoreTask<CopyResult> ForwardingStore::move(MailboxId from, UidRange uids, MailboxId to) { return inner_.move(std::move(from), std::move(uids), std::move(to)); }
StoreTask<ExpungeResult> ForwardingStore::expunge(MailboxId box, UidRange uids) { return inner_.expunge(std::move(box), std::move(uids)); }
StoreTask<std::vector<Uid>> ForwardingStore::search(MailboxId box, SearchQuery query) { return inner_.search(std::move(box), std::move(query)); }
StoreTask<Filter> ForwardingStore::create_filter(UserId user, NewFilter filter) { return inner_.create_filter(std::move(user), std::move(filter)); }
StoreTask<std::vector<Filter>> ForwardingStore::list_filters(UserId user) { return inner_.list_filters(std::move(user)); }
StoreTask<Filter> ForwardingStore::get_filter(UserId user, FilterId id) { return inner_.get_filter(std::move(user), std::move(id)); }
StoreTask<Filter> ForwardingStore::update_filter(UserId user, FilterId id, NewFilter filter) { return inner_.update_filter(std::move(user), std::move(id), std::move(filter)); }
StoreTask<void> ForwardingStore::delete_filter(UserId user, FilterId id) { return inner_.delete_filter(std::move(user), std::move(id)); }
StoreTask<void> ForwardingStore::create_api_token(ApiToken token) { return inner_.create_api_token(std::move(token)); }
StoreTask<ApiToken> ForwardingStore::find_api_token(std::string hash, TimePoint now) { return inner_.find_api_token(std::move(hash), now); }
StoreTask<void> ForwardingStore::extend_api_token(std::string hash, TimePoint expires) { return inner_.extend_api_token(std::move(hash), expires); }
StoreTask<void> ForwardingStore::delete_api_token(std::string hash) { return inner_.delete_api_token(std::move(hash)); }
StoreTask<void> ForwardingStore::confirm_api_token_totp(std::string hash) {
    return inner_.confirm_api_token_totp(std::move(hash));
}
StoreTask<void> ForwardingStore::delete_user_api_tokens(UserId user) { return inner_.delete_user_api_tokens(std::move(user)); }
StoreTask<AppPassword> ForwardingStore::create_app_password(UserId user, NewAppPassword asp) { return inner_.create_app_password(std::move(user), std::move(asp)); }
StoreTask<std::vector<AppPassword>> ForwardingStore::list_app_passwords(UserId user) { return inner_.list_app_passwords(std::move(user)); }
StoreTask<AppPassword> ForwardingStore::get_app_password(UserId user, AppPasswordId id) { return inner_.get_app_password(std::move(user), std::move(id)); }
StoreTask<void> ForwardingStore::delete_app_password(UserId user, AppPasswordId id) { return inner_.delete_app_password(std::move(user), std::move(id)); }
StoreTask<std::vector<AppPassword>> ForwardingStore::find_app_passwords(UserId user, std::string lookup) { return inner_.find_app_passwords(std::move(user), std::move(lookup)); }
StoreTask<TotpState> ForwardingStore::get_totp(UserId user) { return inner_.get_totp(std::move(user)); }
StoreTask<void> ForwardingStore::set_totp(UserId user, TotpState state) { return inner_.set_totp(std::move(user), std::move(state)); }
StoreTask<bool> ForwardingStore::claim_totp_step(UserId user, std::int64_t step) { return inner_.claim_totp_step(std::move(user), step); }
StoreTask<AuthEvent> ForwardingStore::record_auth_event(AuthEvent event, std::chrono::seconds keep) { return inner_.record_auth_event(std::move(event), keep); }
StoreTask<std::vector<AuthEvent>> ForwardingStore::list_auth_events(UserId user, std::size_t limit) { return inner_.list_auth_events(std::move(user), limit); }
StoreTask<AuthEvent> ForwardingStore::get_auth_event(UserId user, AuthEventId id) { return inner_.get_auth_event(std::move(user), std::move(id)); }
StoreTask<FailureCount> ForwardingStore::add_auth_failure(std::string key, std::chrono::seconds window) { return inner_.add_auth_failure(std::move(key), window); }
StoreTask<FailureCount> ForwardingStore::read_auth_failures(std::string key) { return inner_.read_auth_failures(std::move(key)); }
StoreTask<void> ForwardingStore::clear_auth_failures(std::string key) { return inner_.clear_auth_failures(std::move(key)); }
StoreTask<std::vector<JournalEntry>> ForwardingStore::journal_since(MailboxId box, ModSeq since) { return inner_.journal_since(std::move(box), since); }

}  // namespace mallard::storage
