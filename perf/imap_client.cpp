// See imap_client.h.
#include "perf/imap_client.h"

#include <charconv>
#include <utility>

namespace mallard::perf {
namespace {

using core::Deadline;
using core::Errc;
using core::Error;
using core::Result;
using core::Task;
using core::net::Connection;

constexpr std::size_t max_line = 64 * 1024;
constexpr int max_lines_per_reply = 10'000;  // a SELECT answers with a handful; a bound, not a limit in practice

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Sends "tag text" and reads to the tagged answer, noting EXISTS on the way. Ok only for "tag OK".
Task<Result<void>> command(Connection& c, std::string tag, std::string text, unsigned long* exists, Deadline deadline) {
    c.queue(tag + " " + text + "\r\n");
    auto sent = co_await c.flush(deadline);
    if (!sent) co_return sent.take_error();
    for (int i = 0; i < max_lines_per_reply; ++i) {
        auto line = co_await c.read_line(max_line, deadline);
        if (!line) co_return line.take_error();
        if (auto n = exists_in(*line)) *exists = *n;
        if (!starts_with(*line, tag + " ")) continue;
        if (starts_with(std::string_view(*line).substr(tag.size() + 1), "OK")) co_return core::success();
        co_return Error(Errc::bad_input, *line);
    }
    co_return Error(Errc::too_big, "no tagged answer in " + std::to_string(max_lines_per_reply) + " lines");
}

Result<IdleSession> failed(std::string step, const Error& e) { return Error(e.code, step + ": " + e.to_string()); }

}  // namespace

std::optional<unsigned long> exists_in(std::string_view line) {
    if (!starts_with(line, "* ")) return std::nullopt;
    line.remove_prefix(2);
    unsigned long n = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
    if (ec != std::errc()) return std::nullopt;
    std::string_view rest(end, static_cast<std::size_t>(line.data() + line.size() - end));
    if (rest.size() != 7 || (rest.substr(1) != "EXISTS" && rest.substr(1) != "exists") || rest[0] != ' ')
        return std::nullopt;
    return n;
}

std::optional<std::string> imap_quoted(std::string_view text) {
    std::string out = "\"";
    for (char ch : text) {
        auto u = static_cast<unsigned char>(ch);
        if (u == '\r' || u == '\n' || u == 0 || u >= 0x80) return std::nullopt;
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "\"";
}

Task<Result<IdleSession>> open_idle_session(IdleTarget target, Deadline deadline) {
    auto user = imap_quoted(target.user);
    auto password = imap_quoted(target.password);
    if (!user || !password) co_return Error(Errc::bad_input, "user or password not sendable as a quoted string");
    auto conn = co_await core::net::connect_tcp(target.server, deadline, target.source);
    if (!conn) co_return failed("connect", conn.error());
    Connection& c = **conn;
    if (target.tls) {
        auto tls = co_await c.start_tls(target.tls, core::net::TlsStream::Role::client, deadline);
        if (!tls) co_return failed("TLS handshake", tls.error());
    }
    auto greeting = co_await c.read_line(max_line, deadline);
    if (!greeting) co_return failed("greeting", greeting.error());
    if (!starts_with(*greeting, "* OK")) co_return Error(Errc::bad_input, "greeting: " + *greeting);
    unsigned long exists = 0;
    auto login = co_await command(c, "a", "LOGIN " + *user + " " + *password, &exists, deadline);
    if (!login) co_return failed("LOGIN", login.error());
    auto select = co_await command(c, "b", "SELECT INBOX", &exists, deadline);
    if (!select) co_return failed("SELECT", select.error());
    c.queue("c IDLE\r\n");
    auto sent = co_await c.flush(deadline);
    if (!sent) co_return failed("IDLE", sent.error());
    for (int i = 0; i < max_lines_per_reply; ++i) {
        auto line = co_await c.read_line(max_line, deadline);
        if (!line) co_return failed("IDLE", line.error());
        if (auto n = exists_in(*line)) exists = *n;
        if (starts_with(*line, "+")) {
            IdleSession session;
            session.conn = std::move(*conn);
            session.exists = exists;
            co_return std::move(session);
        }
        if (starts_with(*line, "c ")) co_return Error(Errc::bad_input, "IDLE: " + *line);
    }
    co_return Error(Errc::too_big, "IDLE: no continuation");
}

Task<Result<unsigned long>> next_exists(Connection& conn, Deadline deadline) {
    for (int i = 0; i < max_lines_per_reply; ++i) {
        auto line = co_await conn.read_line(max_line, deadline);
        if (!line) co_return line.take_error();
        if (auto n = exists_in(*line)) co_return *n;
        if (starts_with(*line, "* BYE")) co_return Error(Errc::closed, *line);
    }
    co_return Error(Errc::too_big, "no EXISTS in " + std::to_string(max_lines_per_reply) + " lines");
}

}  // namespace mallard::perf
