// The Store's default implementations: what a backend may override with something faster.
#include "storage/store.h"

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

}  // namespace mallard::storage
