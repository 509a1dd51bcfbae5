// Recipients → store → per-recipient replies: RFC 2033 §4.2, RFC 3463 status codes.
#include "protocols/lmtp/deliver.h"

#include <chrono>

#include "protocols/lmtp/trace_headers.h"

namespace mallard::lmtp {

using core::Errc;

Reply reply_for(const core::Error& error) {
    switch (error.code) {
    case Errc::not_found: return {550, "5.1.1", "No such user here"};
    case Errc::quota: return {452, "4.2.2", "Mailbox full: over quota"};
    case Errc::too_big: return {552, "5.3.4", "Message too big for this system"};
    case Errc::permission: return {550, "5.2.1", "Mailbox disabled, not accepting messages"};
    case Errc::bad_input: return {553, "5.1.3", "Bad recipient address syntax"};
    default: return {451, "4.3.0", "Temporary local problem, try again later"};
    }
}

core::Task<RecipientCheck> check_recipient(storage::Store& store, std::string address,
                                           std::uint64_t declared_size) {
    RecipientCheck check;
    auto resolved = co_await store.resolve_address(address);
    if (!resolved) {
        check.reply = reply_for(resolved.error());
        co_return check;
    }
    auto user = co_await store.find_user(resolved->user);
    if (!user) {
        check.reply = reply_for(user.error());
        co_return check;
    }
    if (user->disabled) {
        check.reply = reply_for(core::Error(Errc::permission));
        co_return check;
    }
    // The quota the message would still fit in: full now, or too full for the size the client declared.
    if (user->quota_limit_bytes != 0 &&
        (user->quota_used_bytes >= user->quota_limit_bytes ||
         declared_size > user->quota_limit_bytes - user->quota_used_bytes)) {
        check.reply = reply_for(core::Error(Errc::quota));
        co_return check;
    }
    check.reply = Reply{250, "2.1.5", "Recipient OK"};
    check.accepted = Recipient{std::move(address), resolved->user};
    co_return check;
}

namespace {

// One copy for one user, with the trace headers naming each of that user's RCPT addresses.
core::Task<Reply> deliver_copy(storage::Store& store, storage::UserId user, std::string raw) {
    auto inbox = co_await store.find_mailbox(user, "INBOX");
    if (!inbox) co_return reply_for(inbox.error());
    storage::AppendRequest request;
    request.raw = std::move(raw);
    request.internal_date = std::chrono::system_clock::now();
    auto appended = co_await store.append(inbox->id, std::move(request));
    if (!appended) co_return reply_for(appended.error());
    co_return Reply{250, "2.0.0", "Delivered, UID " + std::to_string(appended->uid)};
}

}  // namespace

core::Task<std::vector<Reply>> deliver(storage::Store& store, Delivery delivery, std::string message) {
    const std::size_t count = delivery.recipients.size();
    std::vector<Reply> replies(count);
    std::vector<bool> done(count, false);
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    for (std::size_t i = 0; i < count; ++i) {
        if (done[i]) continue;
        const storage::UserId user = delivery.recipients[i].user;
        TraceInfo trace;
        trace.sender = delivery.sender;
        trace.lhlo_name = delivery.lhlo_name;
        trace.peer = delivery.peer;
        trace.hostname = delivery.hostname;
        trace.id = delivery.id;
        trace.smtputf8 = delivery.smtputf8;
        trace.date = now;
        std::vector<std::size_t> same_user;
        for (std::size_t j = i; j < count; ++j) {
            if (delivery.recipients[j].user != user) continue;
            same_user.push_back(j);
            const std::string& address = delivery.recipients[j].address;
            bool listed = false;
            for (const auto& a : trace.recipients) listed = listed || a == address;
            if (!listed) trace.recipients.push_back(address);
        }
        std::string raw = render_trace_headers(trace);
        raw += message;
        auto reply = co_await deliver_copy(store, user, std::move(raw));
        for (std::size_t j : same_user) {
            replies[j] = reply;
            replies[j].text = "<" + delivery.recipients[j].address + "> " + reply.text;
            done[j] = true;
        }
    }
    co_return replies;
}

}  // namespace mallard::lmtp
