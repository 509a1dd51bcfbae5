// Logging in: LOGIN (RFC 3501 §6.2.3) and AUTHENTICATE PLAIN (RFC 3501 §6.2.2, RFC 4616) with SASL-IR
// (RFC 4959) or the continuation form, "*" cancelling. Response codes from RFC 5530.
// A user is found by username or any address (Store::find_user_by_login); the argon2 check runs on the
// pool; every failure waits auth_failure_delay before NO [AUTHENTICATIONFAILED]. A user at its limit of
// simultaneous sessions (Context::connection_limits) gets NO [LIMIT] and stays unauthenticated.
#include <optional>
#include <string_view>

#include "core/log.h"
#include "core/reactor.h"
#include "protocols/auth/password.h"
#include "protocols/imap/command_table.h"
#include "protocols/auth/sasl_plain.h"

namespace mallard::imap {

using core::Task;

namespace {

// A fixed delay after every failure slows password guessing on one connection. Per-user and per-IP rate
// limits come with the account-security work (protocols/auth/).
Task<Tagged> fail_login(Session& s, std::string text) {
    core::Sleep pause(core::Deadline::after(s.options().auth_failure_delay));
    co_await pause;
    co_return Tagged::no("[AUTHENTICATIONFAILED] " + text);
}

Tagged store_failure(const core::Error& error) {
    MLOG(warn) << "imap login: store error: " << error.to_string();
    return Tagged::no("[UNAVAILABLE] Authentication temporarily unavailable");
}

Task<Tagged> login(Session& s, std::string name, std::string password) {
    auto found = co_await s.store().find_user_by_login(name);
    if (!found) {
        if (found.error().code != core::Errc::not_found) co_return store_failure(found.error());
        auto failed = co_await fail_login(s, "Invalid credentials");
        co_return failed;
    }
    auto check = [password = std::move(password), hash = found->password_hash] {
        return auth::verify_password(password, hash);
    };
    auto verdict = co_await s.context().pool.run(std::move(check));
    if (verdict != auth::Verdict::match) {
        MLOG_CONN(info, s.conn().id()) << "imap login failed for " << found->username;
        auto failed = co_await fail_login(s, "Invalid credentials");
        co_return failed;
    }
    if (found->disabled) {
        MLOG_CONN(info, s.conn().id()) << "imap login refused: " << found->username << " is disabled";
        auto failed = co_await fail_login(s, "Account disabled");
        co_return failed;
    }
    if (auth::ConnectionLimits* limits = s.context().connection_limits) {
        // Only a client that knows the password learns that the user is at the limit.
        auto slot = co_await limits->try_acquire_user(found->id);
        if (!slot) {
            MLOG_CONN(info, s.conn().id()) << "imap login refused: " << found->username << " has too many sessions";
            co_return Tagged::no("[LIMIT] Too many simultaneous connections for this user");  // RFC 5530 §3
        }
        s.user_slot = std::move(*slot);
    }
    s.user = std::move(*found);
    s.user.password_hash = std::string();  // checked; a session that may idle for hours needn't keep it
    s.state = State::authenticated;
    MLOG_CONN(info, s.conn().id()) << "imap login " << s.user.username;
    co_return Tagged::ok("[CAPABILITY " + s.capabilities() + "] Logged in");
}

}  // namespace

Task<Tagged> cmd_login(Session& s, Command& c) {
    if (s.login_disabled()) co_return Tagged::no("[PRIVACYREQUIRED] LOGIN is disabled without TLS");
    auto& args = std::get<Login>(c.args);
    auto result = co_await login(s, std::move(args.user), std::move(args.password));
    co_return result;
}

Task<Tagged> cmd_authenticate(Session& s, Command& c) {
    auto& args = std::get<Authenticate>(c.args);
    if (args.mechanism != "PLAIN") co_return Tagged::no("[CANNOT] Unsupported authentication mechanism");
    if (s.login_disabled()) co_return Tagged::no("[PRIVACYREQUIRED] Plaintext authentication disabled without TLS");
    std::string response;
    if (args.initial_response) {
        response = std::move(*args.initial_response);
    } else {
        // RFC 3501 §6.2.2: an empty challenge, then the client's response on a line of its own.
        s.conn().queue("+ \r\n");
        auto sent = co_await s.conn().flush(s.deadline());
        if (!sent) {
            s.abandon(sent.error());
            co_return Tagged::no("");
        }
        s.parser().expect_line();
        auto step = co_await s.next_step();
        if (!step) {
            s.abandon(step.error());
            co_return Tagged::no("");
        }
        auto* command = std::get_if<Command>(&*step);
        auto* line = command ? std::get_if<RawLine>(&command->args) : nullptr;
        if (!line) co_return Tagged::bad("Invalid authentication response");
        response = std::move(line->text);
    }
    if (response == "*") co_return Tagged::bad("Authentication cancelled");  // RFC 3501 §6.2.2
    auto credentials = auth::decode_sasl_plain(response == "=" ? std::string_view() : std::string_view(response));
    if (!credentials) {
        auto failed = co_await fail_login(s, "Invalid SASL PLAIN response");
        co_return failed;
    }
    auto result = co_await login(s, std::move(credentials->login), std::move(credentials->password));
    co_return result;
}

}  // namespace mallard::imap
