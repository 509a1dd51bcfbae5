// NotifyingStore: see notifying_store.h. Reads pass straight through (the inner task is returned as is);
// writes wait for the backend and announce the change only once it succeeded.
#include "storage/notify/notifying_store.h"

#include <algorithm>
#include <utility>

namespace mallard::storage::notify {

StoreTask<User> NotifyingStore::create_user(NewUser user) { return inner_->create_user(std::move(user)); }

StoreTask<User> NotifyingStore::find_user(UserId id) { return inner_->find_user(std::move(id)); }

StoreTask<User> NotifyingStore::find_user_by_login(std::string login) { return inner_->find_user_by_login(std::move(login)); }

StoreTask<std::vector<User>> NotifyingStore::list_users() { return inner_->list_users(); }

StoreTask<void> NotifyingStore::set_password_hash(UserId id, std::string password_hash) { return inner_->set_password_hash(std::move(id), std::move(password_hash)); }

StoreTask<void> NotifyingStore::set_quota_limit(UserId id, std::uint64_t quota_limit_bytes) { return inner_->set_quota_limit(std::move(id), quota_limit_bytes); }

StoreTask<void> NotifyingStore::set_disabled(UserId id, bool disabled) { return inner_->set_disabled(std::move(id), disabled); }

StoreTask<void> NotifyingStore::delete_user(UserId id) { return inner_->delete_user(std::move(id)); }

StoreTask<Address> NotifyingStore::add_address(UserId user, std::string address, bool make_primary) { return inner_->add_address(std::move(user), std::move(address), make_primary); }

StoreTask<void> NotifyingStore::remove_address(UserId user, std::string address) { return inner_->remove_address(std::move(user), std::move(address)); }

StoreTask<std::vector<Address>> NotifyingStore::list_addresses(UserId user) { return inner_->list_addresses(std::move(user)); }

StoreTask<ResolvedAddress> NotifyingStore::resolve_address(std::string address) { return inner_->resolve_address(std::move(address)); }

StoreTask<Mailbox> NotifyingStore::create_mailbox(UserId user, std::string name, SpecialUse special_use) { return inner_->create_mailbox(std::move(user), std::move(name), special_use); }

StoreTask<Mailbox> NotifyingStore::find_mailbox(UserId user, std::string name) { return inner_->find_mailbox(std::move(user), std::move(name)); }

StoreTask<Mailbox> NotifyingStore::get_mailbox(MailboxId id) { return inner_->get_mailbox(std::move(id)); }

StoreTask<std::vector<Mailbox>> NotifyingStore::list_mailboxes(UserId user) { return inner_->list_mailboxes(std::move(user)); }

StoreTask<void> NotifyingStore::set_subscribed(MailboxId id, bool subscribed) { return inner_->set_subscribed(std::move(id), subscribed); }

StoreTask<std::vector<MessageMeta>> NotifyingStore::list_messages(MailboxId box, UidRange uids) { return inner_->list_messages(std::move(box), std::move(uids)); }

StoreTask<std::string> NotifyingStore::read_message(MailboxId box, Uid uid, std::optional<ByteRange> range) { return inner_->read_message(std::move(box), uid, std::move(range)); }

StoreTask<std::string> NotifyingStore::read_mime_tree(MailboxId box, Uid uid) { return inner_->read_mime_tree(std::move(box), uid); }

StoreTask<std::vector<Uid>> NotifyingStore::search(MailboxId box, SearchQuery query) { return inner_->search(std::move(box), std::move(query)); }

StoreTask<std::vector<JournalEntry>> NotifyingStore::journal_since(MailboxId box, ModSeq since) { return inner_->journal_since(std::move(box), since); }
StoreTask<Filter> NotifyingStore::create_filter(UserId user, NewFilter filter) { return inner_->create_filter(std::move(user), std::move(filter)); }
StoreTask<std::vector<Filter>> NotifyingStore::list_filters(UserId user) { return inner_->list_filters(std::move(user)); }
StoreTask<Filter> NotifyingStore::get_filter(UserId user, FilterId id) { return inner_->get_filter(std::move(user), std::move(id)); }
StoreTask<Filter> NotifyingStore::update_filter(UserId user, FilterId id, NewFilter filter) { return inner_->update_filter(std::move(user), std::move(id), std::move(filter)); }
StoreTask<void> NotifyingStore::delete_filter(UserId user, FilterId id) { return inner_->delete_filter(std::move(user), std::move(id)); }

StoreTask<Appended> NotifyingStore::append(MailboxId box, AppendRequest message) {
    auto appended = co_await inner_->append(box, std::move(message));
    if (appended) announce(box, appended->modseq);
    co_return appended;
}

StoreTask<FlagResult> NotifyingStore::store_flags(MailboxId box, FlagChange change) {
    auto result = co_await inner_->store_flags(box, std::move(change));
    if (result && !result->changed.empty()) {
        ModSeq highest = 0;
        for (const auto& meta : result->changed) highest = std::max(highest, meta.modseq);
        announce(box, highest);
    }
    co_return result;
}

StoreTask<CopyResult> NotifyingStore::copy(MailboxId from, UidRange uids, MailboxId to) {
    auto result = co_await inner_->copy(std::move(from), uids, to);
    if (result && !result->dest_uids.empty()) announce(to, 0);
    co_return result;
}

StoreTask<CopyResult> NotifyingStore::move(MailboxId from, UidRange uids, MailboxId to) {
    auto result = co_await inner_->move(from, uids, to);
    if (result && !result->dest_uids.empty()) {
        announce(to, 0);
        announce(from, 0);
    }
    co_return result;
}

StoreTask<ExpungeResult> NotifyingStore::expunge(MailboxId box, UidRange uids) {
    auto result = co_await inner_->expunge(box, uids);
    if (result && !result->uids.empty()) announce(box, 0);
    co_return result;
}

StoreTask<Mailbox> NotifyingStore::rename_mailbox(MailboxId id, std::string new_name) {
    auto result = co_await inner_->rename_mailbox(id, std::move(new_name));
    if (result) announce(id, 0);
    co_return result;
}

StoreTask<void> NotifyingStore::delete_mailbox(MailboxId id) {
    auto result = co_await inner_->delete_mailbox(id);
    if (result) announce(id, 0);
    co_return result;
}

}  // namespace mallard::storage::notify
