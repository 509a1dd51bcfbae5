// GET /users/:user/search (WildDuck's messages.js searchMessages): the parameters become one storage
// SearchQuery, run by Store::search on each mailbox (the store's index, not a scan here), and the matches are
// listed newest first like a mailbox listing, each with its `mailbox`.
//
// Without `mailbox`, Trash and Junk are left out, as WildDuck's search leaves them out. Dates: the store
// compares calendar days (storage/search.h), so datestart/dateend select days there and the exact instants
// are checked on the matches. `attachments` is checked on the matches' MIME trees (the store has no key for it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>

#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/messages_support.h"
#include "protocols/http/routes/route_support.h"
#include "protocols/http/routes/validate.h"
#include "storage/search.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;
namespace search = storage::search;

struct Match {
    std::int64_t idate = 0;
    storage::Uid uid = 0;
    std::size_t box = 0;  // index into the searched mailboxes
    storage::MessageMeta meta;
};

// The listing order: newest internal date first, then higher UID, then mailbox.
std::tuple<std::int64_t, storage::Uid, std::size_t> order_key(const Match& m) { return {m.idate, m.uid, m.box}; }

std::string cursor_key(const Match& m) {
    return std::to_string(m.idate) + "|" + std::to_string(m.uid) + "|" + std::to_string(m.box);
}

std::optional<std::tuple<std::int64_t, storage::Uid, std::size_t>> parse_key(const std::string& key) {
    long long idate = 0;
    unsigned long uid = 0, box = 0;
    char tail = 0;
    if (std::sscanf(key.c_str(), "%lld|%lu|%lu%c", &idate, &uid, &box, &tail) != 3) return std::nullopt;
    return std::tuple<std::int64_t, storage::Uid, std::size_t>{idate, static_cast<storage::Uid>(uid), box};
}

std::chrono::year_month_day day_of(std::int64_t epoch) {
    return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{std::chrono::seconds{epoch}})};
}

std::int64_t epoch_of(storage::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

core::Task<Response> search_messages(Call& call) {
    Input& in = call.input;
    auto mailbox = in.string("mailbox", 64, true);
    auto q = in.string("q", 255, true);
    auto from = in.string("from", 255, true);
    auto to = in.string("to", 255, true);
    auto subject = in.string("subject", 255, true);
    std::optional<std::int64_t> date_start, date_end;
    for (const char* key : {"datestart", "dateend"}) {
        auto text = in.string(key, 100, true);
        if (!text) continue;
        auto parsed = parse_date_param(*text);
        if (!parsed) in.invalid(key, std::string("\"") + key + "\" must be a valid date");
        (key[4] == 's' ? date_start : date_end) = parsed;
    }
    auto min_size = in.number("minSize", 0);
    auto max_size = in.number("maxSize", 0);
    auto attachments = in.boolean("attachments");
    auto flagged = in.boolean("flagged");
    auto unseen = in.boolean("unseen");
    (void)in.boolean("searchable");
    const bool thread_counters = in.boolean("threadCounters").value_or(false);
    auto thread = in.string("thread", 64, true);
    if (thread && (thread->empty() || thread->find_first_not_of("0123456789abcdefABCDEF") != std::string::npos))
        in.invalid("thread", "\"thread\" must only contain hexadecimal characters");
    const std::size_t limit = in.number("limit", 1, 250).value_or(20);
    const std::uint64_t page = in.number("page", 1).value_or(1);
    auto cursor = read_cursor(in);
    std::optional<std::tuple<std::int64_t, storage::Uid, std::size_t>> cursor_at;
    if (cursor) {
        cursor_at = parse_key(cursor->key);
        if (!cursor_at) in.invalid(cursor->next ? "next" : "previous", "\"cursor\" must be a valid paging cursor");
    }
    if (!in.ok()) co_return in.error_response();

    std::vector<storage::SearchKey> keys;
    if (q) keys.push_back(search::text(*q));
    if (from) keys.push_back(search::header("From", *from));
    if (to) keys.push_back(search::any_of({search::header("To", *to), search::header("Cc", *to)}));
    if (subject) keys.push_back(search::header("Subject", *subject));
    if (date_start) keys.push_back(search::internal_date(storage::DateOp::since, day_of(*date_start)));
    if (date_end) keys.push_back(search::negation(search::internal_date(storage::DateOp::since,
                                                                        std::chrono::sys_days(day_of(*date_end)) +
                                                                            std::chrono::days(1))));
    if (min_size && *min_size > 0) keys.push_back(search::larger(*min_size - 1));
    if (max_size) keys.push_back(search::smaller(*max_size + 1));
    if (flagged) keys.push_back(*flagged ? search::flag("\\Flagged") : search::no_flag("\\Flagged"));
    if (unseen) keys.push_back(*unseen ? search::no_flag("\\Seen") : search::flag("\\Seen"));
    if (thread) keys.push_back(search::thread(*thread));
    const storage::SearchQuery query = search::all_of(std::move(keys));

    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    std::vector<storage::Mailbox> boxes;
    if (mailbox) {
        auto box = co_await call.store().get_mailbox(*mailbox);
        if (!box || box->user != user->id) co_return store_error(core::Error(core::Errc::not_found), Resource::mailbox);
        boxes.push_back(std::move(*box));
    } else {
        auto all = co_await call.store().list_mailboxes(user->id);
        if (!all) co_return store_error(all.error(), Resource::mailbox);
        for (storage::Mailbox& b : *all)
            if (b.special_use != storage::SpecialUse::trash && b.special_use != storage::SpecialUse::junk)
                boxes.push_back(std::move(b));
    }

    std::vector<Match> matches;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        auto uids = co_await call.store().search(boxes[i].id, query);
        if (!uids) co_return store_error(uids.error(), Resource::mailbox);
        if (uids->empty()) continue;
        auto metas = co_await call.store().list_messages(boxes[i].id, storage::UidRange{uids->front(), uids->back()});
        if (!metas) co_return store_error(metas.error(), Resource::mailbox);
        for (storage::MessageMeta& m : *metas) {
            if (!std::binary_search(uids->begin(), uids->end(), m.uid)) continue;
            const std::int64_t idate = epoch_of(m.internal_date);
            if ((date_start && idate < *date_start) || (date_end && idate > *date_end)) continue;
            matches.push_back(Match{idate, m.uid, i, std::move(m)});
        }
    }
    std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) { return order_key(a) > order_key(b); });

    // `attachments` needs each match's tree: build the entries of all matches first, then page.
    std::vector<json> entries;
    entries.reserve(matches.size());
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < matches.size(); ++i) {
        if (!attachments) {
            kept.push_back(i);
            continue;
        }
        std::vector<storage::MessageMeta> just{matches[i].meta};
        auto one = co_await listing_entries(call.store(), boxes[matches[i].box], std::move(just));
        if (!one) co_return store_error(one.error(), Resource::mailbox);
        if (!one->empty() && (*one)[0]["attachments"] == *attachments) kept.push_back(i);
    }
    std::size_t boundary = 0;
    if (cursor_at) {
        boundary = static_cast<std::size_t>(std::count_if(kept.begin(), kept.end(), [&](std::size_t i) {
            const auto key = order_key(matches[i]);
            return key > *cursor_at || (cursor->next && key == *cursor_at);
        }));
    }
    const PageWindow window = page_window(kept.size(), cursor, boundary, limit);
    json results = json::array();
    for (std::size_t k = window.first; k < window.last; ++k) {
        const Match& m = matches[kept[k]];
        std::vector<storage::MessageMeta> just{m.meta};
        auto one = co_await listing_entries(call.store(), boxes[m.box], std::move(just));
        if (!one) co_return store_error(one.error(), Resource::mailbox);
        for (json& e : *one) results.push_back(std::move(e));
    }
    if (thread_counters) {
        auto counted = co_await add_thread_counters(call.store(), user->id, results);
        if (!counted) co_return store_error(counted.error(), Resource::mailbox);
    }
    json previous = window.first > 0 && window.first < window.last
                        ? json(encode_cursor({false, cursor_key(matches[kept[window.first]])}))
                        : json(false);
    json next = window.last < kept.size() && window.first < window.last
                    ? json(encode_cursor({true, cursor_key(matches[kept[window.last - 1]])}))
                    : json(false);
    co_return success({{"query", q.value_or("")},
                       {"total", kept.size()},
                       {"page", page},
                       {"previousCursor", previous},
                       {"nextCursor", next},
                       {"results", results}});
}

}  // namespace

void add_search_routes(RouteTable& table) { table.add({"GET", "/users/:user/search", search_messages}); }

}  // namespace mallard::http::routes
