// ENVELOPE (RFC 3501 §7.4.2, syntax §9 "envelope") from storage/mime's Envelope. Values are the raw header
// strings (unfolded, not decoded): clients decode RFC 2047 themselves.
#pragma once

#include <string>
#include <vector>

#include "protocols/imap/render.h"
#include "storage/mime/envelope.h"

namespace mallard::imap {

namespace mime = storage::mime;

// "(date subject from sender reply-to to cc bcc in-reply-to message-id)"; NIL for each absent field.
void render_envelope(std::string& out, const mime::Envelope& envelope, const RenderOptions& options);

// "((name adl mailbox host)…)" with no space between addresses, or NIL when empty. Group markers are
// written as the tree holds them: start (NIL NIL "group" NIL), end (NIL NIL NIL NIL).
void render_address_list(std::string& out, const std::vector<mime::Address>& list, const RenderOptions& options);

}  // namespace mallard::imap
