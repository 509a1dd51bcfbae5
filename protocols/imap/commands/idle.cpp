// IDLE (RFC 2177): "+ idling", then changes to the selected mailbox go out as they happen — EXISTS, EXPUNGE
// and FETCH FLAGS, as view_sync.h words them — until the client sends DONE. A change is heard from the bus
// (Session::on_mailbox_change wakes the read), and the journal is also read every poll_interval for writers
// the bus can't hear. IDLE doesn't reset the autologout timer: RFC 2177 §3 asks clients to re-issue it
// within 29 minutes, and the autologout timer (30 minutes) is what ends a forgotten one.
//
// While waiting the session holds no read buffer (Connection::fill releases it) and nothing but its view, and
// no command is on its stack: cmd_idle returns after "+ idling" and Session::run calls idle_wait.
#include <algorithm>
#include <string_view>
#include <strings.h>

#include "protocols/imap/command_table.h"

namespace mallard::imap {

using core::Task;

namespace {

bool is_done(const std::string& line) {
    std::string_view text(line);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text.size() == 4 && strncasecmp(text.data(), "DONE", 4) == 0;
}

// The line that ends IDLE, buffered by now: DONE, or a protocol error. Tagged like IDLE itself, through the
// dispatcher's tail (changes made meanwhile go out before the tagged OK, as after any command).
Task<void> finish(Session& s) {
    std::string tag = std::move(s.idling->tag);
    s.idling.reset();
    auto step = co_await s.next_step(s.deadline(), false);
    if (!step) {
        s.abandon(step.error());
        co_return;
    }
    auto* command = std::get_if<Command>(&*step);
    auto* line = command ? std::get_if<RawLine>(&command->args) : nullptr;
    Tagged result = line && is_done(line->text) ? Tagged::ok("IDLE terminated")
                                                : Tagged::bad("Expected DONE to end IDLE");
    co_await complete(s, *find_command("IDLE"), tag, std::move(result));
}

}  // namespace

// "+ idling" and the journal read before it; the wait is idle_wait's, called by Session::run once this
// returns (the dispatcher sends no tagged response while `idling` is set).
Task<Tagged> cmd_idle(Session& s, Command& c) {
    const core::Deadline autologout = s.deadline();
    if (s.view()) {
        co_await s.sync_mailbox(true);
        if (s.abandoned) co_return Tagged::no("");
    }
    s.conn().queue("+ idling\r\n");
    auto sent = co_await s.conn().flush(autologout);
    if (!sent) {
        s.abandon(sent.error());
        co_return Tagged::no("");
    }
    s.parser().expect_line();
    s.idling = Session::Idling{std::move(c.tag), autologout};
    co_return Tagged::ok("");
}

namespace {

// What ended a wait of idle_wait: a change heard from the bus (woken) or the poll interval sends the changes
// and idling goes on (true); anything else ends the session (false). Its own coroutine, so that its locals
// are not in idle_wait's frame, which sits under every idle session.
Task<bool> attend(Session& s, core::Error why) {
    const core::Deadline autologout = s.idling->until;
    bool poll_due = why.code == core::Errc::timed_out && !autologout.passed();
    if (why.code != core::Errc::woken && !poll_due) {
        s.idling.reset();
        s.abandon(why);
        co_return false;
    }
    if (s.view()) {
        co_await s.sync_mailbox(true);
        if (s.abandoned) {
            s.idling.reset();
            co_return false;
        }
    }
    auto flushed = co_await s.conn().flush(autologout);
    if (!flushed) {
        s.idling.reset();
        s.abandon(flushed.error());
        co_return false;
    }
    co_return true;
}

}  // namespace

// Waits until the client's next line is buffered, telling the client of changes meanwhile, then answers it.
// Only Session::run and this frame are live while a session idles (fill_once is an awaiter, not a coroutine),
// and this frame holds little: an idle session's memory is the product's figure.
Task<void> idle_wait(Session& s) {
    for (;;) {
        if (s.conn().input().find('\n') != std::string_view::npos) break;
        const core::Deadline until = core::Deadline::after(s.options().poll_interval).earlier(s.idling->until);
        auto filled = co_await s.conn().fill_once(until);  // success may bring no bytes: the loop looks again
        if (filled) continue;
        bool go_on = co_await attend(s, filled.take_error());
        if (!go_on) co_return;
    }
    co_await finish(s);
}

}  // namespace mallard::imap
