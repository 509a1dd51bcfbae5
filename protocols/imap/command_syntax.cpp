// The arguments of every command Mallard parses: RFC 3501 §6 and §9, RFC 2971 (ID), RFC 3502
// (MULTIAPPEND), RFC 4315 (UID EXPUNGE), RFC 4959 (SASL-IR), RFC 4978 (COMPRESS), RFC 5161 (ENABLE),
// RFC 5258 / 5819 / 6154 (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE), RFC 6851 (MOVE), RFC 7162 (CONDSTORE),
// RFC 9208 (QUOTA). SEARCH and FETCH have their own files.
#include <array>
#include <string_view>

#include "protocols/imap/command_syntax.h"
#include "protocols/imap/syntax_reader.h"

namespace mallard::imap {

namespace {

void no_arguments(Reader&, Command& cmd) { cmd.args = NoArguments{}; }

void login(Reader& in, Command& cmd) {
    Login a;
    in.sp();
    a.user = in.astring();
    in.sp();
    a.password = in.astring();
    cmd.args = std::move(a);
}

void authenticate(Reader& in, Command& cmd) {
    Authenticate a;
    in.sp();
    a.mechanism = in.upper_atom();
    if (in.accept(' ')) {
        if (in.accept('=')) {
            a.initial_response = std::string();
        } else {
            std::size_t start = in.pos();
            std::string b64;
            while (!in.at_end()) {
                char c = in.peek();
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '+' || c == '/' || c == '=';
                if (!ok) break;
                b64.push_back(c);
                in.accept(c);
            }
            if (in.pos() == start) in.fail("invalid initial response");
            a.initial_response = std::move(b64);
        }
    }
    cmd.args = std::move(a);
}

void select(Reader& in, Command& cmd) {
    Select a;
    in.sp();
    a.mailbox = in.mailbox();
    if (in.accept(' ')) {
        // "(" select-param *(SP select-param) ")"
        in.expect('(');
        do {
            if (in.keyword("CONDSTORE")) a.condstore = true;
            else in.fail("unknown SELECT parameter");
        } while (!in.failed() && in.accept(' '));
        in.expect(')');
    }
    cmd.args = std::move(a);
}

void create(Reader& in, Command& cmd) {
    Create a;
    in.sp();
    a.mailbox = in.mailbox();
    if (in.accept(' ')) {
        // "(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")"
        in.expect('(');
        if (!in.keyword("USE")) in.fail("unknown CREATE parameter");
        in.sp();
        a.special_use = in.flag_list();
        in.expect(')');
    }
    cmd.args = std::move(a);
}

void mailbox_argument(Reader& in, Command& cmd) {
    MailboxArgument a;
    in.sp();
    a.mailbox = in.mailbox();
    cmd.args = std::move(a);
}

void rename(Reader& in, Command& cmd) {
    Rename a;
    in.sp();
    a.from = in.mailbox();
    in.sp();
    a.to = in.mailbox();
    cmd.args = std::move(a);
}

std::vector<StatusItem> status_items(Reader& in) {
    struct Name {
        std::string_view name;
        StatusItem item;
    };
    static constexpr std::array<Name, 9> names = {{
        {"MESSAGES", StatusItem::messages}, {"RECENT", StatusItem::recent},
        {"UIDNEXT", StatusItem::uidnext}, {"UIDVALIDITY", StatusItem::uidvalidity},
        {"UNSEEN", StatusItem::unseen}, {"HIGHESTMODSEQ", StatusItem::highestmodseq},
        {"SIZE", StatusItem::size}, {"DELETED", StatusItem::deleted},
        {"APPENDLIMIT", StatusItem::appendlimit},
    }};
    std::vector<StatusItem> items;
    in.expect('(');
    do {
        std::string word = in.upper_atom();
        if (in.failed()) break;
        bool found = false;
        for (const auto& n : names) {
            if (n.name == word) {
                items.push_back(n.item);
                found = true;
            }
        }
        if (!found) in.fail("unknown status item");
    } while (!in.failed() && in.accept(' '));
    in.expect(')');
    return items;
}

void status(Reader& in, Command& cmd) {
    Status a;
    in.sp();
    a.mailbox = in.mailbox();
    in.sp();
    a.items = status_items(in);
    cmd.args = std::move(a);
}

void list_select_options(Reader& in, List& a) {
    in.expect('(');
    if (!in.accept(')')) {
        do {
            std::string opt = in.upper_atom();
            if (in.failed()) break;
            if (opt == "SUBSCRIBED") a.select_subscribed = true;
            else if (opt == "REMOTE") a.select_remote = true;
            else if (opt == "RECURSIVEMATCH") a.select_recursive = true;
            else if (opt == "SPECIAL-USE") a.select_special_use = true;
            else in.fail("unknown LIST selection option");
        } while (!in.failed() && in.accept(' '));
        in.expect(')');
    }
    // RFC 5258 §3: RECURSIVEMATCH alone is meaningless and must be rejected.
    if (!in.failed() && a.select_recursive && !a.select_subscribed && !a.select_special_use) {
        in.fail("RECURSIVEMATCH needs another selection option");
    }
}

void list_return_options(Reader& in, List& a) {
    in.sp();
    in.expect('(');
    if (in.accept(')')) return;
    do {
        std::string opt = in.upper_atom();
        if (in.failed()) break;
        if (opt == "SUBSCRIBED") a.return_subscribed = true;
        else if (opt == "CHILDREN") a.return_children = true;
        else if (opt == "SPECIAL-USE") a.return_special_use = true;
        else if (opt == "STATUS") {
            in.sp();
            a.return_status = status_items(in);
        } else {
            in.fail("unknown LIST return option");
        }
    } while (!in.failed() && in.accept(' '));
    in.expect(')');
}

void list(Reader& in, Command& cmd) {
    List a;
    in.sp();
    if (in.peek() == '(') {
        a.extended = true;
        list_select_options(in, a);
        in.sp();
    }
    a.reference = in.astring();  // a prefix, kept as written
    in.sp();
    if (in.accept('(')) {
        a.extended = true;
        do {
            a.patterns.push_back(in.list_mailbox());
        } while (!in.failed() && in.accept(' '));
        in.expect(')');
    } else {
        a.patterns.push_back(in.list_mailbox());
    }
    if (in.accept(' ')) {
        a.extended = true;
        if (!in.keyword("RETURN")) in.fail("expected RETURN");
        list_return_options(in, a);
    }
    cmd.args = std::move(a);
}

void lsub(Reader& in, Command& cmd) {
    List a;
    in.sp();
    a.reference = in.astring();
    in.sp();
    a.patterns.push_back(in.list_mailbox());
    a.select_subscribed = true;
    cmd.args = std::move(a);
}

void append(Reader& in, Command& cmd) {
    Append a;
    in.sp();
    a.mailbox = in.mailbox();
    // 1*(SP [flag-list SP] [date-time SP] (literal / literal8))
    while (!in.failed() && in.accept(' ')) {
        AppendMessage m;
        if (in.peek() == '(') {
            m.flags = in.flag_list();
            in.sp();
        }
        if (in.peek() == '"') {
            m.internal_date = in.date_time();
            in.sp();
        }
        if (!in.failed() && !in.at_literal()) in.fail("expected a message literal");
        if (in.failed()) break;
        m.message = in.literal(true, m.binary);
        a.messages.push_back(std::move(m));
    }
    if (!in.failed() && a.messages.empty()) in.fail("missing message");
    cmd.args = std::move(a);
}

void search(Reader& in, Command& cmd) {
    SearchCommand a;
    in.sp();
    parse_search_arguments(in, a);
    cmd.args = std::move(a);
}

void fetch(Reader& in, Command& cmd) {
    FetchCommand a;
    in.sp();
    parse_fetch_arguments(in, a, cmd.uid);
    cmd.args = std::move(a);
}

void store(Reader& in, Command& cmd) {
    Store a;
    in.sp();
    a.set = in.sequence_set();
    in.sp();
    if (in.accept('(')) {
        // store-modifiers: "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"
        if (!in.keyword("UNCHANGEDSINCE")) in.fail("unknown STORE modifier");
        in.sp();
        a.unchanged_since = in.mod_sequence_valzer();
        in.expect(')');
        in.sp();
    }
    if (in.accept('+')) a.mode = StoreMode::add;
    else if (in.accept('-')) a.mode = StoreMode::remove;
    std::string item = in.upper_atom();
    if (item == "FLAGS.SILENT") a.silent = true;
    else if (item != "FLAGS") in.fail("expected FLAGS");
    in.sp();
    if (in.peek() == '(') {
        a.flags = in.flag_list();
    } else {
        do {
            a.flags.push_back(in.flag());
        } while (!in.failed() && in.accept(' '));
    }
    cmd.args = std::move(a);
}

void copy_move(Reader& in, Command& cmd) {
    CopyMove a;
    in.sp();
    a.set = in.sequence_set();
    in.sp();
    a.mailbox = in.mailbox();
    cmd.args = std::move(a);
}

void uid_expunge(Reader& in, Command& cmd) {
    UidExpunge a;
    in.sp();
    a.set = in.sequence_set();
    cmd.args = std::move(a);
}

void enable(Reader& in, Command& cmd) {
    Enable a;
    do {
        in.sp();
        a.capabilities.push_back(in.upper_atom());
    } while (!in.failed() && in.peek() == ' ');
    cmd.args = std::move(a);
}

void id(Reader& in, Command& cmd) {
    Id a;
    in.sp();
    if (!in.keyword("NIL")) {
        a.fields.emplace();
        in.expect('(');
        if (!in.accept(')')) {
            do {
                std::string field = in.string();
                in.sp();
                auto value = in.nstring();
                a.fields->emplace_back(std::move(field), std::move(value));
            } while (!in.failed() && in.accept(' '));
            in.expect(')');
        }
    }
    cmd.args = std::move(a);
}

void compress(Reader& in, Command& cmd) {
    Compress a;
    in.sp();
    a.mechanism = in.upper_atom();
    cmd.args = std::move(a);
}

void getquota(Reader& in, Command& cmd) {
    GetQuota a;
    in.sp();
    a.root = in.astring();
    cmd.args = std::move(a);
}

void setquota(Reader& in, Command& cmd) {
    SetQuota a;
    in.sp();
    a.root = in.astring();
    in.sp();
    in.expect('(');
    if (!in.accept(')')) {
        do {
            std::string resource = in.upper_atom();
            in.sp();
            std::uint64_t limit = in.mod_sequence_valzer();  // RFC 9208: number64
            a.limits.emplace_back(std::move(resource), limit);
        } while (!in.failed() && in.accept(' '));
        in.expect(')');
    }
    cmd.args = std::move(a);
}

using ArgumentParser = void (*)(Reader&, Command&);

struct CommandSyntax {
    std::string_view name;
    ArgumentParser parse;
};

constexpr CommandSyntax command_syntax[] = {
    {"CAPABILITY", no_arguments},
    {"NOOP", no_arguments},
    {"LOGOUT", no_arguments},
    {"STARTTLS", no_arguments},
    {"AUTHENTICATE", authenticate},
    {"LOGIN", login},
    {"SELECT", select},
    {"EXAMINE", select},
    {"CREATE", create},
    {"DELETE", mailbox_argument},
    {"RENAME", rename},
    {"SUBSCRIBE", mailbox_argument},
    {"UNSUBSCRIBE", mailbox_argument},
    {"LIST", list},
    {"LSUB", lsub},
    {"STATUS", status},
    {"APPEND", append},
    {"CHECK", no_arguments},
    {"CLOSE", no_arguments},
    {"EXPUNGE", no_arguments},
    {"SEARCH", search},
    {"FETCH", fetch},
    {"STORE", store},
    {"COPY", copy_move},
    {"MOVE", copy_move},
    {"IDLE", no_arguments},
    {"ENABLE", enable},
    {"NAMESPACE", no_arguments},
    {"UNSELECT", no_arguments},
    {"ID", id},
    {"COMPRESS", compress},
    {"GETQUOTA", getquota},
    {"GETQUOTAROOT", mailbox_argument},
    {"SETQUOTA", setquota},
    {"UID FETCH", fetch},
    {"UID STORE", store},
    {"UID SEARCH", search},
    {"UID COPY", copy_move},
    {"UID MOVE", copy_move},
    {"UID EXPUNGE", uid_expunge},
};

const CommandSyntax* find_syntax(std::string_view name) {
    if (name.empty()) return nullptr;
    for (const auto& c : command_syntax) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

}  // namespace

bool is_known_command(std::string_view upper_name) { return find_syntax(upper_name) != nullptr; }

CommandHead read_command_head(Reader& in) {
    CommandHead head;
    head.tag = in.tag();
    if (!in.at_end() && in.peek() != ' ') head.tag.clear();  // "t\xff": not a tag
    in.sp();
    std::string name = in.upper_atom();
    if (!in.failed() && name == "UID") {
        head.uid = true;
        in.sp();
        name = "UID " + in.upper_atom();
    }
    head.name = std::move(name);
    head.known = !in.failed() && is_known_command(head.name);
    return head;
}

Step parse_command(Frame& frame, const ParserLimits& limits, bool utf8) {
    Reader in(frame, limits, utf8);
    CommandHead head = read_command_head(in);
    std::string tag = head.tag.empty() ? "*" : head.tag;
    if (in.failed()) return Bad{tag, in.error()};
    const CommandSyntax* syntax = find_syntax(head.name);
    if (!syntax) return Bad{tag, "unknown command"};
    Command cmd;
    cmd.tag = std::move(head.tag);
    cmd.name = std::move(head.name);
    cmd.uid = head.uid;
    syntax->parse(in, cmd);
    in.expect_end();
    if (in.failed()) return Bad{tag, in.error()};
    return cmd;
}

}  // namespace mallard::imap
