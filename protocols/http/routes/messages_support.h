// What the message routes (messages.cpp) and search (search.cpp) share: loading the message a path names with
// its MIME tree, the listing entries of a page of messages, and reading a flag list parameter.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/task.h"
#include "protocols/http/context.h"
#include "protocols/http/response.h"
#include "storage/mime/part.h"
#include "storage/types.h"

namespace mallard::http::routes {

struct LoadedMessage {
    storage::Mailbox box;
    storage::MessageMeta meta;
    storage::mime::ParsedMessage parsed;  // from the tree stored at ingest
};

// A LoadedMessage, or the response that says why not (400 bad input, 404 user/mailbox/message).
struct MessageOrError {
    std::optional<LoadedMessage> message;
    Response failure;
    explicit operator bool() const { return message.has_value(); }
    LoadedMessage* operator->() { return &*message; }
    Response error() { return std::move(failure); }
};

// The message named by the path's :user, :mailbox and :message (a UID).
core::Task<MessageOrError> load_message(Call& call);

// The listing entries (WildDuck's messages listing shape) of `metas`, in their order: the tree of each, and an
// intro from the first few KB of its text part.
core::Task<core::Result<nlohmann::json>> listing_entries(storage::Store& store, const storage::Mailbox& box,
                                                         std::vector<storage::MessageMeta> metas);

// WildDuck's threadCounters: sets each entry's `threadMessageCount` (the messages of its `thread` in all of the
// user's mailboxes) with one store call for the page. Entries without a thread get none.
core::Task<core::Result<void>> add_thread_counters(storage::Store& store, storage::UserId user,
                                                   nlohmann::json& entries);

// The `thread` of a message as WildDuck shows it, or nothing for a message stored before threads were kept.
void add_thread_field(nlohmann::json& entry, const storage::ThreadId& thread);

// A list of IMAP flags (an array of strings, or one comma-separated string): each 1..255 printable characters
// without spaces, parentheses or quotes, at most 100; "\\Recent" is not settable. Problems recorded on `in`.
storage::Flags read_flag_list(Input& in, std::string_view key);

}  // namespace mallard::http::routes
