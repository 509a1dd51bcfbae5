// SEARCH, UID SEARCH: RFC 3501 §6.4.4 and §9 (search-key), RFC 4731 (RETURN), RFC 5182 (SAVE, "$"),
// RFC 7162 §3.1.5 (MODSEQ), RFC 5032 (OLDER, YOUNGER).
#include "protocols/imap/search_syntax.h"

#include <array>
#include <string_view>

#include "protocols/imap/syntax_reader.h"

namespace mallard::imap {

namespace {

using Kind = SearchKey::Kind;

enum class Arg : std::uint8_t { none, astring, flag, date, number, header };

struct KeySpec {
    std::string_view name;
    Kind kind;
    Arg arg;
};

constexpr std::array<KeySpec, 37> key_table = {{
    {"ALL", Kind::all, Arg::none},
    {"ANSWERED", Kind::answered, Arg::none},
    {"DELETED", Kind::deleted, Arg::none},
    {"DRAFT", Kind::draft, Arg::none},
    {"FLAGGED", Kind::flagged, Arg::none},
    {"NEW", Kind::new_, Arg::none},
    {"OLD", Kind::old, Arg::none},
    {"RECENT", Kind::recent, Arg::none},
    {"SEEN", Kind::seen, Arg::none},
    {"UNANSWERED", Kind::unanswered, Arg::none},
    {"UNDELETED", Kind::undeleted, Arg::none},
    {"UNDRAFT", Kind::undraft, Arg::none},
    {"UNFLAGGED", Kind::unflagged, Arg::none},
    {"UNSEEN", Kind::unseen, Arg::none},
    {"KEYWORD", Kind::keyword, Arg::flag},
    {"UNKEYWORD", Kind::unkeyword, Arg::flag},
    {"BCC", Kind::bcc, Arg::astring},
    {"BODY", Kind::body, Arg::astring},
    {"CC", Kind::cc, Arg::astring},
    {"FROM", Kind::from, Arg::astring},
    {"SUBJECT", Kind::subject, Arg::astring},
    {"TEXT", Kind::text, Arg::astring},
    {"TO", Kind::to, Arg::astring},
    {"HEADER", Kind::header, Arg::header},
    {"BEFORE", Kind::before, Arg::date},
    {"ON", Kind::on, Arg::date},
    {"SINCE", Kind::since, Arg::date},
    {"SENTBEFORE", Kind::sent_before, Arg::date},
    {"SENTON", Kind::sent_on, Arg::date},
    {"SENTSINCE", Kind::sent_since, Arg::date},
    {"LARGER", Kind::larger, Arg::number},
    {"SMALLER", Kind::smaller, Arg::number},
    {"OLDER", Kind::older, Arg::number},
    {"YOUNGER", Kind::younger, Arg::number},
    {"NOT", Kind::not_, Arg::none},
    {"OR", Kind::or_, Arg::none},
    {"UID", Kind::uid, Arg::none},
}};

SearchKey parse_key(Reader& in, std::size_t depth);

// "(" search-key *(SP search-key) ")" and the top level share this.
void parse_keys(Reader& in, std::vector<SearchKey>& out, std::size_t depth) {
    do {
        out.push_back(parse_key(in, depth));
    } while (!in.failed() && in.accept(' '));
}

void parse_modseq(Reader& in, SearchKey& key) {
    // MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer
    in.sp();
    if (in.peek() == '"') {
        key.field = in.string();
        if (key.field.rfind("/flags/", 0) != 0) in.fail("invalid MODSEQ entry name");
        in.sp();
        key.text = upper(in.atom());
        if (!in.failed() && key.text != "PRIV" && key.text != "SHARED" && key.text != "ALL") {
            in.fail("invalid MODSEQ entry type");
        }
        for (char& c : key.text) c = static_cast<char>(c - 'A' + 'a');
        in.sp();
    }
    key.number = in.mod_sequence_valzer();
}

SearchKey parse_key(Reader& in, std::size_t depth) {
    SearchKey key;
    if (depth > in.limits().max_search_depth) {
        in.fail("search keys nested too deeply");
        return key;
    }
    in.count();
    char c = in.peek();
    if (c == '(') {
        in.accept('(');
        key.kind = Kind::all_of;
        parse_keys(in, key.children, depth + 1);
        in.expect(')');
        return key;
    }
    if ((c >= '0' && c <= '9') || c == '*' || c == '$') {
        key.kind = Kind::sequence_set;
        key.set = in.sequence_set();
        return key;
    }
    if (in.keyword("MODSEQ")) {
        key.kind = Kind::modseq;
        parse_modseq(in, key);
        return key;
    }
    for (const auto& spec : key_table) {
        if (!in.keyword(spec.name)) continue;
        key.kind = spec.kind;
        switch (spec.kind) {
        case Kind::not_:
            in.sp();
            key.children.push_back(parse_key(in, depth + 1));
            return key;
        case Kind::or_:
            in.sp();
            key.children.push_back(parse_key(in, depth + 1));
            in.sp();
            key.children.push_back(parse_key(in, depth + 1));
            return key;
        case Kind::uid:
            in.sp();
            key.set = in.sequence_set();
            return key;
        default:
            break;
        }
        switch (spec.arg) {
        case Arg::none: break;
        case Arg::astring: in.sp(); key.text = in.astring(); break;
        case Arg::flag: in.sp(); key.text = in.atom(); break;
        case Arg::date: in.sp(); key.date = in.date(); break;
        case Arg::number: in.sp(); key.number = in.number(); break;
        case Arg::header:
            in.sp();
            key.field = in.astring();
            in.sp();
            key.text = in.astring();
            break;
        }
        return key;
    }
    in.fail(in.at_end() ? "missing search key" : "unknown search key");
    return key;
}

void parse_return(Reader& in, SearchCommand& out) {
    // RETURN SP "(" [search-return-opt *(SP search-return-opt)] ")"
    SearchReturn opts;
    in.sp();
    in.expect('(');
    if (!in.accept(')')) {
        do {
            std::string opt = in.upper_atom();
            if (in.failed()) break;
            if (opt == "MIN") opts.min = true;
            else if (opt == "MAX") opts.max = true;
            else if (opt == "ALL") opts.all = true;
            else if (opt == "COUNT") opts.count = true;
            else if (opt == "SAVE") opts.save = true;
            else in.fail("unknown SEARCH RETURN option");
        } while (!in.failed() && in.accept(' '));
        in.expect(')');
    }
    // RFC 4731 §3.1: RETURN () means RETURN (ALL).
    if (!opts.min && !opts.max && !opts.count && !opts.save) opts.all = true;
    out.return_opts = opts;
    in.sp();
}

}  // namespace

void parse_search_arguments(Reader& in, SearchCommand& out) {
    if (in.keyword("RETURN")) parse_return(in, out);
    if (in.keyword("CHARSET")) {
        in.sp();
        out.charset = in.astring();
        in.sp();
    }
    out.key.kind = Kind::all_of;
    parse_keys(in, out.key.children, 1);
}

}  // namespace mallard::imap
