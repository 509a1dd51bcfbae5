// ENVELOPE fields from a header block: RFC 3501 §7.4.2.
#include "storage/mime/envelope.h"

namespace mallard::storage::mime {

namespace {

std::optional<std::string> raw_value(const std::vector<HeaderField>& fields, std::string_view name) {
    const HeaderField* f = find_field(fields, name);
    if (!f) return std::nullopt;
    return unfold(f->value);
}

std::vector<Address> addresses(const std::vector<HeaderField>& fields, std::string_view name) {
    const HeaderField* f = find_field(fields, name);
    return f ? parse_address_list(f->value) : std::vector<Address>{};
}

}  // namespace

Envelope make_envelope(const std::vector<HeaderField>& fields) {
    Envelope e;
    e.date = raw_value(fields, "Date");
    e.subject = raw_value(fields, "Subject");
    e.from = addresses(fields, "From");
    e.sender = addresses(fields, "Sender");
    e.reply_to = addresses(fields, "Reply-To");
    e.to = addresses(fields, "To");
    e.cc = addresses(fields, "Cc");
    e.bcc = addresses(fields, "Bcc");
    e.in_reply_to = raw_value(fields, "In-Reply-To");
    e.message_id = raw_value(fields, "Message-ID");
    e.references = raw_value(fields, "References");
    if (e.sender.empty()) e.sender = e.from;
    if (e.reply_to.empty()) e.reply_to = e.from;
    return e;
}

}  // namespace mallard::storage::mime
