// COPY and UID COPY (RFC 3501 §6.4.7, §6.4.8) with RFC 4315 §3's [COPYUID uidvalidity source dest] in the
// tagged OK; MOVE and UID MOVE (RFC 6851 §3): "* OK [COPYUID …]" first, then "* n EXPUNGE" for each moved
// message (§4.3), then the tagged OK.
//
// - The destination is looked up first: a missing one is NO [TRYCREATE] (RFC 3501 §6.4.7), even for a set
//   that names no message, so a client learns to CREATE before it matters.
// - The store copies one UID range per call (the view turns the set into the fewest ranges that name exactly
//   its messages). If a later range fails — typically over quota (NO [OVERQUOTA], RFC 9208 §5.3) — a COPY
//   takes back the copies already made (flagged \Deleted and expunged in the destination, best effort),
//   because §6.4.7 requires the destination be left as it was. A MOVE can't take them back without new
//   UIDs, so it reports what did move (COPYUID and EXPUNGEs, RFC 6851 §3.3 lets the server expunge what it
//   moved) and then the NO.
// - MOVE out of an EXAMINEd mailbox is NO [READ-ONLY]; COPY out of one is allowed (it reads only).
// - Nothing to copy (an empty set, or every message already gone): OK without COPYUID, whose sets can't be
//   empty (RFC 4315 §4, uid-set).
// - The copies are announced where they land by the journal: the destination may be the selected mailbox
//   itself, and its new messages then arrive as "* n EXISTS" like any other.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/log.h"
#include "protocols/imap/command_table.h"
#include "protocols/imap/mailbox_support.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/message_updates.h"

namespace mallard::imap {

using core::Task;

namespace {

// Ascending UIDs as closed ranges of consecutive UIDs.
std::vector<storage::UidRange> runs(std::vector<storage::Uid> uids) {
    std::sort(uids.begin(), uids.end());
    std::vector<storage::UidRange> out;
    for (storage::Uid uid : uids) {
        if (!out.empty() && out.back().last + 1 == uid) {
            out.back().last = uid;
        } else {
            out.push_back(storage::UidRange{uid, uid});
        }
    }
    return out;
}

// Takes back the copies of a COPY that failed part way. Each run of destination UIDs holds only copies this
// command made (the store allocates a call's UIDs together), so expunging the run removes nothing else.
Task<void> undo_copies(Session& s, storage::MailboxId to, std::vector<storage::Uid> dest_uids) {
    for (const auto& range : runs(std::move(dest_uids))) {
        storage::FlagChange change;
        change.uids = range;
        change.op = storage::FlagOp::add;
        change.flags.emplace_back(storage::flag_deleted);
        auto flagged = co_await s.store().store_flags(to, std::move(change));
        if (!flagged) {
            MLOG_CONN(warn, s.conn().id()) << "COPY: copies left behind: " << flagged.error().to_string();
            continue;
        }
        auto removed = co_await s.store().expunge(to, range);
        if (!removed) MLOG_CONN(warn, s.conn().id()) << "COPY: copies left behind: " << removed.error().to_string();
    }
}

Task<core::Result<storage::CopyResult>> transfer(Session& s, storage::MailboxId from, storage::UidRange range,
                                                 storage::MailboxId to, bool move) {
    if (move) {
        auto moved = co_await s.store().move(std::move(from), range, std::move(to));
        co_return moved;
    }
    auto copied = co_await s.store().copy(std::move(from), range, std::move(to));
    co_return copied;
}

std::string copyuid(const storage::CopyResult& done) {
    return "[COPYUID " + std::to_string(done.dest_uidvalidity) + ' ' + render_number_set(done.source_uids) + ' ' +
           render_number_set(done.dest_uids) + ']';
}

Task<Tagged> copy_move(Session& s, Command& c, bool move) {
    auto& args = std::get<CopyMove>(c.args);
    const MailboxView* view = s.view();
    if (move && view->read_only()) co_return Tagged::no("[READ-ONLY] Mailbox is read-only");
    auto name = mailbox_name_in(s, std::move(args.mailbox));
    if (!name) co_return invalid_mailbox_name();
    auto dest = co_await s.store().find_mailbox(s.user.id, *name);
    if (!dest && dest.error().code == core::Errc::not_found) co_return Tagged::no("[TRYCREATE] No such mailbox");
    if (!dest) co_return error_reply(dest.error());

    const std::vector<storage::UidRange> ranges = view->uid_ranges(view->resolve(args.set, c.uid));
    const storage::MailboxId from = view->id();
    storage::CopyResult done;
    std::optional<core::Error> failed;
    for (const auto& range : ranges) {
        auto part = co_await transfer(s, from, range, dest->id, move);
        if (!part) {
            failed = part.take_error();
            break;
        }
        done.dest_uidvalidity = part->dest_uidvalidity;
        done.source_uids.insert(done.source_uids.end(), part->source_uids.begin(), part->source_uids.end());
        done.dest_uids.insert(done.dest_uids.end(), part->dest_uids.begin(), part->dest_uids.end());
    }
    const std::string completed = c.name + " completed";

    if (!move) {
        if (failed) {
            co_await undo_copies(s, dest->id, std::move(done.dest_uids));
            co_return error_reply(*failed);
        }
        if (done.source_uids.empty()) co_return Tagged::ok(completed);
        co_return Tagged::ok(copyuid(done) + ' ' + completed);
    }
    if (!done.source_uids.empty()) {
        auto said = co_await write_untagged(s, "OK " + copyuid(done) + " Moved");
        if (!said) co_return Tagged::bad("connection failed");
        auto announced = co_await announce_expunged(s, std::move(done.source_uids));
        if (!announced) co_return Tagged::bad("connection failed");
    }
    if (failed) co_return error_reply(*failed);
    co_return Tagged::ok(completed);
}

}  // namespace

Task<Tagged> cmd_copy(Session& s, Command& c) {
    auto result = co_await copy_move(s, c, false);
    co_return result;
}

Task<Tagged> cmd_move(Session& s, Command& c) {
    auto result = co_await copy_move(s, c, true);
    co_return result;
}

}  // namespace mallard::imap
