// The Store's default implementations: what a backend may override with something faster.
#include "storage/store.h"

#include <algorithm>

#include "storage/address_normalize.h"
#include "storage/paging.h"

namespace mallard::storage {

// One read_mime_tree per message listed in the range: correct for any backend, one round trip each.
StoreTask<std::vector<MimeTree>> Store::read_mime_trees(MailboxId box, UidRange uids) {
    auto listed = co_await list_messages(box, uids);
    if (!listed) co_return listed.take_error();
    std::vector<MimeTree> out;
    out.reserve(listed->size());
    for (const auto& meta : *listed) {
        auto tree = co_await read_mime_tree(box, meta.uid);
        if (!tree && tree.error().code == core::Errc::not_found) continue;  // expunged meanwhile
        if (!tree) co_return tree.take_error();
        out.push_back(MimeTree{meta.uid, std::move(*tree)});
    }
    co_return out;
}

StoreTask<Page<User>> Store::list_users_page(PageRequest request) {
    auto listed = co_await list_users();
    if (!listed) co_return listed.take_error();
    std::vector<Keyed<User>> users;
    for (User& u : *listed) {
        if (request.only_user && u.id != *request.only_user) continue;
        if (!matches_query(request.query, {u.username, u.primary_address})) continue;
        std::string key = u.id;
        users.push_back({std::move(key), std::move(u)});
    }
    co_return page_of(std::move(users), request, id_less);
}

StoreTask<Page<Address>> Store::list_addresses_page(PageRequest request) {
    auto users = co_await list_users();
    if (!users) co_return users.take_error();
    std::vector<Keyed<Address>> addresses;
    for (const User& u : *users) {
        if (request.only_user && u.id != *request.only_user) continue;
        auto listed = co_await list_addresses(u.id);
        if (!listed) co_return listed.take_error();
        for (Address& a : *listed) {
            if (!matches_query(request.query, {a.address})) continue;
            auto normalized = normalize_address(a.address);
            std::string key = normalized ? normalized->key() : a.address;
            addresses.push_back({std::move(key), std::move(a)});
        }
    }
    co_return page_of(std::move(addresses), request);
}

StoreTask<Address> Store::get_address(AddressId id) {
    auto users = co_await list_users();
    if (!users) co_return users.take_error();
    for (const User& u : *users) {
        auto listed = co_await list_addresses(u.id);
        if (!listed) co_return listed.take_error();
        for (Address& a : *listed)
            if (a.id == id) co_return std::move(a);
    }
    co_return core::Error(core::Errc::not_found, "no such address");
}

StoreTask<Address> Store::update_address(UserId user, AddressId id, std::optional<std::string> address,
                                         bool make_primary) {
    auto listed = co_await list_addresses(user);
    if (!listed) co_return listed.take_error();
    auto found = std::find_if(listed->begin(), listed->end(), [&](const Address& a) { return a.id == id; });
    if (found == listed->end()) co_return core::Error(core::Errc::not_found, "no such address");
    if (!address) address = found->address;
    auto removed = co_await remove_address(user, found->address);
    if (!removed) co_return removed.take_error();
    auto added = co_await add_address(std::move(user), std::move(*address), make_primary || found->primary);
    co_return added;
}

StoreTask<MailboxCounters> Store::mailbox_counters(MailboxId box) {
    auto messages = co_await list_messages(std::move(box), UidRange{});
    if (!messages) co_return messages.take_error();
    MailboxCounters c;
    for (const MessageMeta& m : *messages) {
        ++c.total;
        if (!has_flag(m.flags, "\\Seen")) ++c.unseen;
        c.size += m.size_bytes;
    }
    co_return c;
}

StoreTask<std::vector<ThreadCount>> Store::thread_counts(UserId, std::vector<ThreadId>) {
    co_return std::vector<ThreadCount>{};
}

StoreTask<std::vector<MessageSlice>> Store::read_message_slices(MailboxId box, std::vector<MessageSlice> slices) {
    std::vector<MessageSlice> out;
    out.reserve(slices.size());
    for (MessageSlice& slice : slices) {
        auto bytes = co_await read_message(box, slice.uid, slice.range);
        if (!bytes && bytes.error().code == core::Errc::not_found) continue;  // expunged meanwhile
        if (!bytes) co_return bytes.take_error();
        slice.bytes = std::move(*bytes);
        out.push_back(std::move(slice));
    }
    co_return out;
}

// The whole mailbox listed, filtered and ordered in memory, then cut: the meaning every backend must match.
StoreTask<MessagePage> Store::list_message_page(MailboxId box, PageQuery query) {
    auto listed = co_await list_messages(box, UidRange{});
    if (!listed) co_return listed.take_error();
    std::vector<MessageMeta> listing;
    for (MessageMeta& m : *listed)
        if (!query.unseen_only || !has_flag(m.flags, "\\Seen")) listing.push_back(std::move(m));
    if (!query.ascending) std::reverse(listing.begin(), listing.end());  // list_messages is ascending
    // Position of a UID in the listing order: "a before b".
    auto precedes = [&](Uid a, Uid b) { return query.ascending ? a < b : a > b; };
    std::size_t first = 0, last = std::min(query.limit, listing.size());
    if (query.after) {
        first = static_cast<std::size_t>(std::count_if(
            listing.begin(), listing.end(), [&](const MessageMeta& m) { return !precedes(*query.after, m.uid); }));
        last = first + std::min(query.limit, listing.size() - first);
    } else if (query.before) {
        last = static_cast<std::size_t>(std::count_if(
            listing.begin(), listing.end(), [&](const MessageMeta& m) { return precedes(m.uid, *query.before); }));
        first = last - std::min(query.limit, last);
    }
    MessagePage page;
    page.total = listing.size();
    page.more_before = first < last && first > 0;
    page.more_after = first < last && last < listing.size();
    page.messages.assign(std::make_move_iterator(listing.begin() + static_cast<std::ptrdiff_t>(first)),
                         std::make_move_iterator(listing.begin() + static_cast<std::ptrdiff_t>(last)));
    co_return page;
}

}  // namespace mallard::storage
