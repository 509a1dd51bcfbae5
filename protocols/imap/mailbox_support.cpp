// Mailbox command helpers: see mailbox_support.h.
#include "protocols/imap/mailbox_support.h"

#include "core/log.h"
#include "protocols/imap/list_pattern.h"
#include "protocols/imap/mutf7.h"

namespace mallard::imap {

Tagged error_reply(const core::Error& error) {
    const char* code = "[SERVERBUG] ";
    switch (error.code) {
        case core::Errc::not_found: code = "[NONEXISTENT] "; break;
        case core::Errc::exists: code = "[ALREADYEXISTS] "; break;
        case core::Errc::permission:
        case core::Errc::bad_input: code = "[CANNOT] "; break;
        case core::Errc::quota: code = "[OVERQUOTA] "; break;
        case core::Errc::too_big: code = "[LIMIT] "; break;
        case core::Errc::conflict: code = "[INUSE] "; break;
        case core::Errc::unavailable:
        case core::Errc::timed_out: code = "[UNAVAILABLE] "; break;
        default:
            MLOG(warn) << "imap: store error: " << error.to_string();
            return Tagged::no("[SERVERBUG] Internal error");
    }
    std::string text = error.detail.empty() ? std::string(core::errc_name(error.code)) : error.detail;
    // The detail may quote a client's name: keep the response one line.
    for (char& c : text) {
        if (c == '\r' || c == '\n') c = ' ';
    }
    return Tagged::no(code + text);
}

std::optional<std::string> mailbox_name_in(const Session& s, std::string name) {
    if (!s.render.utf8_enabled) {
        auto decoded = mutf7_decode(name);
        if (!decoded) return std::nullopt;
        name = std::move(*decoded);
    }
    return canonical_mailbox_name(std::move(name));
}

void append_mailbox_name(std::string& out, std::string_view name, const RenderOptions& options) {
    if (options.utf8_enabled) {
        append_string(out, name, options);
        return;
    }
    append_string(out, mutf7_encode(name), options);
}

Tagged invalid_mailbox_name() { return Tagged::no("[CANNOT] Invalid mailbox name"); }

void enable_condstore(Session& s) {
    if (s.condstore) return;
    s.condstore = true;
    if (const MailboxView* view = s.view()) {
        s.untagged("OK [HIGHESTMODSEQ " + std::to_string(view->highest_modseq()) + "] Highest");
    }
}

}  // namespace mallard::imap
