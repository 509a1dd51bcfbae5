// How the API shows a stored message (WildDuck's lib/api/messages.js shapes), built from the MIME tree parsed
// at ingest (storage/mime) and, for the full view, the message's bytes. Pure: no store, no I/O, so the routes
// (messages.cpp, search.cpp) stay thin and this is unit-tested alone (message_view_test.cpp).
//
// Ids: a message is named by its UID within its mailbox (WildDuck's API does the same: `:message` is the
// numeric uid, the mailbox is its own path segment). An attachment is "ATT00001", "ATT00002", … in the
// depth-first order of the tree's leaves that are not the message's readable text, as WildDuck numbers them;
// the number is stable because the tree is stored, never re-parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/mime/part.h"
#include "storage/types.h"

namespace mallard::http::routes {

struct AttachmentInfo {
    std::string id;                      // "ATT00001"
    const storage::mime::Part* part = nullptr;  // into the ParsedMessage it was found in
    std::string filename;                // decoded; a generated "attachment-N" when the part names none
    std::string content_type;            // "image/png"
    std::string disposition;             // "attachment", "inline", or "" when not given
    std::string transfer_encoding;       // "base64", …
    std::string content_id;              // without <>; "" when none
    bool related = false;                // inside multipart/related (an inline image of the HTML)
    std::uint64_t size = 0;              // decoded bytes (base64 computed from the alphabet count)
};

// Every attachment: leaves that are not text/plain or text/html body text (a text part with a filename or an
// attachment disposition is an attachment too), inside encapsulated messages as well. `bytes` is the whole
// message when at hand (exact base64 sizes); empty: sizes are estimated from the encoded length.
std::vector<AttachmentInfo> find_attachments(const storage::mime::ParsedMessage& message, std::string_view bytes);

// The attachment with that id, or nullopt.
std::optional<AttachmentInfo> find_attachment(const storage::mime::ParsedMessage& message, std::string_view id);

// One part's body, transfer-decoded (base64, quoted-printable; others as stored). `bytes` is the whole message.
std::string decoded_body(const storage::mime::Part& part, std::string_view bytes);

// WildDuck's address objects: {"name", "address"}, names RFC 2047-decoded, group markers dropped.
nlohmann::json address_list_json(const std::vector<storage::mime::Address>& list);

// HTML with `cid:` references to the message's own parts turned into `attachment:ATT00001`, as WildDuck
// rewrites them, so a client can fetch them from the attachments route.
std::string rewrite_cid_links(std::string_view html, const std::vector<AttachmentInfo>& attachments);

// The first 128 characters of the plain text, whitespace runs collapsed, cut on a UTF-8 boundary and a word.
std::string make_intro(std::string_view plain);

// The part the listing's intro is taken from: the first text/plain body part, else the first text/html one;
// nullptr when the message has neither.
const storage::mime::Part* intro_part(const storage::mime::ParsedMessage& message);
// The intro from the start of that part's encoded body (the listing reads a few KB of it, not the message).
std::string intro_from_body(const storage::mime::Part& part, std::string_view encoded_body_prefix);

// ISO 8601 UTC with milliseconds, as JavaScript's Date#toJSON: "2024-01-02T10:00:00.000Z".
std::string iso_time(std::int64_t epoch_seconds);
std::string iso_time(storage::TimePoint when);

// Fields shared by the listing and the full view, from the tree alone: from, to, cc, bcc, subject, date,
// messageId, inReplyTo (raw header → decoded text), contentType {value, params}, attachments (bool).
nlohmann::json summary_json(const storage::mime::ParsedMessage& message);

// The flag booleans and the flags list of a message's state.
void add_flag_fields(nlohmann::json& out, const storage::Flags& flags);

// The full view (GET …/messages/:message) without the mailbox-specific fields: summary_json plus text, html
// (list), attachments (list), headers [{key, value}], intro, and what WildDuck breaks out of the header:
// replyTo (when present), references, envelope {from, rcpt [{value, formatted}]} from the Return-Path and
// Delivered-To that delivery recorded, list {id {name, address}, unsubscribe [{name, address}]} when present,
// metaData {}. To, Cc and Bcc are absent when the header is; a missing From falls back to Sender, then to the
// envelope sender.
nlohmann::json full_message_json(const storage::mime::ParsedMessage& message, std::string_view bytes);

// full_message_json's reading of the top-level header fields it breaks out (values as written, undecoded).
struct BrokenOut {
    bool has_to = false, has_cc = false, has_bcc = false;
    std::optional<std::string_view> sender, reply_to, references, return_path, list_id, list_unsubscribe;
    std::vector<std::string_view> delivered_to;
    void take(const std::string& lower_key, std::string_view value);
    void apply(nlohmann::json& out) const;
};

}  // namespace mallard::http::routes
