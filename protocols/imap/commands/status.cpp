// STATUS: RFC 3501 §6.3.10 with HIGHESTMODSEQ (RFC 7162 §3.1.6; it enables CONDSTORE, §3.1), SIZE
// (RFC 8438), DELETED (RFC 9208) and APPENDLIMIT (RFC 7889: every mailbox has the server's one limit,
// effective_append_limit). Counts come from the message list.
// RECENT is always 0: like WildDuck, Mallard keeps no \Recent flag (a documented deviation).
#include <algorithm>
#include <cstdint>

#include "protocols/imap/command_table.h"
#include "protocols/imap/mailbox_support.h"

namespace mallard::imap {

using core::Task;

namespace {

struct Counts {
    std::uint64_t messages = 0, unseen = 0, deleted = 0, size = 0;
};

bool needs_messages(const std::vector<StatusItem>& items) {
    return std::any_of(items.begin(), items.end(), [](StatusItem i) {
        return i == StatusItem::messages || i == StatusItem::unseen || i == StatusItem::deleted ||
               i == StatusItem::size;
    });
}

Counts count(const std::vector<storage::MessageMeta>& messages) {
    Counts c;
    c.messages = messages.size();
    for (const auto& m : messages) {
        if (!storage::has_flag(m.flags, "\\Seen")) ++c.unseen;
        if (storage::has_flag(m.flags, storage::flag_deleted)) ++c.deleted;
        c.size += m.size_bytes;
    }
    return c;
}

std::string render_items(const storage::Mailbox& box, const Counts& c, const std::vector<StatusItem>& items,
                         std::uint64_t append_limit) {
    std::string out = "(";
    for (auto item : items) {
        if (out.size() > 1) out += ' ';
        switch (item) {
            case StatusItem::messages: out += "MESSAGES " + std::to_string(c.messages); break;
            case StatusItem::recent: out += "RECENT 0"; break;
            case StatusItem::uidnext: out += "UIDNEXT " + std::to_string(box.uidnext); break;
            case StatusItem::uidvalidity: out += "UIDVALIDITY " + std::to_string(box.uidvalidity); break;
            case StatusItem::unseen: out += "UNSEEN " + std::to_string(c.unseen); break;
            // RFC 7162: a mod-sequence is positive; a mailbox without changes yet reports 1.
            case StatusItem::highestmodseq:
                out += "HIGHESTMODSEQ " + std::to_string(std::max<storage::ModSeq>(box.highest_modseq, 1));
                break;
            case StatusItem::size: out += "SIZE " + std::to_string(c.size); break;
            case StatusItem::deleted: out += "DELETED " + std::to_string(c.deleted); break;
            case StatusItem::appendlimit: out += "APPENDLIMIT " + std::to_string(append_limit); break;
        }
    }
    out += ')';
    return out;
}

}  // namespace

Task<core::Result<std::string>> status_item_list(Session& s, storage::Mailbox box, std::vector<StatusItem> items) {
    // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command (and so LIST-STATUS asking it).
    if (std::find(items.begin(), items.end(), StatusItem::highestmodseq) != items.end()) enable_condstore(s);
    Counts counts;
    if (needs_messages(items)) {
        storage::UidRange all;
        auto messages = co_await s.store().list_messages(box.id, all);
        if (!messages) co_return messages.take_error();
        counts = count(*messages);
    }
    co_return render_items(box, counts, items, effective_append_limit(s.options()));
}

Task<Tagged> cmd_status(Session& s, Command& c) {
    auto& args = std::get<Status>(c.args);
    auto name = mailbox_name_in(s, std::move(args.mailbox));
    if (!name) co_return invalid_mailbox_name();
    auto box = co_await s.store().find_mailbox(s.user.id, *name);
    if (!box) co_return error_reply(box.error());
    auto items = co_await status_item_list(s, *box, std::move(args.items));
    if (!items) co_return error_reply(items.error());
    std::string line = "STATUS ";
    append_mailbox_name(line, box->name, s.render);
    line += ' ';
    line += *items;
    s.untagged(line);
    co_return Tagged::ok("STATUS completed");
}

}  // namespace mallard::imap
