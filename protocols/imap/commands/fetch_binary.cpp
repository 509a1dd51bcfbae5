// BINARY, BINARY.PEEK, BINARY.SIZE: RFC 3516 §4.2 (FETCH items and responses), §4.3 (UNKNOWN-CTE).
// The part is found in the MIME tree stored at ingest. A base64 or quoted-printable leaf is read whole and
// decoded (storage/mime's codecs), then cut to the partial range; anything else (7bit, 8bit, binary, none,
// and multipart or message parts, whose encoding RFC 2045 §6.4 restricts to those) is already its own content,
// so only the asked range is read and BINARY.SIZE needs no read at all. BINARY[] is the whole message as
// stored: a message's header has no transfer encoding to undo, and its body's belongs to part 1.
#include "protocols/imap/commands/fetch_binary.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "protocols/imap/render.h"
#include "storage/mime/transfer.h"
#include "storage/section.h"

namespace mallard::imap {

using core::Task;

namespace {

using storage::mime::TransferEncoding;

void append_part_name(std::string& out, const FetchSection& section) {
    out += '[';
    for (std::size_t i = 0; i < section.part.size(); ++i) {
        if (i > 0) out += '.';
        out += std::to_string(section.part[i]);
    }
    out += ']';
}

// A literal carries no NUL (RFC 3501 CHAR8): content with one goes as literal8, the rest as plain literals
// that every client reads.
void append_content(std::string& out, std::string_view bytes) {
    if (bytes.find('\0') != std::string_view::npos) {
        append_literal8(out, bytes);
    } else {
        append_literal(out, bytes);
    }
}

// The encoding's name as the message wrote it, made safe for a response line.
std::string printable(std::string_view name) {
    std::string out;
    for (char c : name.substr(0, 40)) {
        if (c > ' ' && c < 0x7f) out += c;
    }
    return out;
}

}  // namespace

Task<core::Result<std::optional<Tagged>>> append_binary(Session& s, storage::MailboxId box, storage::Uid uid,
                                                        const storage::mime::ParsedMessage& tree, FetchItem item,
                                                        std::string& line) {
    const bool size_only = item.kind == FetchItem::Kind::binary_size;
    line += size_only ? "BINARY.SIZE" : "BINARY";
    append_part_name(line, item.section);
    if (!size_only && item.partial) line += '<' + std::to_string(item.partial->offset) + '>';
    line += ' ';

    const storage::mime::Part* part = storage::find_part(tree, item.section.part);
    if (!part) {
        if (size_only) co_return std::optional<Tagged>(Tagged::no("[NONEXISTENT] No such body part"));
        line += "NIL";
        co_return std::optional<Tagged>();
    }
    TransferEncoding encoding = TransferEncoding::identity;
    if (!item.section.part.empty() && part->kind == storage::mime::PartKind::leaf) {
        encoding = storage::mime::transfer_encoding(part->encoding);
    }
    if (encoding == TransferEncoding::unknown) {
        co_return std::optional<Tagged>(
            Tagged::no("[UNKNOWN-CTE] Cannot decode Content-Transfer-Encoding " + printable(part->encoding)));
    }
    storage::Section where;
    where.part = item.section.part;
    auto range = storage::locate_section(tree, where);
    if (!range) co_return range.take_error();

    if (encoding == TransferEncoding::identity) {
        if (size_only) {
            line += std::to_string(range->length);
            co_return std::optional<Tagged>();
        }
        std::optional<storage::ByteRange> partial;
        if (item.partial) partial = storage::ByteRange{item.partial->offset, item.partial->length};
        storage::ByteRange wanted = storage::narrow(*range, partial);
        std::string bytes;
        if (wanted.length > 0) {
            auto read = co_await s.store().read_message(box, uid, wanted);
            if (!read) co_return read.take_error();
            bytes = std::move(*read);
        }
        append_content(line, bytes);
        co_return std::optional<Tagged>();
    }

    std::string decoded;
    if (range->length > 0) {
        auto read = co_await s.store().read_message(box, uid, *range);
        if (!read) co_return read.take_error();
        decoded = storage::mime::decode_body(*read, encoding);
    }
    if (size_only) {
        line += std::to_string(decoded.size());
        co_return std::optional<Tagged>();
    }
    std::string_view content = decoded;
    if (item.partial) {
        std::size_t offset = std::min<std::size_t>(item.partial->offset, content.size());
        content = content.substr(offset, item.partial->length);
    }
    append_content(line, content);
    co_return std::optional<Tagged>();
}

}  // namespace mallard::imap
