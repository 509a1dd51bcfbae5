// SEARCH as plain data: a tree of the keys of RFC 3501 §6.4.4 and CONDSTORE's MODSEQ (RFC 7162 §3.1.5),
// evaluated by the Store (store.h: search). The IMAP session builds the tree: it turns sequence numbers into
// UID ranges, canonicalises flag spelling, maps NEW/OLD/RECENT as it chooses, and folds keys that name a
// header (FROM, TO, CC, BCC, SUBJECT) into `header` keys.
//
// Text matching, identical on every backend: a key's string is a substring of the decoded text — headers
// RFC 2047-decoded and unfolded, bodies transfer-decoded and converted to UTF-8 (storage/mime) — compared
// after fold_case(): ASCII and the Latin-1, Latin Extended-A, Greek and Cyrillic letters are case-folded;
// other scripts compare exactly. There are no wildcards: every character is literal.
//
// Dates are calendar days compared in UTC (the server's timezone for SEARCH): internal dates by the day of
// their instant; sent dates, as RFC 3501 asks ("disregarding time and timezone"), by the day written in the
// Date header. A message without a readable Date header matches no sent-date key.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/types.h"

namespace mallard::storage {

enum class DateOp : std::uint8_t { before, on, since };  // BEFORE: day < d; ON: day == d; SINCE: day >= d

struct SearchKey {
    enum class Kind : std::uint8_t {
        all,            // every message
        all_of,         // children all match (an empty list matches every message)
        any_of,         // some child matches (an empty list matches none)
        negation,       // children[0] does not match
        uids,           // the UID is in one of `uids`
        flag,           // `name` is set (system flag or keyword)
        no_flag,        // `name` is not set
        internal_date,  // `date_op` `date`, by the internal date
        sent_date,      // `date_op` `date`, by the Date header
        larger,         // size > number
        smaller,        // size < number
        header,         // a field named `name` (case-insensitive) contains `text`; "" = has such a field
        body,           // the body text contains `text`
        text,           // the header or body text contains `text`
        modseq,         // modseq >= number
        thread,         // the message's thread (types.h ThreadId) is `name`: the HTTP search's `thread`
    };
    Kind kind = Kind::all;
    std::vector<SearchKey> children;
    std::vector<UidRange> uids;
    std::string name;
    std::string text;
    DateOp date_op = DateOp::on;
    std::chrono::sys_days date{};
    std::uint64_t number = 0;

    bool operator==(const SearchKey&) const = default;
};

// A whole SEARCH: the conjunction of its top-level keys is usually an all_of.
using SearchQuery = SearchKey;

// Builders, so a query reads like the IMAP it came from:
//   search::all_of({search::flag("\\Seen"), search::negation(search::header("From", "bob"))})
namespace search {
SearchKey all();
SearchKey all_of(std::vector<SearchKey> keys);
SearchKey any_of(std::vector<SearchKey> keys);
SearchKey negation(SearchKey key);
SearchKey uids(std::vector<UidRange> ranges);
SearchKey flag(std::string flag);
SearchKey no_flag(std::string flag);
SearchKey internal_date(DateOp op, std::chrono::year_month_day day);
SearchKey sent_date(DateOp op, std::chrono::year_month_day day);
SearchKey larger(std::uint64_t bytes);
SearchKey smaller(std::uint64_t bytes);
SearchKey header(std::string field, std::string text);
SearchKey body(std::string text);
SearchKey text(std::string text);
SearchKey modseq(ModSeq at_least);
SearchKey thread(std::string thread_id);
}  // namespace search

// Limits a backend may rely on: nesting depth and key count (bad_input beyond), negation with one child.
inline constexpr std::size_t max_search_depth = 64;
inline constexpr std::size_t max_search_keys = 1000;
core::Result<void> validate(const SearchQuery& query);

// The case folding of search text, applied to stored text and to search strings alike (see above).
// Invalid UTF-8 bytes pass through unchanged.
std::string fold_case(std::string_view utf8);

// The UTC seconds [begin, end) of a calendar day.
struct DaySpan {
    std::int64_t begin = 0;
    std::int64_t end = 0;
};
DaySpan day_span(std::chrono::sys_days day);

// Whether header lines as ingest writes them (IngestedMessage::header_text: "name: value\n" per field),
// folded, have a field named `name` whose value contains
// `needle` (both folded). Backends without an exact per-field index verify with this.
bool header_lines_match(std::string_view lines, std::string_view name, std::string_view needle);

}  // namespace mallard::storage
