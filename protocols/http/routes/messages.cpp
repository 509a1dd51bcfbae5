// Messages: GET/POST/DELETE /users/:user/mailboxes/:mailbox/messages, GET/PUT/DELETE …/messages/:message,
// GET …/messages/:message/message.eml and …/attachments/:attachment (WildDuck's lib/api/messages.js).
//
// A message is named by its UID in the mailbox (message_view.h); PUT also takes a UID set ("1:100"). Every
// change goes through the Store, so IMAP sessions hear of it on the change bus (NotifyingStore). The shapes
// come from message_view.h; this file reads parameters, calls the store and pages.
#include <charconv>

#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/message_view.h"
#include "protocols/http/routes/messages_support.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/validate.h"
#include "storage/mime/transfer.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;
namespace mime = storage::mime;

// The part's type as a response header: RFC 2045 tokens only, so nothing from the message can end the header.
std::string header_safe_type(const std::string& type) {
    for (unsigned char c : type)
        if (c <= ' ' || c >= 0x7f || std::string_view("()<>@,;:\\\"[]?=").find(static_cast<char>(c)) != std::string_view::npos)
            return "application/octet-stream";
    return type.find('/') == std::string::npos ? "application/octet-stream" : type;
}

Response message_not_found() { return error_response(404, "MessageNotFound", "Message was not found"); }

core::Task<Response> list_messages(Call& call) {
    Input& in = call.input;
    const std::size_t limit = in.number("limit", 1, 250).value_or(20);
    const std::uint64_t page = in.number("page", 1).value_or(1);
    auto order = in.string("order", 10, true);
    if (order && *order != "asc" && *order != "desc") in.invalid("order", "\"order\" must be one of [asc, desc]");
    const bool unseen_only = in.boolean("unseen").value_or(false);
    const bool thread_counters = in.boolean("threadCounters").value_or(false);
    (void)in.boolean("includeHeaders");
    auto cursor = read_cursor(in);
    storage::Uid key = 0;  // the cursor's UID
    if (cursor) {
        auto [end, ec] = std::from_chars(cursor->key.data(), cursor->key.data() + cursor->key.size(), key);
        if (cursor->key.empty() || ec != std::errc{} || end != cursor->key.data() + cursor->key.size()) {
            in.invalid(cursor->next ? "next" : "previous", "\"cursor\" must be a valid paging cursor");
            cursor.reset();
        }
    }
    if (!in.ok()) co_return in.error_response();
    const bool ascending = order && *order == "asc";
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto box = co_await load_mailbox(call, *user);
    if (!box) co_return store_error(box.error(), Resource::mailbox);
    // The store pages (a `next` cursor continues after its UID, a `previous` one ends before it) and counts.
    storage::PageQuery query{ascending, unseen_only, std::nullopt, std::nullopt, limit};
    if (cursor) (cursor->next ? query.after : query.before) = key;
    auto listed = co_await call.store().list_message_page(box->id, query);
    if (!listed) co_return store_error(listed.error(), Resource::mailbox);
    json previous = listed->more_before
                        ? json(encode_cursor({false, std::to_string(listed->messages.front().uid)}))
                        : json(false);
    json next = listed->more_after ? json(encode_cursor({true, std::to_string(listed->messages.back().uid)}))
                                   : json(false);
    auto results = co_await listing_entries(call.store(), *box, std::move(listed->messages));
    if (!results) co_return store_error(results.error(), Resource::mailbox);
    if (thread_counters) {
        auto counted = co_await add_thread_counters(call.store(), user->id, *results);
        if (!counted) co_return store_error(counted.error(), Resource::mailbox);
    }
    co_return success({{"total", listed->total},
                       {"page", page},
                       {"previousCursor", previous},
                       {"nextCursor", next},
                       {"specialUse", box->special_use == storage::SpecialUse::none
                                          ? json()
                                          : json(std::string(storage::special_use_name(box->special_use)))},
                       {"results", std::move(*results)}});
}

core::Task<Response> get_message(Call& call) {
    Input& in = call.input;
    const bool mark_seen = in.boolean("markAsSeen").value_or(false);
    (void)in.boolean("replaceCidLinks");
    if (!in.ok()) co_return in.error_response();
    auto target = co_await load_message(call);
    if (!target) co_return target.error();
    auto raw = co_await call.store().read_message(target->box.id, target->meta.uid, std::nullopt);
    if (!raw) co_return store_error(raw.error(), Resource::mailbox);
    if (mark_seen && !storage::has_flag(target->meta.flags, "\\Seen")) {
        storage::FlagChange change{{target->meta.uid, target->meta.uid}, storage::FlagOp::add, {"\\Seen"}, {}};
        auto marked = co_await call.store().store_flags(target->box.id, std::move(change));
        if (!marked) co_return store_error(marked.error(), Resource::mailbox);
        target->meta.flags.push_back("\\Seen");
        storage::normalize_flags(target->meta.flags);
    }
    json body = full_message_json(target->parsed, *raw);
    body["id"] = target->meta.uid;
    body["mailbox"] = target->box.id;
    body["user"] = target->box.user;
    body["size"] = target->meta.size_bytes;
    body["idate"] = iso_time(target->meta.internal_date);
    body["modseq"] = target->meta.modseq;
    add_thread_field(body, target->meta.thread);
    add_flag_fields(body, target->meta.flags);
    co_return success(std::move(body));
}

core::Task<Response> get_message_source(Call& call) {
    auto target = co_await load_message(call);
    if (!target) co_return target.error();
    auto raw = co_await call.store().read_message(target->box.id, target->meta.uid, std::nullopt);
    if (!raw) co_return store_error(raw.error(), Resource::mailbox);
    Response r;
    r.set_header("Content-Type", "message/rfc822");
    r.body = std::move(*raw);
    co_return r;
}

core::Task<Response> get_attachment(Call& call) {
    auto id = call.input.string("attachment", 32);
    if (!call.input.ok()) co_return call.input.error_response();
    auto target = co_await load_message(call);
    if (!target) co_return target.error();
    auto found = find_attachment(target->parsed, id.value_or(""));
    if (!found) co_return error_response(404, "AttachmentNotFound", "This attachment does not exist");
    const mime::Part& part = *found->part;
    auto encoded = co_await call.store().read_message(target->box.id, target->meta.uid,
                                                      storage::ByteRange{part.body_start, part.body_bytes()});
    if (!encoded) co_return store_error(encoded.error(), Resource::mailbox);
    Response r;
    r.set_header("Content-Type", header_safe_type(found->content_type));
    r.body = mime::decode_body(*encoded, mime::transfer_encoding(part.encoding));
    co_return r;
}

// The flag changes of a PUT: booleans to add or remove.
struct FlagEdits {
    storage::Flags add, remove;
};

core::Task<Response> update_messages(Call& call) {
    Input& in = call.input;
    auto selector = in.string("message", 4096);
    std::optional<std::vector<storage::UidRange>> ranges;
    if (selector) {
        ranges = parse_uid_ranges(*selector);
        if (!ranges) in.invalid("message", "\"message\" must be a UID or a UID range such as 1:100");
    } else {
        in.invalid("message", "\"message\" is required");  // the mailbox-wide route takes it in the body
    }
    FlagEdits edits;
    for (const auto& [key, flag] : {std::pair{"seen", "\\Seen"}, std::pair{"flagged", "\\Flagged"},
                                    std::pair{"draft", "\\Draft"}, std::pair{"deleted", "\\Deleted"}}) {
        auto value = in.boolean(key);
        if (value) (*value ? edits.add : edits.remove).push_back(flag);
    }
    auto move_to = in.string("moveTo", 64, true);
    (void)in.number("expires");
    if (!in.ok()) co_return in.error_response();
    if (edits.add.empty() && edits.remove.empty() && !move_to)
        co_return error_response(400, "NoUpdates", "Nothing was changed");
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto box = co_await load_mailbox(call, *user);
    if (!box) co_return store_error(box.error(), Resource::mailbox);
    std::optional<storage::Mailbox> destination;
    if (move_to) {
        auto dest = co_await call.store().get_mailbox(*move_to);
        if (!dest || dest->user != user->id)
            co_return error_response(404, "NoSuchMailbox", "Destination mailbox does not exist");
        destination = std::move(*dest);
    }
    std::size_t updated = 0;
    json moved = json::array();
    for (const storage::UidRange& range : *ranges) {
        auto present = co_await call.store().list_messages(box->id, range);
        if (!present) co_return store_error(present.error(), Resource::mailbox);
        if (present->empty()) continue;
        updated += present->size();
        if (!edits.add.empty()) {
            storage::FlagChange change{range, storage::FlagOp::add, edits.add, {}};
            auto done = co_await call.store().store_flags(box->id, std::move(change));
            if (!done) co_return store_error(done.error(), Resource::mailbox);
        }
        if (!edits.remove.empty()) {
            storage::FlagChange change{range, storage::FlagOp::remove, edits.remove, {}};
            auto done = co_await call.store().store_flags(box->id, std::move(change));
            if (!done) co_return store_error(done.error(), Resource::mailbox);
        }
        if (destination && destination->id != box->id) {
            auto done = co_await call.store().move(box->id, range, destination->id);
            if (!done) co_return store_error(done.error(), Resource::mailbox);
            for (std::size_t i = 0; i < done->source_uids.size(); ++i)
                moved.push_back(json::array({done->source_uids[i], done->dest_uids[i]}));
        }
    }
    if (updated == 0) co_return message_not_found();
    if (destination) co_return success({{"mailbox", destination->id}, {"id", moved}, {"updated", updated}});
    co_return success({{"updated", updated}});
}

// Removes messages for good (\Deleted, then an expunge of exactly those UIDs), as WildDuck's DELETE does.
core::Task<core::Result<std::size_t>> remove_messages(storage::Store& store, storage::MailboxId box,
                                                      storage::UidRange range) {
    storage::FlagChange change{range, storage::FlagOp::add, {std::string(storage::flag_deleted)}, {}};
    auto flagged = co_await store.store_flags(box, std::move(change));
    if (!flagged) co_return flagged.take_error();
    auto expunged = co_await store.expunge(std::move(box), range);
    if (!expunged) co_return expunged.take_error();
    co_return expunged->uids.size();
}

core::Task<Response> delete_message(Call& call) {
    auto target = co_await load_message(call);
    if (!target) co_return target.error();
    auto removed = co_await remove_messages(call.store(), target->box.id, {target->meta.uid, target->meta.uid});
    if (!removed) co_return store_error(removed.error(), Resource::mailbox);
    co_return success();
}

core::Task<Response> delete_all_messages(Call& call) {
    (void)call.input.boolean("async");
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto box = co_await load_mailbox(call, *user);
    if (!box) co_return store_error(box.error(), Resource::mailbox);
    auto removed = co_await remove_messages(call.store(), box->id, storage::UidRange{});
    if (!removed) co_return store_error(removed.error(), Resource::mailbox);
    co_return success({{"deleted", *removed}, {"errors", 0}});
}

// WildDuck's upload: `raw` (the RFC 5322 message), `flags`, `unseen`/`flagged`/`draft`, `date`.
core::Task<Response> upload_message(Call& call) {
    Input& in = call.input;
    auto raw = in.string("raw", SIZE_MAX);
    if (!in.has("raw")) in.invalid("raw", "\"raw\" is required");
    else if (raw && raw->empty()) in.invalid("raw", "\"raw\" is not allowed to be empty");
    storage::Flags flags = read_flag_list(in, "flags");
    const bool unseen = in.boolean("unseen").value_or(false);
    if (in.boolean("flagged").value_or(false)) flags.push_back("\\Flagged");
    if (in.boolean("draft").value_or(false)) flags.push_back("\\Draft");
    if (!unseen) flags.push_back("\\Seen");
    storage::TimePoint when{};
    if (auto date = in.string("date", 100, true)) {
        auto parsed = parse_date_param(*date);
        if (!parsed) in.invalid("date", "\"date\" must be a valid date");
        else when = storage::TimePoint(std::chrono::seconds(*parsed));
    }
    if (!in.ok()) co_return in.error_response();
    storage::normalize_flags(flags);
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto box = co_await load_mailbox(call, *user);
    if (!box) co_return store_error(box.error(), Resource::mailbox);
    const std::size_t size = raw->size();
    storage::AppendRequest request{std::move(*raw), std::move(flags), when};
    auto appended = co_await call.store().append(box->id, std::move(request));
    if (!appended) co_return store_error(appended.error(), Resource::mailbox);
    co_return success({{"message", {{"id", appended->uid}, {"mailbox", box->id}, {"size", size}}}});
}

}  // namespace

void add_message_routes(RouteTable& table) {
    table.add({"GET", "/users/:user/mailboxes/:mailbox/messages", list_messages});
    table.add({"POST", "/users/:user/mailboxes/:mailbox/messages", upload_message});
    table.add({"DELETE", "/users/:user/mailboxes/:mailbox/messages", delete_all_messages});
    table.add({"GET", "/users/:user/mailboxes/:mailbox/messages/:message", get_message});
    table.add({"PUT", "/users/:user/mailboxes/:mailbox/messages", update_messages});  // `message` in the body
    table.add({"PUT", "/users/:user/mailboxes/:mailbox/messages/:message", update_messages});
    table.add({"DELETE", "/users/:user/mailboxes/:mailbox/messages/:message", delete_message});
    table.add({"GET", "/users/:user/mailboxes/:mailbox/messages/:message/message.eml", get_message_source});
    table.add({"GET", "/users/:user/mailboxes/:mailbox/messages/:message/attachments/:attachment", get_attachment});
}

}  // namespace mallard::http::routes
