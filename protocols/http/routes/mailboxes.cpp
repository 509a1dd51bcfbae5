// Mailboxes: GET/POST /users/:user/mailboxes, GET/PUT/DELETE /users/:user/mailboxes/:mailbox
// (WildDuck's lib/api/mailboxes.js). WildDuck's modifyIndex is the mailbox's HIGHESTMODSEQ here.
//
// Counters (total, unseen, size) come from Store::mailbox_counters: one aggregate query in SQLite, no message
// rows loaded here. `hidden`, `retention` and `encryptMessages` have no store field:
// they are accepted and read back as WildDuck's defaults (false, absent, false).
#include <algorithm>

#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/validate.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

// WildDuck's specialUse value: "\\Sent", … or null.
json special_use_json(storage::SpecialUse use) {
    if (use == storage::SpecialUse::none) return nullptr;
    return std::string(storage::special_use_name(use));
}

json mailbox_json(const storage::Mailbox& box) {
    const std::size_t slash = box.name.rfind(storage::mailbox_delimiter);
    return {{"id", box.id},
            {"name", slash == std::string::npos ? box.name : box.name.substr(slash + 1)},
            {"path", box.name},
            {"specialUse", special_use_json(box.special_use)},
            {"modifyIndex", box.highest_modseq},
            {"subscribed", box.subscribed},
            {"hidden", false},
            {"encryptMessages", false}};
}

// WildDuck's listing order: INBOX, then INBOX's children, subscribed before unsubscribed, then by path.
bool listing_before(const storage::Mailbox& a, const storage::Mailbox& b) {
    if (a.name == "INBOX" || b.name == "INBOX") return a.name == "INBOX" && b.name != "INBOX";
    const bool a_inbox = a.name.rfind("INBOX/", 0) == 0;
    const bool b_inbox = b.name.rfind("INBOX/", 0) == 0;
    if (a_inbox != b_inbox) return a_inbox;
    if (a.subscribed != b.subscribed) return a.subscribed;
    return a.name < b.name;
}

core::Task<Response> list_mailboxes(Call& call) {
    Input& in = call.input;
    const bool special_only = in.boolean("specialUse").value_or(false);
    (void)in.boolean("showHidden");
    const bool counters = in.boolean("counters").value_or(false);
    const bool sizes = in.boolean("sizes").value_or(false);
    if (!in.ok()) co_return in.error_response();
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto boxes = co_await call.store().list_mailboxes(user->id);
    if (!boxes) co_return store_error(boxes.error(), Resource::mailbox);
    std::vector<storage::Mailbox> listed;
    for (storage::Mailbox& b : *boxes)
        if (!special_only || b.name == "INBOX" || b.special_use != storage::SpecialUse::none)
            listed.push_back(std::move(b));
    std::sort(listed.begin(), listed.end(), listing_before);
    json results = json::array();
    for (const storage::Mailbox& b : listed) {
        json entry = mailbox_json(b);
        if (counters || sizes) {
            auto c = co_await call.store().mailbox_counters(b.id);
            if (!c) co_return store_error(c.error(), Resource::mailbox);
            if (counters) {
                entry["total"] = c->total;
                entry["unseen"] = c->unseen;
            }
            if (sizes) entry["size"] = c->size;
        }
        results.push_back(std::move(entry));
    }
    co_return success({{"results", results}});
}

core::Task<Response> create_mailbox(Call& call) {
    Input& in = call.input;
    auto path = in.string("path", 1024);
    if (!in.has("path")) in.invalid("path", "\"path\" is required");
    if (path && !valid_mailbox_path(*path)) in.invalid("path", "\"path\" failed custom validation because of an invalid mailbox path");
    (void)in.boolean("hidden");
    (void)in.number("retention");
    (void)in.boolean("encryptMessages");
    if (!in.ok()) co_return in.error_response();
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto created = co_await call.store().create_mailbox(user->id, *path, storage::SpecialUse::none);
    if (!created) co_return store_error(created.error(), Resource::mailbox);
    co_return success({{"id", created->id}});
}

core::Task<Response> get_mailbox(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto box = co_await load_mailbox(call, *user);
    if (!box) co_return store_error(box.error(), Resource::mailbox);
    auto c = co_await call.store().mailbox_counters(box->id);
    if (!c) co_return store_error(c.error(), Resource::mailbox);
    json body = mailbox_json(*box);
    body["total"] = c->total;
    body["unseen"] = c->unseen;
    co_return success(std::move(body));
}

core::Task<Response> update_mailbox(Call& call) {
    Input& in = call.input;
    auto path = in.string("path", 1024);
    if (path && !valid_mailbox_path(*path)) in.invalid("path", "\"path\" failed custom validation because of an invalid mailbox path");
    auto subscribed = in.boolean("subscribed");
    const bool other = in.has("retention") || in.has("hidden") || in.has("encryptMessages");
    (void)in.number("retention");
    (void)in.boolean("hidden");
    (void)in.boolean("encryptMessages");
    if (!in.ok()) co_return in.error_response();
    if (!path && !subscribed && !other) co_return error_response(400, "NoUpdates", "Nothing was changed");
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto box = co_await load_mailbox(call, *user);
    if (!box) co_return store_error(box.error(), Resource::mailbox);
    if (path && *path != box->name) {
        auto renamed = co_await call.store().rename_mailbox(box->id, *path);
        if (!renamed) co_return store_error(renamed.error(), Resource::mailbox);
    }
    if (subscribed) {
        auto set = co_await call.store().set_subscribed(box->id, *subscribed);
        if (!set) co_return store_error(set.error(), Resource::mailbox);
    }
    co_return success();
}

core::Task<Response> delete_mailbox(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto box = co_await load_mailbox(call, *user);
    if (!box) co_return store_error(box.error(), Resource::mailbox);
    // WildDuck keeps INBOX and the special-use mailboxes (its CANNOT → DisallowedMailboxMethod).
    if (box->name == "INBOX" || box->special_use != storage::SpecialUse::none)
        co_return error_response(400, "DisallowedMailboxMethod", "Mailbox deletion failed with code CANNOT");
    auto deleted = co_await call.store().delete_mailbox(box->id);
    if (!deleted) co_return store_error(deleted.error(), Resource::mailbox);
    co_return success();
}

}  // namespace

void add_mailbox_routes(RouteTable& table) {
    table.add({"GET", "/users/:user/mailboxes", list_mailboxes});
    table.add({"POST", "/users/:user/mailboxes", create_mailbox});
    table.add({"GET", "/users/:user/mailboxes/:mailbox", get_mailbox});
    table.add({"PUT", "/users/:user/mailboxes/:mailbox", update_mailbox});
    table.add({"DELETE", "/users/:user/mailboxes/:mailbox", delete_mailbox});
}

}  // namespace mallard::http::routes
