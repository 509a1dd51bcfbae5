// The CAPABILITY list (RFC 3501 §7.2.1), computed from the session's state so it advertises only what works
// on this connection right now. Used by the greeting, CAPABILITY, and the OK [CAPABILITY …] after login.
//
// Where the rest gets added, each when its commands exist and are tested:
//   SPECIAL-USE, CREATE-SPECIAL-USE, LIST-EXTENDED, LIST-STATUS, IDLE, UIDPLUS, MOVE, CONDSTORE, QUOTA,
//   APPENDLIMIT=<n> → the authenticated part of capability_list() (capabilities.cpp), guarded by a
//   flag here if an operator can turn one off. ENABLE CONDSTORE is wired in commands/connection.cpp.
#pragma once

#include <cstdint>
#include <string>

namespace mallard::imap {

struct CapabilityState {
    bool authenticated = false;        // authenticated or selected
    bool starttls_available = false;   // plaintext, not logged in, TLS configured and offered
    bool login_disabled = false;       // plaintext and login_disabled_without_tls: no plaintext passwords
    bool compress_available = false;   // COMPRESS=DEFLATE offered (configured)
    bool compressed = false;           // COMPRESS already active
    std::uint64_t append_limit = 0;    // RFC 7889 APPENDLIMIT=<n> after login; 0: not advertised
};

// "IMAP4rev1 LITERAL+ …" without the "* CAPABILITY " prefix or CRLF.
std::string capability_list(const CapabilityState& state);

}  // namespace mallard::imap
