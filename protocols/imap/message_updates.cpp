// Announcing message changes: see message_updates.h.
#include "protocols/imap/message_updates.h"

#include <algorithm>
#include <utility>

namespace mallard::imap {

std::string render_number_set(const std::vector<std::uint32_t>& numbers) {
    std::string out;
    for (std::size_t i = 0; i < numbers.size();) {
        std::size_t j = i;
        while (j + 1 < numbers.size() && numbers[j] != UINT32_MAX && numbers[j + 1] == numbers[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(numbers[i]);
        if (j > i) out.append(":").append(std::to_string(numbers[j]));
        i = j + 1;
    }
    return out;
}

core::Task<bool> write_untagged(Session& s, std::string text) {
    text.insert(0, "* ");
    text += "\r\n";
    auto written = co_await s.conn().write(text, s.deadline());
    if (!written) {
        s.abandon(written.error());
        co_return false;
    }
    co_return true;
}

core::Task<bool> announce_expunged(Session& s, std::vector<storage::Uid> uids) {
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    for (storage::Uid uid : uids) {
        MailboxView* view = s.view();
        if (!view) co_return true;
        auto seq = view->remove(uid);
        if (!seq) continue;  // never shown to this client: nothing to take back
        auto written = co_await write_untagged(s, std::to_string(*seq) + " EXPUNGE");
        if (!written) co_return false;
    }
    co_return true;
}

}  // namespace mallard::imap
