// Shared message-route helpers (see messages_support.h).
#include "protocols/http/routes/messages_support.h"

#include <algorithm>

#include "protocols/http/routes/message_view.h"
#include "protocols/http/routes/route_support.h"
#include "storage/mime/serialize.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;
namespace mime = storage::mime;

MessageOrError failed(Response r) { return MessageOrError{std::nullopt, std::move(r)}; }

Response message_not_found() { return error_response(404, "MessageNotFound", "Message was not found"); }

// How much of a text part the listing reads for its intro: enough for 128 characters after decoding.
constexpr std::uint64_t intro_read_bytes = 4096;

// Runs of UIDs read with one read_mime_trees call; a sparse page (unseen only) falls back to one call each.
constexpr storage::Uid max_tree_run = 1000;

}  // namespace

core::Task<MessageOrError> load_message(Call& call) {
    Input& in = call.input;
    const auto uid = in.number("message", 1, storage::UidRange::max_uid - 1);
    if (!in.ok()) co_return failed(in.error_response());
    auto user = co_await load_user(call, in.string("user").value_or(""));
    if (!user) co_return failed(store_error(user.error(), Resource::user));
    auto box = co_await load_mailbox(call, *user);
    if (!box) co_return failed(store_error(box.error(), Resource::mailbox));
    const storage::Uid u = static_cast<storage::Uid>(*uid);
    auto metas = co_await call.store().list_messages(box->id, storage::UidRange{u, u});
    if (!metas) co_return failed(store_error(metas.error(), Resource::mailbox));
    if (metas->empty()) co_return failed(message_not_found());
    auto tree = co_await call.store().read_mime_tree(box->id, u);
    if (!tree) {
        if (tree.error().code == core::Errc::not_found) co_return failed(message_not_found());
        co_return failed(store_error(tree.error(), Resource::mailbox));
    }
    auto parsed = mime::deserialize(*tree);
    if (!parsed) co_return failed(error_response(500, "InternalDatabaseError", "Stored message structure is unreadable"));
    co_return MessageOrError{LoadedMessage{std::move(*box), std::move(metas->front()), std::move(*parsed)}, {}};
}

core::Task<core::Result<json>> listing_entries(storage::Store& store, const storage::Mailbox& box,
                                              std::vector<storage::MessageMeta> metas) {
    json results = json::array();
    if (metas.empty()) co_return results;
    auto [low, high] = std::minmax_element(metas.begin(), metas.end(),
                                           [](const auto& a, const auto& b) { return a.uid < b.uid; });
    std::vector<storage::MimeTree> trees;
    if (high->uid - low->uid <= max_tree_run) {
        auto run = co_await store.read_mime_trees(box.id, storage::UidRange{low->uid, high->uid});
        if (!run) co_return run.take_error();
        trees = std::move(*run);
    } else {
        for (const storage::MessageMeta& m : metas) {
            auto one = co_await store.read_mime_tree(box.id, m.uid);
            if (one) trees.push_back({m.uid, std::move(*one)});
        }
    }
    // Entries first, then every intro's text prefix in one store call (one per message was most of a page's
    // time), then the intros.
    struct IntroSource {
        std::size_t entry;
        mime::Part part;
    };
    std::vector<IntroSource> sources;
    std::vector<storage::MessageSlice> slices;
    for (const storage::MessageMeta& m : metas) {
        auto tree = std::find_if(trees.begin(), trees.end(), [&](const auto& t) { return t.uid == m.uid; });
        if (tree == trees.end()) continue;  // expunged since the listing was read
        auto parsed = mime::deserialize(tree->bytes);
        if (!parsed) continue;
        json entry = summary_json(*parsed);
        entry["id"] = m.uid;
        entry["mailbox"] = box.id;
        entry["idate"] = iso_time(m.internal_date);
        entry["size"] = m.size_bytes;
        entry["modseq"] = m.modseq;
        add_thread_field(entry, m.thread);
        add_flag_fields(entry, m.flags);
        entry["intro"] = "";
        if (const mime::Part* part = intro_part(*parsed)) {
            const std::uint64_t length = std::min<std::uint64_t>(part->body_bytes(), intro_read_bytes);
            sources.push_back({results.size(), *part});
            slices.push_back({m.uid, storage::ByteRange{part->body_start, length}, {}});
        }
        results.push_back(std::move(entry));
    }
    if (slices.empty()) co_return results;
    auto prefixes = co_await store.read_message_slices(box.id, std::move(slices));
    if (!prefixes) co_return results;  // the entries stand without intros, as a single failed read left them
    std::size_t next = 0;  // prefixes come in the order asked, without the messages expunged meanwhile
    for (const IntroSource& source : sources) {
        json& entry = results[source.entry];
        if (next < prefixes->size() && (*prefixes)[next].uid == entry["id"].get<storage::Uid>())
            entry["intro"] = intro_from_body(source.part, (*prefixes)[next++].bytes);
    }
    co_return results;
}

void add_thread_field(json& entry, const storage::ThreadId& thread) {
    if (!thread.empty()) entry["thread"] = thread;
}

core::Task<core::Result<void>> add_thread_counters(storage::Store& store, storage::UserId user, json& entries) {
    std::vector<storage::ThreadId> threads;
    for (const json& e : entries)
        if (e.contains("thread")) threads.push_back(e["thread"].get<std::string>());
    if (threads.empty()) co_return core::success();
    auto counts = co_await store.thread_counts(std::move(user), std::move(threads));
    if (!counts) co_return counts.take_error();
    for (json& e : entries) {
        if (!e.contains("thread")) continue;
        const std::string& thread = e["thread"].get_ref<const std::string&>();
        for (const storage::ThreadCount& c : *counts)
            if (c.thread == thread) e["threadMessageCount"] = c.messages;
    }
    co_return core::success();
}

storage::Flags read_flag_list(Input& in, std::string_view key) {
    storage::Flags flags;
    auto it = in.values().find(key);
    if (it == in.values().end() || it->is_null()) return flags;
    std::vector<std::string> items;
    if (it->is_array()) {
        for (const json& v : *it) {
            if (!v.is_string()) {
                in.invalid(key, "\"" + std::string(key) + "\" must be an array of strings");
                return {};
            }
            items.push_back(v.get<std::string>());
        }
    } else if (it->is_string()) {
        std::string_view text = it->get_ref<const std::string&>();
        while (!text.empty()) {
            std::size_t comma = text.find(',');
            std::string_view item = text.substr(0, comma);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
            if (!item.empty()) items.emplace_back(item);
            if (comma == std::string_view::npos) break;
            text.remove_prefix(comma + 1);
        }
    } else {
        in.invalid(key, "\"" + std::string(key) + "\" must be an array of strings");
        return {};
    }
    if (items.size() > 100) {
        in.invalid(key, "\"" + std::string(key) + "\" must contain less than or equal to 100 items");
        return {};
    }
    for (const std::string& f : items) {
        // RFC 3501 §9 flag-keyword: atom characters; a system flag is "\\" then an atom.
        bool ok = !f.empty() && f.size() <= 255 && f != "\\Recent";
        for (std::size_t i = 0; ok && i < f.size(); ++i) {
            const unsigned char c = static_cast<unsigned char>(f[i]);
            if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '"' || c == '%' || c == '*' ||
                c == ']' || (c == '\\' && i != 0))
                ok = false;
        }
        if (!ok) {
            in.invalid(key, "\"" + std::string(key) + "\" contains an invalid flag");
            return {};
        }
        flags.push_back(f);
    }
    return flags;
}

}  // namespace mallard::http::routes
