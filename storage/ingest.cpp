#include "storage/ingest.h"

#include <cctype>

#include "storage/mime/address.h"
#include "storage/mime/content_hash.h"
#include "storage/mime/encoded_words.h"
#include "storage/mime/header_fields.h"
#include "storage/mime/parser.h"
#include "storage/mime/serialize.h"
#include "storage/mime/text_extract.h"

namespace mallard::storage {

namespace {

using core::Errc;
using core::Error;

constexpr std::uint8_t layout_version = 1;

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view& in, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (in.empty()) return false;
        auto byte = static_cast<std::uint8_t>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return true;
    }
    return false;
}

// The cut: a leaf body worth storing once, if it comes back exactly as it arrived.
void collect(const mime::Part& part, std::string_view raw, const IngestOptions& options, IngestedMessage& out) {
    if (part.kind != mime::PartKind::leaf) {
        for (const auto& child : part.children) collect(child, raw, options, out);
        return;
    }
    if (part.body_bytes() < options.attachment_min_bytes || part.body_end > raw.size()) return;
    auto encoding = mime::transfer_encoding(part.encoding);
    if (encoding != mime::TransferEncoding::identity && encoding != mime::TransferEncoding::base64) return;
    std::string_view encoded = raw.substr(part.body_start, part.body_bytes());
    std::string decoded = mime::decode_body(encoded, encoding);
    auto how = mime::find_reencoding(encoded, encoding, decoded);
    if (!how || mime::reencode(decoded, *how) != encoded) return;  // verified, or kept in the skeleton
    AttachmentRef ref;
    ref.hash = mime::content_hash(decoded);
    ref.offset = part.body_start;
    ref.encoded_bytes = encoded.size();
    ref.decoded_bytes = decoded.size();
    ref.how = *how;
    out.layout.attachments.push_back(std::move(ref));
    out.contents.push_back(std::move(decoded));
}

bool is_address_field(std::string_view name) {
    for (std::string_view f : {"from", "to", "cc", "bcc", "sender", "reply-to"}) {
        if (name.size() != f.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < f.size() && same; ++i)
            same = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i]))) == f[i];
        if (same) return true;
    }
    return false;
}

// SEARCH FROM/TO/CC/BCC look in the envelope's address (RFC 3501 §6.4.4), which RFC 5322 lets a header spell
// with comments and spaces inside ("<a (x)@ (y) example.com>"): every address not already written plainly in
// the value is added after it as "mailbox@host", so it is found either way.
void append_plain_addresses(std::string& value, std::string_view raw_value) {
    std::string extra;
    for (const auto& a : mime::parse_address_list(raw_value)) {
        if (!a.mailbox || !a.host || a.host->empty()) continue;  // group markers and bare local parts
        std::string plain = *a.mailbox + "@" + *a.host;
        if (value.find(plain) == std::string::npos && extra.find(plain) == std::string::npos)
            extra.append(" ").append(plain);
    }
    value += extra;
}

// The top-level header block as search reads it: one "name: value" line per field, decoded and unfolded.
std::string search_header_text(const mime::Part& root, std::string_view raw, std::size_t max_bytes) {
    std::string out;
    if (root.body_start > raw.size() || root.header_start > root.body_start) return out;
    const std::string_view block = raw.substr(root.header_start, root.body_start - root.header_start);
    for (const auto& field : mime::split_header_fields(block)) {
        std::string value = mime::decode_header_text(field.value);
        if (is_address_field(field.name)) append_plain_addresses(value, field.value);
        for (char& c : value)
            if (c == '\r' || c == '\n' || c == '\0' || c == '\t') c = ' ';  // one line per field; folds read as spaces
        if (out.size() + field.name.size() + value.size() + 3 > max_bytes) break;
        out.append(field.name).append(": ").append(value).push_back('\n');
    }
    return out;
}

}  // namespace

std::uint64_t MessageLayout::skeleton_bytes() const {
    std::uint64_t cut = 0;
    for (const auto& a : attachments) cut += a.encoded_bytes;
    return size - cut;
}

std::string MessageLayout::serialize() const {
    std::string out;
    out.push_back(static_cast<char>(layout_version));
    put_varint(out, size);
    put_varint(out, attachments.size());
    for (const auto& a : attachments) {
        put_varint(out, a.offset);
        put_varint(out, a.encoded_bytes);
        put_varint(out, a.decoded_bytes);
        out.push_back(static_cast<char>(a.how.encoding));
        put_varint(out, a.how.layout.line_length);
        out.push_back(static_cast<char>((a.how.layout.crlf ? 1 : 0) | (a.how.layout.trailing_newline ? 2 : 0)));
        out.append(a.hash);
        out.push_back('\0');
    }
    return out;
}

core::Result<MessageLayout> MessageLayout::parse(std::string_view in) {
    auto corrupt = [] { return Error(Errc::internal, "stored message layout is corrupt"); };
    if (in.empty() || static_cast<std::uint8_t>(in.front()) != layout_version) return corrupt();
    in.remove_prefix(1);
    MessageLayout layout;
    std::uint64_t count = 0;
    if (!get_varint(in, layout.size) || !get_varint(in, count) || count > in.size()) return corrupt();
    std::uint64_t end_of_previous = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
        AttachmentRef a;
        std::uint64_t line_length = 0;
        if (!get_varint(in, a.offset) || !get_varint(in, a.encoded_bytes) || !get_varint(in, a.decoded_bytes) ||
            in.empty())
            return corrupt();
        a.how.encoding = static_cast<mime::TransferEncoding>(in.front());
        in.remove_prefix(1);
        if (!get_varint(in, line_length) || in.empty()) return corrupt();
        a.how.layout.line_length = line_length;
        a.how.layout.crlf = in.front() & 1;
        a.how.layout.trailing_newline = in.front() & 2;
        in.remove_prefix(1);
        std::size_t nul = in.find('\0');
        if (nul == std::string_view::npos) return corrupt();
        a.hash = std::string(in.substr(0, nul));
        in.remove_prefix(nul + 1);
        if (a.offset < end_of_previous || a.offset + a.encoded_bytes > layout.size) return corrupt();
        end_of_previous = a.offset + a.encoded_bytes;
        layout.attachments.push_back(std::move(a));
    }
    if (!in.empty()) return corrupt();
    return layout;
}

IngestedMessage ingest(std::string_view raw, const IngestOptions& options) {
    IngestedMessage out;
    out.parsed = mime::parse(raw);
    out.mime_tree = mime::serialize(out.parsed);
    out.layout.size = raw.size();
    collect(out.parsed.root, raw, options, out);
    // The tree lists parts in message order, so the cuts ascend and never overlap.
    out.skeleton.reserve(out.layout.skeleton_bytes());
    std::uint64_t pos = 0;
    for (const auto& a : out.layout.attachments) {
        out.skeleton.append(raw.substr(pos, a.offset - pos));
        pos = a.offset + a.encoded_bytes;
    }
    out.skeleton.append(raw.substr(pos));

    const auto& envelope = out.parsed.envelope();
    if (envelope.date) out.sent_date = parse_date_header(*envelope.date);
    out.header_text = search_header_text(out.parsed.root, raw, options.search_header_max_bytes);
    mime::TextLimits limits;
    limits.max_plain_bytes = options.search_text_max_bytes;
    limits.max_html_bytes = options.search_text_max_bytes;
    out.body_text = mime::extract_text(out.parsed, raw, limits).plain;
    return out;
}

core::Result<std::string> rebuild(std::string_view skeleton, const MessageLayout& layout,
                                  std::optional<ByteRange> range, const ContentFetcher& content) {
    if (skeleton.size() != layout.skeleton_bytes())
        return Error(Errc::internal, "stored message skeleton does not match its layout");
    std::uint64_t begin = range ? std::min(range->offset, layout.size) : 0;
    std::uint64_t end = range ? begin + std::min(range->length, layout.size - begin) : layout.size;
    std::string out;
    out.reserve(end - begin);
    // Walk the original's segments in order: skeleton bytes, an attachment, skeleton bytes, ...
    std::uint64_t original = 0;  // position in the original message
    std::uint64_t in_skeleton = 0;
    auto take_skeleton = [&](std::uint64_t length) {
        std::uint64_t from = std::max(original, begin), to = std::min(original + length, end);
        if (from < to) out.append(skeleton.substr(in_skeleton + (from - original), to - from));
        original += length;
        in_skeleton += length;
    };
    for (const auto& a : layout.attachments) {
        take_skeleton(a.offset - original);
        std::uint64_t from = std::max(original, begin), to = std::min(original + a.encoded_bytes, end);
        if (from < to) {
            auto decoded = content(a);
            if (!decoded) return decoded.take_error();
            std::string encoded = mime::reencode(*decoded, a.how);
            if (encoded.size() != a.encoded_bytes)
                return Error(Errc::internal, "attachment " + a.hash + " does not re-encode to its stored size");
            out.append(std::string_view(encoded).substr(from - original, to - from));
        }
        original += a.encoded_bytes;
        if (original >= end) return out;
    }
    take_skeleton(layout.size - original);
    return out;
}

}  // namespace mallard::storage
