// BODY, BODYSTRUCTURE: RFC 3501 §7.4.2 and §9 (body, body-type-1part, body-type-mpart, body-type-basic,
// body-type-msg, body-type-text, body-fields, body-ext-1part, body-ext-mpart); RFC 9051 §9 media-message
// for message/global; RFC 6855 §3 for parameters under UTF8=ACCEPT.
#include "protocols/imap/bodystructure.h"

#include "protocols/imap/envelope.h"

namespace mallard::imap {

namespace {

// What Dovecot writes for a multipart without body parts (lib-imap/imap-bodystructure.c EMPTY_BODY).
constexpr std::string_view empty_body = R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7BIT" 0 0))x";
constexpr std::string_view empty_body_ext = " NIL NIL NIL NIL";

std::string upper_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

void append_param(std::string& out, const mime::Param& p, const RenderOptions& options) {
    if (options.utf8_enabled) {
        append_string(out, p.name, options);
        out.push_back(' ');
        append_string(out, p.value, options);
    } else if (p.extended) {
        append_string(out, p.name + "*", options);
        out.push_back(' ');
        append_string(out, p.raw, options);
    } else {
        append_string(out, p.name, options);
        out.push_back(' ');
        append_string(out, p.raw, options);
    }
}

// body-fld-param: ("name" "value" …) or NIL.
void append_params(std::string& out, const std::vector<mime::Param>& params, bool default_charset,
                   const RenderOptions& options) {
    if (params.empty() && !default_charset) {
        out += "NIL";
        return;
    }
    out.push_back('(');
    bool first = true;
    for (const auto& p : params) {
        if (!first) out.push_back(' ');
        first = false;
        append_param(out, p, options);
    }
    if (default_charset) {
        if (!first) out.push_back(' ');
        out += R"("charset" "us-ascii")";
    }
    out.push_back(')');
}

bool needs_default_charset(const mime::Part& part) {
    return part.kind == mime::PartKind::leaf && part.type == "text" && part.param("charset") == nullptr;
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc, shared by both kinds of extension data.
void append_dsp_lang_loc(std::string& out, const mime::Part& part, const RenderOptions& options) {
    out.push_back(' ');
    if (!part.disposition) {
        out += "NIL";
    } else {
        out.push_back('(');
        append_string(out, part.disposition->type, options);
        out.push_back(' ');
        append_params(out, part.disposition->params, false, options);
        out.push_back(')');
    }
    out.push_back(' ');
    if (part.languages.empty()) {
        out += "NIL";
    } else {
        out.push_back('(');
        for (std::size_t i = 0; i < part.languages.size(); ++i) {
            if (i > 0) out.push_back(' ');
            append_string(out, part.languages[i], options);
        }
        out.push_back(')');
    }
    out.push_back(' ');
    append_nstring_or_nil_if_empty(out, part.location, options);
}

void render_part(std::string& out, const mime::Part& part, const RenderOptions& options, bool extended);

void render_multipart(std::string& out, const mime::Part& part, const RenderOptions& options, bool extended) {
    if (part.children.empty()) {
        out += empty_body;
        if (extended) {
            out.pop_back();
            out += empty_body_ext;
            out.push_back(')');
        }
    }
    for (const auto& child : part.children) render_part(out, child, options, extended);
    out.push_back(' ');
    append_string(out, part.subtype, options);
    if (!extended) return;
    out.push_back(' ');
    append_params(out, part.params, false, options);
    append_dsp_lang_loc(out, part, options);
}

// A leaf, or message/rfc822 with its encapsulated message.
void render_single(std::string& out, const mime::Part& part, const RenderOptions& options, bool extended) {
    append_string(out, part.type, options);
    out.push_back(' ');
    append_string(out, part.subtype, options);
    out.push_back(' ');
    append_params(out, part.params, needs_default_charset(part), options);
    out.push_back(' ');
    append_nstring_or_nil_if_empty(out, part.id, options);
    out.push_back(' ');
    append_nstring_or_nil_if_empty(out, part.description, options);
    out.push_back(' ');
    append_string(out, upper_ascii(part.encoding), options);
    out.push_back(' ');
    out += std::to_string(part.body_bytes());

    if (part.kind == mime::PartKind::message && !part.children.empty()) {
        const mime::Part& inner = part.children.front();
        out.push_back(' ');
        render_envelope(out, inner.envelope ? *inner.envelope : mime::Envelope{}, options);
        out.push_back(' ');
        render_part(out, inner, options, extended);
        out.push_back(' ');
        out += std::to_string(part.body_lines);
    } else if (part.kind == mime::PartKind::leaf && part.type == "text") {
        out.push_back(' ');
        out += std::to_string(part.body_lines);
    }
    if (!extended) return;
    out.push_back(' ');
    append_nstring_or_nil_if_empty(out, part.md5, options);
    append_dsp_lang_loc(out, part, options);
}

void render_part(std::string& out, const mime::Part& part, const RenderOptions& options, bool extended) {
    out.push_back('(');
    if (part.kind == mime::PartKind::multipart) {
        render_multipart(out, part, options, extended);
    } else {
        render_single(out, part, options, extended);
    }
    out.push_back(')');
}

}  // namespace

void render_bodystructure(std::string& out, const mime::Part& part, const RenderOptions& options) {
    render_part(out, part, options, true);
}

void render_body(std::string& out, const mime::Part& part, const RenderOptions& options) {
    render_part(out, part, options, false);
}

}  // namespace mallard::imap
