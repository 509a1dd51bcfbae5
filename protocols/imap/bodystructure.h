// BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, syntax §9 "body") from storage/mime's part tree, following what
// Dovecot emits where the RFC leaves room:
//  - a text/* part without a charset gets ("charset" "us-ascii"), the RFC 2045 §5.2 default;
//  - parameters: without UTF8=ACCEPT as written, an RFC 2231 one as name* "charset'lang'%XX…" (7-bit,
//    continuations joined); with UTF8=ACCEPT as name and the decoded UTF-8 value (RFC 6855 §3);
//  - a multipart without body parts is written with one empty part ("text" "plain" ("charset" "us-ascii")
//    NIL NIL "7BIT" 0 0), since the syntax needs at least one;
//  - a multipart left a leaf (no usable boundary, too deep) is a basic body of type "multipart";
//  - an encoded message/rfc822 kept a leaf is a basic body (no envelope, body or line count).
// Type, subtype and parameter names are lower case (as the tree holds them); the encoding is upper case.
#pragma once

#include <string>

#include "protocols/imap/render.h"
#include "storage/mime/part.h"

namespace mallard::imap {

namespace mime = storage::mime;

// FETCH BODYSTRUCTURE: the part and everything under it, with extension data.
void render_bodystructure(std::string& out, const mime::Part& part, const RenderOptions& options);

// FETCH BODY (no section): the same without extension data.
void render_body(std::string& out, const mime::Part& part, const RenderOptions& options);

}  // namespace mallard::imap
