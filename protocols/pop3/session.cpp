// The POP3 session loop: greeting, line reading with the idle timeout and the line limit (RFC 1939 §3, §4),
// pipelined responses flushed once the client's buffered commands are answered (RFC 2449 §6.6).
#include "protocols/pop3/session.h"

#include <chrono>
#include <cstdint>
#include <exception>

#include "core/log.h"

namespace mallard::pop3 {

using namespace std::chrono_literals;

Session::Session(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context)
    : conn_(std::move(conn)), context_(std::move(context)) {}

void Session::reply_ok(std::string_view text) {
    std::string line = text.empty() ? "+OK" : "+OK ";
    line.append(text).append("\r\n");
    conn_->queue(line);
}

void Session::reply_err(std::string_view text) {
    std::string line = "-ERR ";
    line.append(text).append("\r\n");
    MLOG_CONN(debug, conn_->id()) << "S: " << line.substr(0, line.size() - 2);
    conn_->queue(line);
}

bool Session::stls_available() const {
    return options().starttls && context_->tls && !conn_->is_tls() && state == State::authorization;
}

void Session::register_for_session_control() {
    if (context_->bus) control_ = context_->bus->register_session(user.id, *this);
}

void Session::on_session_event(const storage::notify::SessionEvent& event) {
    if (end_reason_ || (!event.asp.empty() && event.asp != asp)) return;
    end_reason_ = std::make_unique<std::string>(storage::notify::printable_reason(event.reason));
    end_for_asp_ = !event.asp.empty();
    MLOG_CONN(info, conn_->id()) << "pop3: session of " << user.username << " ended from outside: " << *end_reason_;
    conn_->interrupt_reads();
}

bool Session::end_if_requested() {
    if (!end_reason_) return false;
    // RFC 3206: AUTH when the credentials this session used are gone (§5), else SYS/TEMP (§4): logging in
    // again works.
    reply_err((end_for_asp_ ? "[AUTH] " : "[SYS/TEMP] ") + *end_reason_);
    drop.clear();
    state = State::authorization;
    quit = true;
    return true;
}

namespace {

// The client's next command is already buffered (pipelining): answer it before flushing.
bool command_pending(const core::net::Connection& conn) {
    return conn.input().find('\n') != std::string_view::npos;
}

std::string_view logged_text(const Command& command, std::string_view line) {
    return command.verb == "PASS" || command.verb == "AUTH" ? std::string_view(command.verb) : line;
}

}  // namespace

core::Task<void> Session::run() {
    if (auth::ConnectionLimits* limits = context_->connection_limits) {
        auto admitted = co_await limits->try_acquire_address(auth::address_key(conn_->peer().ip()));
        if (!admitted) {
            // An -ERR greeting refuses the connection; RFC 3206 SYS/TEMP: it may work later.
            MLOG_CONN(info, conn_->id()) << "pop3 refused: too many connections from " << conn_->peer().ip();
            reply_err("[SYS/TEMP] Too many connections from your address");
            auto said = co_await conn_->flush(core::Deadline::after(5s));
            (void)said;
            conn_->close();
            co_return;
        }
        address_slot_ = std::move(*admitted);
    }
    reply_ok(options().hostname + " Mallard POP3 ready");
    auto greeted = co_await conn_->flush(deadline());
    if (!greeted) {
        conn_->close();
        co_return;
    }
    while (!quit) {
        auto line = co_await conn_->read_line(options().max_line_bytes, deadline());
        if (!line) {
            core::Errc code = line.error().code;
            // Ended from outside while waiting for the client: POP3 has no unsolicited responses, but, as for
            // the autologout timer, the line before the close tells the client why (at once, not at its next
            // command: a client that holds the connection open between checks would otherwise keep it).
            if (end_if_requested()) break;
            if (code == core::Errc::too_big) {
                reply_err("line too long");
            } else if (code == core::Errc::timed_out) {
                // RFC 1939 §3: an autologout timer ends the session without entering UPDATE.
                reply_err("[SYS/TEMP] autologout: idle for too long");
                break;
            } else if (code == core::Errc::cancelled) {
                reply_err("[SYS/TEMP] server shutting down");
                break;
            } else {
                MLOG_CONN(debug, conn_->id()) << "connection ended: " << line.error().to_string();
                break;
            }
        } else {
            Parsed parsed = parse_command(*line);
            if (auto* bad = std::get_if<Bad>(&parsed)) {
                MLOG_CONN(debug, conn_->id()) << "C: " << *line;
                reply_err(bad->text);
            } else {
                auto& command = std::get<Command>(parsed);
                MLOG_CONN(debug, conn_->id()) << "C: " << logged_text(command, *line);
                co_await dispatch(*this, std::move(command));
            }
        }
        if (!conn_->is_open()) co_return;
        if (quit || !command_pending(*conn_)) {
            auto flushed = co_await conn_->flush(deadline());
            if (!flushed) {
                MLOG_CONN(debug, conn_->id()) << "write failed: " << flushed.error().to_string();
                break;
            }
        }
    }
    // Say goodbye (best effort, briefly), then close: nothing was applied unless QUIT reached UPDATE.
    auto said = co_await conn_->flush(core::Deadline::after(5s));
    (void)said;
    conn_->close();
}

core::Task<void> serve(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context) {
    std::uint64_t id = conn->id();
    Session session(std::move(conn), std::move(context));
    // The connection boundary: an exception is a bug; it ends this connection, never the process.
    try {
        co_await session.run();
    } catch (const std::exception& e) {
        MLOG_CONN(error, id) << "pop3 session failed: " << e.what();
    } catch (...) {
        MLOG_CONN(error, id) << "pop3 session failed: unknown exception";
    }
}

}  // namespace mallard::pop3
