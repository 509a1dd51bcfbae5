// Logging in: LOGIN (RFC 3501 §6.2.3) and AUTHENTICATE PLAIN (RFC 3501 §6.2.2, RFC 4616) with SASL-IR
// (RFC 4959) or the continuation form, "*" cancelling. Response codes from RFC 5530.
// The checks are auth::Authenticator's (application passwords, 2FA, failure rate limits, the auth log); every
// failure waits auth_failure_delay before NO [AUTHENTICATIONFAILED]; over the failure limit the answer is
// NO [UNAVAILABLE] at once, the password unchecked. A user at its limit of simultaneous sessions
// (Context::connection_limits) gets NO [LIMIT] and stays unauthenticated.
#include <optional>
#include <string_view>

#include "core/log.h"
#include "core/reactor.h"
#include "protocols/auth/authenticator.h"
#include "protocols/imap/command_table.h"
#include "protocols/auth/sasl_plain.h"

namespace mallard::imap {

using core::Task;

namespace {

// A fixed delay after every failure slows password guessing on one connection; the per-user and per-address
// failure limits (protocols/auth/failure_limits.h) slow it across connections and instances.
Task<Tagged> fail_login(Session& s, std::string text) {
    core::Sleep pause(core::Deadline::after(s.options().auth_failure_delay));
    co_await pause;
    co_return Tagged::no("[AUTHENTICATIONFAILED] " + text);
}

// The rules (rate limits, ASP scopes, 2FA, hash upgrade, auth log) are auth::Authenticator's. Without one in
// the context (unit tests) a default one is used: no rate limits, default argon2 parameters.
Task<Tagged> login(Session& s, std::string name, std::string password) {
    auth::Authenticator fallback(s.store(), s.context().pool, nullptr, {});
    const auth::Authenticator& authenticator = s.context().authenticator ? *s.context().authenticator : fallback;
    auth::AuthAttempt attempt{std::move(name), std::move(password), auth::Service::imap, s.conn().peer().ip(),
                              s.client_agent};
    auto result = co_await authenticator.authenticate(std::move(attempt));
    using Status = auth::AuthResult::Status;
    switch (result.status) {
        case Status::ok: break;
        case Status::rate_limited:
            // RFC 5530 §3 UNAVAILABLE: temporary; the password was not checked.
            MLOG_CONN(info, s.conn().id()) << "imap login refused: too many failed attempts";
            co_return Tagged::no("[UNAVAILABLE] Too many failed login attempts; try again in " +
                                 std::to_string(result.retry_after.count()) + " seconds");
        case Status::unavailable: co_return Tagged::no("[UNAVAILABLE] Authentication temporarily unavailable");
        case Status::disabled: {
            MLOG_CONN(info, s.conn().id()) << "imap login refused: " << result.user.username << " is disabled";
            auto failed = co_await fail_login(s, "Account disabled");
            co_return failed;
        }
        case Status::failed: {
            MLOG_CONN(info, s.conn().id()) << "imap login failed";
            auto failed = co_await fail_login(s, "Invalid credentials");
            co_return failed;
        }
    }
    if (auth::ConnectionLimits* limits = s.context().connection_limits) {
        // Only a client that knows the password learns that the user is at the limit.
        auto slot = co_await limits->try_acquire_user(result.user.id);
        if (!slot) {
            MLOG_CONN(info, s.conn().id()) << "imap login refused: " << result.user.username
                                           << " has too many sessions";
            co_return Tagged::no("[LIMIT] Too many simultaneous connections for this user");  // RFC 5530 §3
        }
        s.user_slot = std::move(*slot);
    }
    s.user = Session::LoggedInUser{std::move(result.user.id), std::move(result.user.username)};
    s.asp = std::move(result.asp);
    s.state = State::authenticated;
    s.register_for_session_control();
    co_await storage::notify::confirm_asp(s.store(), s.user.id, s.asp, s);
    MLOG_CONN(info, s.conn().id()) << "imap login " << s.user.username << (s.asp.empty() ? "" : " (application password " + s.asp + ")");
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
