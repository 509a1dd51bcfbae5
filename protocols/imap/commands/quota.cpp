// GETQUOTA, GETQUOTAROOT, SETQUOTA: RFC 9208 §4.1 with the STORAGE resource (§5.1, in units of 1024 octets).
// Mallard's quota is per account (storage::User::quota_limit_bytes), so every mailbox has the one
// quota root "" (RFC 9208 lets the server choose its roots).
//
// - Usage is rounded up and the limit down to whole KiB, so a client never computes more room than there is.
// - A user without a limit has no STORAGE resource. A QUOTA response must list at least one resource
//   (RFC 9208 formal syntax: quota-list), so none is sent: GETQUOTAROOT still names the root and GETQUOTA
//   answers OK alone.
// - Quotas are set by the operator (mallardctl), so SETQUOTA is refused and QUOTASET isn't advertised.
#include <cstdint>
#include <optional>
#include <string>

#include "protocols/imap/command_table.h"
#include "protocols/imap/mailbox_support.h"
#include "protocols/imap/render.h"

namespace mallard::imap {

using core::Task;

namespace {

constexpr std::uint64_t kib = 1024;

// "QUOTA \"\" (STORAGE <used> <limit>)", or nullopt when the user has no limit.
std::optional<std::string> quota_response(const storage::User& user, const RenderOptions& render) {
    if (user.quota_limit_bytes == 0) return std::nullopt;
    std::uint64_t used = user.quota_used_bytes / kib + (user.quota_used_bytes % kib != 0 ? 1 : 0);
    std::string line = "QUOTA ";
    append_string(line, "", render);
    line += " (STORAGE " + std::to_string(used) + " " + std::to_string(user.quota_limit_bytes / kib) + ")";
    return line;
}

}  // namespace

Task<Tagged> cmd_getquotaroot(Session& s, Command& c) {
    auto& args = std::get<MailboxArgument>(c.args);
    auto name = mailbox_name_in(s, std::move(args.mailbox));
    if (!name) co_return invalid_mailbox_name();
    auto box = co_await s.store().find_mailbox(s.user.id, *name);
    if (!box) co_return error_reply(box.error());
    // s.user was read at login: usage has changed since.
    auto user = co_await s.store().find_user(s.user.id);
    if (!user) co_return error_reply(user.error());
    std::string line = "QUOTAROOT ";
    append_mailbox_name(line, box->name, s.render);
    line += ' ';
    append_string(line, "", s.render);
    s.untagged(line);
    auto quota = quota_response(*user, s.render);
    if (quota) s.untagged(*quota);
    co_return Tagged::ok("GETQUOTAROOT completed");
}

Task<Tagged> cmd_getquota(Session& s, Command& c) {
    auto& args = std::get<GetQuota>(c.args);
    if (!args.root.empty()) co_return Tagged::no("[NONEXISTENT] No such quota root; the only one is \"\"");
    auto user = co_await s.store().find_user(s.user.id);
    if (!user) co_return error_reply(user.error());
    auto quota = quota_response(*user, s.render);
    if (quota) s.untagged(*quota);
    co_return Tagged::ok("GETQUOTA completed");
}

Task<Tagged> cmd_setquota(Session&, Command&) {
    co_return Tagged::no("[NOPERM] Quotas are set by the server's administrator");
}

}  // namespace mallard::imap
