// A part's MIME fields from its header: RFC 2045 §5–§6, RFC 2046 §5.1.5, RFC 2183, RFC 3282
// (Content-Language), RFC 2557 (Content-Location), RFC 1864 (Content-MD5).
#include "storage/mime/part.h"

#include "storage/mime/lexer.h"
#include "storage/mime/params.h"

namespace mallard::storage::mime {

namespace {

std::vector<std::string> parse_languages(std::string_view value) {
    std::vector<std::string> out;
    for (const auto& t : tokenize(value, Specials::address)) {
        if (t.kind == TokenKind::atom) out.push_back(t.text);
    }
    return out;
}

std::string first_word(std::string_view value) {
    for (const auto& t : tokenize(value, Specials::mime)) {
        if (t.kind == TokenKind::atom) return to_lower_ascii(t.text);
    }
    return {};
}

}  // namespace

const Param* Part::param(std::string_view name) const {
    for (const auto& p : params) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

std::string_view Part::charset() const {
    const Param* p = param("charset");
    return p ? std::string_view(p->value) : std::string_view();
}

bool Part::is(std::string_view type_, std::string_view subtype_) const {
    return type == type_ && (subtype_.empty() || subtype == subtype_);
}

bool Part::is_attachment() const { return disposition && disposition->type == "attachment"; }

void apply_mime_fields(Part& part, const std::vector<HeaderField>& fields, bool in_digest) {
    bool have_type = false;
    bool have_encoding = false;
    for (const auto& f : fields) {
        if (!have_type && iequals(f.name, "Content-Type")) {
            have_type = true;
            ContentType ct = parse_content_type(f.value);
            part.params = std::move(ct.params);
            if (ct.valid) {
                part.type = std::move(ct.type);
                part.subtype = std::move(ct.subtype);
            } else {
                have_type = false;  // RFC 2045 §5.2: an invalid type is read as the default
            }
        } else if (!have_encoding && iequals(f.name, "Content-Transfer-Encoding")) {
            have_encoding = true;
            part.encoding = first_word(f.value);
            if (part.encoding.empty()) part.encoding = "7bit";
        } else if (part.id.empty() && iequals(f.name, "Content-ID")) {
            part.id = unfold(f.value);
        } else if (part.description.empty() && iequals(f.name, "Content-Description")) {
            part.description = unfold(f.value);
        } else if (part.md5.empty() && iequals(f.name, "Content-MD5")) {
            part.md5 = unfold(f.value);
        } else if (part.location.empty() && iequals(f.name, "Content-Location")) {
            part.location = unfold(f.value);
        } else if (!part.disposition && iequals(f.name, "Content-Disposition")) {
            Disposition d = parse_disposition(f.value);
            if (!d.type.empty()) part.disposition = std::move(d);
        } else if (part.languages.empty() && iequals(f.name, "Content-Language")) {
            part.languages = parse_languages(f.value);
        }
    }
    if (!have_type) {
        part.type = in_digest ? "message" : "text";
        part.subtype = in_digest ? "rfc822" : "plain";
        if (!in_digest && !part.param("charset")) part.params.insert(part.params.begin(), Param{"charset", "us-ascii", "us-ascii", false});
    }
}

}  // namespace mallard::storage::mime
