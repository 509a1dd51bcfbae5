// Binary serialization of ParsedMessage, version 1. Any change to the layout bumps the version;
// deserialize() refuses versions it does not know, and the store then parses the message again.
#include "storage/mime/serialize.h"

#include <cstdint>

namespace mallard::storage::mime {

namespace {

constexpr std::string_view magic = "MMP\x01";
constexpr std::uint32_t max_depth = 64;  // well past ParserLimits::max_depth; bounds the recursion

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

class Writer {
public:
    std::string out;

    void u(std::uint64_t v) {
        while (v >= 0x80) {
            out.push_back(static_cast<char>(v | 0x80));
            v >>= 7;
        }
        out.push_back(static_cast<char>(v));
    }
    void s(std::string_view v) {
        u(v.size());
        out.append(v);
    }
    void opt(const std::optional<std::string>& v) {
        out.push_back(v ? 1 : 0);
        if (v) s(*v);
    }
    void params(const std::vector<Param>& ps) {
        u(ps.size());
        for (const auto& p : ps) {
            bool same = p.value == p.raw;
            out.push_back(static_cast<char>((p.extended ? 1 : 0) | (same ? 2 : 0)));
            s(p.name);
            s(p.raw);
            if (!same) s(p.value);
        }
    }
    void addresses(const std::vector<Address>& list) {
        u(list.size());
        for (const auto& a : list) {
            out.push_back(static_cast<char>((a.name ? 1 : 0) | (a.adl ? 2 : 0) | (a.mailbox ? 4 : 0) | (a.host ? 8 : 0)));
            for (const auto* f : {&a.name, &a.adl, &a.mailbox, &a.host}) {
                if (*f) s(**f);
            }
        }
    }
    void envelope(const Envelope& e) {
        opt(e.date);
        opt(e.subject);
        for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) addresses(*list);
        opt(e.in_reply_to);
        opt(e.message_id);
        opt(e.references);
    }
    void part(const Part& p) {
        u(p.header_start);
        u(p.body_start);
        u(p.body_end);
        u(p.body_lines);
        out.push_back(static_cast<char>(p.kind));
        s(p.type);
        s(p.subtype);
        params(p.params);
        for (const auto* v : {&p.encoding, &p.id, &p.description, &p.md5, &p.location}) s(*v);
        out.push_back(p.disposition ? 1 : 0);
        if (p.disposition) {
            s(p.disposition->type);
            params(p.disposition->params);
        }
        u(p.languages.size());
        for (const auto& l : p.languages) s(l);
        out.push_back(p.envelope ? 1 : 0);
        if (p.envelope) envelope(*p.envelope);
        u(p.children.size());
        for (const auto& c : p.children) part(c);
    }
};

// Reads until the first error, after which every read yields a zero value, so loops end quickly.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool ok() const { return ok_; }
    bool at_end() const { return in_.empty(); }
    void fail() {
        ok_ = false;
        in_ = {};
    }

    std::uint64_t u() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (in_.empty()) break;
            auto b = static_cast<unsigned char>(in_[0]);
            in_.remove_prefix(1);
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (b < 0x80) return v;
        }
        fail();
        return 0;
    }
    std::uint8_t byte() {
        if (in_.empty()) {
            fail();
            return 0;
        }
        auto b = static_cast<std::uint8_t>(in_[0]);
        in_.remove_prefix(1);
        return b;
    }
    std::string s() {
        std::uint64_t n = u();
        if (n > in_.size()) {
            fail();
            return {};
        }
        std::string v(in_.substr(0, n));
        in_.remove_prefix(n);
        return v;
    }
    // A count of items each taking at least one byte: larger than what is left means corruption.
    std::uint64_t count() {
        std::uint64_t n = u();
        if (n > in_.size()) fail();
        return ok_ ? n : 0;
    }
    std::optional<std::string> opt() {
        std::uint8_t present = byte();
        if (present > 1) fail();
        if (present != 1) return std::nullopt;
        return s();
    }
    std::vector<Param> params() {
        std::vector<Param> ps(count());
        for (auto& p : ps) {
            std::uint8_t flags = byte();
            if (flags > 3) fail();
            p.extended = flags & 1;
            p.name = s();
            p.raw = s();
            p.value = (flags & 2) ? p.raw : s();
        }
        return ps;
    }
    std::vector<Address> addresses() {
        std::vector<Address> list(count());
        for (auto& a : list) {
            std::uint8_t mask = byte();
            if (mask > 15) fail();
            if (mask & 1) a.name = s();
            if (mask & 2) a.adl = s();
            if (mask & 4) a.mailbox = s();
            if (mask & 8) a.host = s();
        }
        return list;
    }
    Envelope envelope() {
        Envelope e;
        e.date = opt();
        e.subject = opt();
        for (auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) *list = addresses();
        e.in_reply_to = opt();
        e.message_id = opt();
        e.references = opt();
        return e;
    }
    void part(Part& p, std::uint32_t depth) {
        if (depth > max_depth) return fail();
        p.header_start = u();
        p.body_start = u();
        p.body_end = u();
        p.body_lines = u();
        std::uint8_t kind = byte();
        if (kind > static_cast<std::uint8_t>(PartKind::message)) fail();
        p.kind = static_cast<PartKind>(kind);
        p.type = s();
        p.subtype = s();
        p.params = params();
        for (auto* v : {&p.encoding, &p.id, &p.description, &p.md5, &p.location}) *v = s();
        std::uint8_t has_disposition = byte();
        if (has_disposition > 1) fail();
        if (has_disposition == 1) {
            p.disposition.emplace();
            p.disposition->type = s();
            p.disposition->params = params();
        }
        p.languages.resize(count());
        for (auto& l : p.languages) l = s();
        std::uint8_t has_envelope = byte();
        if (has_envelope > 1) fail();
        if (has_envelope == 1) p.envelope = envelope();
        p.children.resize(count());
        for (auto& c : p.children) {
            part(c, depth + 1);
            if (!ok_) return;
        }
    }

private:
    std::string_view in_;
    bool ok_ = true;
};

// Offsets nest and run forward; kinds agree with children.
bool consistent(const Part& p, std::uint64_t lo, std::uint64_t hi) {
    if (p.header_start < lo || p.header_start > p.body_start || p.body_start > p.body_end || p.body_end > hi) {
        return false;
    }
    if (p.body_lines > p.body_end - p.body_start) return false;
    if (p.kind == PartKind::leaf && !p.children.empty()) return false;
    if (p.kind == PartKind::message && (p.children.size() != 1 || !p.children[0].envelope)) return false;
    std::uint64_t next = p.body_start;
    for (const auto& c : p.children) {
        if (!consistent(c, next, p.body_end)) return false;
        next = c.body_end;
    }
    return true;
}

}  // namespace

std::string serialize(const ParsedMessage& m) {
    Writer w;
    w.out.append(magic);
    w.u(m.size);
    w.u(m.issues);
    w.part(m.root);
    std::uint64_t sum = fnv1a(w.out);
    for (int k = 0; k < 8; ++k) w.out.push_back(static_cast<char>(sum >> (8 * k)));
    return std::move(w.out);
}

core::Result<ParsedMessage> deserialize(std::string_view bytes) {
    using core::Errc;
    using core::Error;
    if (bytes.size() < magic.size() + 8 || bytes.substr(0, magic.size()) != magic) {
        return Error(Errc::bad_input, "mime tree: not a version 1 serialization");
    }
    std::string_view body = bytes.substr(0, bytes.size() - 8);
    std::uint64_t sum = 0;
    for (int k = 0; k < 8; ++k) {
        sum |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[body.size() + k])) << (8 * k);
    }
    if (sum != fnv1a(body)) return Error(Errc::bad_input, "mime tree: checksum mismatch");
    Reader r(body.substr(magic.size()));
    ParsedMessage m;
    m.size = r.u();
    std::uint64_t issues = r.u();
    if (issues > issue::all) r.fail();
    m.issues = static_cast<std::uint32_t>(issues);
    r.part(m.root, 0);
    if (!r.ok() || !r.at_end()) return Error(Errc::bad_input, "mime tree: truncated or malformed");
    if (!m.root.envelope || !consistent(m.root, 0, m.size)) {
        return Error(Errc::bad_input, "mime tree: inconsistent offsets or structure");
    }
    return m;
}

}  // namespace mallard::storage::mime
