#include "core/result.h"

namespace mallard::core {

std::string_view errc_name(Errc code) {
    switch (code) {
        case Errc::not_found: return "not found";
        case Errc::exists: return "already exists";
        case Errc::quota: return "over quota";
        case Errc::too_big: return "too big";
        case Errc::bad_input: return "bad input";
        case Errc::timed_out: return "timed out";
        case Errc::cancelled: return "cancelled";
        case Errc::woken: return "woken";
        case Errc::closed: return "connection closed";
        case Errc::unavailable: return "unavailable";
        case Errc::permission: return "permission denied";
        case Errc::conflict: return "conflict";
        case Errc::io: return "I/O error";
        case Errc::tls: return "TLS error";
        case Errc::internal: return "internal error";
    }
    return "unknown error";
}

std::string Error::to_string() const {
    if (detail.empty()) return std::string(errc_name(code));
    return std::string(errc_name(code)) + ": " + detail;
}

}  // namespace mallard::core
