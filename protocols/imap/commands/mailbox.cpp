// Mailbox management: CREATE (RFC 3501 §6.3.3, RFC 6154 §3 CREATE-SPECIAL-USE), DELETE (§6.3.4), RENAME
// (§6.3.5), SUBSCRIBE and UNSUBSCRIBE (§6.3.6, §6.3.7). Response codes from RFC 5530.
//
// Choices (README "Deviations"):
// - CREATE "a/b/c" creates only that mailbox; missing parents show in LIST as \Noselect names.
// - DELETE removes the mailbox and its messages only. Its children stay, and its name then lists as a
//   \Noselect parent, which is what RFC 3501 §6.3.4 describes for a name with inferiors.
// - RENAME moves the children along (store.h). RENAME INBOX follows RFC 3501 §6.3.5: a new mailbox is
//   created and INBOX's messages are moved into it; INBOX stays, empty, and its children don't move.
// - Subscriptions are a property of existing mailboxes: SUBSCRIBE to a name that doesn't exist is refused.
#include <algorithm>
#include <cctype>

#include "protocols/imap/command_table.h"
#include "protocols/imap/mailbox_support.h"

namespace mallard::imap {

using core::Task;

namespace {

bool is_inbox(const std::string& canonical) { return canonical == "INBOX"; }

// RFC 6154 §3: the attributes CREATE may set. \All and \Flagged would need virtual mailboxes.
std::optional<storage::SpecialUse> creatable_use(const std::string& attr) {
    constexpr storage::SpecialUse uses[] = {storage::SpecialUse::sent, storage::SpecialUse::drafts,
                                            storage::SpecialUse::trash, storage::SpecialUse::junk,
                                            storage::SpecialUse::archive};
    for (auto use : uses) {
        auto name = storage::special_use_name(use);
        if (name.size() == attr.size() &&
            std::equal(name.begin(), name.end(), attr.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            }))
            return use;
    }
    return std::nullopt;
}

Task<Tagged> rename_inbox(Session& s, storage::Mailbox inbox, std::string to) {
    auto created = co_await s.store().create_mailbox(s.user.id, to, storage::SpecialUse::none);
    if (!created) co_return error_reply(created.error());
    storage::UidRange all;
    auto moved = co_await s.store().move(inbox.id, all, created->id);
    if (!moved) co_return error_reply(moved.error());
    co_return Tagged::ok("RENAME completed");
}

Task<Tagged> set_subscription(Session& s, Command& c, bool subscribed) {
    auto name = mailbox_name_in(s, std::move(std::get<MailboxArgument>(c.args).mailbox));
    if (!name) co_return invalid_mailbox_name();
    auto box = co_await s.store().find_mailbox(s.user.id, *name);
    if (!box) co_return error_reply(box.error());
    auto set = co_await s.store().set_subscribed(box->id, subscribed);
    if (!set) co_return error_reply(set.error());
    co_return Tagged::ok(c.name + " completed");
}

}  // namespace

Task<Tagged> cmd_create(Session& s, Command& c) {
    auto& args = std::get<Create>(c.args);
    auto name = mailbox_name_in(s, std::move(args.mailbox));
    if (!name) co_return invalid_mailbox_name();
    // RFC 3501 §6.3.3: a trailing delimiter declares the intent to create children; the name is without it.
    if (name->size() > 1 && name->back() == storage::mailbox_delimiter) name->pop_back();
    if (is_inbox(*name)) co_return Tagged::no("[ALREADYEXISTS] INBOX always exists");
    auto use = storage::SpecialUse::none;
    if (args.special_use.size() > 1) co_return Tagged::no("[USEATTR] Only one special-use attribute per mailbox");
    if (args.special_use.size() == 1) {
        auto wanted = creatable_use(args.special_use.front());
        if (!wanted) co_return Tagged::no("[USEATTR] Unsupported special-use attribute");
        use = *wanted;
    }
    auto created = co_await s.store().create_mailbox(s.user.id, std::move(*name), use);
    if (!created) co_return error_reply(created.error());
    co_return Tagged::ok("CREATE completed");
}

Task<Tagged> cmd_delete(Session& s, Command& c) {
    auto name = mailbox_name_in(s, std::move(std::get<MailboxArgument>(c.args).mailbox));
    if (!name) co_return invalid_mailbox_name();
    if (is_inbox(*name)) co_return Tagged::no("[CANNOT] INBOX can't be deleted");
    auto box = co_await s.store().find_mailbox(s.user.id, *name);
    if (!box) co_return error_reply(box.error());
    auto deleted = co_await s.store().delete_mailbox(box->id);
    if (!deleted) co_return error_reply(deleted.error());
    co_return Tagged::ok("DELETE completed");
}

Task<Tagged> cmd_rename(Session& s, Command& c) {
    auto& args = std::get<Rename>(c.args);
    auto from = mailbox_name_in(s, std::move(args.from));
    auto to = mailbox_name_in(s, std::move(args.to));
    if (!from || !to) co_return invalid_mailbox_name();
    if (is_inbox(*to)) co_return Tagged::no("[ALREADYEXISTS] INBOX always exists");
    auto box = co_await s.store().find_mailbox(s.user.id, *from);
    if (!box) co_return error_reply(box.error());
    if (is_inbox(box->name)) {
        auto renamed = co_await rename_inbox(s, std::move(*box), std::move(*to));
        co_return renamed;
    }
    auto renamed = co_await s.store().rename_mailbox(box->id, std::move(*to));
    if (!renamed) co_return error_reply(renamed.error());
    co_return Tagged::ok("RENAME completed");
}

Task<Tagged> cmd_subscribe(Session& s, Command& c) {
    auto result = co_await set_subscription(s, c, true);
    co_return result;
}

Task<Tagged> cmd_unsubscribe(Session& s, Command& c) {
    auto result = co_await set_subscription(s, c, false);
    co_return result;
}

}  // namespace mallard::imap
