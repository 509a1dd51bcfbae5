// LMTP session: RFC 2033 §4 (LHLO, per-recipient DATA replies), RFC 5321 §4.1 and §4.3.2 (commands and
// their sequence), RFC 2920 (PIPELINING), RFC 1870 (SIZE), RFC 6531 (SMTPUTF8), RFC 3463 (status codes).
#include "protocols/lmtp/session.h"

#include <cstdio>
#include <exception>

#include "core/counters.h"
#include "core/log.h"

namespace mallard::lmtp {

using core::Errc;

namespace {

// What a command needs to have happened before it.
enum class Needs { nothing, lhlo, mail, rcpt };

using Handler = core::Task<void> (*)(Session&, std::string argument);

core::Task<void> cmd_lhlo(Session& s, std::string argument) {
    if (argument.empty() || argument.find(' ') != std::string::npos) {
        s.reply({501, "5.5.4", "Syntax: LHLO hostname"});
        co_return;
    }
    s.reset_transaction();  // like EHLO, LHLO starts afresh (RFC 5321 §4.1.4)
    s.lhlo_name_ = std::move(argument);
    s.reply_lines(250, {s.options_.hostname, "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8",
                        "SIZE " + std::to_string(s.options_.max_message_bytes)});
    co_return;
}

core::Task<void> cmd_mail(Session& s, std::string argument) {
    if (s.in_transaction_) {
        s.reply({503, "5.5.1", "Nested MAIL command"});
        co_return;
    }
    auto parsed = parse_mail_from(argument);
    if (auto* error = std::get_if<Reply>(&parsed)) {
        s.reply(*error);
        co_return;
    }
    MailFrom& mail = std::get<MailFrom>(parsed);
    if (!mail.smtputf8 && !is_ascii(mail.address)) {
        s.reply({553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter"});
        co_return;
    }
    if (mail.size && *mail.size > s.options_.max_message_bytes) {  // RFC 1870 §6.2
        s.reply({552, "5.3.4", "Message size exceeds fixed maximum message size"});
        co_return;
    }
    s.mail_ = std::move(mail);
    s.in_transaction_ = true;
    s.reply({250, "2.1.0", "Sender OK"});
}

core::Task<void> cmd_rcpt(Session& s, std::string argument) {
    auto parsed = parse_rcpt_to(argument);
    if (auto* error = std::get_if<Reply>(&parsed)) {
        s.reply(*error);
        co_return;
    }
    RcptTo& rcpt = std::get<RcptTo>(parsed);
    if (!s.mail_.smtputf8 && !is_ascii(rcpt.address)) {
        s.reply({553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter"});
        co_return;
    }
    if (s.recipients_.size() >= s.options_.max_recipients) {  // RFC 5321 §4.5.3.1.10
        s.reply({452, "4.5.3", "Too many recipients"});
        co_return;
    }
    auto check = co_await check_recipient(s.store_, std::move(rcpt.address), s.mail_.size.value_or(0));
    if (check.accepted) s.recipients_.push_back(std::move(*check.accepted));
    s.reply(check.reply);
}

// Reads the message after 354. Returns false when the connection ended (or timed out) before the ".".
core::Task<bool> read_message(Session& s, DataDecoder& decoder) {
    for (;;) {
        std::string_view have = s.conn_->input();
        if (!have.empty()) {
            std::size_t used = decoder.feed(have);
            s.conn_->consume(used);
            if (decoder.done()) co_return true;
            continue;
        }
        auto filled = co_await s.conn_->fill(s.deadline());
        if (!filled) {
            if (filled.error().code == Errc::timed_out) s.reply({421, "4.4.2", "Timeout waiting for data"});
            if (filled.error().code == Errc::cancelled) s.reply({421, "4.3.2", "Server shutting down"});
            co_return false;
        }
    }
}

std::string transaction_id(const Session& s) {
    char id[48];
    std::snprintf(id, sizeof id, "%llx.%u", static_cast<unsigned long long>(s.conn_->id()), s.transactions_);
    return id;
}

std::string peer_literal(const core::net::PeerAddress& peer) {
    if (peer.is_local_socket()) return "local";  // a process on this host, through lmtp.unix_socket
    std::string ip = peer.ip();
    return ip.find(':') == std::string::npos ? "[" + ip + "]" : "[IPv6:" + ip + "]";  // RFC 5321 §4.1.3
}

core::Task<void> cmd_data(Session& s, std::string argument) {
    if (!argument.empty()) {
        s.reply({501, "5.5.4", "Syntax: DATA takes no argument"});
        co_return;
    }
    s.reply({354, "", "Start mail input; end with <CRLF>.<CRLF>"});
    auto flushed = co_await s.conn_->flush(s.deadline());
    if (!flushed) {
        s.quit_ = true;
        co_return;
    }
    DataDecoder decoder(s.options_.max_message_bytes);
    auto complete = co_await read_message(s, decoder);
    if (!complete) {
        s.quit_ = true;  // the transaction is abandoned: nothing was stored, nothing acknowledged
        co_return;
    }
    ++s.transactions_;
    Delivery delivery;
    delivery.sender = s.mail_.address;
    delivery.recipients = s.recipients_;
    delivery.lhlo_name = s.lhlo_name_;
    delivery.peer = peer_literal(s.conn_->peer());
    delivery.hostname = s.options_.hostname;
    delivery.id = transaction_id(s);
    delivery.smtputf8 = s.mail_.smtputf8;
    delivery.policy.spam_rules = s.options_.spam_rules;
    delivery.policy.pool = s.options_.pool;
    std::vector<Reply> replies;
    if (decoder.too_big()) {
        // RFC 2033 §4.2: still one reply per recipient.
        replies.assign(s.recipients_.size(), Reply{552, "5.3.4", "Message too big for this system"});
    } else {
        auto delivered = co_await deliver(s.store_, std::move(delivery), decoder.take());
        replies = std::move(delivered);
    }
    for (std::size_t i = 0; i < replies.size(); ++i) {
        MLOG_CONN(info, s.conn_->id()) << "lmtp " << transaction_id(s) << " from=<" << s.mail_.address << "> to=<"
                                       << s.recipients_[i].address << "> size=" << decoder.size_bytes() << ": "
                                       << replies[i].code << " " << replies[i].status;
        s.reply(replies[i]);
    }
    s.reset_transaction();
}

core::Task<void> cmd_rset(Session& s, std::string) {
    s.reset_transaction();
    s.reply({250, "2.0.0", "OK"});
    co_return;
}

core::Task<void> cmd_noop(Session& s, std::string) {
    s.reply({250, "2.0.0", "OK"});
    co_return;
}

core::Task<void> cmd_quit(Session& s, std::string) {
    s.reply({221, "2.0.0", s.options_.hostname + " closing connection"});
    s.quit_ = true;
    co_return;
}

// RFC 5321 §3.5.3: 252 declines to verify without claiming the command is unimplemented (VRFY is in the
// minimum command set of §4.5.1, so 502 would be wrong), and reveals nothing about which addresses exist.
core::Task<void> cmd_vrfy(Session& s, std::string) {
    s.reply({252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"});
    co_return;
}

core::Task<void> cmd_help(Session& s, std::string) {
    s.reply({214, "2.0.0", "Commands: LHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP"});
    co_return;
}

core::Task<void> cmd_helo(Session& s, std::string) {
    s.reply({500, "5.5.1", "This is an LMTP server: use LHLO (RFC 2033)"});
    co_return;
}

core::Task<void> cmd_not_implemented(Session& s, std::string) {
    s.reply({502, "5.5.1", "Command not implemented"});
    co_return;
}

core::Task<void> cmd_unknown(Session& s, std::string) {
    s.reply({500, "5.5.2", "Command unrecognized"});
    co_return;
}

struct CommandSpec {
    Verb verb;
    Handler handler;
    Needs needs;
};

constexpr CommandSpec command_table[] = {
    // verb                    handler               accepted after
    {Verb::lhlo,               cmd_lhlo,             Needs::nothing},
    {Verb::mail,               cmd_mail,             Needs::lhlo},
    {Verb::rcpt,               cmd_rcpt,             Needs::mail},
    {Verb::data,               cmd_data,             Needs::rcpt},
    {Verb::rset,               cmd_rset,             Needs::nothing},
    {Verb::noop,               cmd_noop,             Needs::nothing},
    {Verb::quit,               cmd_quit,             Needs::nothing},
    {Verb::vrfy,               cmd_vrfy,             Needs::nothing},
    {Verb::help,               cmd_help,             Needs::nothing},
    {Verb::helo,               cmd_helo,             Needs::nothing},
    {Verb::ehlo,               cmd_helo,             Needs::nothing},
    {Verb::not_implemented,    cmd_not_implemented,  Needs::nothing},
    {Verb::unknown,            cmd_unknown,          Needs::nothing},
};

// 503 5.5.1 with what is missing, or nothing when the command may run now.
std::optional<Reply> out_of_sequence(const Session& s, Needs needs) {
    if (needs >= Needs::lhlo && s.lhlo_name_.empty()) return Reply{503, "5.5.1", "Send LHLO first"};
    if (needs >= Needs::mail && !s.in_transaction_) return Reply{503, "5.5.1", "Send MAIL first"};
    if (needs >= Needs::rcpt && s.recipients_.empty())
        return Reply{503, "5.5.1", "No valid recipients"};  // RFC 2033 §4.2
    return std::nullopt;
}

core::Task<void> dispatch(Session& s, Command command) {
    for (const auto& spec : command_table) {
        if (spec.verb != command.verb) continue;
        if (auto refused = out_of_sequence(s, spec.needs)) {
            s.reply(*refused);
            co_return;
        }
        co_await spec.handler(s, std::move(command.argument));
        co_return;
    }
}

}  // namespace

Session::Session(std::unique_ptr<core::net::Connection> conn, storage::Store& store, SessionOptions options)
    : conn_(std::move(conn)), store_(store), options_(std::move(options)) {}

void Session::reply(const Reply& r) { conn_->queue(r.render()); }

void Session::reply_lines(int code, const std::vector<std::string>& lines) {
    for (std::size_t i = 0; i < lines.size(); ++i)
        conn_->queue(std::to_string(code) + (i + 1 < lines.size() ? "-" : " ") + lines[i] + "\r\n");
}

void Session::reset_transaction() {
    in_transaction_ = false;
    mail_ = MailFrom{};
    recipients_.clear();
}

core::Task<void> Session::run() {
    reply({220, "", options_.hostname + " Mallard LMTP ready"});
    while (!quit_) {
        // Pipelining: answer a batch of commands together, once no complete command is waiting.
        if (conn_->input().find('\n') == std::string_view::npos) {
            auto flushed = co_await conn_->flush(deadline());
            if (!flushed) co_return;
        }
        auto line = co_await conn_->read_line(max_command_bytes, deadline());
        if (!line) {
            Errc code = line.error().code;
            if (code == Errc::too_big) {  // read to its end and dropped: memory stays bounded
                reply({500, "5.5.6", "Line too long"});
                continue;
            }
            if (code == Errc::timed_out) reply({421, "4.4.2", options_.hostname + " idle timeout, closing"});
            else if (code == Errc::cancelled) reply({421, "4.3.2", options_.hostname + " shutting down"});
            else break;
            quit_ = true;
            break;
        }
        core::thread_counters().add(core::thread_counters().commands);
        MLOG_CONN(debug, conn_->id()) << "LMTP C: " << line->substr(0, 200);
        Command command = parse_command(*line);
        co_await dispatch(*this, std::move(command));
    }
    auto flushed = co_await conn_->flush(core::Deadline::after(std::chrono::seconds(10)));
    if (!flushed) MLOG_CONN(debug, conn_->id()) << "final reply not sent: " << flushed.error().to_string();
}

core::Task<void> serve(std::unique_ptr<core::net::Connection> conn, storage::Store& store, SessionOptions options) {
    Session session(std::move(conn), store, std::move(options));
    try {
        co_await session.run();
    } catch (const std::exception& e) {
        MLOG_CONN(error, session.conn_->id()) << "LMTP session failed: " << e.what();
    }
    session.conn_->close();
}

}  // namespace mallard::lmtp
