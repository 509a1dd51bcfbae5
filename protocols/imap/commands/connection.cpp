// Commands of any state and the connection's layers: CAPABILITY, NOOP, LOGOUT (RFC 3501 §6.1), ID (RFC 2971),
// ENABLE (RFC 5161) with UTF8=ACCEPT (RFC 6855) and CONDSTORE (RFC 7162 §3.1), NAMESPACE (RFC 2342),
// STARTTLS (RFC 3501 §6.2.1) and COMPRESS=DEFLATE (RFC 4978).
#include <strings.h>

#include "core/log.h"
#include "protocols/imap/command_table.h"
#include "protocols/imap/mailbox_support.h"
#include "storage/types.h"

namespace mallard::imap {

using core::Task;

Task<Tagged> cmd_capability(Session& s, Command&) {
    s.untagged("CAPABILITY " + s.capabilities());
    co_return Tagged::ok("CAPABILITY completed");
}

Task<Tagged> cmd_noop(Session& s, Command&) {
    // RFC 3501 §6.1.2: NOOP is how a client polls. Read the journal whether or not the bus said anything:
    // a writer in another process can't reach this one's bus.
    co_await s.sync_mailbox(true);
    co_return Tagged::ok("NOOP completed");
}

Task<Tagged> cmd_logout(Session& s, Command&) {
    s.untagged("BYE Mallard logging out");
    s.after = Session::After::close;
    co_return Tagged::ok("LOGOUT completed");
}

Task<Tagged> cmd_id(Session& s, Command& c) {
    const auto& id = std::get<Id>(c.args);
    if (id.fields) {
        std::string fields;
        for (const auto& [name, value] : *id.fields) {
            if (!fields.empty()) fields += ", ";
            fields += name + "=" + value.value_or("NIL");
        }
        MLOG_CONN(info, s.conn().id()) << "client ID: " << fields;
        // The auth log shows "name/version" (RFC 2971 §3.3 field names), bounded: it is client input.
        std::string name, version;
        for (const auto& [field, value] : *id.fields) {
            if (!value) continue;
            if (strcasecmp(field.c_str(), "name") == 0) name = value->substr(0, 64);
            if (strcasecmp(field.c_str(), "version") == 0) version = value->substr(0, 32);
        }
        if (!name.empty()) s.client_agent = version.empty() ? name : name + "/" + version;
    }
    std::string out = "ID (";
    append_string(out, "name", s.render);
    out += ' ';
    append_string(out, "Mallard", s.render);
    out += ' ';
    append_string(out, "vendor", s.render);
    out += ' ';
    append_string(out, "Mallard", s.render);
    out += ')';
    s.untagged(out);
    co_return Tagged::ok("ID completed");
}

Task<Tagged> cmd_enable(Session& s, Command& c) {
    // RFC 5161 §3.1: extensions the server doesn't know (or doesn't do yet) are ignored, not refused.
    // QRESYNC joins here once it works. An extension already on isn't listed again.
    std::string enabled;
    for (const auto& name : std::get<Enable>(c.args).capabilities) {
        if (name == "UTF8=ACCEPT" && !s.render.utf8_enabled) {
            s.render.utf8_enabled = true;
            s.parser().enable_utf8(true);
            enabled += " UTF8=ACCEPT";
        } else if (name == "CONDSTORE" && !s.condstore) {
            enable_condstore(s);  // ENABLE is authenticated-state only: no mailbox to announce
            enabled += " CONDSTORE";
        }
    }
    s.untagged("ENABLED" + enabled);
    co_return Tagged::ok("ENABLE completed");
}

Task<Tagged> cmd_namespace(Session& s, Command&) {
    // One personal namespace; no shared or other users' folders.
    std::string out = "NAMESPACE ((\"\" \"";
    out += storage::mailbox_delimiter;
    out += "\")) NIL NIL";
    s.untagged(out);
    co_return Tagged::ok("NAMESPACE completed");
}

Task<Tagged> cmd_starttls(Session& s, Command&) {
    if (s.conn().is_tls()) co_return Tagged::bad("TLS already active");
    if (!s.starttls_available()) co_return Tagged::no("[CANNOT] STARTTLS not available");
    s.after = Session::After::start_tls;
    co_return Tagged::ok("Begin TLS negotiation now");
}

Task<Tagged> cmd_compress(Session& s, Command& c) {
    if (s.conn().is_compressed()) co_return Tagged::no("[COMPRESSIONACTIVE] DEFLATE already active");
    if (!s.options().compress) co_return Tagged::no("[CANNOT] COMPRESS not available");
    if (std::get<Compress>(c.args).mechanism != "DEFLATE")
        co_return Tagged::bad("unknown compression mechanism");
    s.after = Session::After::start_deflate;
    co_return Tagged::ok("DEFLATE active");
}

}  // namespace mallard::imap
