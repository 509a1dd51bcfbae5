// EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1): the \Deleted messages are removed, and each
// gets "* n EXPUNGE" (§7.4.1) in ascending UID order, the view following along.
//
// EXPUNGE removes the \Deleted messages up to the last UID the client knows of: a message that arrived since
// (and isn't announced yet) is the client's to see before it goes, as it would be in any other session.
// UID EXPUNGE removes only the \Deleted messages of its set (the store checks \Deleted itself, so a flag
// another session cleared meanwhile is respected). An EXAMINEd mailbox is refused with NO [READ-ONLY]
// (RFC 3501 §6.3.2). A store failure part way still announces what was removed, so the client and the view
// agree with the store.
#include <optional>
#include <utility>
#include <vector>

#include "protocols/imap/command_table.h"
#include "protocols/imap/mailbox_support.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/message_updates.h"

namespace mallard::imap {

using core::Task;

namespace {

Task<Tagged> expunge(Session& s, Command& c) {
    const MailboxView* view = s.view();
    if (view->read_only()) co_return Tagged::no("[READ-ONLY] Mailbox is read-only");
    const char* done = c.uid ? "UID EXPUNGE completed" : "EXPUNGE completed";

    std::vector<storage::UidRange> ranges;
    if (c.uid) {
        ranges = view->uid_ranges(view->resolve(std::get<UidExpunge>(c.args).set, true));
    } else if (view->exists() > 0) {
        ranges.push_back(storage::UidRange{1, view->uid(view->exists())});
    }
    const storage::MailboxId box = view->id();

    std::vector<storage::Uid> removed;
    std::optional<core::Error> failed;
    for (const auto& range : ranges) {
        auto result = co_await s.store().expunge(box, range);
        if (!result) {
            failed = result.take_error();
            break;
        }
        removed.insert(removed.end(), result->uids.begin(), result->uids.end());
    }
    auto announced = co_await announce_expunged(s, std::move(removed));
    if (!announced) co_return Tagged::bad("connection failed");
    if (failed) co_return error_reply(*failed);
    co_return Tagged::ok(done);
}

}  // namespace

Task<Tagged> cmd_expunge(Session& s, Command& c) {
    auto result = co_await expunge(s, c);
    co_return result;
}

}  // namespace mallard::imap
