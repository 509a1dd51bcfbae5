// A compact, versioned binary form of a parsed message (tree, fields, envelope), so the store keeps it
// in one column and never parses a message twice.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/mime/part.h"

namespace mallard::storage::mime {

// Layout (version 1): "MMP" 0x01, then varints and length-prefixed strings, depth-first, then an
// FNV-1a 64 checksum of everything before it. The store treats the bytes as opaque.
std::string serialize(const ParsedMessage& message);

// Rejects with Errc::bad_input anything that is not what serialize() wrote: wrong magic or version,
// checksum mismatch, truncation, trailing bytes, nesting past 64, offsets out of order or outside
// their parent, a message part without exactly one enveloped child. Never reads out of bounds.
core::Result<ParsedMessage> deserialize(std::string_view bytes);

}  // namespace mallard::storage::mime
