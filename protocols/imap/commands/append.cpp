// APPEND: RFC 3501 §6.3.11, with RFC 3502 MULTIAPPEND (several messages in one command, all or none),
// RFC 4315 §3 [APPENDUID uidvalidity uid-set], RFC 7889 APPENDLIMIT ([TOOBIG]) and RFC 9208 §4.3 [OVERQUOTA].
//
// Every message is checked before anything is stored (flags, size, emptiness, then the user's quota), so a
// refusal normally leaves nothing behind. The tagged OK is sent only after the store returned for every
// message: Store::append returns once the message is durable.
//
// The destination may be the selected mailbox: no EXISTS is sent from here. The session replays the mailbox
// journal into the view after each command, which announces the new messages like any other arrival.
//
// A message sent as literal8 (~{n}, RFC 3516) is stored as received; BINARY isn't advertised, so no
// content-transfer-encoding is applied.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/log.h"
#include "protocols/imap/command_table.h"
#include "protocols/imap/flag_names.h"
#include "protocols/imap/mailbox_support.h"

namespace mallard::imap {

using core::Task;

namespace {

// The requests to store, one per message, or the tagged refusal of the whole command. Plain code, no awaits:
// the message bytes are moved out of the command (it owns them) into the requests.
std::optional<Tagged> prepare(Append& args, std::uint64_t append_limit,
                              std::vector<storage::AppendRequest>& requests) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    for (auto& message : args.messages) {
        auto flags = flags_to_store(message.flags);
        if (!flags) return Tagged::bad("Invalid flag in APPEND: only system flags may start with \\");
        // An empty literal is valid syntax but not a message (RFC 5322 §3.5 needs header fields); refusing it
        // keeps zero-byte entries out of the mailbox. NO, not BAD: the command was well formed.
        if (message.message.empty()) return Tagged::no("[CANNOT] Empty message not accepted");
        // The parser refuses a bigger literal as soon as it is announced; this only guards against a session
        // whose parser limits differ from its options.
        if (message.message.size() > append_limit) {
            return Tagged::no("[TOOBIG] Message larger than APPENDLIMIT " + std::to_string(append_limit));
        }
        storage::AppendRequest request;
        request.raw = std::move(message.message);
        request.flags = std::move(*flags);
        request.internal_date = message.internal_date ? storage::TimePoint(*message.internal_date)
                                                      : storage::TimePoint(now);
        requests.push_back(std::move(request));
    }
    return std::nullopt;
}

// APPEND's own response codes (RFC 3501 §6.3.11 TRYCREATE, RFC 7889 TOOBIG); the rest as every mailbox
// command answers them.
Tagged append_error(const core::Error& error) {
    if (error.code == core::Errc::not_found) return Tagged::no("[TRYCREATE] No such mailbox");
    if (error.code == core::Errc::too_big) return Tagged::no("[TOOBIG] Message too big");
    if (error.code == core::Errc::quota) return Tagged::no("[OVERQUOTA] Quota exceeded");
    return error_reply(error);
}

// RFC 4315 §3: the UIDs in the order of the messages, runs of consecutive UIDs written as a range.
std::string uid_set(const std::vector<storage::Uid>& uids) {
    std::string out;
    for (std::size_t i = 0; i < uids.size();) {
        std::size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(uids[i]);
        if (j > i) out += ':' + std::to_string(uids[j]);
        i = j + 1;
    }
    return out;
}

// A pre-check against the user's quota with the sizes of all messages, so that a MULTIAPPEND that can't fit
// is refused before anything is stored. The store still checks each append atomically (another session may
// add mail meanwhile); s.user may be stale, so the user is read again.
Task<std::optional<Tagged>> check_quota(Session& s, std::uint64_t total_bytes) {
    auto user = co_await s.store().find_user(s.user.id);
    if (!user) co_return error_reply(user.error());
    std::uint64_t limit = user->quota_limit_bytes;
    if (limit == 0) co_return std::nullopt;
    if (total_bytes > limit || user->quota_used_bytes > limit - total_bytes) {
        co_return Tagged::no("[OVERQUOTA] Quota exceeded: " + std::to_string(user->quota_used_bytes) + " of " +
                             std::to_string(limit) + " octets used");
    }
    co_return std::nullopt;
}

// RFC 3502 §6.3.11: MULTIAPPEND is all or nothing, but the store has no transaction across messages. When a
// later message fails, the ones already stored are removed again: \Deleted set, then expunged, one UID at a
// time so that no other message of the mailbox (a delivery in between, a message the user had marked
// \Deleted) is touched. Other sessions may briefly see them come and go, which IMAP allows.
Task<bool> remove_appended(Session& s, storage::MailboxId box, std::vector<storage::Uid> uids) {
    bool all_removed = true;
    for (storage::Uid uid : uids) {
        storage::FlagChange change;
        change.uids = storage::UidRange{uid, uid};
        change.op = storage::FlagOp::add;
        change.flags = {std::string(storage::flag_deleted)};
        auto flagged = co_await s.store().store_flags(box, std::move(change));
        if (!flagged) {
            MLOG_CONN(warn, s.conn().id()) << "APPEND rollback: flagging uid " << uid
                                           << " failed: " << flagged.error().to_string();
            all_removed = false;
            continue;
        }
        storage::UidRange one{uid, uid};
        auto expunged = co_await s.store().expunge(box, one);
        if (!expunged) {
            MLOG_CONN(warn, s.conn().id()) << "APPEND rollback: expunging uid " << uid
                                           << " failed: " << expunged.error().to_string();
            all_removed = false;
        }
    }
    co_return all_removed;
}

}  // namespace

Task<Tagged> cmd_append(Session& s, Command& c) {
    auto& args = std::get<Append>(c.args);
    auto name = mailbox_name_in(s, std::move(args.mailbox));
    if (!name) co_return invalid_mailbox_name();
    std::vector<storage::AppendRequest> requests;
    std::optional<Tagged> refused = prepare(args, effective_append_limit(s.options()), requests);
    if (refused) co_return std::move(*refused);

    auto box = co_await s.store().find_mailbox(s.user.id, *name);
    if (!box) co_return append_error(box.error());
    std::uint64_t total_bytes = 0;
    for (const auto& request : requests) total_bytes += request.raw.size();
    auto over_quota = co_await check_quota(s, total_bytes);
    if (over_quota) co_return std::move(*over_quota);

    std::vector<storage::Uid> uids;
    std::uint32_t uidvalidity = box->uidvalidity;
    for (auto& request : requests) {
        auto appended = co_await s.store().append(box->id, std::move(request));
        if (!appended) {
            Tagged failed = append_error(appended.error());
            if (uids.empty()) co_return failed;
            auto removed = co_await remove_appended(s, box->id, uids);
            if (!removed) failed.text += " (some messages of this APPEND could not be removed again)";
            co_return failed;
        }
        uids.push_back(appended->uid);
        uidvalidity = appended->uidvalidity;
    }
    co_return Tagged::ok("[APPENDUID " + std::to_string(uidvalidity) + " " + uid_set(uids) + "] APPEND completed");
}

}  // namespace mallard::imap
