// An IMAP session: RFC 3501 §3 states (not authenticated → authenticated → selected → logout), the read
// loop that feeds the parser and answers its continuation requests and errors, the deadline that follows the
// state (a short pre-login timeout, the autologout timer after, §5.4), and the end of the session (LOGOUT,
// autologout, server shutdown, the peer closing). The commands run through the table in command_table.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/deadline.h"
#include "core/net/connection.h"
#include "core/net/tls_context.h"
#include "core/result.h"
#include "core/task.h"
#include "core/thread_pool.h"
#include "protocols/auth/authenticator.h"
#include "protocols/auth/connection_limits.h"
#include "protocols/imap/capabilities.h"
#include "protocols/imap/mailbox_feed.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/parser.h"
#include "protocols/imap/render.h"
#include "storage/notify/bus.h"
#include "storage/store.h"

namespace mallard::imap {

// Filled by tools/mallard from the IMAP config section (protocols don't own the config structs).
struct Options {
    std::string hostname;
    bool starttls = true;                    // offer STARTTLS on plaintext connections (needs a TLS provider)
    bool login_disabled_without_tls = false; // LOGINDISABLED on plaintext: LOGIN and AUTHENTICATE refused
    bool compress = true;                    // COMPRESS=DEFLATE (RFC 4978)
    std::chrono::milliseconds preauth_timeout{std::chrono::minutes(1)};  // before login
    std::chrono::milliseconds autologout{std::chrono::minutes(30)};      // after login (RFC 3501 §5.4)
    std::chrono::milliseconds auth_failure_delay{1000};                  // after every failed login
    // How often a session with a selected mailbox reads its journal unprompted (in IDLE, and before a
    // command): the bus tells of every change this process makes; this catches writers it can't hear
    // (another process on the same data directory without Redis, mallardctl).
    std::chrono::milliseconds poll_interval{std::chrono::minutes(2)};
    // RFC 7889 APPENDLIMIT: the largest message APPEND accepts; 0 = no limit of its own. The parser's
    // limits.max_append_bytes caps it either way: see effective_append_limit().
    std::uint64_t append_limit = 0;
    ParserLimits limits;
};

// The largest message APPEND accepts, as advertised (APPENDLIMIT=<n>, STATUS APPENDLIMIT) and enforced (the
// parser refuses a bigger literal with [TOOBIG] before it is sent): append_limit, never more than the
// parser's max_append_bytes, which bounds the whole command.
std::uint64_t effective_append_limit(const Options& options);

// What every session shares; outlives them all (held by the listener's handler).
struct Context {
    Options options;
    storage::Store& store;
    core::ThreadPool& pool;
    std::shared_ptr<core::net::TlsProvider> tls;  // for STARTTLS; may be null
    storage::notify::Bus* bus = nullptr;          // changes announced by this process; may be null (tests)
    // Sessions per client address (before the greeting) and per user (at login); null: no limits.
    auth::ConnectionLimits* connection_limits = nullptr;
    // Login rules, rate limits and the auth log; null: a default Authenticator without rate limits (tests).
    const auth::Authenticator* authenticator = nullptr;
};

// The listener's entry point: owns the connection until LOGOUT, autologout, shutdown or the peer leaves.
core::Task<void> serve(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context);

// RFC 3501 §3, as bits so a command's accepted states are one mask.
enum class State : std::uint8_t { not_authenticated = 1, authenticated = 2, selected = 4, logout = 8 };

// A handler's tagged status; the dispatcher writes "<tag> OK|NO|BAD <text>". `text` may start with a
// response code: "[AUTHENTICATIONFAILED] Invalid credentials".
struct Tagged {
    enum class Kind : std::uint8_t { ok, no, bad };
    Kind kind = Kind::ok;
    std::string text;

    static Tagged ok(std::string text) { return Tagged{Kind::ok, std::move(text)}; }
    static Tagged no(std::string text) { return Tagged{Kind::no, std::move(text)}; }
    static Tagged bad(std::string text) { return Tagged{Kind::bad, std::move(text)}; }
};

class Session final : public FeedListener, public storage::notify::SessionListener {
public:
    Session(std::unique_ptr<core::net::Connection> conn, std::shared_ptr<const Context> context);

    core::Task<void> run();

    core::net::Connection& conn() { return *conn_; }
    const Context& context() const { return *context_; }
    const Options& options() const { return context_->options; }
    storage::Store& store() const { return context_->store; }
    Parser& parser() { return parser_; }

    // Every wait of this session, from now: the pre-login timeout, or the autologout timer after login.
    core::Deadline deadline() const;

    // The next parser result, reading as needed and answering synchronising literals with "+". An error is
    // the connection's (closed, timed_out, cancelled, io, tls).
    core::Task<core::Result<Step>> next_step();
    // The same with an explicit deadline; with `stop_when_woken` a wake_reader() (a change to the selected
    // mailbox heard during IDLE) ends the wait with Errc::woken instead of being ignored.
    core::Task<core::Result<Step>> next_step(core::Deadline deadline, bool stop_when_woken);

    // A read inside a command failed (AUTHENTICATE's response line): says BYE where one is due, and ends the
    // session without a tagged response.
    void abandon(const core::Error& error);

    CapabilityState capability_state() const;
    std::string capabilities() const { return capability_list(capability_state()); }
    bool starttls_available() const;
    bool login_disabled() const;

    // "* <text>\r\n"
    void untagged(std::string_view text);

    // The selected mailbox (commands/select.cpp): null unless state is `selected`. select() replaces any view
    // and enters `selected`; unselect() drops it and returns to `authenticated`.
    const MailboxView* view() const { return view_.get(); }
    MailboxView* view() { return view_.get(); }  // commands that change flags keep the view in step
    void select(MailboxView view);
    void unselect();

    // ---- changes to the selected mailbox made elsewhere (view_sync.h) ----
    // Whether the journal should be read before this command's tagged response: the bus announced a change,
    // expunges are waiting to be told, or poll_interval has passed since the last read.
    bool needs_sync() const;
    // Reads the journal past the view's position and queues the untagged responses. `allow_expunge` is false
    // during FETCH, STORE, SEARCH and COPY by sequence number (RFC 3501 §7.4.1). A deleted mailbox ends the
    // session with BYE (its sequence numbers mean nothing any more). A store error is logged and retried at
    // the next opportunity. With a bus, the loop's MailboxFeed does the reading for all its sessions
    // (session_sync.cpp).
    core::Task<void> sync_mailbox(bool allow_expunge);
    // The loop's feed of the selected mailbox (mailbox_feed.h): a change was announced (the view is stale),
    // or a read brought news (in IDLE, the reader is woken so the change goes out now).
    void on_feed(bool read_done) override;

    // ---- ended from outside (storage/notify/session_control.h) ----
    // At login: from now on an administrative logout or the revocation of this session's ASP ends it.
    void register_for_session_control();
    // The bus: stops every read (in IDLE too), so the session says "BYE <reason>" (abandon()) and closes.
    void on_session_event(const storage::notify::SessionEvent& event) override;
    bool end_requested() const { return end_reason_ != nullptr; }

    // ---- state, read and written by the commands ----
    State state = State::not_authenticated;
    // After login: what the commands need of the user (the rest of storage::User, the password hash among
    // it, is dropped at login: a session may idle for hours).
    struct LoggedInUser {
        storage::UserId id;
        std::string username;
    };
    LoggedInUser user;
    RenderOptions render;                // utf8_enabled after ENABLE UTF8=ACCEPT
    // RFC 7162 §3.1: CONDSTORE is on once the client enabled it (ENABLE CONDSTORE, SELECT/EXAMINE
    // (CONDSTORE)) or used it (FETCH MODSEQ/CHANGEDSINCE, STORE UNCHANGEDSINCE, SEARCH MODSEQ); from then on
    // FETCH responses carry MODSEQ and tagged OKs of SELECT carry HIGHESTMODSEQ.
    bool condstore = false;
    bool abandoned = false;              // see abandon(): no tagged response, the session ends
    // In IDLE (commands/idle.cpp), from "+ idling" until the client's next line: changes are pushed as they
    // happen. run() does the waiting (idle_wait), not the dispatcher, so no command's frame sits under an
    // idle session: its tag and its autologout deadline (IDLE doesn't reset the timer) are kept here.
    struct Idling {
        std::string tag;
        core::Deadline until;
    };
    std::optional<Idling> idling;
    auth::ConnectionToken user_slot;     // this session's place under the per-user limit, from login on
    storage::AppPasswordId asp;          // the application password this session logged in with; empty: none
    std::string client_agent;            // "name/version" from the client's ID (RFC 2971), for the auth log

    // What the dispatcher does once the tagged response is queued: these need the response sent first.
    enum class After : std::uint8_t { nothing, start_tls, start_deflate, close };
    After after = After::nothing;

private:
    // run()'s parts: the per-address limit and the greeting (false: refused or the client left), and the
    // tagged refusal of what the parser rejected.
    core::Task<bool> admit_and_greet();
    void refuse(const Step& step);
    // sync_mailbox's part with a feed (session_sync.cpp): false when the view needs a read of its own.
    core::Task<bool> sync_from_feed(bool allow_expunge);
    // After a command: its responses go out, unless the client's next command is already buffered
    // (pipelining). False: the session is over.
    core::Task<bool> answer();
    // Goodbye (best effort, briefly), then close.
    core::Task<void> end();
    // One command (or the parser's refusal of one). Its own coroutine so that the Step, the biggest thing a
    // session handles, is not in run()'s frame, which sits under every IDLE. False: the client is gone.
    core::Task<bool> read_and_dispatch();

    std::unique_ptr<core::net::Connection> conn_;
    std::shared_ptr<const Context> context_;
    Parser parser_;
    std::unique_ptr<MailboxView> view_;
    auth::ConnectionToken address_slot_;  // this session's place under the per-address limit
    MailboxFeed::Subscription feed_;      // this loop's feed of view_'s mailbox, with a bus
    storage::notify::Bus::SessionRegistration control_;  // under this session's user, from login on
    std::unique_ptr<std::string> end_reason_;             // set once ended from outside: the BYE's text
    bool view_stale_ = false;
    bool read_due_ = false;               // the next sync wants a read that started after now (SELECT)
    core::Clock::time_point last_sync_{};
};

// session.cpp: runs one parsed command through the table (state checks included) and queues its response.
// A handler that leaves `idling` set (IDLE) has no response yet: run() goes on with idle_wait().
core::Task<void> dispatch(Session& session, Command command);

struct CommandSpec;
// session.cpp: the dispatcher's work once a command has its result (changes made elsewhere, the tagged
// response, Session::After); IDLE's end comes here from idle_wait().
core::Task<void> complete(Session& session, const CommandSpec& spec, std::string_view tag, Tagged result);

// commands/idle.cpp: IDLE after its "+ idling", called by run(): pushes changes until the client's next
// line, then answers it (DONE: OK; anything else: BAD) through complete().
core::Task<void> idle_wait(Session& session);

}  // namespace mallard::imap
