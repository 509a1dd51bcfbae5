// Recipients → filters and spam verdict → store → per-recipient replies: RFC 2033 §4.2, RFC 3463 status
// codes, RFC 6154 \Junk.
#include "protocols/lmtp/deliver.h"

#include <chrono>

#include "protocols/lmtp/filters.h"
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

// Where one user's copy goes and how it is flagged: the outcome of the filters and the spam verdict.
struct Routing {
    storage::MailboxId mailbox;  // a filter's target; empty: none
    bool junk = false;
    bool discard = false;
    storage::Flags flags;
};

Routing route(const FilterOutcome& filtered, bool spam) {
    Routing r;
    r.mailbox = filtered.mailbox;
    r.junk = filtered.spam.value_or(spam);
    r.discard = filtered.discard;
    if (filtered.seen) r.flags.push_back("\\Seen");
    if (filtered.flag) r.flags.push_back("\\Flagged");
    return r;
}

// The user's mailbox with `use`, or not_found.
core::Task<core::Result<storage::Mailbox>> special_mailbox(storage::Store& store, storage::UserId user,
                                                           storage::SpecialUse use) {
    auto boxes = co_await store.list_mailboxes(user);
    if (!boxes) co_return boxes.take_error();
    for (auto& b : *boxes)
        if (b.special_use == use) co_return std::move(b);
    co_return core::Error(Errc::not_found, "no mailbox with that special use");
}

// The mailbox a copy is stored in: the filter's (unless it is gone or not the user's), then \Junk (if the
// user has one), then INBOX. Errors other than "not found" are the store's and fail the copy.
core::Task<core::Result<storage::Mailbox>> target_mailbox(storage::Store& store, storage::UserId user,
                                                          Routing routing) {
    if (!routing.mailbox.empty()) {
        auto box = co_await store.get_mailbox(routing.mailbox);
        if (box && box->user == user) co_return std::move(*box);
        if (!box && box.error().code != Errc::not_found) co_return box.take_error();
    }
    if (routing.junk) {
        auto junk = co_await special_mailbox(store, user, storage::SpecialUse::junk);
        if (junk || junk.error().code != Errc::not_found) co_return junk;
    }
    auto inbox = co_await store.find_mailbox(user, "INBOX");
    co_return inbox;
}

// One copy for one user, with the trace headers naming each of that user's RCPT addresses.
core::Task<Reply> deliver_copy(storage::Store& store, storage::UserId user, std::string raw, Routing routing) {
    if (routing.discard) co_return Reply{250, "2.0.0", "Accepted; discarded by the recipient's filter"};
    storage::Flags flags = routing.flags;
    auto box = co_await target_mailbox(store, user, std::move(routing));
    if (!box) co_return reply_for(box.error());
    storage::AppendRequest request;
    request.raw = std::move(raw);
    request.flags = std::move(flags);
    request.internal_date = std::chrono::system_clock::now();
    auto appended = co_await store.append(box->id, std::move(request));
    if (!appended) co_return reply_for(appended.error());
    co_return Reply{250, "2.0.0", "Delivered, UID " + std::to_string(appended->uid)};
}

// One distinct user of the transaction: its recipients (indexes in RCPT order) and its enabled filters.
struct UserCopy {
    storage::UserId user;
    std::vector<std::size_t> recipients;
    std::vector<storage::Filter> filters;
    std::optional<Reply> failed;  // the filters could not be read
};

std::vector<UserCopy> group_by_user(const std::vector<Recipient>& recipients) {
    std::vector<UserCopy> users;
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        UserCopy* found = nullptr;
        for (auto& u : users)
            if (u.user == recipients[i].user) found = &u;
        if (!found) {
            users.push_back(UserCopy{recipients[i].user, {}, {}, std::nullopt});
            found = &users.back();
        }
        found->recipients.push_back(i);
    }
    return users;
}

core::Task<void> load_filters(storage::Store& store, UserCopy& copy) {
    auto listed = co_await store.list_filters(copy.user);
    if (!listed) {
        copy.failed = reply_for(listed.error());
        co_return;
    }
    for (auto& f : *listed)
        if (!f.disabled) copy.filters.push_back(std::move(f));
}

}  // namespace

core::Task<std::vector<Reply>> deliver(storage::Store& store, Delivery delivery, std::string message) {
    const std::size_t count = delivery.recipients.size();
    std::vector<Reply> replies(count);
    std::vector<UserCopy> users = group_by_user(delivery.recipients);
    bool any_filter = false, body_needed = false;
    for (auto& u : users) {
        co_await load_filters(store, u);
        for (const auto& f : u.filters) {
            any_filter = true;
            body_needed = body_needed || needs_body(f.query);
        }
    }
    // The message is read once for every user's rules: headers always, the MIME body only if a filter asks.
    MessageFacts facts;
    if (any_filter || !delivery.policy.spam_rules.empty()) facts = header_facts(message);
    if (body_needed) {
        if (delivery.policy.pool && message.size() >= delivery.policy.pool_parse_min_bytes) {
            auto parse = [&facts, &message] { add_body_facts(facts, message); };  // both outlive the job
            co_await delivery.policy.pool->run(std::move(parse));
        } else {
            add_body_facts(facts, message);
        }
    }
    const bool spam = spam_verdict(delivery.policy.spam_rules, facts);

    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    for (auto& u : users) {
        Reply reply;
        if (u.failed) {
            reply = *u.failed;
        } else {
            TraceInfo trace;
            trace.sender = delivery.sender;
            trace.lhlo_name = delivery.lhlo_name;
            trace.peer = delivery.peer;
            trace.hostname = delivery.hostname;
            trace.id = delivery.id;
            trace.smtputf8 = delivery.smtputf8;
            trace.date = now;
            for (std::size_t j : u.recipients) {
                const std::string& address = delivery.recipients[j].address;
                bool listed = false;
                for (const auto& a : trace.recipients) listed = listed || a == address;
                if (!listed) trace.recipients.push_back(address);
            }
            std::string raw = render_trace_headers(trace);
            raw += message;
            Routing routing = route(run_filters(u.filters, facts), spam);
            auto delivered = co_await deliver_copy(store, u.user, std::move(raw), std::move(routing));
            reply = std::move(delivered);
        }
        for (std::size_t j : u.recipients) {
            replies[j] = reply;
            replies[j].text = "<" + delivery.recipients[j].address + "> " + reply.text;
        }
    }
    co_return replies;
}

}  // namespace mallard::lmtp
