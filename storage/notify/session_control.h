// Session control (issues 9 and 10): ending a user's IMAP and POP3 sessions from outside. PUT
// /users/:user/logout ends all of them; deleting an application password ends those opened with it. The
// event travels like a mailbox change (bus.h): to every loop of this process and, through the Remote (Redis,
// redis_payload.h), to every instance; each loop hands it to the sessions of that user it hosts, and each
// session decides whether it is concerned (the ASP it logged in with).
//
// Unlike a mailbox change there is no journal behind an event: one lost between instances (Redis down)
// leaves a session open until it ends by itself. The store is still the truth for what matters — a revoked
// ASP or a changed password can't log in again — so a lost event costs one session's lifetime, never access
// it would not have at its next login.
//
// Memory: every logged-in session registers, idle or not, so an IDLE session's figure counts it. A session
// holds one Bus::SessionRegistration (three pointers) and is one pointer in its user's vector on its loop:
// nothing is allocated per session (the vector belongs to the user, and the user id is the map's key).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/task.h"
#include "storage/security_types.h"
#include "storage/store.h"
#include "storage/types.h"

namespace mallard::storage::notify {

struct SessionEvent {
    UserId user;
    AppPasswordId asp;   // empty: every session of the user; else only the sessions opened with this ASP
    std::string reason;  // shown to the client (IMAP BYE, POP3 -ERR); sessions make it one printable line
};

// WildDuck's texts (lib/api/users.js logout, imap-core's BYE for an ASP), so clients see what they know.
inline constexpr const char* default_logout_reason = "Logout requested from API";
inline constexpr const char* asp_revoked_reason = "Application password revoked";

class SessionListener {
public:
    virtual ~SessionListener() = default;
    // On the session's loop thread. Must not destroy the session or register or unregister sessions: end
    // the session through its connection (Connection::interrupt_reads defers the wake-up to the loop).
    virtual void on_session_event(const SessionEvent& event) = 0;
};

// One loop's logged-in sessions by user. Touched only on its loop's thread.
struct LoopSessions {
    std::unordered_map<UserId, std::vector<SessionListener*>> by_user;
    void deliver(const SessionEvent& event);
};

// Called by a session opened with an ASP once it has registered: if the ASP was deleted after the password
// check but before the registration, its event went by unheard, so the listener hears it now. One indexed
// read per ASP login; a store error counts as "still there" (the next login checks again).
core::Task<void> confirm_asp(Store& store, UserId user, AppPasswordId asp, SessionListener& listener);

// The reason as one line a client can be shown: control characters (CR, LF — the end of the response — and
// the rest) become spaces, and it is cut at `max_bytes` (at a UTF-8 character boundary).
std::string printable_reason(std::string_view reason, std::size_t max_bytes = 256);

}  // namespace mallard::storage::notify
