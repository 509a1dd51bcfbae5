// The corpus generator (corpus.h). Everything derives from one seed through a splitmix64 stream, so a
// corpus is the same on every platform and standard library. Encoders here are deliberately our own
// (not storage/mime's): the corpus must be able to produce layouts the store's encoder can't reproduce.
#include "test/storage/corpus.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace mallard::storage::test {
namespace {

class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
    std::size_t between(std::size_t lo, std::size_t hi) { return lo + below(hi - lo + 1); }
    bool percent(unsigned p) { return below(100) < p; }
    template <class C>
    const auto& pick(const C& c) { return c[below(std::size(c))]; }

private:
    std::uint64_t state_;
};

// ---- content that looks like real files -------------------------------------------------------------

constexpr std::string_view words[] = {
    "the", "meeting", "report", "quarter", "budget", "please", "review", "attached", "draft", "team",
    "project", "schedule", "customer", "invoice", "update", "thanks", "regards", "deadline", "agenda",
    "minutes", "proposal", "contract", "figures", "revenue", "forecast", "next", "week", "Monday", "call",
    "summary", "notes", "office", "travel", "approval", "and", "of", "to", "for", "with", "on", "we",
    "will", "should", "could", "all", "new", "final", "version", "comments", "before", "after", "friday",
};
constexpr std::string_view utf8_phrases[] = {
    "Grüße aus München", "café crème", "naïve résumé", "日本語のテキスト", "Привет, мир",
    "中文邮件内容", "Ελληνικά", "€ 1.234,56", "Łódź — Kraków", "smörgåsbord",
};

std::string sentence(Rng& rng, bool utf8) {
    std::string s;
    std::size_t n = rng.between(5, 16);
    for (std::size_t i = 0; i < n; ++i) {
        if (i) s += ' ';
        if (utf8 && rng.percent(12)) s += rng.pick(utf8_phrases);
        else s += rng.pick(words);
    }
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s + '.';
}

// Paragraphs wrapped at about 72 columns, lines ending in `nl`, the text ending with a line break.
std::string text_body(Rng& rng, std::size_t approx_bytes, std::string_view nl, bool utf8) {
    std::string out;
    std::string line;
    while (out.size() < approx_bytes) {
        std::size_t sentences = rng.between(2, 6);
        for (std::size_t i = 0; i < sentences; ++i) {
            std::string s = sentence(rng, utf8);
            if (!line.empty() && line.size() + 1 + s.size() > 72) {
                out += line;
                out += nl;
                line.clear();
            }
            if (!line.empty()) line += ' ';
            line += s;
        }
        out += line;
        out += nl;
        out += nl;
        line.clear();
    }
    return out;
}

void append_random(Rng& rng, std::string& out, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) {
        std::uint64_t v = rng.next();
        for (std::size_t b = 0; b < 8 && i + b < n; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
    }
}

// Text objects and deflate-like (incompressible) streams, as in a real PDF.
std::string make_pdf(Rng& rng, std::size_t size) {
    std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    for (int obj = 1; out.size() < size; ++obj) {
        std::string n = std::to_string(obj);
        out += n + " 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + n +
               " 1 R /Resources << /Font << /F1 4 0 R >> >> >>\nendobj\n";
        std::size_t len = rng.between(1500, 9000);
        out += n + " 1 obj\n<< /Length " + std::to_string(len) + " /Filter /FlateDecode >>\nstream\n";
        append_random(rng, out, len);
        out += "\nendstream\nendobj\n";
    }
    out += "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
    return out;
}

std::string make_jpeg(Rng& rng, std::size_t size) {
    std::string out("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x01\x00\x48\x00\x48\x00\x00", 20);
    out += std::string("\xFF\xDB\x00\x43\x00", 5);
    for (int i = 0; i < 64; ++i) out.push_back(static_cast<char>(2 + i / 4));
    append_random(rng, out, size > out.size() + 2 ? size - out.size() - 2 : 0);
    out += "\xFF\xD9";
    return out;
}

std::string make_text_document(Rng& rng, std::size_t size) {
    // A document repeats itself: a few paragraphs, reused with small changes.
    std::vector<std::string> paragraphs;
    for (int i = 0; i < 6; ++i) paragraphs.push_back(text_body(rng, 600, "\r\n", false));
    std::string out = "MINUTES OF THE PROJECT MEETING\r\n\r\n";
    for (int section = 1; out.size() < size; ++section) {
        out += "Section " + std::to_string(section) + "\r\n";
        out += paragraphs[rng.below(paragraphs.size())];
    }
    return out;
}

std::string make_zip(Rng& rng, std::size_t size) {
    std::string out("PK\x03\x04\x14\x00\x06\x00\x08\x00", 10);
    while (out.size() < size) {
        out += "word/document.xml";
        append_random(rng, out, rng.between(2000, 6000));
        out += "<w:p><w:r><w:t>" + sentence(rng, false) + "</w:t></w:r></w:p>";
    }
    out += std::string("PK\x05\x06", 4);
    return out;
}

struct Attachment {
    std::string filename;
    std::string content_type;
    std::string data;
};

// The attachments that recur across the corpus. index 0 is the large one (~1.45 MB, ~2 MB encoded).
std::vector<Attachment> make_attachments(Rng& rng) {
    std::vector<Attachment> a;
    a.push_back({"scan-2024-archive.pdf", "application/pdf", make_pdf(rng, 1450 * 1024)});
    a.push_back({"quarterly-report.pdf", "application/pdf", make_pdf(rng, 180 * 1024)});
    a.push_back({"holiday.jpg", "image/jpeg", make_jpeg(rng, 95 * 1024)});
    a.push_back({"minutes.txt", "text/plain; charset=us-ascii", make_text_document(rng, 28 * 1024)});
    a.push_back({"logo.png", "image/png", "\x89PNG\r\n\x1a\n" + make_jpeg(rng, 5 * 1024).substr(20)});
    a.push_back({"contract.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 make_zip(rng, 40 * 1024)});
    a.push_back({"notes.txt", "text/plain; charset=utf-8", make_text_document(rng, 3 * 1024)});
    return a;
}

// ---- encoders ------------------------------------------------------------------------------------------

constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
    for (; i + 3 <= in.size(); i += 3) {
        std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        for (int s = 18; s >= 0; s -= 6) out.push_back(b64_alphabet[(v >> s) & 63]);
    }
    if (i < in.size()) {
        std::uint32_t v = byte(i) << 16;
        if (i + 1 < in.size()) v |= byte(i + 1) << 8;
        out.push_back(b64_alphabet[(v >> 18) & 63]);
        out.push_back(b64_alphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? b64_alphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

// Lines of `line` characters (the last may be shorter), each ending with `nl`; the last only if `trailing`.
std::string lines_of(std::string_view encoded, std::size_t line, std::string_view nl, bool trailing) {
    std::string out;
    out.reserve(encoded.size() + encoded.size() / line * nl.size() + nl.size());
    for (std::size_t i = 0; i < encoded.size(); i += line) {
        if (i) out += nl;
        out += encoded.substr(i, line);
    }
    if (trailing) out += nl;
    return out;
}

// Lines of varying length: what some mailers and hand-edited messages produce. Not re-encodable.
std::string irregular_lines(Rng& rng, std::string_view encoded, std::string_view nl) {
    std::string out;
    for (std::size_t i = 0; i < encoded.size();) {
        std::size_t n = rng.between(20, 90);
        out += encoded.substr(i, n);
        out += nl;
        i += n;
    }
    return out;
}

std::string hex2(unsigned char c) {
    constexpr char hex[] = "0123456789ABCDEF";
    return {'=', hex[c >> 4], hex[c & 15]};
}

// Quoted-printable with soft breaks at 76 columns; `text`'s own LFs become hard breaks `nl`.
std::string quoted_printable(std::string_view text, std::string_view nl) {
    std::string out;
    std::size_t col = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\r') continue;
        if (c == '\n') {
            out += nl;
            col = 0;
            continue;
        }
        bool next_is_break = i + 1 >= text.size() || text[i + 1] == '\n' || text[i + 1] == '\r';
        std::string enc = (c == '=' || c > 126 || (c < 32 && c != '\t') || ((c == ' ' || c == '\t') && next_is_break))
                              ? hex2(c)
                              : std::string(1, static_cast<char>(c));
        if (col + enc.size() > 75) {
            out += "=";
            out += nl;
            col = 0;
        }
        out += enc;
        col += enc.size();
    }
    return out;
}

std::string q_word(std::string_view charset, std::string_view bytes) {
    std::string out = "=?" + std::string(charset) + "?Q?";
    for (unsigned char c : bytes) {
        if (c == ' ') out += '_';
        else if (c > 126 || c < 33 || c == '=' || c == '?' || c == '_') out += hex2(c);
        else out.push_back(static_cast<char>(c));
    }
    return out + "?=";
}

std::string b_word(std::string_view charset, std::string_view bytes) {
    return "=?" + std::string(charset) + "?B?" + base64(bytes) + "?=";
}

std::string percent_encode(std::string_view bytes) {
    constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : bytes) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
            out.push_back(static_cast<char>(c));
        } else {
            out += '%';
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

// ---- message building blocks ---------------------------------------------------------------------------

constexpr std::string_view people[] = {
    "Alice Example <alice@example.com>", "bob@example.org", "\"Carol Q. Public\" <carol@mail.example.net>",
    "Dave <dave+lists@example.com>", "eve@sub.example.co.uk", "Frank Müller <frank@example.de>",
};
constexpr std::string_view days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Builder {
    Rng& rng;
    std::string nl;
    std::size_t serial;

    std::string boundary() {
        std::string b = "----=_Part_" + std::to_string(serial) + "_";
        for (int i = 0; i < 3; ++i) b += std::to_string(rng.next() % 1000000007ull) + ".";
        return b;
    }

    // The top-level fields, without the blank line. `subject` is written as given.
    std::string top_fields(std::string_view subject, std::string_view from = {}) {
        std::string h;
        std::string from_value = from.empty() ? std::string(rng.pick(people)) : std::string(from);
        std::string day = std::to_string(rng.between(1, 28));
        if (day.size() == 1) day = "0" + day;
        h += "Return-Path: <bounce-" + std::to_string(serial) + "@example.com>" + nl;
        h += "Received: from mx.example.com (mx.example.com [192.0.2." + std::to_string(rng.between(1, 254)) +
             "])" + nl + "\tby mail.example.org with ESMTPS id " + std::to_string(rng.next() % 100000000) + nl +
             "\tfor <alice@example.com>; " + std::string(rng.pick(days)) + ", " + day + " " +
             std::string(rng.pick(months)) + " 2024 10:0" + std::to_string(rng.below(10)) + ":00 +0000" + nl;
        h += "From: " + from_value + nl;
        h += "To: " + std::string(rng.pick(people)) + nl;
        if (rng.percent(30)) h += "Cc: " + std::string(rng.pick(people)) + ", " + std::string(rng.pick(people)) + nl;
        h += "Subject: " + std::string(subject) + nl;
        h += "Date: " + std::string(rng.pick(days)) + ", " + day + " " + std::string(rng.pick(months)) + " 20" +
             std::to_string(rng.between(10, 25)) + " " + std::to_string(rng.between(10, 23)) + ":" +
             std::to_string(rng.between(10, 59)) + ":00 +0200" + nl;
        h += "Message-ID: <" + std::to_string(serial) + "." + std::to_string(rng.next() % 1000000) +
             "@mail.example.com>" + nl;
        if (rng.percent(25)) h += "In-Reply-To: <" + std::to_string(rng.next() % 100000) + "@mail.example.com>" + nl;
        h += "MIME-Version: 1.0" + nl;
        return h;
    }

    std::string subject() { return sentence(rng, false); }

    std::string text_part(bool utf8 = false) {
        return "Content-Type: text/plain; charset=" + std::string(utf8 ? "utf-8" : "us-ascii") + nl +
               "Content-Transfer-Encoding: " + (utf8 ? "8bit" : "7bit") + nl + nl +
               text_body(rng, rng.between(200, 3000), nl, utf8);
    }

    std::string html_part(std::string_view text) {
        std::string html = "<html><head><meta charset=\"utf-8\"></head><body>\n<p>";
        for (char c : text) {
            if (c == '\r') continue;
            if (c == '\n') html += "<br>\n";
            else if (c == '<') html += "&lt;";
            else html.push_back(c);
        }
        html += "</p>\n</body></html>\n";
        return "Content-Type: text/html; charset=utf-8" + nl + "Content-Transfer-Encoding: quoted-printable" + nl +
               nl + quoted_printable(html, nl);
    }

    std::string alternative_part() {
        std::string text = text_body(rng, rng.between(300, 2500), "\n", true);
        std::string b = boundary();
        std::string plain = "Content-Type: text/plain; charset=utf-8" + nl +
                            "Content-Transfer-Encoding: quoted-printable" + nl + nl + quoted_printable(text, nl);
        return "Content-Type: multipart/alternative; boundary=\"" + b + "\"" + nl + nl +
               multipart_body(b, {plain, html_part(text)});
    }

    struct Layout {
        std::size_t line = 76;
        bool trailing = true;
        bool irregular = false;
    };

    std::string attachment_part(const Attachment& a, Layout layout, std::string_view disposition_params = {}) {
        std::string encoded = base64(a.data);
        std::string body = layout.irregular ? irregular_lines(rng, encoded, nl)
                                            : lines_of(encoded, layout.line, nl, layout.trailing);
        std::string params = disposition_params.empty() ? "filename=\"" + a.filename + "\""
                                                        : std::string(disposition_params);
        return "Content-Type: " + a.content_type + "; name=\"" + a.filename + "\"" + nl +
               "Content-Disposition: attachment; " + params + nl + "Content-Transfer-Encoding: base64" + nl + nl +
               body;
    }

    // Parts framed by `b`, with the closing delimiter and a final line break.
    std::string multipart_body(const std::string& b, const std::vector<std::string>& parts, bool close = true) {
        std::string out;
        if (rng.percent(40)) out += "This is a multi-part message in MIME format." + nl + nl;
        for (const auto& p : parts) out += "--" + b + nl + p + nl;
        if (close) out += "--" + b + "--" + nl;
        return out;
    }

    std::string mixed(std::string_view subject_value, const std::vector<std::string>& parts, bool close = true) {
        std::string b = boundary();
        return top_fields(subject_value) + "Content-Type: multipart/mixed; boundary=\"" + b + "\"" + nl + nl +
               multipart_body(b, parts, close);
    }
};

// ---- the kinds -----------------------------------------------------------------------------------------

struct Kind {
    std::string_view name;
    unsigned weight;  // after the first round
};

constexpr Kind kinds[] = {
    {"plain_ascii", 8},
    {"plain_utf8_8bit", 5},
    {"plain_qp", 5},
    {"bare_lf", 3},
    {"alternative", 8},
    {"alternative_with_attachment", 6},
    {"mixed_b64_76", 14},
    {"mixed_b64_72", 3},
    {"mixed_b64_64", 3},
    {"mixed_b64_lf", 3},
    {"mixed_b64_no_trailing_newline", 4},
    {"mixed_b64_irregular", 2},
    {"mixed_many_attachments", 4},
    {"single_part_attachment", 2},
    {"forwarded_rfc822", 4},
    {"encoded_headers", 4},
    {"rfc2231_filename", 3},
    {"eight_bit_binary", 2},
    {"large_attachment", 1},
    {"malformed_missing_close", 1},
    {"malformed_boundary_unused", 1},
    {"malformed_8bit_header", 1},
    {"malformed_no_blank_line", 1},
    {"malformed_deep_nesting", 1},
    {"malformed_long_line", 1},
    {"malformed_truncated_base64", 1},
};

// An attachment for a message: half the time one of the recurring set (never the large one), otherwise a
// file seen only once, so that de-duplication is not credited with more than a real mailbox would give it.
Attachment common_attachment(Rng& rng, const std::vector<Attachment>& set) {
    if (rng.percent(50)) return set[rng.between(1, set.size() - 1)];
    std::string n = std::to_string(rng.next() % 100000);
    switch (rng.below(4)) {
    case 0: return {"invoice-" + n + ".pdf", "application/pdf", make_pdf(rng, rng.between(20, 250) * 1024)};
    case 1: return {"IMG_" + n + ".jpg", "image/jpeg", make_jpeg(rng, rng.between(30, 200) * 1024)};
    case 2: return {"draft-" + n + ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    make_zip(rng, rng.between(15, 80) * 1024)};
    default: return {"notes-" + n + ".txt", "text/plain; charset=us-ascii", make_text_document(rng, rng.between(2, 40) * 1024)};
    }
}

std::string build(std::string_view kind, Builder& m, const std::vector<Attachment>& att) {
    Rng& rng = m.rng;
    const std::string& nl = m.nl;
    if (kind == "plain_ascii" || kind == "bare_lf") {
        return m.top_fields(m.subject()) + "Content-Type: text/plain; charset=us-ascii" + nl + nl +
               text_body(rng, rng.between(300, 6000), nl, false);
    }
    if (kind == "plain_utf8_8bit") {
        return m.top_fields(m.subject()) + "Content-Type: text/plain; charset=utf-8; format=flowed" + nl +
               "Content-Transfer-Encoding: 8bit" + nl + nl + text_body(rng, rng.between(300, 6000), nl, true);
    }
    if (kind == "plain_qp") {
        std::string text;
        for (int i = 0; i < 6; ++i) text += sentence(rng, true) + " " + sentence(rng, true) + " a=b \n";
        text += std::string(150, '-') + "\n";
        return m.top_fields(m.subject()) + "Content-Type: text/plain; charset=utf-8" + nl +
               "Content-Transfer-Encoding: quoted-printable" + nl + nl + quoted_printable(text, nl);
    }
    if (kind == "alternative") {
        return m.top_fields(m.subject()) + m.alternative_part();
    }
    if (kind == "alternative_with_attachment") {
        return m.mixed(m.subject(), {m.alternative_part(), m.attachment_part(common_attachment(rng, att), {})});
    }
    if (kind.starts_with("mixed_b64")) {
        Builder::Layout layout;
        if (kind == "mixed_b64_72") layout.line = 72;
        if (kind == "mixed_b64_64") layout.line = 64;
        if (kind == "mixed_b64_no_trailing_newline") layout.trailing = false;
        if (kind == "mixed_b64_irregular") layout.irregular = true;
        return m.mixed(m.subject(), {m.text_part(), m.attachment_part(common_attachment(rng, att), layout)});
    }
    if (kind == "mixed_many_attachments") {
        std::vector<std::string> parts{m.text_part(rng.percent(50))};
        std::size_t n = rng.between(2, 4);
        for (std::size_t i = 0; i < n; ++i) {
            Builder::Layout layout;
            layout.line = rng.percent(75) ? 76 : 72;
            layout.trailing = rng.percent(70);
            parts.push_back(m.attachment_part(common_attachment(rng, att), layout));
        }
        return m.mixed(m.subject(), parts);
    }
    if (kind == "single_part_attachment") {
        const Attachment& a = common_attachment(rng, att);
        return m.top_fields(m.subject()) + "Content-Type: " + a.content_type + "; name=\"" + a.filename + "\"" + nl +
               "Content-Disposition: attachment; filename=\"" + a.filename + "\"" + nl +
               "Content-Transfer-Encoding: base64" + nl + nl + lines_of(base64(a.data), 76, nl, rng.percent(50));
    }
    if (kind == "forwarded_rfc822") {
        Builder inner{rng, nl, m.serial + 1000000};
        std::string forwarded = inner.mixed(
            inner.subject(), {inner.text_part(true), inner.attachment_part(common_attachment(rng, att), {})});
        std::string part = "Content-Type: message/rfc822" + nl + "Content-Disposition: inline" + nl + nl + forwarded;
        return m.mixed("Fwd: " + m.subject(), {m.text_part(), part});
    }
    if (kind == "encoded_headers") {
        std::string subject = b_word("UTF-8", "Grüße aus München — 日本語") + nl + " " +
                              q_word("ISO-8859-1", "caf\xE9 cr\xE8me") + " " +
                              q_word("windows-1252", "\x93quoted\x94 \x80 5") + nl + " " +
                              b_word("ISO-2022-JP", "\x1b$B$3$s$K$A$O\x1b(B") + " " +
                              b_word("GB2312", "\xD6\xD0\xCE\xC4\xD3\xCA\xBC\xFE");
        std::string from = q_word("ISO-8859-1", "Andr\xE9 Cl\xE9ment") + " <andre@example.fr>";
        return m.top_fields(subject, from) + "Content-Type: text/plain; charset=iso-8859-1" + nl +
               "Content-Transfer-Encoding: 8bit" + nl + nl + "Voil\xE0 le r\xE9sum\xE9." + nl;
    }
    if (kind == "rfc2231_filename") {
        std::vector<std::string> parts{m.text_part()};
        std::string name = "€ Rechnung März " + std::to_string(rng.below(100)) + ".pdf";
        parts.push_back(m.attachment_part(att[1], {}, "filename*=UTF-8''" + percent_encode(name)));
        std::string longname = "Sehr langer Dateiname mit Ümlauten und noch mehr Text.docx";
        parts.push_back(m.attachment_part(
            att[5], {},
            "filename*0*=utf-8'de'" + percent_encode(longname.substr(0, 20)) + ";" + nl + " filename*1*=" +
                percent_encode(longname.substr(20, 20)) + ";" + nl + " filename*2=\"" + longname.substr(40) + "\""));
        parts.push_back(m.attachment_part(att[6], {}, "filename=\"" + b_word("UTF-8", "Notizen für Jörg.txt") + "\""));
        return m.mixed(m.subject(), parts);
    }
    if (kind == "eight_bit_binary") {
        std::string binary;
        append_random(rng, binary, rng.between(2000, 40000));
        for (std::size_t i = 0; i < binary.size(); i += 97) binary[i] = '\0';
        std::string part = "Content-Type: application/octet-stream; name=\"blob.bin\"" + nl +
                           "Content-Transfer-Encoding: binary" + nl + nl + binary;
        return m.mixed(m.subject(), {m.text_part(true), part});
    }
    if (kind == "large_attachment") {
        if (rng.percent(50)) return m.mixed(m.subject(), {m.text_part(), m.attachment_part(att[0], {})});
        Attachment scan{"scan-" + std::to_string(m.serial) + ".pdf", "application/pdf", make_pdf(rng, 1450 * 1024)};
        return m.mixed(m.subject(), {m.text_part(), m.attachment_part(scan, {})});
    }
    if (kind == "malformed_missing_close") {
        return m.mixed(m.subject(), {m.text_part(), m.attachment_part(common_attachment(rng, att), {})}, false);
    }
    if (kind == "malformed_boundary_unused") {
        return m.top_fields(m.subject()) + "Content-Type: multipart/mixed; boundary=\"never-used-" +
               std::to_string(rng.next() % 1000) + "\"" + nl + nl + text_body(rng, 1500, nl, false);
    }
    if (kind == "malformed_8bit_header") {
        return m.top_fields("Grüße — raw UTF-8 in a header", "Jörg Müller <joerg@example.de>") +
               "X-Ünïcode-Name: yes" + nl + "Content-Type: text/plain; charset=utf-8" + nl + nl +
               text_body(rng, 800, nl, true);
    }
    if (kind == "malformed_no_blank_line") {
        // The header block runs straight into text (no blank line), or the message ends inside it.
        if (rng.percent(50)) return m.top_fields(m.subject()) + "This line has no colon and starts the body" + nl;
        return m.top_fields(m.subject()) + text_body(rng, 600, nl, false);
    }
    if (kind == "malformed_deep_nesting") {
        std::string head = m.top_fields(m.subject());
        std::string open, close;
        for (int level = 0; level < 200; ++level) {
            std::string b = "deep-" + std::to_string(level);
            if (level % 5 == 4) {
                open += "Content-Type: message/rfc822" + nl + nl + "Subject: level " + std::to_string(level) + nl;
                continue;
            }
            open += "Content-Type: multipart/mixed; boundary=\"" + b + "\"" + nl + nl + "--" + b + nl;
            close = nl + "--" + b + "--" + nl + close;
        }
        return head + open + "Content-Type: text/plain" + nl + nl + "the bottom" + close;
    }
    if (kind == "malformed_long_line") {
        std::string line;
        while (line.size() < 1024 * 1024) line += sentence(rng, false) + ' ';
        return m.top_fields(m.subject()) + "X-Long: " + std::string(64 * 1024, 'x') + nl +
               "Content-Type: text/plain" + nl + nl + line;
    }
    if (kind == "malformed_truncated_base64") {
        std::string whole = m.mixed(m.subject(), {m.text_part(), m.attachment_part(common_attachment(rng, att), {})});
        // Cut in the middle of the attachment, mid-line and mid-quantum.
        std::size_t cut = whole.size() * 3 / 5 + rng.below(3);
        return whole.substr(0, cut);
    }
    throw std::logic_error("corpus: unknown kind " + std::string(kind));
}

}  // namespace

const std::vector<std::string_view>& corpus_kinds() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> v;
        for (const auto& k : kinds) v.push_back(k.name);
        return v;
    }();
    return names;
}

std::vector<CorpusMessage> generate_corpus(std::uint32_t seed, std::size_t count) {
    Rng rng(0x6d616c6c61726400ull ^ seed);
    const std::vector<Attachment> attachments = make_attachments(rng);
    unsigned total_weight = 0;
    for (const auto& k : kinds) total_weight += k.weight;

    std::vector<CorpusMessage> corpus;
    corpus.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::string_view kind;
        if (i < std::size(kinds)) {
            kind = kinds[i].name;
        } else {
            std::size_t w = rng.below(total_weight);
            for (const auto& k : kinds) {
                if (w < k.weight) {
                    kind = k.name;
                    break;
                }
                w -= k.weight;
            }
        }
        bool lf = kind == "bare_lf" || kind == "mixed_b64_lf" || (!kind.starts_with("mixed_b64") && rng.percent(8));
        Builder builder{rng, lf ? "\n" : "\r\n", i};
        std::string name = std::to_string(i);
        name.insert(0, name.size() < 4 ? 4 - name.size() : 0, '0');
        corpus.push_back({name + "-" + std::string(kind), std::string(kind), build(kind, builder, attachments)});
    }
    return corpus;
}

std::vector<std::string> load_corpus_dir(const std::string& dir) {
    std::vector<std::filesystem::path> paths;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".eml") paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::ifstream in(p, std::ios::binary);
        if (!in) throw std::runtime_error("corpus: can't read " + p.string());
        out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

}  // namespace mallard::storage::test
