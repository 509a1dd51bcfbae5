// MessageFacts: the header block through storage/mime's field splitter and RFC 2047 decoder (RFC 5322 §2.2,
// RFC 2047 §6), text through mime::extract_text, attachments from the parsed tree (RFC 2183 dispositions).
#include "protocols/lmtp/message_facts.h"

#include "storage/mime/encoded_words.h"
#include "storage/mime/header_fields.h"
#include "storage/mime/parser.h"
#include "storage/mime/text_extract.h"
#include "storage/search.h"

namespace mallard::lmtp {

namespace {

namespace mime = storage::mime;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// What a mail client would show as an attachment: a body part marked so (RFC 2183), one that names a file,
// an attached message (message/rfc822), or any leaf that is not text (an image, a PDF). A multipart's
// structure and a text body are not.
bool has_attachment(const mime::Part& part) {
    if (part.kind == mime::PartKind::message) return true;
    if (part.kind == mime::PartKind::multipart) {
        for (const auto& child : part.children)
            if (has_attachment(child)) return true;
        return false;
    }
    if (part.is_attachment() || part.param("name") != nullptr) return true;
    if (part.disposition) {
        for (const auto& p : part.disposition->params)
            if (p.name == "filename") return true;
    }
    return !part.is("text");
}

}  // namespace

std::string normalize_text(std::string_view utf8) {
    std::string folded = storage::fold_case(utf8);
    std::string out;
    out.reserve(folded.size());
    bool in_space = true;  // drops leading white space
    for (char c : folded) {
        if (is_space(c)) {
            if (!in_space) out.push_back(' ');
            in_space = true;
        } else {
            out.push_back(c);
            in_space = false;
        }
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

MessageFacts header_facts(std::string_view raw) {
    MessageFacts facts;
    facts.size_bytes = raw.size();
    const std::string_view block = raw.substr(0, std::min(raw.size(), max_fact_header_bytes));
    for (const auto& field : mime::split_header_fields(block)) {
        MessageFacts::Header h;
        h.name = mime::to_lower_ascii(field.name);
        h.value = mime::decode_header_text(field.value);
        for (char& c : h.value)
            if (c == '\r' || c == '\n' || c == '\t' || c == '\0') c = ' ';
        while (!h.value.empty() && h.value.back() == ' ') h.value.pop_back();
        std::size_t lead = 0;
        while (lead < h.value.size() && h.value[lead] == ' ') ++lead;
        h.value.erase(0, lead);
        facts.headers.push_back(std::move(h));
    }
    return facts;
}

void add_body_facts(MessageFacts& facts, std::string_view raw) {
    const mime::ParsedMessage parsed = mime::parse(raw);
    mime::TextLimits limits;
    limits.max_plain_bytes = max_fact_text_bytes;
    limits.max_html_bytes = max_fact_text_bytes;
    facts.text = normalize_text(mime::extract_text(parsed, raw, limits).plain);
    facts.has_attachment = has_attachment(parsed.root);
    facts.has_body = true;
}

}  // namespace mallard::lmtp
