// POP3 syntax: RFC 1939 §3 commands and multi-line responses, §7 TOP; RFC 2449 §3 limits; RFC 4616 PLAIN.
#include "protocols/pop3/parser.h"

#include <algorithm>

#include "storage/mime/base64.h"

namespace mallard::pop3 {

namespace {

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Arguments of these may exceed RFC 2449's 40 characters: addresses, passwords with spaces, SASL responses.
bool long_arguments(std::string_view verb) { return verb == "USER" || verb == "PASS" || verb == "AUTH"; }

}  // namespace

Parsed parse_command(std::string_view line) {
    if (line.empty()) return Bad{"empty command"};
    if (line.find('\0') != std::string_view::npos) return Bad{"NUL in command"};
    std::size_t space = line.find(' ');
    std::string_view keyword = line.substr(0, space);
    if (keyword.size() < 3 || keyword.size() > max_keyword_bytes || !std::all_of(keyword.begin(), keyword.end(), is_alpha))
        return Bad{"unknown command"};
    Command command;
    command.verb.reserve(keyword.size());
    for (char c : keyword) command.verb.push_back(to_upper(c));
    if (space == std::string_view::npos) return command;
    std::string_view rest = line.substr(space + 1);
    if (command.verb == "PASS") {  // RFC 1939 §7: the password may contain spaces
        command.args.emplace_back(rest);
        return command;
    }
    for (;;) {
        std::size_t next = rest.find(' ');
        std::string_view arg = rest.substr(0, next);
        if (arg.empty()) return Bad{"syntax error: empty argument"};
        if (arg.size() > max_argument_bytes && !long_arguments(command.verb)) return Bad{"argument too long"};
        if (command.args.size() == max_arguments) return Bad{"too many arguments"};
        command.args.emplace_back(arg);
        if (next == std::string_view::npos) break;
        rest = rest.substr(next + 1);
    }
    return command;
}

std::optional<std::uint32_t> parse_number(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n > 0xffffffffu) return std::nullopt;
    return static_cast<std::uint32_t>(n);
}

void append_multiline(std::string& out, std::string_view message) {
    out.reserve(out.size() + message.size() + message.size() / 64 + 5);
    std::size_t pos = 0;
    while (pos < message.size()) {
        std::size_t lf = message.find('\n', pos);
        std::size_t end = lf == std::string_view::npos ? message.size() : lf + 1;
        if (message[pos] == '.') out.push_back('.');
        out.append(message.substr(pos, end - pos));
        pos = end;
    }
    if (!message.empty() && message.back() != '\n') out.append("\r\n");
    out.append(".\r\n");
}

std::string_view top_of_message(std::string_view message, std::uint32_t body_lines) {
    // The header ends at the first empty line (CRLF or bare LF), which belongs to what TOP returns.
    std::size_t pos = 0;
    bool found = false;
    while (pos < message.size()) {
        std::size_t lf = message.find('\n', pos);
        if (lf == std::string_view::npos) break;
        std::string_view line = message.substr(pos, lf - pos);
        pos = lf + 1;
        if (line.empty() || line == "\r") {
            found = true;
            break;
        }
    }
    if (!found) return message;
    for (std::uint32_t n = 0; n < body_lines && pos < message.size(); ++n) {
        std::size_t lf = message.find('\n', pos);
        pos = lf == std::string_view::npos ? message.size() : lf + 1;
    }
    return message.substr(0, pos);
}

std::vector<DropMessage> build_maildrop(const std::vector<storage::MessageMeta>& listing, std::size_t max_messages) {
    std::vector<DropMessage> drop;
    drop.reserve(std::min(listing.size(), max_messages));
    for (const auto& m : listing) drop.push_back(DropMessage{m.uid, m.size_bytes, false, false});
    std::sort(drop.begin(), drop.end(), [](const DropMessage& a, const DropMessage& b) { return a.uid < b.uid; });
    if (drop.size() > max_messages) drop.erase(drop.begin(), drop.end() - static_cast<std::ptrdiff_t>(max_messages));
    return drop;
}

std::string unique_id(std::uint32_t uidvalidity, storage::Uid uid) {
    return std::to_string(uidvalidity) + "." + std::to_string(uid);
}

}  // namespace mallard::pop3
