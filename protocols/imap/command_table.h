// The IMAP command table: for every command name, its handler, the states it is accepted in (RFC 3501 §6:
// any state, not authenticated, authenticated, selected) and its effect on message sequence numbers (what
// the dispatcher must hold back: untagged EXPUNGE never goes out while a command by sequence number runs,
// RFC 3501 §7.4.1). Handlers live in commands/<family>.cpp; adding a command is one function and one row.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/task.h"
#include "protocols/imap/command.h"
#include "protocols/imap/session.h"

namespace mallard::imap {

using Handler = core::Task<Tagged> (*)(Session&, Command&);

using StateMask = std::uint8_t;
constexpr StateMask state_bit(State s) { return static_cast<StateMask>(s); }
constexpr StateMask not_authenticated = state_bit(State::not_authenticated);
constexpr StateMask authenticated = state_bit(State::authenticated);
constexpr StateMask selected = state_bit(State::selected);
constexpr StateMask any_state = not_authenticated | authenticated | selected;

enum class SequenceEffect : std::uint8_t {
    unaffected,  // no sequence numbers involved (or UID forms): pending EXPUNGEs may be sent
    read,        // uses sequence numbers: hold back EXPUNGE while it runs
    reset,       // a new mailbox view (SELECT, EXAMINE, CLOSE, UNSELECT)
    changed,     // renumbers (EXPUNGE)
};
namespace seq {
constexpr SequenceEffect unaffected = SequenceEffect::unaffected;
constexpr SequenceEffect read = SequenceEffect::read;
constexpr SequenceEffect reset = SequenceEffect::reset;
constexpr SequenceEffect changed = SequenceEffect::changed;
}  // namespace seq

struct CommandSpec {
    std::string_view name;  // canonical, as Command::name ("UID FETCH")
    Handler handler;
    StateMask states;
    SequenceEffect sequence;
};

// The row for a command name, or nullptr: a command the parser knows but the server doesn't offer yet.
const CommandSpec* find_command(std::string_view name);

// ---- handlers ----
// commands/connection.cpp
core::Task<Tagged> cmd_capability(Session& s, Command& c);
core::Task<Tagged> cmd_noop(Session& s, Command& c);
core::Task<Tagged> cmd_logout(Session& s, Command& c);
core::Task<Tagged> cmd_id(Session& s, Command& c);
core::Task<Tagged> cmd_enable(Session& s, Command& c);
core::Task<Tagged> cmd_namespace(Session& s, Command& c);
core::Task<Tagged> cmd_starttls(Session& s, Command& c);
core::Task<Tagged> cmd_compress(Session& s, Command& c);
// commands/auth.cpp
core::Task<Tagged> cmd_login(Session& s, Command& c);
core::Task<Tagged> cmd_authenticate(Session& s, Command& c);
// commands/mailbox.cpp
core::Task<Tagged> cmd_create(Session& s, Command& c);
core::Task<Tagged> cmd_delete(Session& s, Command& c);
core::Task<Tagged> cmd_rename(Session& s, Command& c);
core::Task<Tagged> cmd_subscribe(Session& s, Command& c);
core::Task<Tagged> cmd_unsubscribe(Session& s, Command& c);
// commands/list.cpp
core::Task<Tagged> cmd_list(Session& s, Command& c);
core::Task<Tagged> cmd_lsub(Session& s, Command& c);
// commands/status.cpp
core::Task<Tagged> cmd_status(Session& s, Command& c);
// commands/select.cpp
core::Task<Tagged> cmd_select(Session& s, Command& c);
core::Task<Tagged> cmd_examine(Session& s, Command& c);
core::Task<Tagged> cmd_check(Session& s, Command& c);
core::Task<Tagged> cmd_close(Session& s, Command& c);
core::Task<Tagged> cmd_unselect(Session& s, Command& c);
// commands/fetch.cpp: FETCH and UID FETCH
core::Task<Tagged> cmd_fetch(Session& s, Command& c);
// commands/idle.cpp
core::Task<Tagged> cmd_idle(Session& s, Command& c);
// commands/search.cpp: SEARCH and UID SEARCH
core::Task<Tagged> cmd_search(Session& s, Command& c);
// commands/append.cpp: APPEND with MULTIAPPEND
core::Task<Tagged> cmd_append(Session& s, Command& c);
// commands/quota.cpp
core::Task<Tagged> cmd_getquota(Session& s, Command& c);
core::Task<Tagged> cmd_getquotaroot(Session& s, Command& c);
core::Task<Tagged> cmd_setquota(Session& s, Command& c);
// commands/store.cpp: STORE and UID STORE
core::Task<Tagged> cmd_store(Session& s, Command& c);
// commands/expunge.cpp: EXPUNGE and UID EXPUNGE
core::Task<Tagged> cmd_expunge(Session& s, Command& c);
// commands/copy_move.cpp: COPY, UID COPY, MOVE, UID MOVE
core::Task<Tagged> cmd_copy(Session& s, Command& c);
core::Task<Tagged> cmd_move(Session& s, Command& c);

}  // namespace mallard::imap
