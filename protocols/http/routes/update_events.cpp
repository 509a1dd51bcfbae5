// Event text of the updates stream (see update_events.h).
#include "protocols/http/routes/update_events.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace mallard::http::routes {

namespace {

constexpr std::size_t max_position_bytes = 65536;
constexpr std::size_t max_position_mailboxes = 1000;

const char* command_of(storage::JournalKind kind) {
    switch (kind) {
        case storage::JournalKind::append: return "EXISTS";
        case storage::JournalKind::expunge: return "EXPUNGE";
        case storage::JournalKind::flags: return "FETCH";
        case storage::JournalKind::rename: return "RENAME";
    }
    return "UNKNOWN";
}

}  // namespace

std::string encode_position(const StreamPosition& position) {
    std::string out;
    for (const auto& [box, modseq] : position) {
        if (box.empty() || box.find_first_of(":,\r\n") != std::string::npos) continue;
        if (!out.empty()) out.push_back(',');
        out += box + ":" + std::to_string(modseq);
    }
    return out;
}

std::optional<StreamPosition> decode_position(std::string_view text) {
    if (text.size() > max_position_bytes) return std::nullopt;
    StreamPosition out;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        const std::size_t colon = item.rfind(':');
        if (colon == std::string_view::npos || colon == 0) return std::nullopt;
        std::string_view number = item.substr(colon + 1);
        storage::ModSeq modseq = 0;
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), modseq);
        if (number.empty() || ec != std::errc{} || end != number.data() + number.size()) return std::nullopt;
        out.emplace_back(std::string(item.substr(0, colon)), modseq);
        if (out.size() > max_position_mailboxes) return std::nullopt;
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
        if (text.empty()) return std::nullopt;  // a trailing comma
    }
    return out;
}

std::string journal_event(const storage::MailboxId& mailbox, const storage::JournalEntry& entry,
                          const StreamPosition& position) {
    nlohmann::json data = {{"command", command_of(entry.kind)}, {"mailbox", mailbox}, {"modseq", entry.modseq}};
    if (entry.kind == storage::JournalKind::rename) {
        data["path"] = entry.name;
    } else {
        data["uid"] = entry.uid;
        data["message"] = entry.uid;  // the API's message id is the UID (message_view.h)
    }
    if (entry.kind == storage::JournalKind::append || entry.kind == storage::JournalKind::flags) {
        data["flags"] = entry.flags;
        data["unseen"] = !storage::has_flag(entry.flags, "\\Seen");
    }
    std::string out = "id: " + encode_position(position) + "\n";
    out += "data: " + data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
    return out;
}

}  // namespace mallard::http::routes
