// POP3 commands, one table: RFC 1939 (USER PASS STAT LIST RETR DELE NOOP RSET QUIT TOP UIDL), RFC 2449 CAPA,
// RFC 2595 STLS, RFC 5034 AUTH PLAIN; response codes from RFC 2449 §8 and RFC 3206.
// WildDuck's semantics: the maildrop is INBOX's newest N messages, fixed at login; changes wait for UPDATE.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>

#include "core/log.h"
#include "core/reactor.h"
#include "protocols/auth/authenticator.h"
#include "protocols/pop3/session.h"

namespace mallard::pop3 {

namespace {

using core::Task;

constexpr std::uint8_t in_authorization = static_cast<std::uint8_t>(State::authorization);
constexpr std::uint8_t in_transaction = static_cast<std::uint8_t>(State::transaction);
constexpr std::uint8_t in_any = in_authorization | in_transaction;

using Handler = Task<void> (*)(Session&, Command&);

struct CommandSpec {
    std::string_view name;
    Handler handler;
    std::uint8_t states;
    std::size_t min_args;
    std::size_t max_args;
};

std::string store_failure(const core::Error& error) {
    // RFC 3206: SYS/TEMP for conditions that may clear, SYS/PERM for the rest.
    bool temporary = error.code == core::Errc::unavailable || error.code == core::Errc::timed_out ||
                     error.code == core::Errc::conflict;
    return temporary ? "[SYS/TEMP] mail store unavailable, try again later" : "[SYS/PERM] mail store error";
}

// ---- the maildrop ----

// "msg" argument → the message, or an -ERR already queued.
DropMessage* find_message(Session& s, const std::string& arg) {
    auto n = parse_number(arg);
    if (!n || *n == 0 || *n > s.drop.size()) {
        s.reply_err("no such message");
        return nullptr;
    }
    DropMessage& m = s.drop[*n - 1];
    if (m.deleted) {
        s.reply_err("message " + arg + " already deleted");
        return nullptr;
    }
    return &m;
}

// The newest `count` messages of the mailbox without listing all of it: ask for UIDs near UIDNEXT first and
// widen until enough are found or the range reaches UID 1.
Task<core::Result<std::vector<storage::MessageMeta>>> newest_messages(storage::Store& store, storage::MailboxId box,
                                                                      storage::Uid uidnext, std::size_t count) {
    std::uint64_t span = std::max<std::uint64_t>(2 * count, 64);
    for (;;) {
        storage::Uid first = uidnext > span ? static_cast<storage::Uid>(uidnext - span) : 1;
        auto listed = co_await store.list_messages(box, storage::UidRange{first, storage::UidRange::max_uid});
        if (!listed) co_return listed.take_error();
        if (listed->size() >= count || first == 1) co_return std::move(*listed);
        span *= 4;
    }
}

// Login succeeded: fix the maildrop and enter TRANSACTION.
Task<void> open_maildrop(Session& s, storage::User user) {
    auto inbox = co_await s.store().find_mailbox(user.id, "INBOX");
    if (!inbox) {
        s.reply_err(store_failure(inbox.error()));
        co_return;
    }
    auto listed = co_await newest_messages(s.store(), inbox->id, inbox->uidnext, s.options().max_messages);
    if (!listed) {
        s.reply_err(store_failure(listed.error()));
        co_return;
    }
    s.drop = build_maildrop(*listed, s.options().max_messages);
    s.inbox = std::move(*inbox);
    s.user = std::move(user);
    s.state = State::transaction;
    s.pending_user.clear();
    std::uint64_t total = 0;
    for (const auto& m : s.drop) total += m.size_bytes;
    MLOG_CONN(info, s.conn().id()) << "pop3 login " << s.user.username << ": " << s.drop.size() << " messages";
    s.reply_ok("maildrop has " + std::to_string(s.drop.size()) + " messages (" + std::to_string(total) + " octets)");
}

Task<void> fail_login(Session& s, std::string reason) {
    // A fixed delay after every failure slows down password guessing on one connection; the failure limits
    // of protocols/auth/failure_limits.h slow it across connections and instances.
    core::Sleep pause(core::Deadline::after(s.options().auth_failure_delay));
    co_await pause;
    s.reply_err("[AUTH] " + reason);
}

// The rules (rate limits, ASP scopes, 2FA, hash upgrade, auth log) are auth::Authenticator's; without one in
// the context (unit tests) a default one is used, without rate limits.
Task<void> login(Session& s, std::string name, std::string password) {
    auth::Authenticator fallback(s.store(), s.context().pool, nullptr, {});
    const auth::Authenticator& authenticator = s.context().authenticator ? *s.context().authenticator : fallback;
    auth::AuthAttempt attempt{std::move(name), std::move(password), auth::Service::pop3, s.conn().peer().ip(), ""};
    auto result = co_await authenticator.authenticate(std::move(attempt));
    using Status = auth::AuthResult::Status;
    switch (result.status) {
        case Status::ok: break;
        case Status::rate_limited:
            // RFC 3206 §4 SYS/TEMP: a temporary problem, try later; the password was not checked.
            MLOG_CONN(info, s.conn().id()) << "pop3 login refused: too many failed attempts";
            s.reply_err("[SYS/TEMP] Too many failed login attempts; try again in " +
                        std::to_string(result.retry_after.count()) + " seconds");
            co_return;
        case Status::unavailable:
            s.reply_err("[SYS/TEMP] Authentication temporarily unavailable");
            co_return;
        case Status::disabled:
            MLOG_CONN(info, s.conn().id()) << "pop3 login refused: " << result.user.username << " is disabled";
            co_await fail_login(s, "account disabled");
            co_return;
        case Status::failed:
            MLOG_CONN(info, s.conn().id()) << "pop3 login failed";
            co_await fail_login(s, "invalid username or password");
            co_return;
    }
    if (auth::ConnectionLimits* limits = s.context().connection_limits) {
        // RFC 2449 §8.1.2 IN-USE: the client may try again later. Only a client that knows the password
        // learns that the user is at the limit.
        auto slot = co_await limits->try_acquire_user(result.user.id);
        if (!slot) {
            MLOG_CONN(info, s.conn().id()) << "pop3 login refused: " << result.user.username
                                           << " has too many sessions";
            s.reply_err("[IN-USE] Too many simultaneous connections for this user");
            co_return;
        }
        s.user_slot = std::move(*slot);
    }
    s.asp = result.asp;
    co_await open_maildrop(s, std::move(result.user));
    if (s.state != State::transaction) {
        s.user_slot.release();  // the maildrop could not be opened
        s.asp.clear();
        co_return;
    }
    s.register_for_session_control();
    co_await storage::notify::confirm_asp(s.store(), s.user.id, s.asp, s);
}

// ---- AUTHORIZATION ----

Task<void> cmd_capa(Session& s, Command&) {
    std::string out = "+OK capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
                      "PIPELINING\r\nSASL PLAIN\r\n";
    if (s.stls_available()) out += "STLS\r\n";
    out += "IMPLEMENTATION Mallard\r\n.\r\n";
    s.conn().queue(out);
    co_return;
}

Task<void> cmd_user(Session& s, Command& c) {
    s.pending_user = c.args[0];
    s.reply_ok("send PASS");
    co_return;
}

Task<void> cmd_pass(Session& s, Command& c) {
    if (s.pending_user.empty()) {
        s.reply_err("USER first");
        co_return;
    }
    std::string name = std::move(s.pending_user);
    s.pending_user.clear();
    co_await login(s, std::move(name), std::move(c.args[0]));
}

Task<void> cmd_auth(Session& s, Command& c) {
    if (c.args.empty()) {  // not in RFC 5034, but clients probe with it (the RFC 1734 listing)
        s.conn().queue("+OK\r\nPLAIN\r\n.\r\n");
        co_return;
    }
    std::string mechanism = c.args[0];
    std::transform(mechanism.begin(), mechanism.end(), mechanism.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (mechanism != "PLAIN") {
        s.reply_err("unsupported authentication mechanism");
        co_return;
    }
    std::string response;
    if (c.args.size() == 2) {
        response = std::move(c.args[1]);
    } else {  // RFC 5034 §4: an empty challenge, then the client's response on its own line
        s.conn().queue("+ \r\n");
        auto flushed = co_await s.conn().flush(s.deadline());
        if (!flushed) co_return;
        auto line = co_await s.conn().read_line(s.options().max_line_bytes, s.deadline());
        if (!line) {
            if (line.error().code == core::Errc::too_big) s.reply_err("line too long");
            else s.conn().close();
            co_return;
        }
        response = std::move(*line);
    }
    if (response == "*") {
        s.reply_err("authentication cancelled");
        co_return;
    }
    auto credentials = decode_sasl_plain(response == "=" ? std::string_view() : std::string_view(response));
    if (!credentials) {
        co_await fail_login(s, credentials.error().detail);
        co_return;
    }
    co_await login(s, std::move(credentials->login), std::move(credentials->password));
}

Task<void> cmd_stls(Session& s, Command&) {
    if (!s.stls_available()) {
        s.reply_err(s.conn().is_tls() ? "already using TLS" : "STLS not available");
        co_return;
    }
    s.reply_ok("begin TLS negotiation");
    auto flushed = co_await s.conn().flush(s.deadline());
    if (!flushed) {
        s.conn().close();
        co_return;
    }
    auto context = s.context().tls->current();
    // start_tls discards plaintext the client pipelined after STLS (RFC 2595 §3.1, CVE-2011-0411).
    auto started = co_await s.conn().start_tls(std::move(context), core::net::TlsStream::Role::server, s.deadline());
    if (!started) {
        MLOG_CONN(info, s.conn().id()) << "STLS failed: " << started.error().to_string();
        s.conn().close();
        co_return;
    }
    s.pending_user.clear();  // RFC 2595 §4: forget what was learned before TLS
}

// ---- TRANSACTION ----

Task<void> cmd_stat(Session& s, Command&) {
    std::size_t count = 0;
    std::uint64_t total = 0;
    for (const auto& m : s.drop) {
        if (m.deleted) continue;
        ++count;
        total += m.size_bytes;
    }
    s.reply_ok(std::to_string(count) + " " + std::to_string(total));
    co_return;
}

// LIST and UIDL share their shape: one message, or all undeleted ones as a multi-line listing.
Task<void> list_or_uidl(Session& s, Command& c, bool uidl) {
    auto describe = [&](std::size_t number, const DropMessage& m) {
        return std::to_string(number) + " " +
               (uidl ? unique_id(s.inbox.uidvalidity, m.uid) : std::to_string(m.size_bytes));
    };
    if (!c.args.empty()) {
        DropMessage* m = find_message(s, c.args[0]);
        if (m) s.reply_ok(describe(static_cast<std::size_t>(m - s.drop.data()) + 1, *m));
        co_return;
    }
    std::string out = uidl ? "+OK unique-id listing follows\r\n" : "+OK scan listing follows\r\n";
    for (std::size_t i = 0; i < s.drop.size(); ++i) {
        if (s.drop[i].deleted) continue;
        out += describe(i + 1, s.drop[i]);
        out += "\r\n";
    }
    out += ".\r\n";
    s.conn().queue(out);
}

Task<void> cmd_list(Session& s, Command& c) { co_await list_or_uidl(s, c, false); }
Task<void> cmd_uidl(Session& s, Command& c) { co_await list_or_uidl(s, c, true); }

// RETR and TOP: read the stored bytes, send them dot-stuffed.
Task<void> send_message(Session& s, DropMessage& m, std::optional<std::uint32_t> top_lines) {
    auto raw = co_await s.store().read_message(s.inbox.id, m.uid, std::nullopt);
    if (!raw) {
        s.reply_err(raw.error().code == core::Errc::not_found ? "[SYS/PERM] message was removed by another session"
                                                              : store_failure(raw.error()));
        co_return;
    }
    std::string_view body = *raw;
    if (top_lines) body = top_of_message(body, *top_lines);
    std::string out = top_lines ? std::string("+OK top of message follows\r\n")
                                : "+OK " + std::to_string(m.size_bytes) + " octets\r\n";
    append_multiline(out, body);
    raw->clear();
    raw->shrink_to_fit();
    if (!top_lines) m.retrieved = true;
    auto written = co_await s.conn().write(out, s.deadline());
    if (!written) s.conn().close();
}

Task<void> cmd_retr(Session& s, Command& c) {
    DropMessage* m = find_message(s, c.args[0]);
    if (!m) co_return;
    co_await send_message(s, *m, std::nullopt);
}

Task<void> cmd_top(Session& s, Command& c) {
    auto lines = parse_number(c.args[1]);
    if (!lines) {
        s.reply_err("invalid line count");
        co_return;
    }
    DropMessage* m = find_message(s, c.args[0]);
    if (!m) co_return;
    co_await send_message(s, *m, lines);
}

Task<void> cmd_dele(Session& s, Command& c) {
    DropMessage* m = find_message(s, c.args[0]);
    if (!m) co_return;
    m->deleted = true;
    s.reply_ok("message " + c.args[0] + " deleted");
}

Task<void> cmd_rset(Session& s, Command&) {
    for (auto& m : s.drop) m.deleted = false;
    s.reply_ok("maildrop has " + std::to_string(s.drop.size()) + " messages");
    co_return;
}

Task<void> cmd_noop(Session& s, Command&) {
    s.reply_ok("");
    co_return;
}

Task<void> cmd_quit(Session& s, Command&) {
    s.quit = true;
    if (s.state == State::transaction) {
        co_await enter_update(s);
        co_return;
    }
    s.reply_ok(s.options().hostname + " POP3 server signing off");
}

constexpr CommandSpec command_table[] = {
    // name   handler    accepted in         args
    {"CAPA", cmd_capa, in_any, 0, 0},
    {"USER", cmd_user, in_authorization, 1, 1},
    {"PASS", cmd_pass, in_authorization, 1, 1},
    {"AUTH", cmd_auth, in_authorization, 0, 2},
    {"STLS", cmd_stls, in_authorization, 0, 0},
    {"STAT", cmd_stat, in_transaction, 0, 0},
    {"LIST", cmd_list, in_transaction, 0, 1},
    {"UIDL", cmd_uidl, in_transaction, 0, 1},
    {"RETR", cmd_retr, in_transaction, 1, 1},
    {"TOP", cmd_top, in_transaction, 2, 2},
    {"DELE", cmd_dele, in_transaction, 1, 1},
    {"RSET", cmd_rset, in_transaction, 0, 0},
    {"NOOP", cmd_noop, in_transaction, 0, 0},
    {"QUIT", cmd_quit, in_any, 0, 0},
};

// ---- UPDATE ----

Task<core::Result<storage::MailboxId>> trash_of(storage::Store& store, storage::UserId user) {
    auto boxes = co_await store.list_mailboxes(user);
    if (!boxes) co_return boxes.take_error();
    for (const auto& b : *boxes)
        if (b.special_use == storage::SpecialUse::trash) co_return b.id;
    co_return core::Error(core::Errc::not_found, "no Trash mailbox");
}

Task<core::Result<void>> remove_messages(Session& s, std::vector<storage::UidRange> runs) {
    if (runs.empty()) co_return core::success();
    if (s.options().delete_to_trash) {
        auto trash = co_await trash_of(s.store(), s.user.id);
        if (trash) {
            for (const auto& run : runs) {
                auto moved = co_await s.store().move(s.inbox.id, run, *trash);
                if (!moved) co_return moved.take_error();
            }
            co_return core::success();
        }
        // No Trash (the user deleted it): DELE then means what RFC 1939 says, removal.
        MLOG_CONN(warn, s.conn().id()) << "pop3: " << s.user.username << " has no Trash; expunging instead";
    }
    for (const auto& run : runs) {
        storage::FlagChange change;
        change.uids = run;
        change.op = storage::FlagOp::add;
        change.flags = {std::string(storage::flag_deleted)};
        auto flagged = co_await s.store().store_flags(s.inbox.id, std::move(change));
        if (!flagged) co_return flagged.take_error();
        auto expunged = co_await s.store().expunge(s.inbox.id, run);
        if (!expunged) co_return expunged.take_error();
    }
    co_return core::success();
}

}  // namespace

Task<void> enter_update(Session& s) {
    // Retrieved messages become \Seen (deleted ones too, so they arrive in Trash as read), then the deleted
    // ones leave INBOX. Each step goes through the Store, so the journal tells IMAP sessions.
    auto seen_runs = uid_runs(s.drop, [](const DropMessage& m) { return m.retrieved; });
    for (const auto& run : seen_runs) {
        storage::FlagChange change;
        change.uids = run;
        change.op = storage::FlagOp::add;
        change.flags = {"\\Seen"};
        auto flagged = co_await s.store().store_flags(s.inbox.id, std::move(change));
        if (!flagged) {
            s.reply_err(store_failure(flagged.error()));
            co_return;
        }
    }
    auto deleted_runs = uid_runs(s.drop, [](const DropMessage& m) { return m.deleted; });
    std::size_t deleted = 0;
    for (const auto& m : s.drop) deleted += m.deleted ? 1 : 0;
    auto removed = co_await remove_messages(s, std::move(deleted_runs));
    if (!removed) {
        MLOG_CONN(error, s.conn().id()) << "pop3 update failed: " << removed.error().to_string();
        s.reply_err(store_failure(removed.error()) + ": some deleted messages not removed");
        co_return;
    }
    s.reply_ok(s.options().hostname + " POP3 server signing off (" + std::to_string(deleted) + " messages deleted)");
}

Task<void> dispatch(Session& s, Command command) {
    const CommandSpec* spec = nullptr;
    for (const auto& c : command_table)
        if (c.name == command.verb) spec = &c;
    if (!spec) {
        s.reply_err("unknown command");
        co_return;
    }
    if (!(spec->states & static_cast<std::uint8_t>(s.state))) {
        s.reply_err(s.state == State::authorization ? "not authenticated" : "command not valid after login");
        co_return;
    }
    // Ended from outside (a logout, a revoked ASP): a command the client had already sent is not run.
    if (s.end_if_requested()) co_return;
    if (command.args.size() < spec->min_args || command.args.size() > spec->max_args) {
        s.reply_err("wrong number of arguments");
        co_return;
    }
    co_await spec->handler(s, command);
}

}  // namespace mallard::pop3
