// LIST (RFC 3501 §6.3.8) and LSUB (§6.3.9), with LIST-EXTENDED (RFC 5258: several patterns, selection
// SUBSCRIBED / SPECIAL-USE / RECURSIVEMATCH / REMOTE, RETURN SUBSCRIBED / CHILDREN), SPECIAL-USE (RFC 6154),
// LIST-STATUS (RFC 5819) and the child attributes of RFC 3348.
//
// The listed names are the user's mailboxes plus every missing parent of one ("a" for a lone "a/b"). A
// missing parent matches patterns like any name ('%' and '*' alike) and is listed as \Noselect (\NonExistent
// in an extended LIST). \HasChildren/\HasNoChildren and special-use attributes are always sent. LSUB lists
// the subscribed mailboxes matching the pattern, nothing else (no \Noselect parents for '%'). A pattern that
// is not valid modified UTF-7 (RFC 3501 §5.1.3) matches no name: LIST and LSUB still answer OK.
#include <map>
#include <string>
#include <vector>

#include "protocols/imap/command_table.h"
#include "protocols/imap/list_pattern.h"
#include "protocols/imap/mailbox_support.h"

namespace mallard::imap {

using core::Task;

namespace {

struct Node {
    const storage::Mailbox* box = nullptr;  // null: a missing parent
    bool has_children = false;
    bool child_selected = false;  // a descendant meets the selection options (RECURSIVEMATCH)
};
using Tree = std::map<std::string, Node>;

bool selected_by(const List& a, const storage::Mailbox& box) {
    if (a.select_subscribed && !box.subscribed) return false;
    if (a.select_special_use && box.special_use == storage::SpecialUse::none) return false;
    return true;
}

Tree build_tree(const std::vector<storage::Mailbox>& boxes, const List& a) {
    Tree tree;
    for (const auto& box : boxes) {
        tree[box.name].box = &box;
        const bool selected = selected_by(a, box);
        for (auto slash = box.name.find(storage::mailbox_delimiter); slash != std::string::npos;
             slash = box.name.find(storage::mailbox_delimiter, slash + 1)) {
            auto& parent = tree[box.name.substr(0, slash)];
            parent.has_children = true;
            if (selected) parent.child_selected = true;
        }
    }
    return tree;
}

bool matches_any(const std::vector<std::string>& patterns, const std::string& name) {
    for (const auto& p : patterns) {
        if (list_pattern_match(p, name)) return true;
    }
    return false;
}

struct Line {
    std::string text;
    const storage::Mailbox* status_of = nullptr;  // RETURN (STATUS …) follows for this mailbox
};

// The name is listed as "<attrs> "/" <name>[ <extended data>]": this builds the whole untagged LIST line.
std::string list_line(const List& a, const std::string& name, const Node& node, bool childinfo,
                      const RenderOptions& render) {
    std::string attrs;
    auto add = [&attrs](std::string_view attr) {
        if (!attrs.empty()) attrs += ' ';
        attrs += attr;
    };
    if (!node.box) add(a.extended ? "\\NonExistent" : "\\Noselect");
    add(node.has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (node.box && node.box->subscribed && (a.return_subscribed || a.select_subscribed)) add("\\Subscribed");
    if (node.box && node.box->special_use != storage::SpecialUse::none)
        add(storage::special_use_name(node.box->special_use));
    std::string line = "LIST (" + attrs + ") \"/\" ";
    append_mailbox_name(line, name, render);
    if (childinfo) {
        line += " (\"CHILDINFO\" (";
        if (a.select_subscribed) line += "\"SUBSCRIBED\"";
        if (a.select_special_use) line += a.select_subscribed ? " \"SPECIAL-USE\"" : "\"SPECIAL-USE\"";
        line += "))";
    }
    return line;
}

std::vector<Line> list_lines(const List& a, const std::vector<std::string>& patterns, const Tree& tree,
                             const RenderOptions& render) {
    std::vector<Line> out;
    const bool selecting = a.select_subscribed || a.select_special_use;
    for (const auto& [name, node] : tree) {
        if (!matches_any(patterns, name)) continue;
        const bool selected = node.box && selected_by(a, *node.box);
        bool childinfo = false;
        if (selecting && !selected) {
            // RFC 5258 §3.5: with RECURSIVEMATCH a parent of a selected mailbox is listed with CHILDINFO.
            if (!a.select_recursive || !node.child_selected) continue;
            childinfo = true;
        }
        Line line;
        line.text = list_line(a, name, node, childinfo, render);
        if (!a.return_status.empty() && node.box) line.status_of = node.box;
        out.push_back(std::move(line));
    }
    return out;
}

}  // namespace

Task<Tagged> cmd_list(Session& s, Command& c) {
    auto& args = std::get<List>(c.args);
    std::vector<std::string> patterns;
    bool root = false;
    for (auto& p : args.patterns) {
        // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root name.
        if (p.empty()) {
            root = true;
            continue;
        }
        // A pattern that is not valid modified UTF-7 can name no mailbox: it matches nothing (as in Dovecot)
        // rather than failing the command, so one odd pattern doesn't hide the others' answers.
        auto full = mailbox_name_in(s, args.reference + p);
        if (full) patterns.push_back(std::move(*full));
    }
    if (root) s.untagged(args.extended ? "LIST (\\NonExistent) \"/\" \"\"" : "LIST (\\Noselect) \"/\" \"\"");
    if (patterns.empty()) co_return Tagged::ok("LIST completed");
    auto boxes = co_await s.store().list_mailboxes(s.user.id);
    if (!boxes) co_return error_reply(boxes.error());
    auto lines = list_lines(args, patterns, build_tree(*boxes, args), s.render);
    for (auto& line : lines) {
        s.untagged(line.text);
        if (!line.status_of) continue;
        auto items = co_await status_item_list(s, *line.status_of, args.return_status);
        // RFC 5819 §2: a mailbox whose STATUS fails is listed without one.
        if (!items) continue;
        std::string status = "STATUS ";
        append_mailbox_name(status, line.status_of->name, s.render);
        status += ' ';
        status += *items;
        s.untagged(status);
    }
    co_return Tagged::ok("LIST completed");
}

Task<Tagged> cmd_lsub(Session& s, Command& c) {
    auto& args = std::get<List>(c.args);
    std::vector<std::string> patterns;
    for (auto& p : args.patterns) {
        if (p.empty()) {
            s.untagged("LSUB (\\Noselect) \"/\" \"\"");
            continue;
        }
        auto full = mailbox_name_in(s, args.reference + p);  // as in LIST: an invalid name matches nothing
        if (full) patterns.push_back(std::move(*full));
    }
    if (patterns.empty()) co_return Tagged::ok("LSUB completed");
    auto boxes = co_await s.store().list_mailboxes(s.user.id);
    if (!boxes) co_return error_reply(boxes.error());
    for (const auto& box : *boxes) {
        if (!box.subscribed || !matches_any(patterns, box.name)) continue;
        std::string line = "LSUB () \"/\" ";
        append_mailbox_name(line, box.name, s.render);
        s.untagged(line);
    }
    co_return Tagged::ok("LSUB completed");
}

}  // namespace mallard::imap
