// The Redis channel's message format: see redis_payload.h.
#include "storage/notify/redis_payload.h"

#include <charconv>
#include <cstdint>
#include <random>

namespace mallard::storage::notify {

namespace {

constexpr std::string_view version = "1";

// The next space-separated word of `rest`, which is advanced past it and one space.
std::string_view next_word(std::string_view& rest) {
    std::size_t end = rest.find(' ');
    std::string_view word = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    return word;
}

}  // namespace

std::string encode_change(std::string_view instance, const MailboxChange& change) {
    std::string out;
    out.reserve(instance.size() + change.mailbox.size() + 28);
    out.append(version).append(" ").append(instance).append(" c ");
    out.append(std::to_string(change.modseq)).append(" ").append(change.mailbox);
    return out;
}

std::string encode_resync(std::string_view instance) {
    std::string out(version);
    out.append(" ").append(instance).append(" r");
    return out;
}

std::string encode_session(std::string_view instance, const SessionEvent& event) {
    std::string out(version);
    out.append(" ").append(instance).append(" s ").append(event.user).append(" ");
    out.append(event.asp.empty() ? std::string_view("-") : std::string_view(event.asp));
    out.append(" ").append(event.reason);
    return out;
}

std::optional<RemoteMessage> decode_remote_message(std::string_view payload) {
    std::string_view rest = payload;
    if (next_word(rest) != version) return std::nullopt;
    RemoteMessage m;
    std::string_view instance = next_word(rest);
    if (instance.empty()) return std::nullopt;
    m.instance = std::string(instance);
    std::string_view kind = next_word(rest);
    if (kind == "r" && rest.empty()) {
        m.kind = RemoteMessage::Kind::resync;
        return m;
    }
    if (kind == "s") {
        std::string_view user = next_word(rest);
        std::string_view asp = next_word(rest);
        if (user.empty() || asp.empty()) return std::nullopt;
        m.kind = RemoteMessage::Kind::session;
        m.session.user = std::string(user);
        if (asp != "-") m.session.asp = std::string(asp);
        m.session.reason = std::string(rest);
        return m;
    }
    if (kind != "c") return std::nullopt;
    std::string_view modseq = next_word(rest);
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(modseq.data(), modseq.data() + modseq.size(), value);
    if (modseq.empty() || error != std::errc{} || end != modseq.data() + modseq.size()) return std::nullopt;
    if (rest.empty()) return std::nullopt;  // the mailbox id: everything after the modseq, spaces included
    m.change = MailboxChange{std::string(rest), value};
    return m;
}

std::string new_instance_id() {
    std::random_device device;
    std::uint64_t bits = (std::uint64_t{device()} << 32) | device();
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(16, '0');
    for (int i = 15; i >= 0; --i, bits >>= 4) id[static_cast<std::size_t>(i)] = hex[bits & 0xf];
    return id;
}

}  // namespace mallard::storage::notify
