#include "perf/imap_message_gen.h"

#include <array>
#include <cstdio>
#include <ctime>

namespace mallard::perf {
namespace {

// splitmix64: small, fast, and good enough to make mail look varied.
struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    bool percent(unsigned p) { return below(100) < p; }
    template <class T, std::size_t N>
    const T& pick(const std::array<T, N>& from) { return from[below(N)]; }
};

// No q, x or j anywhere below: the marker words contain them, so they can't appear by accident.
constexpr std::array<std::string_view, 24> syllables = {
    "ka", "lo", "mi", "ne", "ru", "ta", "shi", "po", "ve", "da", "gu", "zo",
    "ber", "tan", "ell", "orn", "wi", "fa", "cor", "ble", "sun", "mar", "ith", "oda"};
constexpr std::array<std::string_view, 12> first_names = {"Anna",  "Bruno", "Carla", "Dmitri", "Elena", "Farid",
                                                          "Greta", "Hiro",  "Ines",  "Kofi",   "Lena",  "Marco"};
constexpr std::array<std::string_view, 10> last_names = {"Adler", "Brandt", "Costa", "Dubois", "Eriksson",
                                                         "Fischer", "Garcia", "Hansen", "Ivanova", "Kowalski"};
constexpr std::array<std::string_view, 6> domains = {"example.com", "example.org", "mail.example.net",
                                                     "corp.example", "lists.example.org", "uni.example.edu"};
// Non-ASCII words (UTF-8), none with q, x or j.
constexpr std::array<std::string_view, 10> foreign_words = {
    "Grüße", "café", "naïve", "Straße", "日本語",
    "Привет", "Ελληνικά", "smörgåsbord", "Zürich", "crème brûlée"};
constexpr std::array<std::string_view, 7> weekdays = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string word(Rng& rng) {
    std::string w;
    for (std::uint64_t n = 2 + rng.below(3); n > 0; --n) w += rng.pick(syllables);
    return w;
}

std::string name(Rng& rng) { return std::string(rng.pick(first_names)) + ' ' + std::string(rng.pick(last_names)); }

std::string address(Rng& rng) {
    std::string local;
    for (char c : name(rng)) local += c == ' ' ? '.' : static_cast<char>(c | 0x20);
    return local + '@' + std::string(rng.pick(domains));
}

std::string mailbox(Rng& rng) {
    std::string local;
    std::string display = name(rng);
    for (char c : display) local += c == ' ' ? '.' : static_cast<char>(c | 0x20);
    return '"' + display + "\" <" + local + '@' + std::string(rng.pick(domains)) + '>';
}

// RFC 5322 §3.3 date-time, in UTC.
std::string rfc5322_date(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char out[64];
    std::snprintf(out, sizeof out, "%s, %d %s %04d %02d:%02d:%02d +0000", weekdays[(t / 86400) % 7].data(), tm.tm_mday,
                  months[tm.tm_mon].data(), tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return out;
}

std::string base64(std::string_view in, std::size_t line_length) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t column = 0;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
        out += i + 2 < in.size() ? table[v & 63] : '=';
        column += 4;
        if (line_length && column >= line_length) {
            out += "\r\n";
            column = 0;
        }
    }
    if (line_length && column) out += "\r\n";
    return out;
}

// RFC 2045 §6.7: non-ASCII and '=' as =XX, lines of at most 76 characters with soft breaks.
std::string quoted_printable(std::string_view text) {
    std::string out;
    std::size_t column = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            out += "\r\n";
            column = 0;
            ++i;
            continue;
        }
        auto c = static_cast<unsigned char>(text[i]);
        char piece[4];
        std::size_t n = 1;
        if (c >= 128 || c == '=') {
            std::snprintf(piece, sizeof piece, "=%02X", c);
            n = 3;
        } else {
            piece[0] = static_cast<char>(c);
        }
        if (column + n > 75) {
            out += "=\r\n";
            column = 0;
        }
        out.append(piece, n);
        column += n;
    }
    return out;
}

struct TextPlan {
    bool rare = false;
    bool common = false;
    bool foreign = false;
};

// Paragraphs of lines of up to ~70 characters until `bytes` is reached; the marker words go in the middle.
std::string text_body(Rng& rng, std::size_t bytes, const TextPlan& plan) {
    std::string out;
    std::string line;
    bool rare_done = !plan.rare, common_done = !plan.common;
    while (out.size() < bytes) {
        std::string w;
        if (!rare_done && out.size() >= bytes / 2) {
            w = rare_word;
            rare_done = true;
        } else if (!common_done && out.size() >= bytes / 3) {
            w = common_word;
            common_done = true;
        } else if (plan.foreign && rng.percent(4)) {
            w = rng.pick(foreign_words);
        } else {
            w = word(rng);
        }
        if (!line.empty() && line.size() + 1 + w.size() > 70) {
            out += line + (rng.percent(12) ? ".\r\n\r\n" : "\r\n");
            line.clear();
        }
        if (!line.empty()) line += ' ';
        line += w;
    }
    if (!rare_done) line += std::string(" ") + std::string(rare_word);
    if (!common_done) line += std::string(" ") + std::string(common_word);
    out += line + ".\r\n";
    return out;
}

std::string html_of(std::string_view text) {
    std::string out = "<html><body><p>";
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.substr(i, 4) == "\r\n\r\n") {
            out += "</p>\r\n<p>";
            i += 3;
        } else if (text.substr(i, 2) == "\r\n") {
            out += "<br>\r\n";
            ++i;
        } else {
            out += text[i];
        }
    }
    return out + "</p></body></html>\r\n";
}

// Bytes that look like a compressed file (not zeroes), so the attachment isn't unrealistically compressible.
std::string attachment_bytes(Rng& rng, std::size_t size) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; i += 8) {
        std::uint64_t v = rng.next();
        for (std::size_t k = 0; k < 8 && i + k < size; ++k) out[i + k] = static_cast<char>(v >> (8 * k));
    }
    return out;
}

}  // namespace

BenchMessage make_bench_message(std::uint64_t seed, std::uint64_t index) {
    Rng rng{seed * 0x100000001b3ull + index};
    BenchMessage m;
    m.date = 1672531200 + static_cast<std::int64_t>(rng.below(2 * 365 * 86400));  // 2023-2024
    m.seen = rng.percent(70);
    m.flagged = rng.percent(5);
    m.answered = rng.percent(10);
    m.has_rare = rng.percent(1);
    m.has_common = rng.percent(20);

    // The shape: 55 % plain ASCII, 10 % UTF-8 8bit, 5 % UTF-8 quoted-printable, 10 % alternative, 20 % mixed.
    const std::uint64_t shape = rng.below(100);
    const bool foreign = shape >= 55 && shape < 70;
    const std::size_t target = 2048 + rng.below(18 * 1024);  // 2-20 KiB in all
    TextPlan plan{m.has_rare, m.has_common, foreign};

    std::string subject;
    for (std::uint64_t n = 2 + rng.below(5); n > 0; --n) subject += (subject.empty() ? "" : " ") + word(rng);
    if (foreign) subject += std::string(" ") + std::string(rng.pick(foreign_words));
    std::string& r = m.raw;
    r += "Return-Path: <" + address(rng) + ">\r\n";
    r += "Received: from mx" + std::to_string(rng.below(9)) + ".example.net (mx.example.net [192.0.2." +
         std::to_string(1 + rng.below(250)) + "])\r\n\tby imap.example.com with LMTP id " +
         std::to_string(rng.next() % 100000000) + "; " + rfc5322_date(m.date + 2) + "\r\n";
    r += "Date: " + rfc5322_date(m.date) + "\r\n";
    r += "From: " + mailbox(rng) + "\r\n";
    r += "To: " + mailbox(rng);
    for (std::uint64_t n = rng.below(4); n > 0; --n) r += ",\r\n " + mailbox(rng);
    r += "\r\n";
    if (rng.percent(30)) r += "Cc: " + mailbox(rng) + "\r\n";
    // RFC 2047 encoded-word for a non-ASCII subject.
    r += "Subject: " + (foreign ? "=?UTF-8?B?" + base64(subject, 0) + "?=" : subject) + "\r\n";
    r += "Message-ID: <" + std::to_string(index) + '.' + std::to_string(seed) + "@bench.example.com>\r\n";
    if (rng.percent(40)) r += "In-Reply-To: <" + std::to_string(rng.below(index + 1)) + ".reply@bench.example.com>\r\n";
    r += "MIME-Version: 1.0\r\n";

    const std::size_t header_size = r.size() + 80;
    const std::size_t body_target = target > header_size + 512 ? target - header_size : 512;
    const std::string boundary = "=_bench_" + std::to_string(index) + "_" + std::to_string(rng.next() % 1000000);
    if (shape < 55) {
        r += "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n";
        r += text_body(rng, body_target, plan);
    } else if (shape < 65) {
        r += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
        r += text_body(rng, body_target, plan);
    } else if (shape < 70) {
        r += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
        r += quoted_printable(text_body(rng, body_target * 9 / 10, plan));
    } else if (shape < 80) {
        std::string text = text_body(rng, body_target * 2 / 5, plan);
        r += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
        r += "--" + boundary + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text;
        r += "--" + boundary + "\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n" + html_of(text);
        r += "--" + boundary + "--\r\n";
    } else {
        // An attachment of 1-6 KiB (before base64), the text filling the rest.
        const std::size_t attachment = 1024 + rng.below(5 * 1024);
        const std::size_t encoded = attachment * 4 / 3 + attachment / 57 * 2;
        const std::size_t text_size = body_target > encoded + 512 ? body_target - encoded : 512;
        struct File {
            std::string_view type, stem, extension;
        };
        static constexpr std::array<File, 4> files = {{{"application/pdf", "report", "pdf"},
                                                       {"image/png", "photo", "png"},
                                                       {"application/zip", "archive", "zip"},
                                                       {"application/octet-stream", "data", "bin"}}};
        const File& file = rng.pick(files);
        const std::string file_name =
            std::string(file.stem) + '-' + std::to_string(index % 1000) + '.' + std::string(file.extension);
        r += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
        r += "This is a multi-part message in MIME format.\r\n";
        r += "--" + boundary + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
        r += text_body(rng, text_size, plan);
        r += "--" + boundary + "\r\nContent-Type: " + std::string(file.type) + "; name=\"" + file_name +
             "\"\r\nContent-Disposition: attachment; filename=\"" + file_name +
             "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        r += base64(attachment_bytes(rng, attachment), 76);
        r += "--" + boundary + "--\r\n";
    }
    return m;
}

}  // namespace mallard::perf
