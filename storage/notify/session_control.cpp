// Session control: see session_control.h.
#include "storage/notify/session_control.h"

namespace mallard::storage::notify {

void LoopSessions::deliver(const SessionEvent& event) {
    auto it = by_user.find(event.user);
    if (it == by_user.end()) return;
    // A listener may not register or unregister from its callback (session_control.h): the vector stays put.
    for (SessionListener* listener : it->second) listener->on_session_event(event);
}

core::Task<void> confirm_asp(Store& store, UserId user, AppPasswordId asp, SessionListener& listener) {
    if (asp.empty()) co_return;
    auto found = co_await store.get_app_password(user, asp);
    if (found || found.error().code != core::Errc::not_found) co_return;
    listener.on_session_event(SessionEvent{std::move(user), std::move(asp), asp_revoked_reason});
}

std::string printable_reason(std::string_view reason, std::size_t max_bytes) {
    if (reason.size() > max_bytes) {
        std::size_t cut = max_bytes;
        // Back up over continuation bytes (10xxxxxx) so a multi-byte character isn't split.
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
        reason = reason.substr(0, cut);
    }
    std::string out(reason);
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) c = ' ';
    }
    return out;
}

}  // namespace mallard::storage::notify
