// Message bodies on SQLite: the compressed skeleton, its layout and MIME tree in `bodies` (shared by copies
// through `refs`), and de-duplicated attachments in `attachments`, keyed by content hash with their own `refs`
// (one per body that contains them). MongoDB maps the same way: an attachments collection keyed by hash with
// an upserted {$inc: {refs: 1}}, and a body document per message content.
#include <zlib.h>

#include "storage/sqlite/queries.h"

namespace mallard::storage::sqlite {

using core::Errc;
using core::Error;

namespace {

// Compressed content carries a one-byte tag, so content that does not shrink (JPEG, ZIP, PDF streams) is
// stored as it is and costs nothing to read.
constexpr char tag_plain = 'p';
constexpr char tag_zlib = 'z';

std::string pack(std::string_view raw) {
    uLongf bound = compressBound(raw.size());
    std::string out(bound + 1, '\0');
    out[0] = tag_zlib;
    int rc = compress2(reinterpret_cast<Bytef*>(out.data() + 1), &bound, reinterpret_cast<const Bytef*>(raw.data()),
                       raw.size(), 6);
    if (rc != Z_OK) throw SqliteError(1, "zlib compress failed");
    // Worth it only when it saves at least an eighth.
    if (bound > raw.size() - raw.size() / 8) {
        std::string plain;
        plain.reserve(raw.size() + 1);
        plain.push_back(tag_plain);
        plain.append(raw);
        return plain;
    }
    out.resize(bound + 1);
    return out;
}

// `size` bytes, of which only the first `needed` are filled when that is less: a byte range near the start of
// a large skeleton (the listing's intro, a header fetch) stops inflating once it has what it reads.
Result<std::string> unpack(const std::string& packed, std::uint64_t size, std::uint64_t needed) {
    auto corrupt = [] { return Error(Errc::internal, "stored content is corrupt"); };
    if (packed.empty()) return corrupt();
    if (packed[0] == tag_plain) {
        if (packed.size() - 1 != size) return corrupt();
        return packed.substr(1);
    }
    if (packed[0] != tag_zlib) return corrupt();
    std::string out(size, '\0');
    if (needed >= size) {
        uLongf length = size;
        int rc = ::uncompress(reinterpret_cast<Bytef*>(out.data()), &length,
                              reinterpret_cast<const Bytef*>(packed.data() + 1), packed.size() - 1);
        if (rc != Z_OK || length != size) return corrupt();
        return out;
    }
    z_stream z{};
    if (::inflateInit(&z) != Z_OK) return Error(Errc::internal, "zlib could not start");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data() + 1));
    z.avail_in = static_cast<uInt>(packed.size() - 1);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(needed);
    int rc = Z_OK;
    while (rc == Z_OK && z.avail_out > 0) rc = ::inflate(&z, Z_SYNC_FLUSH);
    ::inflateEnd(&z);
    if (z.avail_out != 0 || (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)) return corrupt();
    return out;
}

Result<std::string> unpack(const std::string& packed, std::uint64_t size) { return unpack(packed, size, size); }

// Search text: its length (4 bytes, little-endian) and then packed, so it unpacks without another column.
std::string pack_text(std::string_view text) {
    auto n = static_cast<std::uint32_t>(text.size());
    std::string out{static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16),
                    static_cast<char>(n >> 24)};
    out += pack(text);
    return out;
}

// Removes a body's row from the contentless index, which needs the values it indexed.
void unindex_text(Db& db, std::int64_t body) {
    auto q = db.prepare("SELECT search_headers, search_body FROM bodies WHERE id = ?1 AND text_indexed = 1");
    q.bind(1, body);
    if (!q.step()) return;
    auto headers = unpack_text(q.blob(0));
    auto text = unpack_text(q.blob(1));
    if (!headers || !text) throw SqliteError(11 /* SQLITE_CORRUPT */, "stored search text is corrupt");
    db.prepare("INSERT INTO message_text (message_text, rowid, headers, body) VALUES ('delete', ?1, ?2, ?3)")
        .bind(1, body)
        .bind(2, *headers)
        .bind(3, *text)
        .run();
}

bool attachment_exists(Db& db, const std::string& hash) {
    auto q = db.prepare("SELECT 1 FROM attachments WHERE hash = ?1");
    q.bind(1, hash);
    return q.step();
}

Result<std::string> read_attachment(Db& db, const AttachmentRef& ref) {
    auto q = db.prepare("SELECT content, size FROM attachments WHERE hash = ?1");
    q.bind(1, ref.hash);
    if (!q.step()) return Error(Errc::internal, "attachment " + ref.hash + " is missing");
    return unpack(q.blob(0), static_cast<std::uint64_t>(q.i64(1)));
}

}  // namespace

Result<std::string> unpack_text(std::string_view packed) {
    if (packed.size() < 5) return Error(Errc::internal, "stored search text is corrupt");
    std::uint32_t n = 0;
    for (int i = 3; i >= 0; --i) n = (n << 8) | static_cast<std::uint8_t>(packed[static_cast<std::size_t>(i)]);
    return unpack(std::string(packed.substr(4)), n);
}

SearchText search_text_of(const IngestedMessage& message) {
    SearchText text;
    if (message.sent_date) {
        text.sent_date = message.sent_date->epoch_seconds;
        text.sent_zone = message.sent_date->utc_offset_seconds;
    }
    text.headers = fold_case(message.header_text);
    text.body = fold_case(message.body_text);
    return text;
}

void store_search_text(Db& db, std::int64_t body, const SearchText& text) {
    unindex_text(db, body);
    auto update = db.prepare(
        "UPDATE bodies SET sent_date = ?2, sent_zone = ?3, search_headers = ?4, search_body = ?5, text_indexed = 1 "
        "WHERE id = ?1");
    update.bind(1, body).bind(3, text.sent_zone).bind_blob(4, pack_text(text.headers)).bind_blob(5, pack_text(text.body));
    if (text.sent_date) update.bind(2, *text.sent_date);
    else update.bind_null(2);
    update.run();
    db.prepare("INSERT INTO message_text (rowid, headers, body) VALUES (?1, ?2, ?3)")
        .bind(1, body)
        .bind(2, text.headers)
        .bind(3, text.body)
        .run();
}

PreparedBody prepare_body(Db& db, const std::string& raw, const IngestOptions& options) {
    PreparedBody body;
    IngestedMessage message = ingest(raw, options);
    body.size = static_cast<std::int64_t>(raw.size());
    body.skeleton = pack(message.skeleton);
    body.layout = message.layout.attachments.empty() ? std::string() : message.layout.serialize();
    body.mime_tree = std::move(message.mime_tree);
    body.search = search_text_of(message);
    body.thread = thread_keys(message.header_text);
    for (std::size_t i = 0; i < message.layout.attachments.size(); ++i) {
        PreparedAttachment a;
        a.hash = message.layout.attachments[i].hash;
        a.size = static_cast<std::int64_t>(message.contents[i].size());
        // Compressing an attachment the store already has would be wasted: most repeats are exactly that.
        if (!attachment_exists(db, a.hash)) a.content = pack(message.contents[i]);
        else a.raw = std::move(message.contents[i]);
        body.attachments.push_back(std::move(a));
    }
    return body;
}

std::int64_t insert_body(Db& db, const PreparedBody& body) {
    for (const auto& a : body.attachments) {
        db.prepare("UPDATE attachments SET refs = refs + 1 WHERE hash = ?1").bind(1, a.hash).run();
        if (db.changes() > 0) continue;
        // Gone since prepare_body looked (its last reference was dropped): store it after all.
        const std::string content = a.content.empty() ? pack(a.raw) : a.content;
        db.prepare("INSERT INTO attachments (hash, refs, size, content) VALUES (?1, 1, ?2, ?3)")
            .bind(1, a.hash)
            .bind(2, a.size)
            .bind_blob(3, content)
            .run();
    }
    db.prepare("INSERT INTO bodies (refs, size, raw_z, mime_tree, layout) VALUES (1, ?1, ?2, ?3, ?4)")
        .bind(1, body.size)
        .bind_blob(2, body.skeleton)
        .bind_blob(3, body.mime_tree)
        .bind_blob(4, body.layout)
        .run();
    const std::int64_t id = db.last_insert_rowid();
    store_search_text(db, id, body.search);
    return id;
}

void release_body(Db& db, std::int64_t body) {
    db.prepare("UPDATE bodies SET refs = refs - 1 WHERE id = ?1").bind(1, body).run();
    collect_unreferenced_bodies(db);
}

void collect_unreferenced_bodies(Db& db) {
    std::vector<std::pair<std::int64_t, std::string>> dead;
    {
        auto q = db.prepare("SELECT id, layout FROM bodies WHERE refs <= 0");
        while (q.step()) dead.emplace_back(q.i64(0), q.blob(1));
    }
    for (const auto& [id, layout_bytes] : dead) {
        if (!layout_bytes.empty()) {
            auto layout = MessageLayout::parse(layout_bytes);
            if (!layout) throw SqliteError(11 /* SQLITE_CORRUPT */, layout.error().detail);
            for (const auto& a : layout->attachments) {
                db.prepare("UPDATE attachments SET refs = refs - 1 WHERE hash = ?1").bind(1, a.hash).run();
                db.prepare("DELETE FROM attachments WHERE hash = ?1 AND refs <= 0").bind(1, a.hash).run();
            }
        }
        unindex_text(db, id);
        db.prepare("DELETE FROM bodies WHERE id = ?1").bind(1, id).run();
    }
}

namespace {

// read_body inside the caller's transaction.
Result<std::string> read_body_in(Db& db, std::int64_t box, Uid uid, std::optional<ByteRange> range) {
    auto q = db.prepare(
        "SELECT b.raw_z, b.size, b.layout FROM messages m JOIN bodies b ON b.id = m.body_id "
        "WHERE m.mailbox_id = ?1 AND m.uid = ?2");
    q.bind(1, box).bind(2, std::int64_t{uid});
    if (!q.step()) return Error(Errc::not_found, "no such message");
    const auto size = static_cast<std::uint64_t>(q.i64(1));
    const std::string layout_bytes = q.blob(2);
    MessageLayout layout;
    layout.size = size;
    if (!layout_bytes.empty()) {
        auto parsed = MessageLayout::parse(layout_bytes);
        if (!parsed) return parsed.take_error();
        layout = std::move(*parsed);
    }
    // The skeleton is never ahead of the original (cutting only removes bytes), so a range ending at `end`
    // reads skeleton bytes below `end` only: rebuild never looks past them.
    const std::uint64_t end =
        !range ? size : range->offset >= size ? 0 : range->offset + std::min(range->length, size - range->offset);
    auto skeleton = unpack(q.blob(0), layout.skeleton_bytes(), end);
    if (!skeleton) return skeleton.take_error();
    auto fetch = [&db](const AttachmentRef& ref) { return read_attachment(db, ref); };
    return rebuild(*skeleton, layout, range, fetch);
}

}  // namespace

Result<std::string> read_body(Db& db, std::int64_t box, Uid uid, std::optional<ByteRange> range) {
    ReadTx tx(db);  // the skeleton and its attachments from one snapshot
    return read_body_in(db, box, uid, range);
}

Result<std::vector<MessageSlice>> read_bodies(Db& db, std::int64_t box, std::vector<MessageSlice> slices) {
    ReadTx tx(db);
    std::vector<MessageSlice> out;
    out.reserve(slices.size());
    for (MessageSlice& slice : slices) {
        auto bytes = read_body_in(db, box, slice.uid, slice.range);
        if (!bytes && bytes.error().code == Errc::not_found) continue;
        if (!bytes) return bytes.take_error();
        slice.bytes = std::move(*bytes);
        out.push_back(std::move(slice));
    }
    return out;
}

}  // namespace mallard::storage::sqlite
