// A parsed IMAP command: its tag, its name and its arguments as typed structures, one per command family
// (RFC 3501 §6 and the extensions Mallard implements). A Command owns all of its bytes, including APPEND's
// message literals, so it may be kept across awaits.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "protocols/imap/fetch_syntax.h"
#include "protocols/imap/search_syntax.h"
#include "protocols/imap/sequence_set.h"

namespace mallard::imap {

// CAPABILITY NOOP LOGOUT STARTTLS CHECK CLOSE EXPUNGE IDLE NAMESPACE UNSELECT
struct NoArguments {
    bool operator==(const NoArguments&) const = default;
};

// A line read raw after Parser::expect_line(): IDLE's "DONE", an AUTHENTICATE response.
struct RawLine {
    std::string text;  // without CRLF
    bool operator==(const RawLine&) const = default;
};

struct Login {
    std::string user;
    std::string password;
    bool operator==(const Login&) const = default;
};

// RFC 3501 §6.2.2, RFC 4959 (SASL-IR): the initial response as sent (base64), "=" giving "".
struct Authenticate {
    std::string mechanism;  // upper-cased
    std::optional<std::string> initial_response;
    bool operator==(const Authenticate&) const = default;
};

// SELECT, EXAMINE (RFC 7162: the CONDSTORE parameter).
struct Select {
    std::string mailbox;
    bool condstore = false;
    bool operator==(const Select&) const = default;
};

// CREATE (RFC 6154: USE (\Drafts ...)).
struct Create {
    std::string mailbox;
    std::vector<std::string> special_use;
    bool operator==(const Create&) const = default;
};

// DELETE SUBSCRIBE UNSUBSCRIBE GETQUOTAROOT
struct MailboxArgument {
    std::string mailbox;
    bool operator==(const MailboxArgument&) const = default;
};

struct Rename {
    std::string from;
    std::string to;
    bool operator==(const Rename&) const = default;
};

// STATUS items (RFC 3501, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE, RFC 9208 DELETED, RFC 7889 APPENDLIMIT).
enum class StatusItem : std::uint8_t {
    messages, recent, uidnext, uidvalidity, unseen, highestmodseq, size, deleted, appendlimit,
};

struct Status {
    std::string mailbox;
    std::vector<StatusItem> items;
    bool operator==(const Status&) const = default;
};

// LIST (RFC 3501, RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE, RFC 5819 LIST-STATUS) and LSUB.
struct List {
    std::string reference;
    std::vector<std::string> patterns;  // one for basic LIST and LSUB
    bool extended = false;              // selection options or RETURN were given, or several patterns
    // selection options
    bool select_subscribed = false, select_remote = false, select_recursive = false,
         select_special_use = false;
    // return options
    bool return_subscribed = false, return_children = false, return_special_use = false;
    std::vector<StatusItem> return_status;  // RETURN (STATUS (...)); empty = not asked
    bool operator==(const List&) const = default;
};

// One message of APPEND (RFC 3502 MULTIAPPEND allows several).
struct AppendMessage {
    std::vector<std::string> flags;
    std::optional<std::chrono::sys_seconds> internal_date;
    std::string message;  // the literal's bytes, moved out of the parser
    bool binary = false;  // sent as literal8 ~{n} (RFC 3516)
    bool operator==(const AppendMessage&) const = default;
};

struct Append {
    std::string mailbox;
    std::vector<AppendMessage> messages;
    bool operator==(const Append&) const = default;
};

enum class StoreMode : std::uint8_t { replace, add, remove };  // FLAGS, +FLAGS, -FLAGS

struct Store {
    SequenceSet set;
    std::optional<std::uint64_t> unchanged_since;  // RFC 7162
    StoreMode mode = StoreMode::replace;
    bool silent = false;
    std::vector<std::string> flags;
    bool operator==(const Store&) const = default;
};

// COPY, MOVE (RFC 6851) and their UID forms.
struct CopyMove {
    SequenceSet set;
    std::string mailbox;
    bool operator==(const CopyMove&) const = default;
};

// UID EXPUNGE (RFC 4315).
struct UidExpunge {
    SequenceSet set;
    bool operator==(const UidExpunge&) const = default;
};

struct Enable {
    std::vector<std::string> capabilities;  // upper-cased
    bool operator==(const Enable&) const = default;
};

// ID (RFC 2971): NIL, or field/value pairs (a value may be NIL).
struct Id {
    std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> fields;
    bool operator==(const Id&) const = default;
};

// COMPRESS (RFC 4978).
struct Compress {
    std::string mechanism;  // upper-cased: "DEFLATE"
    bool operator==(const Compress&) const = default;
};

// GETQUOTA (RFC 9208).
struct GetQuota {
    std::string root;
    bool operator==(const GetQuota&) const = default;
};

// SETQUOTA (RFC 9208): parsed so the session can refuse it properly.
struct SetQuota {
    std::string root;
    std::vector<std::pair<std::string, std::uint64_t>> limits;  // resource name upper-cased
    bool operator==(const SetQuota&) const = default;
};

using Arguments = std::variant<NoArguments, RawLine, Login, Authenticate, Select, Create, MailboxArgument,
                               Rename, Status, List, Append, SearchCommand, FetchCommand, Store, CopyMove,
                               UidExpunge, Enable, Id, Compress, GetQuota, SetQuota>;

struct Command {
    std::string tag;   // empty for a RawLine
    std::string name;  // canonical upper case, with the prefix for UID forms: "FETCH", "UID FETCH"
    bool uid = false;  // the UID prefix was given
    Arguments args;
    bool operator==(const Command&) const = default;
};

}  // namespace mallard::imap
