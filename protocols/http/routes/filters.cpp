// Filters: GET /filters (root: every user's), GET/POST /users/:user/filters, GET/PUT/DELETE
// /users/:user/filters/:filter (WildDuck's lib/api/filters.js), on the Store's filter calls (storage/types.h
// Filter). The API's shape: query {from, to, subject, listId, text, ha, size}, action {seen, flag, delete,
// spam, mailbox}; listings add WildDuck's human-readable [label, value] descriptions.
//
// Not here: action.targets (forwarding) — the store has no forwarding, so a filter asking for it is refused
// (400) rather than stored and silently ignored; metaData.
#include <algorithm>

#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/message_view.h"
#include "protocols/http/routes/route_support.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;

Response filter_not_found() { return error_response(404, "FilterNotFound", "Filter was not found"); }

// Store errors of the filter calls: not_found of an action mailbox is the mailbox's, quota is WildDuck's TooMany.
Response filter_store_error(const core::Error& error) {
    if (error.code == core::Errc::quota)
        return json_response(403, {{"error", "Maximum filters limit reached"},
                                   {"code", "TooMany"},
                                   {"allowed", storage::max_filters_per_user}});
    if (error.code == core::Errc::not_found) return filter_not_found();
    return store_error(error, Resource::user);
}

json query_json(const storage::FilterQuery& q) {
    json out = json::object();
    if (!q.from.empty()) out["from"] = q.from;
    if (!q.to.empty()) out["to"] = q.to;
    if (!q.subject.empty()) out["subject"] = q.subject;
    if (!q.list_id.empty()) out["listId"] = q.list_id;
    if (!q.text.empty()) out["text"] = q.text;
    if (q.has_attachment) out["ha"] = *q.has_attachment;
    if (q.size) out["size"] = q.size;
    return out;
}

json action_json(const storage::FilterAction& a) {
    json out = json::object();
    if (a.seen) out["seen"] = *a.seen;
    if (a.flag) out["flag"] = *a.flag;
    if (a.discard) out["delete"] = *a.discard;
    if (a.spam) out["spam"] = *a.spam;
    if (!a.mailbox.empty()) out["mailbox"] = a.mailbox;
    return out;
}

// WildDuck's getFilterStrings: [["from", "(alice)"], ["has attachment"], …] and [["mark as read"], …].
json query_descriptions(const storage::FilterQuery& q) {
    json out = json::array();
    for (const auto& [key, value] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}, std::pair{"subject", &q.subject},
                                     std::pair{"listId", &q.list_id}})
        if (!value->empty()) out.push_back({key, "(" + *value + ")"});
    if (q.has_attachment) out.push_back(json::array({*q.has_attachment ? "has attachment" : "no attachments"}));
    if (!q.text.empty()) out.push_back({"text", "\"" + q.text + "\""});
    if (q.size > 0) out.push_back({"larger", q.size});
    if (q.size < 0) out.push_back({"smaller", -q.size});
    return out;
}

json action_descriptions(const storage::FilterAction& a, const std::vector<storage::Mailbox>& boxes) {
    json out = json::array();
    if (a.seen) out.push_back(json::array({*a.seen ? "mark as read" : "do not mark as read"}));
    if (a.flag) out.push_back(json::array({*a.flag ? "flag it" : "do not flag it"}));
    if (a.spam) out.push_back(json::array({*a.spam ? "mark it as spam" : "do not mark it as spam"}));
    if (a.discard) out.push_back(json::array({*a.discard ? "delete it" : "do not delete it"}));
    if (!a.mailbox.empty()) {
        auto box = std::find_if(boxes.begin(), boxes.end(), [&](const auto& b) { return b.id == a.mailbox; });
        out.push_back({"move to folder", box == boxes.end() ? a.mailbox : "\"" + box->name + "\""});
    }
    return out;
}

json listed_filter(const storage::Filter& f, const std::vector<storage::Mailbox>& boxes, bool with_user) {
    json out = {{"id", f.id},
                {"name", f.name},
                {"query", query_descriptions(f.query)},
                {"action", action_descriptions(f.action, boxes)},
                {"originalQuery", query_json(f.query)},
                {"originalAction", action_json(f.action)},
                {"disabled", f.disabled},
                {"created", iso_time(f.created)}};
    if (with_user) out["user"] = f.user;
    return out;
}

// Reads `query` and `action` objects into `filter`, changing only the fields given (PUT keeps the rest).
// An empty string or null clears a string field; false/null clears a tri-state one.
void read_filter_fields(Input& in, storage::NewFilter& filter) {
    if (auto name = in.string("name", storage::max_filter_field_bytes)) filter.name = *name;
    if (auto disabled = in.boolean("disabled")) filter.disabled = *disabled;

    auto read_object = [&in](const char* key) -> json {
        auto it = in.values().find(key);
        if (it == in.values().end() || it->is_null()) return json::object();
        if (!it->is_object()) {
            in.invalid(key, std::string("\"") + key + "\" must be of type object");
            return json::object();
        }
        return *it;
    };
    Input query(read_object("query"));
    for (const auto& [key, field] : {std::pair{"from", &filter.query.from}, std::pair{"to", &filter.query.to},
                                     std::pair{"subject", &filter.query.subject},
                                     std::pair{"listId", &filter.query.list_id}, std::pair{"text", &filter.query.text}}) {
        if (!query.values().contains(key)) continue;
        auto value = query.string(key, storage::max_filter_field_bytes);
        *field = value.value_or("");
    }
    if (query.values().contains("ha")) filter.query.has_attachment = query.boolean("ha");
    if (query.values().contains("size")) {
        const json& size = query.values()["size"];
        if (size.is_null()) filter.query.size = 0;
        else if (size.is_number_integer()) filter.query.size = size.get<std::int64_t>();
        else query.invalid("size", "\"size\" must be an integer");
    }
    Input action(read_object("action"));
    for (const auto& [key, field] : {std::pair{"seen", &filter.action.seen}, std::pair{"flag", &filter.action.flag},
                                     std::pair{"delete", &filter.action.discard}, std::pair{"spam", &filter.action.spam}}) {
        if (action.values().contains(key)) *field = action.boolean(key);
    }
    if (action.values().contains("mailbox")) filter.action.mailbox = action.string("mailbox", 64).value_or("");
    if (action.has("targets")) action.invalid("targets", "\"targets\" (forwarding) is not supported by this server");
    // Sub-object problems are reported under "query.x" / "action.x" like Joi's paths.
    for (const auto& [prefix, sub] : {std::pair{"query.", &query}, std::pair{"action.", &action}}) {
        if (sub->ok()) continue;
        json details = json::parse(sub->error_response().body)["details"];
        for (auto& [key, message] : details.items()) in.invalid(prefix + key, message.get<std::string>());
    }
}

core::Task<Response> list_all_filters(Call& call) {
    Input& in = call.input;
    const std::size_t limit = in.number("limit", 1, 250).value_or(20);
    const std::uint64_t page = in.number("page", 1).value_or(1);
    auto forward = in.string("forward", 255, true);
    auto cursor = read_cursor(in);
    if (!in.ok()) co_return in.error_response();
    if (call.principal.role != Role::root) co_return error_response(403, "MissingPrivileges", "Not enough privileges");
    auto users = co_await call.store().list_users();
    if (!users) co_return store_error(users.error(), Resource::user);
    std::vector<std::pair<storage::Filter, std::vector<storage::Mailbox>>> all;
    for (const storage::User& u : *users) {
        if (forward) break;  // no forwarding targets exist: nothing matches
        auto filters = co_await call.store().list_filters(u.id);
        if (!filters || filters->empty()) continue;
        auto boxes = co_await call.store().list_mailboxes(u.id);
        for (storage::Filter& f : *filters)
            all.emplace_back(std::move(f), boxes ? *boxes : std::vector<storage::Mailbox>{});
    }
    // Listing order: ascending id (decimal ids by value, as users.cpp orders users).
    auto less = [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    };
    std::sort(all.begin(), all.end(), [&](const auto& a, const auto& b) { return less(a.first.id, b.first.id); });
    std::size_t boundary = 0;
    if (cursor)
        boundary = static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const auto& f) {
            return less(f.first.id, cursor->key) || (cursor->next && f.first.id == cursor->key);
        }));
    const PageWindow window = page_window(all.size(), cursor, boundary, limit);
    json results = json::array();
    for (std::size_t i = window.first; i < window.last; ++i)
        results.push_back(listed_filter(all[i].first, all[i].second, true));
    json previous = window.first > 0 && window.first < window.last
                        ? json(encode_cursor({false, all[window.first].first.id}))
                        : json(false);
    json next = window.last < all.size() && window.first < window.last
                    ? json(encode_cursor({true, all[window.last - 1].first.id}))
                    : json(false);
    co_return success({{"total", all.size()}, {"page", page}, {"previousCursor", previous}, {"nextCursor", next},
                       {"results", results}});
}

core::Task<Response> list_filters(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto filters = co_await call.store().list_filters(user->id);
    if (!filters) co_return store_error(filters.error(), Resource::user);
    auto boxes = co_await call.store().list_mailboxes(user->id);
    if (!boxes) co_return store_error(boxes.error(), Resource::mailbox);
    json results = json::array();
    for (const storage::Filter& f : *filters) results.push_back(listed_filter(f, *boxes, false));
    co_return success({{"limits", {{"allowed", storage::max_filters_per_user}, {"used", filters->size()}}},
                       {"results", results}});
}

core::Task<Response> get_filter(Call& call) {
    auto id = call.input.string("filter", 64);
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto filter = co_await call.store().get_filter(user->id, id.value_or(""));
    if (!filter) co_return filter_store_error(filter.error());
    co_return success({{"id", filter->id},
                       {"name", filter->name},
                       {"query", query_json(filter->query)},
                       {"action", action_json(filter->action)},
                       {"disabled", filter->disabled},
                       {"created", iso_time(filter->created)}});
}

core::Task<Response> create_filter(Call& call) {
    storage::NewFilter filter;
    read_filter_fields(call.input, filter);
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto created = co_await call.store().create_filter(user->id, std::move(filter));
    if (!created) {
        if (created.error().code == core::Errc::not_found)
            co_return error_response(404, "NoSuchMailbox", "This mailbox does not exist");
        co_return filter_store_error(created.error());
    }
    co_return success({{"id", created->id}});
}

core::Task<Response> update_filter(Call& call) {
    auto id = call.input.string("filter", 64);
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto existing = co_await call.store().get_filter(user->id, id.value_or(""));
    if (!existing) co_return filter_store_error(existing.error());
    storage::NewFilter filter{existing->name, existing->query, existing->action, existing->disabled};
    read_filter_fields(call.input, filter);
    if (!call.input.ok()) co_return call.input.error_response();
    auto updated = co_await call.store().update_filter(user->id, existing->id, std::move(filter));
    if (!updated) {
        if (updated.error().code == core::Errc::not_found)
            co_return error_response(404, "NoSuchMailbox", "This mailbox does not exist");
        co_return filter_store_error(updated.error());
    }
    co_return success();
}

core::Task<Response> delete_filter(Call& call) {
    auto id = call.input.string("filter", 64);
    if (!call.input.ok()) co_return call.input.error_response();
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto deleted = co_await call.store().delete_filter(user->id, id.value_or(""));
    if (!deleted) co_return filter_store_error(deleted.error());
    co_return success();
}

}  // namespace

void add_filter_routes(RouteTable& table) {
    table.add({"GET", "/filters", list_all_filters});
    table.add({"GET", "/users/:user/filters", list_filters});
    table.add({"POST", "/users/:user/filters", create_filter});
    table.add({"GET", "/users/:user/filters/:filter", get_filter});
    table.add({"PUT", "/users/:user/filters/:filter", update_filter});
    table.add({"DELETE", "/users/:user/filters/:filter", delete_filter});
}

}  // namespace mallard::http::routes
