// IDLE (RFC 2177): "+ idling", then changes to the selected mailbox go out as they happen — EXISTS, EXPUNGE
// and FETCH FLAGS, as view_sync.h words them — until the client sends DONE. A change is heard from the bus
// (Session::on_mailbox_change wakes the read), and the journal is also read every poll_interval for writers
// the bus can't hear. IDLE doesn't reset the autologout timer: RFC 2177 §3 asks clients to re-issue it
// within 29 minutes, and the autologout timer (30 minutes) is what ends a forgotten one.
//
// While waiting the session holds no read buffer (Connection::fill releases it) and nothing but its view.
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

}  // namespace

namespace {

// Waits until the client's next line is buffered, telling the client of changes meanwhile. Its own small
// coroutine, so the frames under an idle session's wait are few and small (an idle session's memory is the
// product's figure). False: the session ended (abandoned).
Task<bool> wait_for_line(Session& s, core::Deadline autologout) {
    for (;;) {
        if (s.conn().input().find('\n') != std::string_view::npos) co_return true;
        auto poll_at = core::Deadline::after(s.options().poll_interval);
        auto until = poll_at.when() < autologout.when() ? poll_at : autologout;
        auto filled = co_await s.conn().fill(until);
        if (filled) continue;
        const auto code = filled.error().code;
        bool poll_due = code == core::Errc::timed_out && !autologout.passed();
        if (code != core::Errc::woken && !poll_due) {
            s.abandon(filled.error());
            co_return false;
        }
        if (s.view()) {
            co_await s.sync_mailbox(true);
            if (s.abandoned) co_return false;
        }
        auto flushed = co_await s.conn().flush(autologout);
        if (!flushed) {
            s.abandon(flushed.error());
            co_return false;
        }
    }
}

// The buffered line that ends IDLE: DONE, or a protocol error.
Task<Tagged> finish(Session& s) {
    auto step = co_await s.next_step(s.deadline(), false);
    if (!step) {
        s.abandon(step.error());
        co_return Tagged::no("");
    }
    auto* command = std::get_if<Command>(&*step);
    auto* line = command ? std::get_if<RawLine>(&command->args) : nullptr;
    if (line && is_done(line->text)) co_return Tagged::ok("IDLE terminated");
    co_return Tagged::bad("Expected DONE to end IDLE");
}

}  // namespace

Task<Tagged> cmd_idle(Session& s, Command&) {
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
    s.idling = true;
    bool have_line = co_await wait_for_line(s, autologout);
    s.idling = false;
    if (!have_line) co_return Tagged::no("");
    auto ended = co_await finish(s);
    co_return ended;
}

}  // namespace mallard::imap
