// Text extraction for search and display (RFC 2046 §5.1.4 alternatives: the last is the richest).
#include "storage/mime/text_extract.h"

#include <algorithm>

#include "storage/mime/charset.h"
#include "storage/mime/html_text.h"
#include "storage/mime/transfer.h"

namespace mallard::storage::mime {

namespace {

bool is_body_text(const Part& p, std::string_view subtype) {
    return p.kind == PartKind::leaf && p.is("text", subtype) && !p.is_attachment();
}

bool contains(const Part& p, std::string_view subtype) {
    if (is_body_text(p, subtype)) return true;
    return std::any_of(p.children.begin(), p.children.end(), [&](const Part& c) { return contains(c, subtype); });
}

std::string normalise_breaks(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\r') {
            out.push_back('\n');
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else if (c != '\0') {
            out.push_back(c);
        }
    }
    return out;
}

class Extractor {
public:
    Extractor(std::string_view bytes, const TextLimits& limits) : bytes_(bytes), limits_(limits) {}

    void plain(const Part& p) {
        if (p.kind == PartKind::multipart && p.subtype == "alternative" && !p.children.empty()) {
            auto it = std::find_if(p.children.begin(), p.children.end(),
                                   [](const Part& c) { return contains(c, "plain"); });
            plain(it != p.children.end() ? *it : p.children.back());
        } else if (p.kind != PartKind::leaf) {
            for (const auto& c : p.children) plain(c);
        } else if (is_body_text(p, "plain")) {
            append_plain(decode_text(p, bytes_, room(), &out_.truncated));
        } else if (is_body_text(p, "html")) {
            std::string html = decode_text(p, bytes_, limits_.max_html_bytes, &out_.truncated);
            append_plain(html_to_text(html, room()));
        }
    }

    void html(const Part& p) {
        if (p.kind == PartKind::multipart && p.subtype == "alternative") {
            auto it = std::find_if(p.children.rbegin(), p.children.rend(),
                                   [](const Part& c) { return contains(c, "html"); });
            if (it != p.children.rend()) html(*it);
        } else if (p.kind != PartKind::leaf) {
            for (const auto& c : p.children) html(c);
        } else if (is_body_text(p, "html")) {
            std::size_t left = limits_.max_html_bytes - html_bytes_;
            if (left == 0) {
                out_.truncated = true;
                return;
            }
            out_.html.push_back(decode_text(p, bytes_, left, &out_.truncated));
            html_bytes_ += out_.html.back().size();
        }
    }

    ExtractedText take() { return std::move(out_); }

private:
    std::size_t room() const { return limits_.max_plain_bytes - std::min(limits_.max_plain_bytes, out_.plain.size()); }

    void append_plain(std::string text) {
        if (text.empty()) return;
        while (!out_.plain.empty() && out_.plain.back() == '\n') out_.plain.pop_back();
        if (!out_.plain.empty()) out_.plain += "\n\n";
        out_.plain += text;
        if (out_.plain.size() > limits_.max_plain_bytes) {
            out_.plain.resize(utf8_prefix_length(out_.plain, limits_.max_plain_bytes));
            out_.truncated = true;
        }
    }

    std::string_view bytes_;
    TextLimits limits_;
    ExtractedText out_;
    std::size_t html_bytes_ = 0;
};

}  // namespace

std::string decode_text(const Part& part, std::string_view bytes, std::size_t max_bytes, bool* truncated) {
    std::uint64_t start = std::min<std::uint64_t>(part.body_start, bytes.size());
    std::uint64_t end = std::clamp<std::uint64_t>(part.body_end, start, bytes.size());
    std::string_view body = bytes.substr(start, end - start);
    // Every encoding and charset yields at least one output byte per four input bytes, so reading
    // past 4 × max_bytes cannot add to what is kept (ISO-2022 escapes aside: a bound, not a promise).
    std::size_t input_cap = max_bytes > body.size() / 4 ? body.size() : max_bytes * 4 + 4;
    bool cut = input_cap < body.size();
    std::string decoded = decode_body(body.substr(0, input_cap), transfer_encoding(part.encoding));
    std::string text = normalise_breaks(to_utf8(decoded, part.charset()));
    if (text.size() > max_bytes) {
        text.resize(utf8_prefix_length(text, max_bytes));
        cut = true;
    }
    if (cut && truncated) *truncated = true;
    return text;
}

ExtractedText extract_text(const ParsedMessage& message, std::string_view bytes, const TextLimits& limits) {
    Extractor e(bytes, limits);
    e.plain(message.root);
    e.html(message.root);
    return e.take();
}

}  // namespace mallard::storage::mime
