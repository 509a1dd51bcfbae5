// NotifyingStore: see notifying_store.h. Writes wait for the backend and announce the change only once it
// succeeded; everything else is ForwardingStore's.
#include "storage/notify/notifying_store.h"

#include <algorithm>
#include <utility>

namespace mallard::storage::notify {

StoreTask<Appended> NotifyingStore::append(MailboxId box, AppendRequest message) {
    auto appended = co_await inner().append(box, std::move(message));
    if (appended) announce(box, appended->modseq);
    co_return appended;
}

StoreTask<FlagResult> NotifyingStore::store_flags(MailboxId box, FlagChange change) {
    auto result = co_await inner().store_flags(box, std::move(change));
    if (result && !result->changed.empty()) {
        ModSeq highest = 0;
        for (const auto& meta : result->changed) highest = std::max(highest, meta.modseq);
        announce(box, highest);
    }
    co_return result;
}

StoreTask<CopyResult> NotifyingStore::copy(MailboxId from, UidRange uids, MailboxId to) {
    auto result = co_await inner().copy(std::move(from), uids, to);
    if (result && !result->dest_uids.empty()) announce(to, 0);
    co_return result;
}

StoreTask<CopyResult> NotifyingStore::move(MailboxId from, UidRange uids, MailboxId to) {
    auto result = co_await inner().move(from, uids, to);
    if (result && !result->dest_uids.empty()) {
        announce(to, 0);
        announce(from, 0);
    }
    co_return result;
}

StoreTask<ExpungeResult> NotifyingStore::expunge(MailboxId box, UidRange uids) {
    auto result = co_await inner().expunge(box, uids);
    if (result && !result->uids.empty()) announce(box, 0);
    co_return result;
}

StoreTask<Mailbox> NotifyingStore::rename_mailbox(MailboxId id, std::string new_name) {
    auto result = co_await inner().rename_mailbox(id, std::move(new_name));
    if (result) announce(id, 0);
    co_return result;
}

StoreTask<void> NotifyingStore::delete_mailbox(MailboxId id) {
    auto result = co_await inner().delete_mailbox(id);
    if (result) announce(id, 0);
    co_return result;
}

}  // namespace mallard::storage::notify
