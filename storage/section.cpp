#include "storage/section.h"

#include <charconv>

#include "storage/mime/serialize.h"

namespace mallard::storage {

namespace {

using core::Errc;
using core::Error;

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
        if (x != b[i]) return false;
    }
    return true;
}

ByteRange span(std::uint64_t from, std::uint64_t to) { return ByteRange{from, to > from ? to - from : 0}; }

// Part n of a message (the top-level one or an encapsulated one), by RFC 3501's numbering: the children of a
// multipart body; any other body, message/rfc822 included, is the message's only part, part 1.
const mime::Part* part_of_message(const mime::Part& message, unsigned n) {
    if (message.kind == mime::PartKind::multipart) {
        if (n == 0 || n > message.children.size()) return nullptr;
        return &message.children[n - 1];
    }
    return n == 1 ? &message : nullptr;
}

// Part n under the body part `p`: a multipart's children; inside a message/rfc822 part, the parts of the
// encapsulated message; and a single-part body is its own part 1.
const mime::Part* child(const mime::Part& p, unsigned n) {
    if (p.kind == mime::PartKind::message) {
        if (p.children.empty()) return nullptr;
        return part_of_message(p.children[0], n);
    }
    return part_of_message(p, n);
}

}  // namespace

std::optional<Section> parse_section(std::string_view spec) {
    Section out;
    while (!spec.empty() && spec.front() >= '0' && spec.front() <= '9') {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), n);
        if (ec != std::errc() || n == 0) return std::nullopt;
        out.part.push_back(n);
        spec.remove_prefix(static_cast<std::size_t>(end - spec.data()));
        if (spec.empty()) return out;
        if (spec.front() != '.') return std::nullopt;
        spec.remove_prefix(1);
        if (spec.empty()) return std::nullopt;  // "1." is not a section
    }
    if (spec.empty()) return out;
    if (iequals(spec, "HEADER")) out.kind = Section::Kind::header;
    else if (iequals(spec, "TEXT")) out.kind = Section::Kind::text;
    else if (iequals(spec, "MIME") && !out.part.empty()) out.kind = Section::Kind::mime;
    else return std::nullopt;
    return out;
}

const mime::Part* find_part(const mime::ParsedMessage& message, const std::vector<unsigned>& part) {
    // The root is the message, not a body part: a top-level message/rfc822 body is part 1 itself (its
    // encapsulated message's parts are 1.1, …), where a message/rfc822 part's children are its parts.
    const mime::Part* p = &message.root;
    for (std::size_t i = 0; i < part.size(); ++i) {
        p = i == 0 ? part_of_message(*p, part[i]) : child(*p, part[i]);
        if (!p) return nullptr;
    }
    return p;
}

core::Result<ByteRange> locate_section(const mime::ParsedMessage& message, const Section& section) {
    const mime::Part* p = find_part(message, section.part);
    if (!p) return Error(Errc::not_found, "no such body part");
    const bool top = section.part.empty();
    switch (section.kind) {
        case Section::Kind::whole:
        case Section::Kind::body:
            if (top) return span(0, message.size);
            return span(p->body_start, p->body_end);
        case Section::Kind::mime:
            if (top) return Error(Errc::bad_input, "MIME needs a part number");
            return span(p->header_start, p->body_start);
        case Section::Kind::header:
        case Section::Kind::text: {
            // The message itself, or the message a message/rfc822 part encapsulates.
            const mime::Part* msg = p;
            if (!top) {
                if (p->kind != mime::PartKind::message || p->children.empty())
                    return Error(Errc::bad_input, "HEADER and TEXT need a message/rfc822 part");
                msg = &p->children[0];
            }
            if (section.kind == Section::Kind::header) return span(msg->header_start, msg->body_start);
            return span(msg->body_start, top ? message.size : p->body_end);
        }
    }
    return Error(Errc::internal, "unknown section kind");
}

ByteRange narrow(ByteRange section, std::optional<ByteRange> partial) {
    if (!partial) return section;
    std::uint64_t offset = std::min(partial->offset, section.length);
    std::uint64_t length = std::min(partial->length, section.length - offset);
    return ByteRange{section.offset + offset, length};
}

StoreTask<std::string> read_section(Store& store, MailboxId box, Uid uid, Section section,
                                    std::optional<ByteRange> partial) {
    if (section.part.empty() && section.kind == Section::Kind::whole) {
        auto whole = co_await store.read_message(box, uid, partial);
        co_return whole;
    }
    auto tree_bytes = co_await store.read_mime_tree(box, uid);
    if (!tree_bytes) co_return tree_bytes.take_error();
    auto tree = mime::deserialize(*tree_bytes);
    if (!tree) co_return tree.take_error();
    auto range = locate_section(*tree, section);
    if (!range) co_return range.take_error();
    ByteRange wanted = narrow(*range, partial);
    if (wanted.length == 0) co_return std::string();
    auto bytes = co_await store.read_message(box, uid, wanted);
    co_return bytes;
}

}  // namespace mallard::storage
