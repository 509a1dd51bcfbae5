// What instances say to each other on the Redis channel (redis_bus.h). One channel for the whole
// installation, one short text message per committed change:
//
//   "1 <instance> c <modseq> <mailbox id>"   a change to one mailbox (the id is the rest of the message)
//   "1 <instance> r"                          resync: the sender may have dropped announcements; every
//                                             instance tells its watchers to read their journals
//   "1 <instance> s <user> <asp> <reason>"    end the user's sessions (session_control.h); <asp> is "-" for
//                                             all of them, else the ASP id; the reason is the rest (spaces
//                                             included, may be empty). User and ASP ids have no spaces.
//
// "1" is the format's version; a message in another version, or malformed, is not understood (decode
// returns nothing) and the receiver ignores it — the journal stays the truth, so a lost announcement costs
// one poll interval, never correctness. <instance> names the sending process, so a process recognises its
// own messages, which its watchers have already heard through the in-process bus.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/notify/bus.h"

namespace mallard::storage::notify {

struct RemoteMessage {
    enum class Kind { change, resync, session };
    Kind kind = Kind::change;
    std::string instance;
    MailboxChange change;  // Kind::change only
    SessionEvent session;  // Kind::session only
};

std::string encode_change(std::string_view instance, const MailboxChange& change);
std::string encode_resync(std::string_view instance);
std::string encode_session(std::string_view instance, const SessionEvent& event);
std::optional<RemoteMessage> decode_remote_message(std::string_view payload);

// A new process's name on the channel: 16 hex digits from the random device.
std::string new_instance_id();

}  // namespace mallard::storage::notify
