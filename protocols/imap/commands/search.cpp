// SEARCH and UID SEARCH: RFC 3501 §6.4.4, §6.4.8, response §7.2.5; CONDSTORE's MODSEQ key, RFC 7162 §3.1.5.
// The parsed key tree (search_syntax.h) becomes the store's query (storage/search.h): sequence numbers and
// UID sets become UID ranges through the session's view, flag names are canonicalised (flag_names.h), and the
// address and subject keys become header keys. The store evaluates; the answer lists only messages of the
// view (one that arrived after the view was last updated has no sequence number yet), ascending, on one line.
//
// Choices:
// - \Recent: Mallard keeps none (no session owns new messages; SELECT says "* 0 RECENT", STATUS "RECENT 0").
//   So RECENT and NEW (RECENT UNSEEN) match nothing, OLD (NOT RECENT) matches every message, KEYWORD \Recent
//   nothing and UNKEYWORD \Recent everything. A backslash name that isn't a flag can't be set: KEYWORD on it
//   matches nothing.
// - CHARSET: UTF-8 and US-ASCII (case-insensitive); others → NO [BADCHARSET (UTF-8 US-ASCII)] (§6.4.4, §7.1).
//   Without CHARSET, strings are taken as UTF-8 (a superset of the US-ASCII default). After ENABLE
//   UTF8=ACCEPT a CHARSET is BAD (RFC 6855 §3).
// - MODSEQ (RFC 7162 §3.1.5): the message's modseq is the only one kept, so an entry name ("/flags/\Seen")
//   is accepted and compared against it, as §3.1.5 allows. The untagged response ends with "(MODSEQ n)", n
//   the highest modseq among the returned messages as the view knows it; none when nothing matched. Using
//   the key turns CONDSTORE on for the session (§3.1).
// - Not offered (their capabilities aren't advertised): RETURN (ESEARCH, RFC 4731), "$" (SEARCHRES,
//   RFC 5182), OLDER/YOUNGER (WITHIN, RFC 5032) → BAD.
// - A query past the store's limits (storage::validate) → NO [LIMIT]; the parser already refuses deeper
//   nesting than it allows with BAD.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <strings.h>

#include "protocols/imap/command_table.h"
#include "protocols/imap/flag_names.h"
#include "protocols/imap/mailbox_support.h"
#include "protocols/imap/mailbox_view.h"
#include "storage/search.h"

namespace mallard::imap {

using core::Task;

namespace {

namespace query = storage::search;
using Kind = SearchKey::Kind;

storage::SearchKey nothing() { return query::any_of({}); }

// The view's messages a range set names, as UID ranges (RFC 3501 §6.4.4 sequence-set, §6.4.8 UID). A range
// of sequence numbers a..b covers exactly the view's messages uid(a)..uid(b): UIDs only grow, so no message
// outside the view lies between them, and the answer is filtered by the view anyway. Working on ranges, not
// on every number, keeps "1:*,1:*,…" over a large mailbox cheap.
std::vector<storage::UidRange> seq_uid_ranges(const MailboxView& view, const SequenceSet& set) {
    std::vector<storage::UidRange> out;
    const std::uint32_t count = view.exists();
    if (count == 0) return out;
    for (auto range : set.resolve(count)) {
        SeqNum first = std::max<SeqNum>(range.first, 1);
        SeqNum last = std::min<SeqNum>(range.last, count);
        if (first <= last) out.push_back(storage::UidRange{view.uid(first), view.uid(last)});
    }
    return out;
}

// By UID "*" is the largest UID in the view, and "n:*" with n past it still names that message (§6.4.8).
std::vector<storage::UidRange> uid_set_ranges(const MailboxView& view, const SequenceSet& set) {
    std::vector<storage::UidRange> out;
    if (view.exists() == 0) return out;
    for (auto range : set.resolve(view.uid(view.exists()))) out.push_back(storage::UidRange{range.first, range.last});
    return out;
}

storage::SearchKey has_flag(const char* name, bool set) { return set ? query::flag(name) : query::no_flag(name); }

// KEYWORD / UNKEYWORD with the client's spelling: system flags canonical, keywords as sent.
storage::SearchKey keyword(const std::string& flag, bool set) {
    FlagName name = classify_flag(flag);
    if (name.kind == FlagKind::recent || name.kind == FlagKind::unknown_system) {
        return set ? nothing() : query::all();  // never set on any message
    }
    return set ? query::flag(std::move(name.name)) : query::no_flag(std::move(name.name));
}

// The imap key tree → the store's, or the reason to refuse (a BAD text).
class QueryBuilder {
public:
    explicit QueryBuilder(const MailboxView& view) : view_(view) {}

    bool uses_modseq = false;
    std::optional<std::string> refused;

    storage::SearchKey build(const SearchKey& k) {
        switch (k.kind) {
        case Kind::all_of: {
            std::vector<storage::SearchKey> children;
            for (const auto& child : k.children) {
                storage::SearchKey built = build(child);
                // "((a b) c)" is "a b c": flattening keeps the store's depth limit for real nesting.
                if (built.kind == storage::SearchKey::Kind::all_of) {
                    for (auto& grand : built.children) children.push_back(std::move(grand));
                } else {
                    children.push_back(std::move(built));
                }
            }
            return query::all_of(std::move(children));
        }
        case Kind::not_: return query::negation(build(k.children.at(0)));
        case Kind::or_: {
            std::vector<storage::SearchKey> either;
            either.push_back(build(k.children.at(0)));
            either.push_back(build(k.children.at(1)));
            return query::any_of(std::move(either));
        }
        case Kind::sequence_set:
        case Kind::uid:
            if (k.set.saved) {
                refused = "SEARCHRES ($) is not supported";
                return nothing();
            }
            return query::uids(k.kind == Kind::uid ? uid_set_ranges(view_, k.set) : seq_uid_ranges(view_, k.set));
        case Kind::all:
        case Kind::old: return query::all();
        case Kind::new_:
        case Kind::recent: return nothing();
        case Kind::answered: return has_flag("\\Answered", true);
        case Kind::deleted: return has_flag("\\Deleted", true);
        case Kind::draft: return has_flag("\\Draft", true);
        case Kind::flagged: return has_flag("\\Flagged", true);
        case Kind::seen: return has_flag("\\Seen", true);
        case Kind::unanswered: return has_flag("\\Answered", false);
        case Kind::undeleted: return has_flag("\\Deleted", false);
        case Kind::undraft: return has_flag("\\Draft", false);
        case Kind::unflagged: return has_flag("\\Flagged", false);
        case Kind::unseen: return has_flag("\\Seen", false);
        case Kind::keyword: return keyword(k.text, true);
        case Kind::unkeyword: return keyword(k.text, false);
        case Kind::bcc: return query::header("Bcc", k.text);
        case Kind::cc: return query::header("Cc", k.text);
        case Kind::from: return query::header("From", k.text);
        case Kind::subject: return query::header("Subject", k.text);
        case Kind::to: return query::header("To", k.text);
        case Kind::header: return query::header(k.field, k.text);
        case Kind::body: return query::body(k.text);
        case Kind::text: return query::text(k.text);
        case Kind::before: return query::internal_date(storage::DateOp::before, k.date);
        case Kind::on: return query::internal_date(storage::DateOp::on, k.date);
        case Kind::since: return query::internal_date(storage::DateOp::since, k.date);
        case Kind::sent_before: return query::sent_date(storage::DateOp::before, k.date);
        case Kind::sent_on: return query::sent_date(storage::DateOp::on, k.date);
        case Kind::sent_since: return query::sent_date(storage::DateOp::since, k.date);
        case Kind::larger: return query::larger(k.number);
        case Kind::smaller: return query::smaller(k.number);
        case Kind::older:
        case Kind::younger:
            refused = "OLDER and YOUNGER are not supported";
            return nothing();
        case Kind::modseq:
            uses_modseq = true;
            return query::modseq(k.number);
        }
        refused = "unknown search key";
        return nothing();
    }

private:
    const MailboxView& view_;
};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The refusal for the CHARSET argument, if any.
std::optional<Tagged> check_charset(const Session& s, const std::optional<std::string>& charset) {
    if (!charset) return std::nullopt;
    if (s.render.utf8_enabled) return Tagged::bad("CHARSET not allowed after ENABLE UTF8=ACCEPT");
    if (iequals(*charset, "UTF-8") || iequals(*charset, "US-ASCII")) return std::nullopt;
    return Tagged::no("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
}

// "SEARCH 2 5 9 (MODSEQ 12)" (§7.2.5, RFC 7162 §3.1.5): the store's UIDs that are in the view, as sequence
// numbers or UIDs. UIDs ascend, so the sequence numbers do too.
std::string render_result(const MailboxView& view, const std::vector<storage::Uid>& found, bool by_uid,
                          bool with_modseq) {
    std::string out = "SEARCH";
    out.reserve(out.size() + found.size() * 8);
    storage::ModSeq highest = 0;
    bool any = false;
    for (storage::Uid uid : found) {
        auto n = view.seq(uid);
        if (!n) continue;
        any = true;
        highest = std::max(highest, view.modseq(*n));
        out += ' ';
        out += std::to_string(by_uid ? uid : *n);
    }
    if (with_modseq && any) out += " (MODSEQ " + std::to_string(highest) + ")";
    return out;
}

Task<Tagged> search(Session& s, Command& c) {
    const auto& args = std::get<SearchCommand>(c.args);
    if (args.return_opts) co_return Tagged::bad("SEARCH RETURN is not supported");
    if (auto refusal = check_charset(s, args.charset)) co_return *refusal;

    const MailboxView* view = s.view();
    QueryBuilder builder(*view);
    storage::SearchQuery built = builder.build(args.key);
    if (builder.refused) co_return Tagged::bad(*builder.refused);
    auto valid = storage::validate(built);
    if (!valid) co_return Tagged::no("[LIMIT] Search too complex: " + valid.error().detail);
    if (builder.uses_modseq) s.condstore = true;

    std::vector<storage::Uid> found;
    if (view->exists() > 0) {  // nothing could be answered: no need to ask
        auto result = co_await s.store().search(view->id(), std::move(built));
        if (!result) co_return error_reply(result.error());
        found = std::move(*result);
    }
    s.untagged(render_result(*s.view(), found, c.uid, builder.uses_modseq));
    if (!c.uid) {
        // A message expunged elsewhere is not found, yet the client still sees it. Reading the journal now
        // (EXPUNGE held back) lets the dispatcher mark the OK [EXPUNGEISSUED] (RFC 5530 §3) even before the
        // bus or the poll interval would have.
        co_await s.sync_mailbox(false);
        if (s.abandoned) co_return Tagged::bad("connection failed");
    }
    co_return Tagged::ok(c.uid ? "UID SEARCH completed" : "SEARCH completed");
}

}  // namespace

Task<Tagged> cmd_search(Session& s, Command& c) {
    auto result = co_await search(s, c);
    co_return result;
}

}  // namespace mallard::imap
