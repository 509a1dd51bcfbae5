// The API's message shapes (see message_view.h).
#include "protocols/http/routes/message_view.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "storage/address_normalize.h"
#include "storage/date_parse.h"
#include "storage/mime/address.h"
#include "storage/mime/encoded_words.h"
#include "storage/mime/header_fields.h"
#include "storage/mime/html_text.h"
#include "storage/mime/text_extract.h"
#include "storage/mime/transfer.h"

namespace mallard::http::routes {

namespace {

using nlohmann::json;
namespace mime = storage::mime;

// A text part the reader sees as the message's text rather than as a file.
bool is_body_text(const mime::Part& part) {
    if (!part.is("text", "plain") && !part.is("text", "html")) return false;
    if (part.is_attachment()) return false;
    for (const mime::Param& p : part.params)
        if (p.name == "name") return false;
    if (part.disposition)
        for (const mime::Param& p : part.disposition->params)
            if (p.name == "filename") return false;
    return true;
}

std::string filename_of(const mime::Part& part) {
    if (part.disposition)
        for (const mime::Param& p : part.disposition->params)
            if (p.name == "filename" && !p.value.empty()) return p.value;
    const mime::Param* name = part.param("name");
    return name && !name->value.empty() ? name->value : std::string{};
}

std::string strip_angles(std::string_view id) {
    std::string s = mime::unfold(id);
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    return s;
}

// Base64 decodes 4 alphabet characters to 3 bytes, less the padding.
std::uint64_t base64_size(std::string_view encoded) {
    std::uint64_t chars = 0;
    std::uint64_t pads = 0;
    for (unsigned char c : encoded) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/') ++chars;
        else if (c == '=') ++pads;
    }
    std::uint64_t quads = (chars + pads) / 4;
    std::uint64_t size = quads * 3;
    return size >= pads ? size - std::min<std::uint64_t>(pads, 2) : 0;
}

struct Walker {
    std::string_view bytes;
    std::vector<AttachmentInfo> found;

    void walk(const mime::Part& part, bool in_related) {
        if (part.kind != mime::PartKind::leaf) {
            const bool related = in_related || part.is("multipart", "related");
            for (const mime::Part& child : part.children) walk(child, related);
            return;
        }
        if (is_body_text(part)) return;
        AttachmentInfo a;
        char id[16];
        std::snprintf(id, sizeof id, "ATT%05zu", found.size() + 1);
        a.id = id;
        a.part = &part;
        a.filename = filename_of(part);
        if (a.filename.empty()) a.filename = "attachment-" + std::to_string(found.size() + 1);
        a.content_type = part.type + "/" + part.subtype;
        a.disposition = part.disposition ? part.disposition->type : std::string{};
        a.transfer_encoding = part.encoding;
        a.content_id = strip_angles(part.id);
        a.related = in_related;
        const bool have_bytes = part.body_end <= bytes.size() && !bytes.empty();
        if (mime::transfer_encoding(part.encoding) == mime::TransferEncoding::base64)
            a.size = have_bytes ? base64_size(bytes.substr(part.body_start, part.body_bytes()))
                                : part.body_bytes() * 3 / 4;
        else
            a.size = part.body_bytes();
        found.push_back(std::move(a));
    }
};

std::string decoded_header(std::string_view raw) { return mime::decode_header_text(raw); }

// "<a@b>" → "<a@b>" (WildDuck keeps the brackets on messageId and inReplyTo).
json message_id_json(const std::optional<std::string>& raw) {
    if (!raw) return json();
    return mime::unfold(*raw);
}

json content_type_json(const mime::Part& part) {
    json params = json::object();
    for (const mime::Param& p : part.params) params[p.name] = p.value;
    return {{"value", part.type + "/" + part.subtype}, {"params", params}};
}

void collect_has_attachment(const mime::Part& part, bool& any) {
    if (any) return;
    if (part.kind != mime::PartKind::leaf) {
        for (const mime::Part& child : part.children) collect_has_attachment(child, any);
        return;
    }
    if (!is_body_text(part)) any = true;
}

}  // namespace

std::vector<AttachmentInfo> find_attachments(const mime::ParsedMessage& message, std::string_view bytes) {
    Walker w{bytes, {}};
    w.walk(message.root, false);
    return std::move(w.found);
}

std::optional<AttachmentInfo> find_attachment(const mime::ParsedMessage& message, std::string_view id) {
    for (AttachmentInfo& a : find_attachments(message, {}))
        if (a.id == id) return std::move(a);
    return std::nullopt;
}

std::string decoded_body(const mime::Part& part, std::string_view bytes) {
    if (part.body_end > bytes.size() || part.body_start > part.body_end) return {};
    return mime::decode_body(bytes.substr(part.body_start, part.body_bytes()), mime::transfer_encoding(part.encoding));
}

json address_list_json(const std::vector<mime::Address>& list) {
    json out = json::array();
    for (const mime::Address& a : list) {
        if (a.is_group_start() || a.is_group_end()) continue;
        std::string address = a.mailbox.value_or("");
        if (a.host && !a.host->empty()) address += "@" + *a.host;
        out.push_back({{"name", a.name ? decoded_header(*a.name) : std::string{}}, {"address", address}});
    }
    return out;
}

std::string rewrite_cid_links(std::string_view html, const std::vector<AttachmentInfo>& attachments) {
    std::string out;
    out.reserve(html.size());
    std::size_t at = 0;
    while (at < html.size()) {
        std::size_t hit = html.find("cid:", at);
        if (hit == std::string_view::npos) break;
        out.append(html.substr(at, hit - at));
        // The reference runs to the closing quote, whitespace, ')' or '>'.
        std::size_t end = hit + 4;
        while (end < html.size() && html[end] != '"' && html[end] != '\'' && html[end] != ' ' && html[end] != '>' &&
               html[end] != ')' && html[end] != '\t' && html[end] != '\n' && html[end] != '\r')
            ++end;
        std::string_view cid = html.substr(hit + 4, end - hit - 4);
        const AttachmentInfo* match = nullptr;
        for (const AttachmentInfo& a : attachments)
            if (!a.content_id.empty() && a.content_id == cid) match = &a;
        if (match) out += "attachment:" + match->id;
        else out.append(html.substr(hit, end - hit));
        at = end;
    }
    out.append(html.substr(std::min(at, html.size())));
    return out;
}

std::string make_intro(std::string_view plain) {
    constexpr std::size_t max_chars = 128;
    std::string out;
    std::size_t chars = 0;
    bool space = false;
    for (std::size_t i = 0; i < plain.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(plain[i]);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if ((c & 0xc0) != 0x80) {  // a character starts here
            if (chars + (space ? 1 : 0) >= max_chars) {
                // Cut back to the last word boundary when there is one, and mark the cut.
                std::size_t last_space = out.rfind(' ');
                if (last_space != std::string::npos && last_space > out.size() / 2) out.resize(last_space);
                return out + "…";
            }
            if (space) {
                out.push_back(' ');
                ++chars;
                space = false;
            }
            ++chars;
        }
        out.push_back(static_cast<char>(c));
    }
    return out;
}

namespace {
const mime::Part* first_text(const mime::Part& part, std::string_view subtype) {
    if (part.kind != mime::PartKind::leaf) {
        for (const mime::Part& child : part.children)
            if (const mime::Part* found = first_text(child, subtype)) return found;
        return nullptr;
    }
    return is_body_text(part) && part.subtype == subtype ? &part : nullptr;
}
}  // namespace

const mime::Part* intro_part(const mime::ParsedMessage& message) {
    const mime::Part* plain = first_text(message.root, "plain");
    return plain ? plain : first_text(message.root, "html");
}

std::string intro_from_body(const mime::Part& part, std::string_view encoded_body_prefix) {
    // decode_text reads the body at the part's offsets: give it a part whose body is exactly the prefix.
    mime::Part cut = part;
    cut.children.clear();
    cut.header_start = 0;
    cut.body_start = 0;
    cut.body_end = encoded_body_prefix.size();
    std::string text = mime::decode_text(cut, encoded_body_prefix, 4096);
    if (part.subtype == "html") text = mime::html_to_text(text, 4096);
    return make_intro(text);
}

std::string iso_time(std::int64_t epoch_seconds) {
    std::time_t t = static_cast<std::time_t>(epoch_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return std::string(buf, n);
}

std::string iso_time(storage::TimePoint when) {
    return iso_time(std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count());
}

json summary_json(const mime::ParsedMessage& message) {
    const mime::Envelope& env = message.envelope();
    json from = address_list_json(env.from);
    json out = {
        {"from", from.empty() ? json() : from[0]},
        {"to", address_list_json(env.to)},
        {"cc", address_list_json(env.cc)},
        {"bcc", address_list_json(env.bcc)},
        {"subject", env.subject ? decoded_header(*env.subject) : std::string{}},
        {"messageId", message_id_json(env.message_id)},
        {"inReplyTo", message_id_json(env.in_reply_to)},
        {"contentType", content_type_json(message.root)},
    };
    std::optional<storage::SentDate> date = env.date ? storage::parse_date_header(*env.date) : std::nullopt;
    out["date"] = date ? json(iso_time(date->epoch_seconds)) : json();
    bool any = false;
    collect_has_attachment(message.root, any);
    out["attachments"] = any;
    if (out["from"].is_null()) out.erase("from");
    if (out["inReplyTo"].is_null()) out.erase("inReplyTo");
    return out;
}

void add_flag_fields(json& out, const storage::Flags& flags) {
    out["flags"] = flags;
    out["seen"] = storage::has_flag(flags, "\\Seen");
    out["deleted"] = storage::has_flag(flags, "\\Deleted");
    out["flagged"] = storage::has_flag(flags, "\\Flagged");
    out["draft"] = storage::has_flag(flags, "\\Draft");
    // WildDuck shows a forwarded message as forwarded, not answered, even when both flags are set.
    out["answered"] = storage::has_flag(flags, "\\Answered") && !storage::has_flag(flags, "$Forwarded");
    out["forwarded"] = storage::has_flag(flags, "$Forwarded");
}

namespace {

std::string trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return std::string(text);
}

// "<x@example.com>" or "x@example.com" → "x@example.com"; "<>" (a bounce's null sender) → "".
std::string angle_address(std::string_view value) {
    std::string text = trimmed(value);
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
    return trimmed(text);
}

// The <...> items of a header such as List-Unsubscribe ("<mailto:leave@example.com>, <https://...>") as
// address objects with empty names, the way WildDuck's address parser reads them.
json bracketed_items(std::string_view value) {
    json items = json::array();
    std::size_t at = 0;
    while ((at = value.find('<', at)) != std::string_view::npos) {
        std::size_t end = value.find('>', at);
        if (end == std::string_view::npos) break;
        items.push_back({{"name", ""}, {"address", trimmed(value.substr(at + 1, end - at - 1))}});
        at = end + 1;
    }
    return items;
}

// List-Id ("Team list <team.example.com>"): the phrase as name, the bracketed id as address.
json list_id_json(std::string_view value) {
    std::string text = decoded_header(value);
    std::size_t open = text.rfind('<');
    std::size_t close = open == std::string::npos ? std::string::npos : text.find('>', open);
    if (close == std::string::npos) return {{"name", ""}, {"address", trimmed(text)}};
    std::string name = trimmed(std::string_view(text).substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    return {{"name", name}, {"address", trimmed(std::string_view(text).substr(open + 1, close - open - 1))}};
}

}  // namespace

// The fields of the top-level header that WildDuck's getMessage shows apart from `headers`.
void BrokenOut::take(const std::string& key, std::string_view value) {
    auto first = [&](std::optional<std::string_view>& slot) {
        if (!slot) slot = value;
    };
    if (key == "to") has_to = true;
    else if (key == "cc") has_cc = true;
    else if (key == "bcc") has_bcc = true;
    else if (key == "sender") first(sender);
    else if (key == "reply-to") first(reply_to);
    else if (key == "references") first(references);
    else if (key == "return-path") first(return_path);
    else if (key == "list-id") first(list_id);
    else if (key == "list-unsubscribe") first(list_unsubscribe);
    else if (key == "delivered-to") delivered_to.push_back(value);
}

void BrokenOut::apply(json& out) const {
    // An absent To/Cc/Bcc header is an absent field, not an empty list.
    if (!has_to) out.erase("to");
    if (!has_cc) out.erase("cc");
    if (!has_bcc) out.erase("bcc");
    // No From: the Sender, else the envelope sender, as WildDuck falls back.
    if (!out.contains("from")) {
        json sender_list = sender ? address_list_json(mime::parse_address_list(*sender)) : json::array();
        if (!sender_list.empty()) out["from"] = sender_list[0];
        else out["from"] = {{"name", ""}, {"address", return_path ? angle_address(*return_path) : std::string{}}};
    }
    if (reply_to) out["replyTo"] = address_list_json(mime::parse_address_list(*reply_to));
    json refs = json::array();
    if (references) {
        std::string text = std::string(*references);
        std::size_t at = 0;
        while (at < text.size()) {
            while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
            std::size_t end = at;
            while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
            if (end > at) refs.push_back(text.substr(at, end - at));
            at = end;
        }
    }
    out["references"] = refs;
    // The SMTP envelope as delivery recorded it: Return-Path (MAIL FROM) and Delivered-To (RCPT TO), each
    // recipient with WildDuck's lookup form (lower case, no dots, no +label).
    json rcpt = json::array();
    for (std::string_view value : delivered_to) {
        std::string address = angle_address(value);
        auto normalized = storage::normalize_address(address);
        rcpt.push_back({{"value", address}, {"formatted", normalized ? normalized->key() : address}});
    }
    out["envelope"] = {{"from", return_path ? angle_address(*return_path) : std::string{}}, {"rcpt", rcpt}};
    if (list_id || list_unsubscribe) {
        json list = json::object();
        if (list_id) list["id"] = list_id_json(*list_id);
        if (list_unsubscribe) list["unsubscribe"] = bracketed_items(*list_unsubscribe);
        out["list"] = list;
    }
    out["metaData"] = json::object();  // WildDuck's custom metadata; Mallard stores none
}

json full_message_json(const mime::ParsedMessage& message, std::string_view bytes) {
    json out = summary_json(message);
    std::vector<AttachmentInfo> attachments = find_attachments(message, bytes);
    mime::ExtractedText text = mime::extract_text(message, bytes);
    json html = json::array();
    for (const std::string& h : text.html) html.push_back(rewrite_cid_links(h, attachments));
    out["html"] = html;
    out["text"] = text.plain;
    out["intro"] = make_intro(text.plain);
    json files = json::array();
    for (const AttachmentInfo& a : attachments) {
        json entry = {{"id", a.id},
                      {"filename", a.filename},
                      {"contentType", a.content_type},
                      {"disposition", a.disposition.empty() ? json() : json(a.disposition)},
                      {"transferEncoding", a.transfer_encoding},
                      {"related", a.related},
                      {"sizeKb", (a.size + 1023) / 1024}};
        if (!a.content_id.empty()) entry["cid"] = a.content_id;
        files.push_back(std::move(entry));
    }
    out["attachments"] = files;

    // The top-level header block, decoded, in order (WildDuck's `headers` [{key, value}]), and the fields
    // WildDuck breaks out of it (the first occurrence of each counts, as in its parsed header).
    const std::uint64_t header_end = std::min<std::uint64_t>(message.root.body_start, bytes.size());
    const std::uint64_t header_start = std::min<std::uint64_t>(message.root.header_start, header_end);
    json headers = json::array();
    BrokenOut fields;
    for (const mime::HeaderField& f : mime::split_header_fields(bytes.substr(header_start, header_end - header_start))) {
        std::string key = mime::to_lower_ascii(f.name);
        fields.take(key, f.value);
        headers.push_back({{"key", std::move(key)}, {"value", decoded_header(f.value)}});
    }
    out["headers"] = headers;
    fields.apply(out);
    return out;
}

}  // namespace mallard::http::routes
