// The command table (see command_table.h). Commands the parser knows but no row names get
// "BAD command not supported".
#include "protocols/imap/command_table.h"

namespace mallard::imap {

namespace {

constexpr StateMask logged_in = authenticated | selected;

constexpr CommandSpec command_table[] = {
    // name           handler               accepted in          sequence numbers
    {"CAPABILITY",    cmd_capability,       any_state,           seq::unaffected},
    {"NOOP",          cmd_noop,             any_state,           seq::unaffected},
    {"LOGOUT",        cmd_logout,           any_state,           seq::unaffected},
    {"ID",            cmd_id,               any_state,           seq::unaffected},
    {"STARTTLS",      cmd_starttls,         not_authenticated,   seq::unaffected},
    {"LOGIN",         cmd_login,            not_authenticated,   seq::unaffected},
    {"AUTHENTICATE",  cmd_authenticate,     not_authenticated,   seq::unaffected},
    {"ENABLE",        cmd_enable,           authenticated,       seq::unaffected},  // RFC 5161 §3.1
    {"NAMESPACE",     cmd_namespace,        logged_in,           seq::unaffected},
    {"COMPRESS",      cmd_compress,         logged_in,           seq::unaffected},
    {"IDLE",          cmd_idle,             logged_in,           seq::unaffected},   // RFC 2177
    {"SELECT",        cmd_select,           logged_in,           seq::reset},        // commands/select.cpp
    {"EXAMINE",       cmd_examine,          logged_in,           seq::reset},
    {"CLOSE",         cmd_close,            selected,            seq::reset},
    {"UNSELECT",      cmd_unselect,         selected,            seq::reset},        // RFC 3691
    {"CHECK",         cmd_check,            selected,            seq::unaffected},
    {"CREATE",        cmd_create,           logged_in,           seq::unaffected},   // commands/mailbox.cpp
    {"DELETE",        cmd_delete,           logged_in,           seq::unaffected},
    {"RENAME",        cmd_rename,           logged_in,           seq::unaffected},
    {"SUBSCRIBE",     cmd_subscribe,        logged_in,           seq::unaffected},
    {"UNSUBSCRIBE",   cmd_unsubscribe,      logged_in,           seq::unaffected},
    {"LIST",          cmd_list,             logged_in,           seq::unaffected},   // commands/list.cpp
    {"LSUB",          cmd_lsub,             logged_in,           seq::unaffected},
    {"STATUS",        cmd_status,           logged_in,           seq::unaffected},   // commands/status.cpp
    {"APPEND",        cmd_append,           logged_in,           seq::unaffected},   // commands/append.cpp
    {"GETQUOTA",      cmd_getquota,         logged_in,           seq::unaffected},   // commands/quota.cpp
    {"GETQUOTAROOT",  cmd_getquotaroot,     logged_in,           seq::unaffected},
    {"SETQUOTA",      cmd_setquota,         logged_in,           seq::unaffected},
    {"EXPUNGE",       cmd_expunge,          selected,            seq::changed},      // commands/expunge.cpp
    {"UID EXPUNGE",   cmd_expunge,          selected,            seq::unaffected},   // RFC 4315
    {"SEARCH",        cmd_search,           selected,            seq::read},         // commands/search.cpp
    {"UID SEARCH",    cmd_search,           selected,            seq::unaffected},
    {"FETCH",         cmd_fetch,            selected,            seq::read},         // commands/fetch.cpp
    {"UID FETCH",     cmd_fetch,            selected,            seq::unaffected},
    {"STORE",         cmd_store,            selected,            seq::read},         // commands/store.cpp
    {"UID STORE",     cmd_store,            selected,            seq::unaffected},
    {"COPY",          cmd_copy,             selected,            seq::read},         // commands/copy_move.cpp
    {"UID COPY",      cmd_copy,             selected,            seq::unaffected},
    {"MOVE",          cmd_move,             selected,            seq::read},         // RFC 6851
    {"UID MOVE",      cmd_move,             selected,            seq::unaffected},
};

}  // namespace

const CommandSpec* find_command(std::string_view name) {
    for (const auto& spec : command_table) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

}  // namespace mallard::imap
