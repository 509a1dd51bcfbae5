// FETCH, UID FETCH: RFC 3501 §6.4.5 and §9 (fetch-att, section, section-spec, partial), RFC 3516 (BINARY,
// BINARY.PEEK, BINARY.SIZE), RFC 7162 §3.1.4 / §3.2.6 (MODSEQ, CHANGEDSINCE, VANISHED).
#include "protocols/imap/fetch_syntax.h"

#include "protocols/imap/syntax_reader.h"

namespace mallard::imap {

namespace {

using Kind = FetchItem::Kind;

// The name of a fetch-att: letters, digits and dots up to "[", "<", SP, ")" or the end.
std::string item_name(Reader& in) {
    std::string name;
    while (!in.failed()) {
        char c = in.peek();
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
        if (!ok) break;
        name.push_back(to_upper(c));
        in.accept(c);
    }
    if (name.empty()) in.fail(in.at_end() ? "missing fetch item" : "expected a fetch item");
    in.count();
    return name;
}

// section-part: nz-number *("." nz-number); stops before ".HEADER", ".TEXT", ".MIME".
std::vector<unsigned> section_part(Reader& in) {
    std::vector<unsigned> part;
    while (!in.failed() && in.peek() >= '0' && in.peek() <= '9') {
        part.push_back(in.nz_number());
        if (part.size() > 100) in.fail("section part too deep");
        if (!(in.peek() == '.' && in.peek(1) >= '0' && in.peek(1) <= '9')) break;
        in.accept('.');
    }
    return part;
}

// header-list: "(" header-fld-name *(SP header-fld-name) ")"
std::vector<std::string> header_list(Reader& in) {
    std::vector<std::string> fields;
    in.expect('(');
    do {
        fields.push_back(in.astring());
    } while (!in.failed() && in.accept(' '));
    in.expect(')');
    return fields;
}

// "[" [section-spec] "]"
FetchSection section(Reader& in) {
    FetchSection s;
    in.expect('[');
    if (in.accept(']')) return s;
    s.part = section_part(in);
    if (!s.part.empty() && !in.accept('.')) {
        in.expect(']');
        return s;
    }
    std::string text;
    while (!in.failed()) {
        char c = to_upper(in.peek());
        if (!((c >= 'A' && c <= 'Z') || c == '.')) break;
        text.push_back(c);
        in.accept(in.peek());
    }
    if (text == "HEADER") s.kind = FetchSection::Kind::header;
    else if (text == "TEXT") s.kind = FetchSection::Kind::text;
    else if (text == "MIME" && !s.part.empty()) s.kind = FetchSection::Kind::mime;
    else if (text == "HEADER.FIELDS" || text == "HEADER.FIELDS.NOT") {
        s.kind = text == "HEADER.FIELDS" ? FetchSection::Kind::header_fields
                                         : FetchSection::Kind::header_fields_not;
        in.sp();
        s.fields = header_list(in);
    } else {
        in.fail("invalid section");
    }
    in.expect(']');
    return s;
}

// section-binary: "[" [section-part] "]"
FetchSection binary_section(Reader& in) {
    FetchSection s;
    in.expect('[');
    s.part = section_part(in);
    in.expect(']');
    return s;
}

// "<" number "." nz-number ">"
std::optional<FetchPartial> partial(Reader& in) {
    if (!in.accept('<')) return std::nullopt;
    FetchPartial p;
    p.offset = static_cast<std::uint32_t>(in.number());
    in.expect('.');
    p.length = in.nz_number();
    in.expect('>');
    return p;
}

void fetch_att(Reader& in, std::vector<FetchItem>& out) {
    std::string name = item_name(in);
    if (in.failed()) return;
    FetchItem item;
    if (name == "ENVELOPE") item.kind = Kind::envelope;
    else if (name == "FLAGS") item.kind = Kind::flags;
    else if (name == "INTERNALDATE") item.kind = Kind::internal_date;
    else if (name == "RFC822") item.kind = Kind::rfc822;
    else if (name == "RFC822.HEADER") item.kind = Kind::rfc822_header;
    else if (name == "RFC822.SIZE") item.kind = Kind::rfc822_size;
    else if (name == "RFC822.TEXT") item.kind = Kind::rfc822_text;
    else if (name == "BODYSTRUCTURE") item.kind = Kind::bodystructure;
    else if (name == "UID") item.kind = Kind::uid;
    else if (name == "MODSEQ") item.kind = Kind::modseq;
    else if (name == "BODY" || name == "BODY.PEEK") {
        item.peek = name == "BODY.PEEK";
        if (in.peek() != '[') {
            if (item.peek) in.fail("BODY.PEEK needs a section");
            item.kind = Kind::body;
        } else {
            item.kind = Kind::body_section;
            item.section = section(in);
            item.partial = partial(in);
        }
    } else if (name == "BINARY" || name == "BINARY.PEEK") {
        item.kind = Kind::binary;
        item.peek = name == "BINARY.PEEK";
        item.section = binary_section(in);
        item.partial = partial(in);
    } else if (name == "BINARY.SIZE") {
        item.kind = Kind::binary_size;
        item.section = binary_section(in);
    } else {
        in.fail("unknown fetch item");
    }
    out.push_back(std::move(item));
}

void add(std::vector<FetchItem>& out, std::initializer_list<Kind> kinds) {
    for (Kind k : kinds) {
        FetchItem item;
        item.kind = k;
        out.push_back(item);
    }
}

void fetch_modifiers(Reader& in, FetchCommand& out, bool uid) {
    // SP "(" fetch-modifier *(SP fetch-modifier) ")"
    in.expect('(');
    do {
        if (in.keyword("CHANGEDSINCE")) {
            in.sp();
            out.changed_since = in.mod_sequence();
        } else if (in.keyword("VANISHED")) {
            out.vanished = true;
        } else {
            in.fail("unknown FETCH modifier");
        }
    } while (!in.failed() && in.accept(' '));
    in.expect(')');
    // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE.
    if (!in.failed() && out.vanished && (!uid || !out.changed_since)) {
        in.fail("VANISHED needs UID FETCH and CHANGEDSINCE");
    }
}

}  // namespace

void parse_fetch_arguments(Reader& in, FetchCommand& out, bool uid) {
    out.set = in.sequence_set();
    in.sp();
    if (in.keyword("ALL")) {
        add(out.items, {Kind::flags, Kind::internal_date, Kind::rfc822_size, Kind::envelope});
    } else if (in.keyword("FAST")) {
        add(out.items, {Kind::flags, Kind::internal_date, Kind::rfc822_size});
    } else if (in.keyword("FULL")) {
        add(out.items, {Kind::flags, Kind::internal_date, Kind::rfc822_size, Kind::envelope, Kind::body});
    } else if (in.accept('(')) {
        do {
            fetch_att(in, out.items);
        } while (!in.failed() && in.accept(' '));
        in.expect(')');
    } else {
        fetch_att(in, out.items);
    }
    if (!in.failed() && in.accept(' ')) fetch_modifiers(in, out, uid);
}

}  // namespace mallard::imap
