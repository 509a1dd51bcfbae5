// LMTP syntax: RFC 2033, RFC 5321 §4.1.1-§4.1.2 and §4.5.2, RFC 1870, RFC 6152, RFC 6531.
#include "protocols/lmtp/parser.h"

#include <algorithm>
#include <cctype>

namespace mallard::lmtp {

namespace {

struct VerbName {
    std::string_view name;
    Verb verb;
};

constexpr VerbName verbs[] = {
    {"LHLO", Verb::lhlo}, {"MAIL", Verb::mail}, {"RCPT", Verb::rcpt},   {"DATA", Verb::data},
    {"RSET", Verb::rset}, {"NOOP", Verb::noop}, {"QUIT", Verb::quit},   {"VRFY", Verb::vrfy},
    {"HELP", Verb::help}, {"HELO", Verb::helo}, {"EHLO", Verb::ehlo},
    {"EXPN", Verb::not_implemented},   {"STARTTLS", Verb::not_implemented}, {"BDAT", Verb::not_implemented},
    {"ETRN", Verb::not_implemented},   {"TURN", Verb::not_implemented},     {"AUTH", Verb::not_implemented},
};

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

Reply syntax_error(std::string text) { return Reply{501, "5.5.4", std::move(text)}; }

// A path: "<" [source-route ":"] mailbox ">" (RFC 5321 §4.1.2), or "<>" when `allow_null`. Quoted local
// parts may contain '>' and spaces. On success `rest` is left after the '>'.
std::variant<std::string, Reply> parse_path(std::string_view& rest, bool allow_null) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // "FROM: <a@b>" is common
    if (rest.empty() || rest.front() != '<') return syntax_error("Syntax: address must be in <brackets>");
    std::size_t i = 1;
    bool quoted = false;
    for (; i < rest.size(); ++i) {
        char c = rest[i];
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return syntax_error("Control character in address");
        if (quoted && c == '\\' && i + 1 < rest.size()) {
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && c == '>') {
            break;
        } else if (!quoted && (c == ' ' || c == '<')) {
            return syntax_error("Syntax error in address");
        }
    }
    if (i >= rest.size()) return syntax_error("Syntax: missing '>' after the address");
    std::string_view path = rest.substr(1, i - 1);
    rest.remove_prefix(i + 1);
    if (path.empty()) {
        if (allow_null) return std::string();
        return syntax_error("Syntax: empty address");
    }
    if (path.front() == '@') {  // a source route "@a,@b:user@c": obsolete, ignored (RFC 5321 §4.1.2)
        std::size_t colon = path.find(':');
        if (colon == std::string_view::npos) return syntax_error("Syntax error in source route");
        path.remove_prefix(colon + 1);
    }
    std::size_t at = path.rfind('@');
    if (at == std::string_view::npos) {
        if (iequals(path, "postmaster")) return std::string(path);  // RFC 5321 §4.5.1
        return syntax_error("Syntax: address needs a domain");
    }
    if (at == 0 || at + 1 == path.size()) return syntax_error("Syntax: empty local part or domain");
    return std::string(path);
}

// "KEY=VALUE" words after the path, separated by spaces.
struct Param {
    std::string key;  // upper-cased
    std::string_view value;
    bool has_value = false;
};

std::optional<Param> next_param(std::string_view& rest) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) return std::nullopt;
    std::size_t end = rest.find(' ');
    std::string_view word = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    Param p;
    std::size_t eq = word.find('=');
    p.key = upper(word.substr(0, eq));
    if (eq != std::string_view::npos) {
        p.value = word.substr(eq + 1);
        p.has_value = true;
    }
    return p;
}

// "FROM:" / "TO:" prefix, case-insensitive.
bool strip_keyword(std::string_view& rest, std::string_view keyword) {
    if (rest.size() < keyword.size() || !iequals(rest.substr(0, keyword.size()), keyword)) return false;
    rest.remove_prefix(keyword.size());
    return true;
}

std::optional<std::uint64_t> parse_size(std::string_view digits) {
    if (digits.empty() || digits.size() > 19) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

}  // namespace

std::string Reply::render() const {
    std::string out = std::to_string(code);
    out += ' ';
    if (!status.empty()) {
        out += status;
        out += ' ';
    }
    out += text;
    out += "\r\n";
    return out;
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

Command parse_command(std::string_view line) {
    Command cmd;
    std::size_t space = line.find(' ');
    cmd.name = upper(line.substr(0, space));
    if (space != std::string_view::npos) cmd.argument = std::string(line.substr(space + 1));
    for (const auto& v : verbs) {
        if (v.name == cmd.name) {
            cmd.verb = v.verb;
            break;
        }
    }
    return cmd;
}

std::variant<MailFrom, Reply> parse_mail_from(std::string_view argument) {
    if (!strip_keyword(argument, "FROM:")) return syntax_error("Syntax: MAIL FROM:<address> [parameters]");
    auto path = parse_path(argument, true);
    if (auto* error = std::get_if<Reply>(&path)) return std::move(*error);
    MailFrom mail;
    mail.address = std::move(std::get<std::string>(path));
    if (!argument.empty() && argument.front() != ' ') return syntax_error("Syntax error after the address");
    bool seen_body = false;
    while (auto param = next_param(argument)) {
        if (param->key == "SIZE" && param->has_value) {
            auto size = parse_size(param->value);
            if (!size || mail.size) return syntax_error("Syntax: SIZE=<decimal number of bytes>, once");
            mail.size = *size;
        } else if (param->key == "BODY" && param->has_value) {
            if (seen_body) return syntax_error("BODY given twice");
            seen_body = true;
            if (iequals(param->value, "7BIT")) mail.body = BodyType::seven_bit;
            else if (iequals(param->value, "8BITMIME")) mail.body = BodyType::eight_bit_mime;
            else return Reply{501, "5.5.4", "BODY must be 7BIT or 8BITMIME"};
        } else if (param->key == "SMTPUTF8" && !param->has_value) {
            mail.smtputf8 = true;
        } else {
            return Reply{555, "5.5.4", "Unsupported MAIL parameter " + param->key};
        }
    }
    return mail;
}

std::variant<RcptTo, Reply> parse_rcpt_to(std::string_view argument) {
    if (!strip_keyword(argument, "TO:")) return syntax_error("Syntax: RCPT TO:<address>");
    auto path = parse_path(argument, false);
    if (auto* error = std::get_if<Reply>(&path)) return std::move(*error);
    RcptTo rcpt{std::move(std::get<std::string>(path))};
    if (!argument.empty() && argument.front() != ' ') return syntax_error("Syntax error after the address");
    if (auto param = next_param(argument)) return Reply{555, "5.5.4", "Unsupported RCPT parameter " + param->key};
    return rcpt;
}

// ---- DATA ----

void DataDecoder::emit(std::string_view bytes) {
    size_ += bytes.size();
    if (size_ <= max_bytes_) message_.append(bytes);
    else if (!message_.empty()) std::string().swap(message_);  // over the limit: free what we held
}

std::size_t DataDecoder::feed(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size() && state_ != State::done) {
        char c = bytes[i];
        switch (state_) {
        case State::line_start:
            if (c == '.') {
                state_ = State::dot;
                ++i;
            } else {
                state_ = State::body;
            }
            break;
        case State::dot:  // a leading dot is removed; "." alone ends the message
            if (c == '\r') {
                state_ = State::dot_cr;
                ++i;
            } else if (c == '\n') {
                state_ = State::done;
                ++i;
            } else {
                state_ = State::body;
            }
            break;
        case State::dot_cr:
            if (c == '\n') {
                state_ = State::done;
                ++i;
            } else {
                state_ = State::cr;  // ".\r" then something else: the CR is content
            }
            break;
        case State::body: {
            std::size_t end = bytes.find_first_of("\r\n", i);
            if (end == std::string_view::npos) end = bytes.size();
            emit(bytes.substr(i, end - i));
            i = end;
            if (i < bytes.size()) {
                if (bytes[i] == '\n') {  // a bare LF ends the line: stored as CRLF
                    emit("\r\n");
                    state_ = State::line_start;
                } else {
                    state_ = State::cr;
                }
                ++i;
            }
            break;
        }
        case State::cr:
            if (c == '\n') {
                emit("\r\n");
                state_ = State::line_start;
                ++i;
            } else {
                emit("\r");  // a bare CR is content, kept as it is
                state_ = State::body;
            }
            break;
        case State::done:
            break;
        }
    }
    return i;
}

}  // namespace mallard::lmtp
