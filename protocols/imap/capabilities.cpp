// CAPABILITY: RFC 3501 §6.1.1, §7.2.1; the extensions named below.
#include "protocols/imap/capabilities.h"

namespace mallard::imap {

std::string capability_list(const CapabilityState& state) {
    // Always: RFC 7888 LITERAL+, RFC 4959 SASL-IR, RFC 2971 ID, RFC 5161 ENABLE, RFC 2342 NAMESPACE,
    // RFC 6855 UTF8=ACCEPT (ENABLE turns the parser's UTF-8 quoted strings on).
    std::string out = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE NAMESPACE UTF8=ACCEPT";
    if (!state.authenticated) {
        if (state.starttls_available) out += " STARTTLS";
        // RFC 3501 §6.2.3 / §7.2.1: with LOGINDISABLED no plaintext password mechanism is offered either.
        if (state.login_disabled) out += " LOGINDISABLED";
        else out += " AUTH=PLAIN";
        return out;
    }
    // RFC 4978: COMPRESS is a command-auth; once active it is not offered again.
    if (state.compress_available && !state.compressed) out += " COMPRESS=DEFLATE";
    // RFC 6154 SPECIAL-USE and CREATE-SPECIAL-USE, RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS
    // (commands/list.cpp, commands/mailbox.cpp).
    out += " SPECIAL-USE CREATE-SPECIAL-USE LIST-EXTENDED LIST-STATUS";
    // RFC 3691 (commands/select.cpp), RFC 2177 (commands/idle.cpp).
    out += " UNSELECT IDLE";
    // RFC 3502 MULTIAPPEND, RFC 9208 QUOTA with the STORAGE resource, RFC 7889 APPENDLIMIT (the one limit of
    // every mailbox) (commands/append.cpp, commands/quota.cpp).
    out += " MULTIAPPEND QUOTA QUOTA=RES-STORAGE";
    if (state.append_limit > 0) out += " APPENDLIMIT=" + std::to_string(state.append_limit);
    // RFC 7162 CONDSTORE (FETCH MODSEQ/CHANGEDSINCE, HIGHESTMODSEQ in SELECT/EXAMINE and STATUS, ENABLE).
    out += " CONDSTORE";
    // RFC 3516 BINARY: FETCH BINARY[…] and BINARY.SIZE (commands/fetch_binary.cpp); the parser reads APPEND's
    // literal8 "~{n}" (§4.4) into AppendMessage::binary.
    out += " BINARY";
    // RFC 4315 UIDPLUS (UID EXPUNGE, COPYUID, APPENDUID), RFC 6851 MOVE (commands/expunge.cpp,
    // commands/copy_move.cpp).
    out += " UIDPLUS MOVE";
    return out;
}

}  // namespace mallard::imap
