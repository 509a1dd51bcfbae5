// FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8; responses §7.4.2). One "* n FETCH (…)" line per message of
// the set, items in the order requested; UID FETCH always includes UID (first when not asked for). Body data
// is read per section from the store (storage/section.h) and sent as literals; ENVELOPE, BODY and
// BODYSTRUCTURE come from the MIME tree stored at ingest. A non-PEEK body fetch on a read-write mailbox sets
// \Seen once per command, before answering, and adds FLAGS to the messages it changed.
// Messages listed in the view but gone from the store (expunged by another session) are skipped silently.
// CONDSTORE (RFC 7162 §3.1.4, §3.1.4.1): MODSEQ and CHANGEDSINCE enable it; CHANGEDSINCE keeps the messages
// whose modseq is above its value and implies MODSEQ; once CONDSTORE is on, every response carrying FLAGS
// carries MODSEQ too. FLAGS and MODSEQ come together from the store's fresh listing, never one from the
// view and one from the store: a client that saw new flags with an old modseq (or the reverse) would sync
// wrongly. VANISHED needs QRESYNC, not offered → BAD.
// BINARY, BINARY.PEEK and BINARY.SIZE (RFC 3516) are answered in fetch_binary.cpp; BINARY sets \Seen.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocols/imap/bodystructure.h"
#include "protocols/imap/command_table.h"
#include "protocols/imap/commands/fetch_binary.h"
#include "protocols/imap/date_time.h"
#include "protocols/imap/envelope.h"
#include "protocols/imap/header_fields.h"
#include "protocols/imap/mailbox_support.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/render.h"
#include "protocols/imap/view_sync.h"
#include "storage/mime/serialize.h"
#include "storage/section.h"

namespace mallard::imap {

using core::Task;
using Kind = FetchItem::Kind;

namespace {

bool sets_seen(const FetchItem& item) {
    return item.kind == Kind::rfc822 || item.kind == Kind::rfc822_text ||
           ((item.kind == Kind::body_section || item.kind == Kind::binary) && !item.peek);
}

bool needs_tree(const FetchItem& item) {
    return item.kind == Kind::envelope || item.kind == Kind::body || item.kind == Kind::bodystructure ||
           item.kind == Kind::binary || item.kind == Kind::binary_size;
}

bool atom_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    return std::string_view("(){%*\"\\]").find(c) == std::string_view::npos;
}

// The section as the response names it: "1.2.HEADER.FIELDS (Subject)".
void append_section_name(std::string& out, const FetchSection& section, const RenderOptions& options) {
    for (std::size_t i = 0; i < section.part.size(); ++i) {
        if (i > 0) out += '.';
        out += std::to_string(section.part[i]);
    }
    if (section.kind == FetchSection::Kind::whole) return;
    if (!section.part.empty()) out += '.';
    switch (section.kind) {
        case FetchSection::Kind::whole: break;
        case FetchSection::Kind::header: out += "HEADER"; break;
        case FetchSection::Kind::text: out += "TEXT"; break;
        case FetchSection::Kind::mime: out += "MIME"; break;
        case FetchSection::Kind::header_fields:
        case FetchSection::Kind::header_fields_not: {
            out += section.kind == FetchSection::Kind::header_fields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (";
            for (std::size_t i = 0; i < section.fields.size(); ++i) {
                const auto& field = section.fields[i];
                if (i > 0) out += ' ';
                if (!field.empty() && std::all_of(field.begin(), field.end(), atom_char)) {
                    out += field;
                } else {
                    append_string(out, field, options);
                }
            }
            out += ')';
            break;
        }
    }
}

storage::Section storage_section(const FetchSection& section) {
    storage::Section out;
    out.part = section.part;
    switch (section.kind) {
        case FetchSection::Kind::whole: out.kind = storage::Section::Kind::whole; break;
        case FetchSection::Kind::header:
        case FetchSection::Kind::header_fields:
        case FetchSection::Kind::header_fields_not: out.kind = storage::Section::Kind::header; break;
        case FetchSection::Kind::text: out.kind = storage::Section::Kind::text; break;
        case FetchSection::Kind::mime: out.kind = storage::Section::Kind::mime; break;
    }
    return out;
}

// The bytes of one section, cut to the partial range; header fields are filtered before the cut.
Task<core::Result<std::string>> read_body(Session& s, storage::MailboxId box, storage::Uid uid, FetchSection section,
                                          std::optional<FetchPartial> partial) {
    storage::Section where = storage_section(section);
    const bool filtered = section.kind == FetchSection::Kind::header_fields ||
                          section.kind == FetchSection::Kind::header_fields_not;
    std::optional<storage::ByteRange> range;
    if (partial && !filtered) range = storage::ByteRange{partial->offset, partial->length};
    auto bytes = co_await storage::read_section(s.store(), std::move(box), uid, std::move(where), range);
    if (!bytes || !filtered) co_return bytes;
    auto match = section.kind == FetchSection::Kind::header_fields ? FieldMatch::only : FieldMatch::except;
    std::string block = filter_header_fields(*bytes, section.fields, match);
    if (partial) block = partial->offset >= block.size() ? std::string() : block.substr(partial->offset, partial->length);
    co_return block;
}

// The FETCH items of RFC822, RFC822.HEADER and RFC822.TEXT as body sections.
FetchItem as_body_section(const FetchItem& item) {
    FetchItem out;
    out.kind = Kind::body_section;
    out.peek = item.kind == Kind::rfc822_header;
    if (item.kind == Kind::rfc822_header) out.section.kind = FetchSection::Kind::header;
    if (item.kind == Kind::rfc822_text) out.section.kind = FetchSection::Kind::text;
    return out;
}

// Sets \Seen on the messages of `seqs` that lack it; returns those whose flags changed (ascending).
Task<core::Result<std::vector<SeqNum>>> mark_seen(Session& s, MailboxView& view, std::vector<SeqNum> seqs) {
    std::vector<SeqNum> unseen;
    for (SeqNum n : seqs) {
        if (!storage::has_flag(view.flags(n), "\\Seen")) unseen.push_back(n);
    }
    std::vector<SeqNum> changed;
    for (const auto& range : view.uid_ranges(unseen)) {
        storage::FlagChange change;
        change.uids = range;
        change.op = storage::FlagOp::add;
        change.flags.push_back("\\Seen");
        auto result = co_await s.store().store_flags(view.id(), std::move(change));
        if (!result) co_return result.take_error();
        for (auto& meta : result->changed) {
            auto n = view.seq(meta.uid);
            if (!n) continue;
            view.set_flags(*n, std::move(meta.flags), meta.modseq);
            changed.push_back(*n);
        }
    }
    std::sort(changed.begin(), changed.end());
    co_return changed;
}

// Internal dates and sizes of the messages of `seqs`, ascending by UID; a message missing here is gone.
Task<core::Result<std::vector<storage::MessageMeta>>> list_metas(Session& s, const MailboxView& view,
                                                                 std::vector<SeqNum> seqs) {
    std::vector<storage::MessageMeta> out;
    for (const auto& range : view.uid_ranges(seqs)) {
        auto listed = co_await s.store().list_messages(view.id(), range);
        if (!listed) co_return listed.take_error();
        for (auto& meta : *listed) out.push_back(std::move(meta));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
    co_return out;
}

// ENVELOPE, BODY, BODYSTRUCTURE and BINARY need each message's MIME tree: they are read for this many messages
// at a time, one store query per UID range, not one per message (per message, the round trip to the pool and
// the point query were four fifths of FETCH 1:* (ENVELOPE) on a 100,000-message mailbox; perf/imap_bench.cpp).
constexpr std::size_t tree_batch = 256;

// The serialised MIME trees of the messages of `seqs`, ascending by UID; a message missing here is gone.
Task<core::Result<std::vector<storage::MimeTree>>> read_trees(Session& s, const MailboxView& view,
                                                              std::vector<SeqNum> seqs) {
    std::vector<storage::MimeTree> out;
    for (const auto& range : view.uid_ranges(seqs)) {
        auto read = co_await s.store().read_mime_trees(view.id(), range);
        if (!read) co_return read.take_error();
        for (auto& tree : *read) out.push_back(std::move(tree));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
    co_return out;
}

// The messages of `seqs` (ascending) whose modseq in `metas` (ascending by UID) is above `since`: CHANGEDSINCE.
// A message missing from `metas` is gone and dropped here too.
std::vector<SeqNum> changed_since(const MailboxView& view, const std::vector<SeqNum>& seqs,
                                  const std::vector<storage::MessageMeta>& metas, storage::ModSeq since) {
    std::vector<SeqNum> out;
    for (SeqNum n : seqs) {
        const storage::Uid uid = view.uid(n);
        auto meta = std::lower_bound(metas.begin(), metas.end(), uid,
                                     [](const storage::MessageMeta& m, storage::Uid u) { return m.uid < u; });
        if (meta != metas.end() && meta->uid == uid && meta->modseq > since) out.push_back(n);
    }
    return out;
}

void append_modseq(std::string& line, storage::ModSeq modseq) {
    line += "MODSEQ (" + std::to_string(modseq) + ')';
}

Task<Tagged> fetch(Session& s, Command& c) {
    auto& args = std::get<FetchCommand>(c.args);
    // RFC 7162 §3.2.6: VANISHED only once QRESYNC is enabled, and QRESYNC isn't offered.
    if (args.vanished) co_return Tagged::bad("VANISHED needs QRESYNC, which is not enabled");
    std::vector<FetchItem> items = args.items;
    bool any_seen = false;
    for (const auto& item : items) any_seen = any_seen || sets_seen(item);
    const bool has_uid = std::any_of(items.begin(), items.end(), [](const auto& i) { return i.kind == Kind::uid; });
    if (c.uid && !has_uid) {
        FetchItem uid_item;
        uid_item.kind = Kind::uid;
        items.insert(items.begin(), uid_item);
    }
    bool has_modseq = std::any_of(items.begin(), items.end(), [](const auto& i) { return i.kind == Kind::modseq; });
    if (has_modseq || args.changed_since) enable_condstore(s);  // RFC 7162 §3.1
    if (args.changed_since && !has_modseq) {                    // §3.1.4.1: CHANGEDSINCE implies MODSEQ
        FetchItem modseq_item;
        modseq_item.kind = Kind::modseq;
        items.push_back(modseq_item);
        has_modseq = true;
    }
    const bool has_flags = std::any_of(items.begin(), items.end(), [](const auto& i) { return i.kind == Kind::flags; });
    const char* done = c.uid ? "UID FETCH completed" : "FETCH completed";

    // \Seen set by this FETCH updates the session's view in place.
    MailboxView* view = s.view();
    std::vector<SeqNum> seqs = view->resolve(args.set, c.uid);
    if (args.changed_since && !seqs.empty()) {
        // Filtered before \Seen is set, so a body fetch marks only the messages it answers for.
        auto before = co_await list_metas(s, *view, seqs);
        if (!before) co_return error_reply(before.error());
        seqs = changed_since(*view, seqs, *before, *args.changed_since);
    }
    if (seqs.empty()) co_return Tagged::ok(done);

    std::vector<SeqNum> seen_now;
    if (any_seen && !view->read_only()) {
        auto marked = co_await mark_seen(s, *view, seqs);
        if (!marked) co_return error_reply(marked.error());
        seen_now = std::move(*marked);
    }
    auto metas = co_await list_metas(s, *view, seqs);
    if (!metas) co_return error_reply(metas.error());
    if (has_flags || !seen_now.empty()) {
        // The store's flags may carry a keyword set elsewhere that the client hasn't been told of in FLAGS
        // yet (the journal is read after this command): announce it before showing it (view_sync.h).
        bool learned = false;
        for (const auto& meta : *metas) learned = view->learn_keywords(meta.flags) || learned;
        if (learned) {
            auto announced = co_await s.conn().write(flags_announcement(*view), s.deadline());
            if (!announced) {
                s.abandon(announced.error());
                co_return Tagged::bad("connection failed");
            }
        }
    }

    const storage::MailboxId box = view->id();
    const bool any_tree = std::any_of(items.begin(), items.end(), needs_tree);
    std::vector<storage::MimeTree> trees;  // of seqs[k, batch_end) while any_tree
    std::size_t batch_end = 0;
    for (std::size_t k = 0; k < seqs.size(); ++k) {
        const SeqNum n = seqs[k];
        if (any_tree && k >= batch_end) {
            batch_end = std::min(seqs.size(), k + tree_batch);
            std::vector<SeqNum> batch(seqs.begin() + static_cast<std::ptrdiff_t>(k),
                                      seqs.begin() + static_cast<std::ptrdiff_t>(batch_end));
            auto read = co_await read_trees(s, *view, std::move(batch));
            if (!read) co_return error_reply(read.error());
            trees = std::move(*read);
        }
        const storage::Uid uid = view->uid(n);
        auto meta = std::lower_bound(metas->begin(), metas->end(), uid,
                                     [](const storage::MessageMeta& m, storage::Uid u) { return m.uid < u; });
        if (meta == metas->end() || meta->uid != uid) continue;  // expunged elsewhere
        std::optional<storage::mime::ParsedMessage> tree;
        bool gone = false;
        std::string line = "* " + std::to_string(n) + " FETCH (";
        for (std::size_t i = 0; i < items.size() && !gone; ++i) {
            const FetchItem& item = items[i];
            if (i > 0) line += ' ';
            if (needs_tree(item) && !tree) {
                auto found = std::lower_bound(trees.begin(), trees.end(), uid,
                                              [](const storage::MimeTree& t, storage::Uid u) { return t.uid < u; });
                if (found == trees.end() || found->uid != uid) {  // expunged elsewhere
                    gone = true;
                    break;
                }
                auto parsed = storage::mime::deserialize(found->bytes);
                if (!parsed) co_return error_reply(parsed.error());
                tree = std::move(*parsed);
            }
            switch (item.kind) {
                case Kind::uid: line += "UID " + std::to_string(uid); break;
                case Kind::flags:
                    line += "FLAGS ";
                    append_flag_list(line, meta->flags);
                    break;
                case Kind::modseq: append_modseq(line, meta->modseq); break;
                case Kind::internal_date:
                    line += "INTERNALDATE ";
                    render_date_time(line, meta->internal_date);
                    break;
                case Kind::rfc822_size: line += "RFC822.SIZE " + std::to_string(meta->size_bytes); break;
                case Kind::envelope:
                    line += "ENVELOPE ";
                    render_envelope(line, tree->envelope(), s.render);
                    break;
                case Kind::body:
                    line += "BODY ";
                    render_body(line, tree->root, s.render);
                    break;
                case Kind::bodystructure:
                    line += "BODYSTRUCTURE ";
                    render_bodystructure(line, tree->root, s.render);
                    break;
                case Kind::rfc822:
                case Kind::rfc822_header:
                case Kind::rfc822_text:
                case Kind::body_section: {
                    FetchItem section = item.kind == Kind::body_section ? item : as_body_section(item);
                    auto data = co_await read_body(s, box, uid, section.section, section.partial);
                    if (!data && data.error().code != core::Errc::not_found &&
                        data.error().code != core::Errc::bad_input) {
                        co_return error_reply(data.error());
                    }
                    if (item.kind == Kind::rfc822) line += "RFC822";
                    if (item.kind == Kind::rfc822_header) line += "RFC822.HEADER";
                    if (item.kind == Kind::rfc822_text) line += "RFC822.TEXT";
                    if (item.kind == Kind::body_section) {
                        line += "BODY[";
                        append_section_name(line, item.section, s.render);
                        line += ']';
                        if (item.partial) line += '<' + std::to_string(item.partial->offset) + '>';
                    }
                    line += ' ';
                    if (data) {
                        append_literal(line, *data);
                    } else {
                        line += "NIL";  // no such part, or HEADER/TEXT of a part that isn't a message
                    }
                    break;
                }
                case Kind::binary:
                case Kind::binary_size: {
                    auto refused = co_await append_binary(s, box, uid, *tree, item, line);
                    if (!refused && refused.error().code == core::Errc::not_found) {
                        gone = true;
                        break;
                    }
                    if (!refused) co_return error_reply(refused.error());
                    if (*refused) co_return std::move(**refused);
                    break;
                }
            }
        }
        if (gone) continue;
        bool flags_sent = has_flags;
        if (!has_flags && std::binary_search(seen_now.begin(), seen_now.end(), n)) {
            line += " FLAGS ";
            append_flag_list(line, meta->flags);
            flags_sent = true;
        }
        if (flags_sent && s.condstore && !has_modseq) {  // RFC 7162 §3.1.4.1: FLAGS bring MODSEQ along
            line += ' ';
            append_modseq(line, meta->modseq);
        }
        line += ")\r\n";
        auto written = co_await s.conn().write(line, s.deadline());
        if (!written) {
            s.abandon(written.error());
            co_return Tagged::bad("connection failed");
        }
    }
    co_return Tagged::ok(done);
}

}  // namespace

Task<Tagged> cmd_fetch(Session& s, Command& c) {
    auto result = co_await fetch(s, c);
    co_return result;
}

}  // namespace mallard::imap
