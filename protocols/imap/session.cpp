// The IMAP session loop: greeting (RFC 3501 §7.1.1), reading commands through the parser with the state's
// deadline, continuation requests for synchronising literals (§7.5), BAD for what the parser refuses, the
// dispatcher over the command table, and the end of the session: LOGOUT, autologout (§5.4), server
// shutdown, the peer closing. Responses are flushed once the client's pipelined commands are answered.
#include "protocols/imap/session.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "core/log.h"
#include "protocols/imap/command_table.h"

namespace mallard::imap {

using namespace std::chrono_literals;

std::uint64_t effective_append_limit(const Options& options) {
    std::uint64_t parser_limit = options.limits.max_append_bytes;
    return options.append_limit == 0 ? parser_limit : std::min(options.append_limit, parser_limit);
}

namespace {

// RFC 7889: a message over APPENDLIMIT is refused with [TOOBIG] as soon as its literal is announced, so
// the client never sends it (and the parser never buffers it).
ParserLimits parser_limits(const Options& options) {
    ParserLimits limits = options.limits;
    limits.max_append_message_bytes = effective_append_limit(options);
    return limits;
}

}  // namespace

Session::Session(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context)
    : conn_(std::move(conn)), context_(std::move(context)), parser_(parser_limits(context_->options)) {}

core::Deadline Session::deadline() const {
    bool logged_in = state == State::authenticated || state == State::selected;
    return core::Deadline::after(logged_in ? options().autologout : options().preauth_timeout);
}

bool Session::starttls_available() const {
    return options().starttls && context_->tls && !conn_->is_tls() && state == State::not_authenticated;
}

bool Session::login_disabled() const { return options().login_disabled_without_tls && !conn_->is_tls(); }

CapabilityState Session::capability_state() const {
    CapabilityState caps;
    caps.authenticated = state == State::authenticated || state == State::selected;
    caps.starttls_available = starttls_available();
    caps.login_disabled = login_disabled();
    caps.compress_available = options().compress;
    caps.compressed = conn_->is_compressed();
    caps.append_limit = effective_append_limit(options());
    return caps;
}

void Session::untagged(std::string_view text) {
    std::string line = "* ";
    line.append(text).append("\r\n");
    conn_->queue(line);
}

// select, unselect, on_feed, needs_sync, sync_mailbox: session_sync.cpp

void Session::register_for_session_control() {
    if (context_->bus) control_ = context_->bus->register_session(user.id, *this);
}

void Session::on_session_event(const storage::notify::SessionEvent& event) {
    if (end_reason_ || (!event.asp.empty() && event.asp != asp)) return;
    end_reason_ = std::make_unique<std::string>(storage::notify::printable_reason(event.reason));
    MLOG_CONN(info, conn_->id()) << "imap: session of " << user.username << " ended from outside: " << *end_reason_;
    // Pending and later reads end with `cancelled`; writes still work, so the BYE goes out (abandon()).
    conn_->interrupt_reads();
}


// Not a coroutine: a frame of its own would sit under every wait for the client.
core::Task<core::Result<Step>> Session::next_step() { return next_step(deadline(), false); }

core::Task<core::Result<Step>> Session::next_step(core::Deadline until, bool stop_when_woken) {
    for (;;) {
        std::string_view in = conn_->input();
        std::size_t before = in.size();
        Step step = parser_.parse(in);
        conn_->consume(before - in.size());
        if (std::holds_alternative<SendContinuation>(step)) {
            // RFC 3501 §7.5: the client waits for this before sending a synchronising literal.
            conn_->queue("+ Ready for literal data\r\n");
            auto sent = co_await conn_->flush(until);
            if (!sent) co_return sent.take_error();
            continue;
        }
        if (!std::holds_alternative<NeedMore>(step)) co_return core::Result<Step>(std::move(step));
        if (conn_->queued_bytes() > 0) {
            // Responses held back for pipelining go out before we wait for the client.
            auto flushed = co_await conn_->flush(until);
            if (!flushed) co_return flushed.take_error();
        }
        auto filled = co_await conn_->fill(until);
        if (!filled) {
            // A wake meant for IDLE that came as it ended: nothing to do here.
            if (filled.error().code == core::Errc::woken && !stop_when_woken) continue;
            co_return filled.take_error();
        }
    }
}

void Session::abandon(const core::Error& error) {
    if (end_reason_) {
        untagged("BYE " + *end_reason_);  // RFC 3501 §7.1.5: the server is closing the connection
    } else if (error.code == core::Errc::timed_out) {
        untagged("BYE Autologout; idle for too long");
    } else if (error.code == core::Errc::cancelled) {
        untagged("BYE Server shutting down");
    } else {
        MLOG_CONN(debug, conn_->id()) << "connection ended: " << error.to_string();
    }
    abandoned = true;
    state = State::logout;
}

namespace {

// The client's next command is already buffered (pipelining): answer it before flushing.
bool command_pending(const core::net::Connection& conn) {
    return conn.input().find('\n') != std::string_view::npos;
}

std::string tagged_line(std::string_view tag, const Tagged& result) {
    std::string line(tag);
    line += result.kind == Tagged::Kind::ok ? " OK " : result.kind == Tagged::Kind::no ? " NO " : " BAD ";
    line.append(result.text).append("\r\n");
    return line;
}

// LOGIN's and AUTHENTICATE's arguments are never logged.
bool has_secrets(const Command& command) { return command.name == "LOGIN" || command.name == "AUTHENTICATE"; }

// The dispatcher's work after the tagged response is queued (Session::After).
core::Task<void> run_after(Session& s) {
    Session::After after = s.after;
    s.after = Session::After::nothing;
    if (after == Session::After::nothing) co_return;
    auto sent = co_await s.conn().flush(s.deadline());
    if (!sent) {
        s.abandon(sent.error());
        co_return;
    }
    if (after == Session::After::close) {
        s.state = State::logout;
    } else if (after == Session::After::start_deflate) {
        s.conn().start_deflate();
    } else if (after == Session::After::start_tls) {
        // start_tls discards plaintext pipelined after STARTTLS (RFC 3501 §6.2.1, CVE-2011-0411).
        auto context = s.context().tls->current();
        auto started = co_await s.conn().start_tls(std::move(context), core::net::TlsStream::Role::server,
                                                   s.deadline());
        if (!started) {
            MLOG_CONN(info, s.conn().id()) << "STARTTLS failed: " << started.error().to_string();
            s.abandoned = true;
            s.state = State::logout;
            s.conn().close();
        }
    }
}

}  // namespace

core::Task<void> dispatch(Session& s, Command command) {
    MLOG_CONN(debug, s.conn().id()) << "C: " << command.tag << " " << command.name
                                    << (has_secrets(command) ? " ***" : "");
    const CommandSpec* spec = find_command(command.name);
    if (!spec) {
        s.conn().queue(tagged_line(command.tag, Tagged::bad(command.name + " not supported")));
        co_return;
    }
    if ((spec->states & state_bit(s.state)) == 0) {
        // RFC 3501 §6: a command not valid in the current state is a protocol error, answered with BAD.
        std::string why = s.state == State::not_authenticated ? " requires login"
                          : (spec->states & selected) != 0    ? " requires a selected mailbox"
                          : spec->states == not_authenticated ? " not valid after login"
                                                              : " not valid in this state";
        s.conn().queue(tagged_line(command.tag, Tagged::bad(command.name + why)));
        co_return;
    }
    // Ended from outside (a logout, a revoked ASP): a command the client had already sent is not run.
    if (s.end_requested()) {
        s.abandon(core::Error(core::Errc::cancelled));
        co_return;
    }
    // Where untagged EXPUNGE is held back for seq::read commands once a mailbox view exists (commands/select).
    Tagged result = co_await spec->handler(s, command);
    if (s.abandoned || s.idling) co_return;  // IDLE: run() waits for DONE (idle_wait), then complete()
    co_await complete(s, *spec, command.tag, std::move(result));
}

core::Task<void> complete(Session& s, const CommandSpec& spec, std::string_view tag, Tagged result) {
    // RFC 3501 §7.4.1: changes made elsewhere go out before the tagged response; EXPUNGE waits while the
    // client is using sequence numbers (FETCH, STORE, SEARCH, COPY by number). Not after LOGOUT: its BYE is
    // out, the session is over, and a client that has closed its view on BYE (imaptest) would read
    // "* n EXPUNGE" for a mailbox it no longer has.
    if (s.needs_sync() && s.after != Session::After::close) {
        co_await s.sync_mailbox(spec.sequence != SequenceEffect::read);
        if (s.abandoned) co_return;
    }
    // RFC 5530 §3: while an expunge made elsewhere is held back, a command by sequence number may have
    // skipped messages the client still sees (FETCH, SEARCH, STORE, COPY leave out what the store no longer
    // has). [EXPUNGEISSUED] on its OK says so, and that a NOOP will bring the EXPUNGEs.
    if (spec.sequence == SequenceEffect::read && result.kind == Tagged::Kind::ok && s.view() &&
        !s.view()->deferred_expunges().empty() && result.text.rfind('[', 0) != 0) {
        result.text.insert(0, "[EXPUNGEISSUED] ");
    }
    s.conn().queue(tagged_line(tag, result));
    co_await run_after(s);
}

// The frames under a waiting session are what an idle connection costs, so run() keeps to the loop and
// what must wait; the rest is in plain functions and small coroutines that end before the next wait.
core::Task<bool> Session::admit_and_greet() {
    if (auth::ConnectionLimits* limits = context_->connection_limits) {
        auto admitted = co_await limits->try_acquire_address(auth::address_key(conn_->peer().ip()));
        if (!admitted) {
            // RFC 3501 §7.1.5: BYE as the greeting refuses the connection; RFC 5530 §3 UNAVAILABLE: try later.
            MLOG_CONN(info, conn_->id()) << "imap refused: too many connections from " << conn_->peer().ip();
            untagged("BYE [UNAVAILABLE] Too many connections from your address");
            auto said = co_await conn_->flush(core::Deadline::after(5s));
            (void)said;
            co_return false;
        }
        address_slot_ = std::move(*admitted);
    }
    untagged("OK [CAPABILITY " + capabilities() + "] " + options().hostname + " Mallard ready");
    auto greeted = co_await conn_->flush(deadline());
    co_return static_cast<bool>(greeted);
}

void Session::refuse(const Step& step) {
    if (auto* bad = std::get_if<Bad>(&step)) {
        MLOG_CONN(debug, conn_->id()) << "BAD from the parser: " << bad->text;
        conn_->queue(tagged_line(bad->tag, Tagged::bad(bad->text)));
    } else if (auto* big = std::get_if<TooBig>(&step)) {
        conn_->queue(tagged_line(big->tag, Tagged::no("[TOOBIG] message too big (" +
                                                      std::to_string(big->literal_bytes) + " octets)")));
    }
}

core::Task<bool> Session::read_and_dispatch() {
    auto step = co_await next_step();
    if (!step) {
        abandon(step.error());
        co_return false;
    }
    if (auto* command = std::get_if<Command>(&*step)) co_await dispatch(*this, std::move(*command));
    else refuse(*step);
    co_return true;
}

core::Task<bool> Session::answer() {
    if (!conn_->is_open()) co_return false;
    if (state == State::logout || command_pending(*conn_)) co_return true;
    auto flushed = co_await conn_->flush(deadline());
    if (!flushed) MLOG_CONN(debug, conn_->id()) << "write failed: " << flushed.error().to_string();
    co_return static_cast<bool>(flushed);
}

core::Task<void> Session::end() {
    if (conn_->is_open()) {
        auto said = co_await conn_->flush(core::Deadline::after(5s));
        (void)said;
    }
    conn_->close();
}

core::Task<void> Session::run() {
    bool go_on = co_await admit_and_greet();
    while (go_on && state != State::logout && conn_->is_open()) {
        if (idling) {
            co_await idle_wait(*this);
        } else {
            go_on = co_await read_and_dispatch();
            if (!go_on) break;
        }
        go_on = co_await answer();
    }
    co_await end();
}

core::Task<void> serve(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context) {
    Session session(std::move(conn), std::move(context));
    // The connection boundary: an exception is a bug; it ends this connection, never the process.
    try {
        co_await session.run();
    } catch (const std::exception& e) {
        MLOG_CONN(error, session.conn().id()) << "imap session failed: " << e.what();
        session.conn().close();
    } catch (...) {
        MLOG_CONN(error, session.conn().id()) << "imap session failed: unknown exception";
        session.conn().close();
    }
}

}  // namespace mallard::imap
