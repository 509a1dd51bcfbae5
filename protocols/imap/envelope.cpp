// ENVELOPE: RFC 3501 §7.4.2 and §9 (envelope, env-*, address, addr-*).
#include "protocols/imap/envelope.h"

namespace mallard::imap {

void render_address_list(std::string& out, const std::vector<mime::Address>& list, const RenderOptions& options) {
    if (list.empty()) {
        out += "NIL";
        return;
    }
    out.push_back('(');
    for (const auto& a : list) {
        out.push_back('(');
        append_nstring(out, a.name, options);
        out.push_back(' ');
        append_nstring(out, a.adl, options);
        out.push_back(' ');
        append_nstring(out, a.mailbox, options);
        out.push_back(' ');
        append_nstring(out, a.host, options);
        out.push_back(')');
    }
    out.push_back(')');
}

void render_envelope(std::string& out, const mime::Envelope& envelope, const RenderOptions& options) {
    out.push_back('(');
    append_nstring(out, envelope.date, options);
    out.push_back(' ');
    append_nstring(out, envelope.subject, options);
    for (const auto* list : {&envelope.from, &envelope.sender, &envelope.reply_to, &envelope.to, &envelope.cc,
                             &envelope.bcc}) {
        out.push_back(' ');
        render_address_list(out, *list, options);
    }
    out.push_back(' ');
    append_nstring(out, envelope.in_reply_to, options);
    out.push_back(' ');
    append_nstring(out, envelope.message_id, options);
    out.push_back(')');
}

}  // namespace mallard::imap
