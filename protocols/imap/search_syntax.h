// SEARCH keys as the client wrote them: RFC 3501 §6.4.4 / §9 (search-key), RFC 7162 §3.1.5 (MODSEQ),
// RFC 5032 (OLDER, YOUNGER) and RFC 4731 (RETURN options). The session turns this tree into the store's
// query (storage/search.h) once it can map sequence numbers to UIDs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/imap/sequence_set.h"

namespace mallard::imap {

struct SearchKey {
    enum class Kind : std::uint8_t {
        all_of,        // "(" key *(SP key) ")", and the top level: every child matches
        not_,          // NOT key: children[0]
        or_,           // OR key key: children[0], children[1]
        sequence_set,  // a sequence set of message numbers: `set`
        uid,           // UID sequence-set: `set`
        all, answered, deleted, draft, flagged, new_, old, recent, seen,
        unanswered, undeleted, undraft, unflagged, unseen,
        keyword,       // KEYWORD flag: `text`
        unkeyword,     // UNKEYWORD flag: `text`
        bcc, body, cc, from, subject, text, to,  // string: `text`
        header,        // HEADER field string: `field`, `text`
        before, on, since,                       // internal date: `date`
        sent_before, sent_on, sent_since,        // Date header: `date`
        larger, smaller,                         // `number` bytes
        older, younger,                          // RFC 5032 WITHIN: `number` seconds
        modseq,        // MODSEQ [entry-name entry-type] mod-sequence-valzer: `number`; `field`, `text`
    };
    Kind kind = Kind::all;
    std::vector<SearchKey> children;
    SequenceSet set;
    std::string field;   // HEADER field name; MODSEQ entry name ("/flags/\\Seen")
    std::string text;    // the string or keyword; MODSEQ entry type ("priv", "shared", "all")
    std::chrono::year_month_day date{};
    std::uint64_t number = 0;

    bool operator==(const SearchKey&) const = default;
};

// RFC 4731 ESEARCH result options; SAVE is RFC 5182.
struct SearchReturn {
    bool min = false, max = false, all = false, count = false, save = false;
    bool operator==(const SearchReturn&) const = default;
};

struct SearchCommand {
    std::optional<std::string> charset;      // as written; the session accepts UTF-8 and US-ASCII
    std::optional<SearchReturn> return_opts; // present when RETURN (...) was given: answer with ESEARCH
    SearchKey key;                           // an all_of of the top-level keys
    bool operator==(const SearchCommand&) const = default;
};

}  // namespace mallard::imap
