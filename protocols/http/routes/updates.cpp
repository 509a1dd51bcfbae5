// GET /users/:user/updates (WildDuck's lib/api/updates.js): a text/event-stream of the user's mailbox changes.
//
// The stream watches each of the user's mailboxes on the change bus (storage/notify/bus.h) and, when one is
// announced, reads what changed from the journal (Store::journal_since) — the journal stays the single source
// of truth, so a lost announcement costs a delay, never an event. Every heartbeat interval it also re-lists the
// mailboxes (a new one is watched from then on, its whole journal sent) and reads every journal once, for
// writers the bus can't hear (another process), then sends a comment line so proxies keep the stream open.
// Event ids carry the whole position (update_events.h): Last-Event-ID resumes exactly where the client was.
//
// Memory: the stream holds its position (a pair per mailbox) and the bus watches; it reads journals in whole
// (bounded by what happened while it was away — a client resuming after a long absence should list instead).
#include <algorithm>
#include <map>

#include "core/net/connection.h"
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/update_events.h"

namespace mallard::http::routes {

namespace {

using namespace std::chrono_literals;

class UpdatesStream final : public EventStream, public storage::notify::Watcher {
public:
    UpdatesStream(const Context& context, storage::UserId user, std::optional<StreamPosition> resume)
        : context_(context), user_(std::move(user)), resuming_(resume.has_value()) {
        if (resume)
            for (auto& [box, modseq] : *resume) position_[box] = modseq;
    }

    core::Task<void> run(core::net::Connection& conn) override;

    void on_mailbox_change(const storage::notify::MailboxChange& change) override {
        auto at = position_.find(change.mailbox);
        if (at == position_.end() || (change.modseq != 0 && change.modseq <= at->second)) return;
        if (conn_) conn_->wake_reader();
    }

private:
    core::Task<bool> refresh_mailboxes(bool first);
    core::Task<bool> send_changes();
    core::Task<bool> send(std::string text);
    StreamPosition position() const { return {position_.begin(), position_.end()}; }

    const Context& context_;
    storage::UserId user_;
    bool resuming_;
    core::net::Connection* conn_ = nullptr;
    std::map<storage::MailboxId, storage::ModSeq> position_;
    std::map<storage::MailboxId, storage::notify::Bus::Watch> watches_;
};

core::Task<bool> UpdatesStream::send(std::string text) {
    auto written = co_await conn_->write(text, core::Deadline::after(context_.options.request_timeout));
    if (!written) co_return false;
    auto flushed = co_await conn_->flush(core::Deadline::after(context_.options.request_timeout));
    co_return flushed.ok();
}

// Watches mailboxes that are new since the last look and forgets deleted ones. At the start of a fresh stream a
// mailbox starts at its current modseq (only what happens next is news); on a resume, and for a mailbox created
// while streaming, at the position the client had (0 for one it never heard of: all of its journal is news).
core::Task<bool> UpdatesStream::refresh_mailboxes(bool first) {
    auto boxes = co_await context_.store.list_mailboxes(user_);
    if (!boxes) co_return boxes.error().code != core::Errc::not_found;  // the user is gone: end the stream
    std::map<storage::MailboxId, storage::ModSeq> now;
    for (const storage::Mailbox& b : *boxes) {
        auto known = position_.find(b.id);
        if (known != position_.end()) now[b.id] = known->second;
        else now[b.id] = first && !resuming_ ? b.highest_modseq : 0;
        if (context_.bus && !watches_.count(b.id)) watches_.emplace(b.id, context_.bus->watch(b.id, *this));
    }
    for (auto it = watches_.begin(); it != watches_.end();) {
        if (now.count(it->first)) ++it;
        else it = watches_.erase(it);
    }
    position_ = std::move(now);
    co_return true;
}

core::Task<bool> UpdatesStream::send_changes() {
    std::vector<storage::MailboxId> boxes;
    for (const auto& [box, modseq] : position_) boxes.push_back(box);
    for (const storage::MailboxId& box : boxes) {
        auto since = position_.find(box);
        if (since == position_.end()) continue;
        auto entries = co_await context_.store.journal_since(box, since->second);
        if (!entries) continue;  // deleted meanwhile: the next refresh drops it
        std::string text;
        for (const storage::JournalEntry& e : *entries) {
            position_[box] = std::max(position_[box], e.modseq);
            text += journal_event(box, e, position());
        }
        if (text.empty()) continue;
        auto sent = co_await send(std::move(text));
        if (!sent) co_return false;
    }
    co_return true;
}

core::Task<void> UpdatesStream::run(core::net::Connection& conn) {
    conn_ = &conn;
    auto listed = co_await refresh_mailboxes(true);
    bool open = listed;
    if (open) {
        // A first comment tells the client the stream is up (and the retry delay EventSource should use).
        auto greeted = co_await send("retry: 5000\n: mallard updates\n\n");
        open = greeted;
    }
    if (open && resuming_) {
        auto caught_up = co_await send_changes();
        open = caught_up;
    }
    while (open) {
        auto filled = co_await conn.fill(core::Deadline::after(context_.options.heartbeat));
        if (filled) {
            conn.consume(conn.input().size());  // the client has nothing to say on this stream
            continue;
        }
        const core::Errc code = filled.error().code;
        if (code == core::Errc::woken) {
            auto sent = co_await send_changes();
            open = sent;
        } else if (code == core::Errc::timed_out) {
            auto refreshed = co_await refresh_mailboxes(false);
            open = refreshed;
            if (open) {
                auto polled = co_await send_changes();
                open = polled;
            }
            if (open) {
                auto beat = co_await send(std::string(heartbeat_text));
                open = beat;
            }
        } else {
            open = false;  // closed by the client, shutdown (cancelled), or an I/O error
        }
    }
    watches_.clear();  // on this loop's thread, as the bus requires
    conn_ = nullptr;
}

core::Task<Response> updates(Call& call) {
    std::optional<StreamPosition> resume;
    const std::string* last = call.request.header("last-event-id");
    if (last && !last->empty()) {
        resume = decode_position(*last);
        if (!resume) call.input.invalid("Last-Event-ID", "\"Last-Event-ID\" must be an id this stream sent");
    }
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    Response r;
    r.set_header("Content-Type", "text/event-stream");
    r.set_header("Cache-Control", "no-cache");
    r.set_header("X-Accel-Buffering", "no");  // nginx in front: pass events through at once
    r.stream = std::make_shared<UpdatesStream>(call.context, user->id, std::move(resume));
    co_return r;
}

}  // namespace

void add_update_routes(RouteTable& table) { table.add({"GET", "/users/:user/updates", updates}); }

}  // namespace mallard::http::routes
