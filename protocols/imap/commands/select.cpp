// Opening and closing the selected mailbox: SELECT and EXAMINE (RFC 3501 §6.3.1, §6.3.2, with HIGHESTMODSEQ
// from RFC 7162 §3.1.2.1), CHECK (§6.4.1), CLOSE (§6.4.2) and UNSELECT (RFC 3691).
// \Recent is never set (a documented deviation, as in STATUS): "* 0 RECENT".
#include <utility>

#include "protocols/imap/command_table.h"
#include "protocols/imap/mailbox_support.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/view_sync.h"

namespace mallard::imap {

using core::Task;

namespace {

// The untagged responses of a successful SELECT or EXAMINE, in RFC 3501 §6.3.1's order.
void announce(Session& s, const MailboxView& view) {
    s.conn().queue(flags_announcement(view));
    s.untagged(std::to_string(view.exists()) + " EXISTS");
    s.untagged("0 RECENT");
    if (auto unseen = view.first_unseen()) {
        s.untagged("OK [UNSEEN " + std::to_string(*unseen) + "] First unseen");
    }
    s.untagged("OK [UIDVALIDITY " + std::to_string(view.uidvalidity()) + "] UIDs valid");
    s.untagged("OK [UIDNEXT " + std::to_string(view.uidnext()) + "] Predicted next UID");
    s.untagged("OK [HIGHESTMODSEQ " + std::to_string(view.highest_modseq()) + "] Highest");
}

// SELECT and EXAMINE. RFC 3501 §6.3.1: a SELECT that fails leaves no mailbox selected, so the old view is
// dropped before anything can fail. RFC 7162 §3.1.8: the CONDSTORE parameter enables CONDSTORE (even if the
// SELECT then fails: it is the command, not its success, that enables). HIGHESTMODSEQ is sent on every
// successful SELECT/EXAMINE (§3.1.2.1: every mailbox here keeps modseqs, so never NOMODSEQ). "* OK [CLOSED]"
// on reselect (§3.2.11) belongs to QRESYNC and waits for it.
Task<Tagged> open_mailbox(Session& s, Command& c, bool read_only) {
    s.unselect();  // first: enable_condstore then has no old mailbox to announce
    if (std::get<Select>(c.args).condstore) enable_condstore(s);
    auto name = mailbox_name_in(s, std::move(std::get<Select>(c.args).mailbox));
    if (!name) co_return invalid_mailbox_name();
    auto box = co_await s.store().find_mailbox(s.user.id, *name);
    if (!box) co_return error_reply(box.error());
    storage::UidRange all;
    auto messages = co_await s.store().list_messages(box->id, all);
    if (!messages) co_return error_reply(messages.error());
    MailboxView view(*box, std::move(*messages), read_only);
    announce(s, view);
    s.select(std::move(view));
    co_return Tagged::ok(read_only ? "[READ-ONLY] EXAMINE completed" : "[READ-WRITE] SELECT completed");
}

}  // namespace

Task<Tagged> cmd_select(Session& s, Command& c) {
    auto result = co_await open_mailbox(s, c, false);
    co_return result;
}

Task<Tagged> cmd_examine(Session& s, Command& c) {
    auto result = co_await open_mailbox(s, c, true);
    co_return result;
}

Task<Tagged> cmd_check(Session& s, Command&) {
    // Every store write is durable when it returns: there is nothing to checkpoint. Like NOOP, CHECK is a
    // moment to tell the client what changed.
    co_await s.sync_mailbox(true);
    co_return Tagged::ok("CHECK completed");
}

// RFC 3501 §6.4.2: \Deleted messages are removed without untagged EXPUNGE responses, only in a mailbox
// selected read-write. If the store fails the mailbox stays selected, so the client may try again.
Task<Tagged> cmd_close(Session& s, Command&) {
    const MailboxView* view = s.view();
    if (view && !view->read_only()) {
        storage::UidRange all;
        auto expunged = co_await s.store().expunge(view->id(), all);
        if (!expunged) co_return error_reply(expunged.error());
    }
    s.unselect();
    co_return Tagged::ok("CLOSE completed");
}

Task<Tagged> cmd_unselect(Session& s, Command&) {
    s.unselect();
    co_return Tagged::ok("UNSELECT completed");
}

}  // namespace mallard::imap
