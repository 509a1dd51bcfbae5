// ForwardingStore: a Store that passes every call to another one. Decorators derive from it and override
// only what they change (notify/notifying_store.h announces writes; tests inject failures), so a method added
// to Store is forwarded in one place.
#pragma once

#include "storage/store.h"

namespace mallard::storage {

class ForwardingStore : public Store {
public:
    // `inner` must outlive this store.
    explicit ForwardingStore(Store& inner) : inner_(inner) {}

    StoreTask<User> create_user(NewUser user) override;
    StoreTask<User> find_user(UserId id) override;
    StoreTask<User> find_user_by_login(std::string login) override;
    StoreTask<std::vector<User>> list_users() override;
    StoreTask<Page<User>> list_users_page(PageRequest request) override;
    StoreTask<void> set_password_hash(UserId id, std::string password_hash) override;
    StoreTask<void> set_quota_limit(UserId id, std::uint64_t quota_limit_bytes) override;
    StoreTask<void> set_disabled(UserId id, bool disabled) override;
    StoreTask<void> delete_user(UserId id) override;
    StoreTask<QuotaRecount> recalculate_quota(UserId id) override;
    StoreTask<std::uint64_t> recalculate_all_quotas() override;
    StoreTask<Address> add_address(UserId user, std::string address, bool make_primary) override;
    StoreTask<void> remove_address(UserId user, std::string address) override;
    StoreTask<std::vector<Address>> list_addresses(UserId user) override;
    StoreTask<Page<Address>> list_addresses_page(PageRequest request) override;
    StoreTask<Address> get_address(AddressId id) override;
    StoreTask<Address> update_address(UserId user, AddressId id, std::optional<std::string> address,
                                      bool make_primary) override;
    StoreTask<ResolvedAddress> resolve_address(std::string address) override;
    StoreTask<Mailbox> create_mailbox(UserId user, std::string name, SpecialUse special_use) override;
    StoreTask<Mailbox> find_mailbox(UserId user, std::string name) override;
    StoreTask<Mailbox> get_mailbox(MailboxId id) override;
    StoreTask<std::vector<Mailbox>> list_mailboxes(UserId user) override;
    StoreTask<Mailbox> rename_mailbox(MailboxId id, std::string new_name) override;
    StoreTask<void> delete_mailbox(MailboxId id) override;
    StoreTask<void> set_subscribed(MailboxId id, bool subscribed) override;
    StoreTask<MailboxCounters> mailbox_counters(MailboxId box) override;
    StoreTask<Appended> append(MailboxId box, AppendRequest message) override;
    StoreTask<std::vector<MessageMeta>> list_messages(MailboxId box, UidRange uids) override;
    StoreTask<MessagePage> list_message_page(MailboxId box, PageQuery query) override;
    StoreTask<std::vector<MessageSlice>> read_message_slices(MailboxId box, std::vector<MessageSlice> slices) override;
    StoreTask<std::string> read_message(MailboxId box, Uid uid, std::optional<ByteRange> range) override;
    StoreTask<std::string> read_mime_tree(MailboxId box, Uid uid) override;
    StoreTask<std::vector<MimeTree>> read_mime_trees(MailboxId box, UidRange uids) override;
    StoreTask<FlagResult> store_flags(MailboxId box, FlagChange change) override;
    StoreTask<CopyResult> copy(MailboxId from, UidRange uids, MailboxId to) override;
    StoreTask<CopyResult> move(MailboxId from, UidRange uids, MailboxId to) override;
    StoreTask<ExpungeResult> expunge(MailboxId box, UidRange uids) override;
    StoreTask<std::vector<Uid>> search(MailboxId box, SearchQuery query) override;
    StoreTask<std::vector<ThreadCount>> thread_counts(UserId user, std::vector<ThreadId> threads) override;
    StoreTask<Filter> create_filter(UserId user, NewFilter filter) override;
    StoreTask<std::vector<Filter>> list_filters(UserId user) override;
    StoreTask<Filter> get_filter(UserId user, FilterId id) override;
    StoreTask<Filter> update_filter(UserId user, FilterId id, NewFilter filter) override;
    StoreTask<void> delete_filter(UserId user, FilterId id) override;
    StoreTask<void> create_api_token(ApiToken token) override;
    StoreTask<ApiToken> find_api_token(std::string hash, TimePoint now) override;
    StoreTask<void> extend_api_token(std::string hash, TimePoint expires) override;
    StoreTask<void> delete_api_token(std::string hash) override;
    StoreTask<void> confirm_api_token_totp(std::string hash) override;
    StoreTask<void> delete_user_api_tokens(UserId user) override;
    StoreTask<AppPassword> create_app_password(UserId user, NewAppPassword asp) override;
    StoreTask<std::vector<AppPassword>> list_app_passwords(UserId user) override;
    StoreTask<AppPassword> get_app_password(UserId user, AppPasswordId id) override;
    StoreTask<void> delete_app_password(UserId user, AppPasswordId id) override;
    StoreTask<std::vector<AppPassword>> find_app_passwords(UserId user, std::string lookup) override;
    StoreTask<TotpState> get_totp(UserId user) override;
    StoreTask<void> set_totp(UserId user, TotpState state) override;
    StoreTask<bool> claim_totp_step(UserId user, std::int64_t step) override;
    StoreTask<AuthEvent> record_auth_event(AuthEvent event, std::chrono::seconds keep) override;
    StoreTask<std::vector<AuthEvent>> list_auth_events(UserId user, std::size_t limit) override;
    StoreTask<AuthEvent> get_auth_event(UserId user, AuthEventId id) override;
    StoreTask<FailureCount> add_auth_failure(std::string key, std::chrono::seconds window) override;
    StoreTask<FailureCount> read_auth_failures(std::string key) override;
    StoreTask<void> clear_auth_failures(std::string key) override;

    StoreTask<std::vector<JournalEntry>> journal_since(MailboxId box, ModSeq since) override;

protected:
    Store& inner() { return inner_; }

private:
    Store& inner_;
};

}  // namespace mallard::storage
