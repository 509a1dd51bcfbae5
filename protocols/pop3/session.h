// A POP3 session: RFC 1939 §3 states (AUTHORIZATION → TRANSACTION → UPDATE), the read loop, the maildrop
// fixed at login, and the UPDATE state that applies \Seen and deletions through the Store (so the journal
// records them and IMAP sessions hear of them). The commands themselves are in commands.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/net/connection.h"
#include "core/net/tls_context.h"
#include "core/task.h"
#include "core/thread_pool.h"
#include "protocols/auth/authenticator.h"
#include "protocols/auth/connection_limits.h"
#include "protocols/pop3/parser.h"
#include "storage/notify/bus.h"
#include "storage/store.h"

namespace mallard::pop3 {

// Filled by tools/mallard from config::Pop3Config (protocols don't read the config structs' owner).
struct Options {
    std::string hostname;
    std::size_t max_messages = 250;    // the maildrop is INBOX's newest N messages
    bool delete_to_trash = true;       // UPDATE moves deleted messages to Trash; false: \Deleted + expunge
    bool starttls = true;              // offer STLS on plaintext connections
    std::chrono::seconds idle_timeout{600};
    std::size_t max_line_bytes = 1024;
    std::chrono::milliseconds auth_failure_delay{1000};  // after every failed PASS / AUTH
};

// What every session shares; outlives them all (held by the listener's handler).
struct Context {
    Options options;
    storage::Store& store;
    core::ThreadPool& pool;
    std::shared_ptr<core::net::TlsProvider> tls;  // for STLS; may be null
    // Sessions per client address (before the greeting) and per user (at login); null: no limits.
    auth::ConnectionLimits* connection_limits = nullptr;
    // Login rules, rate limits and the auth log; null: a default Authenticator without rate limits (tests).
    const auth::Authenticator* authenticator = nullptr;
    // Administrative logout and ASP revocation (storage/notify/session_control.h); null: none (tests).
    storage::notify::Bus* bus = nullptr;
};

// The listener's entry point: owns the connection until the client quits or the connection drops.
core::Task<void> serve(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context);

enum class State : std::uint8_t { authorization = 1, transaction = 2 };

class Session final : public storage::notify::SessionListener {
public:
    Session(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context);

    core::Task<void> run();

    core::net::Connection& conn() { return *conn_; }
    const Context& context() const { return *context_; }
    const Options& options() const { return context_->options; }
    storage::Store& store() const { return context_->store; }
    // Every wait of this session: the idle timeout from now.
    core::Deadline deadline() const { return core::Deadline::after(options().idle_timeout); }

    void reply_ok(std::string_view text);
    void reply_err(std::string_view text);
    // STLS can be offered: configured, a TLS context loaded, not TLS already, not logged in.
    bool stls_available() const;

    // ---- ended from outside (storage/notify/session_control.h) ----
    // At login: from now on an administrative logout or the revocation of this session's ASP ends it.
    void register_for_session_control();
    // The bus: stops every read, so the session answers "-ERR <reason>" and closes without UPDATE.
    void on_session_event(const storage::notify::SessionEvent& event) override;
    // Once ended: queues the -ERR line and leaves without UPDATE (RFC 1939 §6: only QUIT applies deletions).
    bool end_if_requested();

    // ---- state, read and written by commands.cpp ----
    State state = State::authorization;
    bool quit = false;
    std::string pending_user;              // from USER, until PASS
    storage::User user;                    // after login
    storage::Mailbox inbox;                // at login: its id and UIDVALIDITY
    std::vector<DropMessage> drop;         // the maildrop, fixed at login, oldest first
    auth::ConnectionToken user_slot;       // this session's place under the per-user limit, from login on
    storage::AppPasswordId asp;            // the application password this session logged in with; empty: none

private:
    std::unique_ptr<core::net::Connection> conn_;
    std::shared_ptr<const Context> context_;
    auth::ConnectionToken address_slot_;   // this session's place under the per-address limit
    storage::notify::Bus::SessionRegistration control_;  // under this session's user, from login on
    std::unique_ptr<std::string> end_reason_;             // set once ended from outside: the -ERR's text
    bool end_for_asp_ = false;                            // ended because this session's ASP was revoked
};

// commands.cpp: runs one parsed command (state checks included) and queues its response.
core::Task<void> dispatch(Session& session, Command command);
// commands.cpp: the UPDATE state (RFC 1939 §6) after QUIT in TRANSACTION.
core::Task<void> enter_update(Session& session);

}  // namespace mallard::pop3
