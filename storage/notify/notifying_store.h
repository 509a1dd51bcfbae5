// NotifyingStore: the Store every protocol uses in the server. It forwards to the real backend and, after a
// write to a mailbox has committed, announces it on the bus (bus.h) — so sessions hear of every change the
// process makes, whichever protocol made it (IMAP, LMTP delivery, POP3's UPDATE state, the HTTP API), and no
// backend needs to know that the bus exists.
#pragma once

#include <memory>

#include "storage/forwarding_store.h"
#include "storage/notify/bus.h"

namespace mallard::storage::notify {

class NotifyingStore final : public ForwardingStore {
public:
    // `bus` must outlive this store.
    NotifyingStore(std::unique_ptr<Store> backend, Bus& bus)
        : ForwardingStore(*backend), backend_(std::move(backend)), bus_(bus) {}

    StoreTask<Mailbox> rename_mailbox(MailboxId id, std::string new_name) override;
    StoreTask<void> delete_mailbox(MailboxId id) override;
    StoreTask<Appended> append(MailboxId box, AppendRequest message) override;
    StoreTask<FlagResult> store_flags(MailboxId box, FlagChange change) override;
    StoreTask<CopyResult> copy(MailboxId from, UidRange uids, MailboxId to) override;
    StoreTask<CopyResult> move(MailboxId from, UidRange uids, MailboxId to) override;
    StoreTask<ExpungeResult> expunge(MailboxId box, UidRange uids) override;

private:
    void announce(const MailboxId& box, ModSeq modseq) { bus_.publish(MailboxChange{box, modseq}); }

    std::unique_ptr<Store> backend_;
    Bus& bus_;
};

}  // namespace mallard::storage::notify
