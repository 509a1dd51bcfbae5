// The lexer over one assembled command: RFC 3501 §9 (atom, astring, string, quoted, literal, number,
// nz-number, flag, flag-list, date, date-time, sequence-set), RFC 3516 literal8, RFC 6855 UTF-8 quoted.
#include "protocols/imap/syntax_reader.h"

#include "protocols/imap/date_time.h"

#include <array>

namespace mallard::imap {

bool is_atom_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x1f || u >= 0x7f) return false;  // CTL and 8-bit: atoms stay 7-bit (RFC 6855 §3)
    switch (c) {
    case '(': case ')': case '{': case ' ': case '%': case '*': case '"': case '\\': case ']':
        return false;
    default:
        return true;
    }
}

bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }

char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = to_upper(c);
    return out;
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) { ++i; continue; }
        if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1fu; }
        else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0fu; }
        else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07u; }
        else return false;
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

void Reader::fail(std::string_view why) {
    if (error_.empty()) error_ = why.empty() ? "syntax error" : std::string(why);
}

char Reader::peek(std::size_t ahead) const {
    return pos_ + ahead < frame_.text.size() ? frame_.text[pos_ + ahead] : '\0';
}

bool Reader::accept(char c) {
    if (failed() || at_end() || frame_.text[pos_] != c) return false;
    ++pos_;
    return true;
}

void Reader::expect(char c) {
    if (!accept(c)) {
        if (c == ' ') fail(at_end() ? "missing argument" : "expected a space");
        else fail(std::string("expected '") + c + "'");
    }
}

void Reader::expect_end() {
    if (!failed() && !at_end()) fail("unexpected characters at the end of the command");
}

void Reader::count() {
    if (++items_ > limits_.max_arguments) fail("too many arguments");
}

std::string Reader::atom() {
    if (failed()) return {};
    std::size_t start = pos_;
    while (!at_end() && is_atom_char(frame_.text[pos_])) ++pos_;
    if (pos_ == start) {
        fail(at_end() ? "missing argument" : "expected an atom");
        return {};
    }
    count();
    return frame_.text.substr(start, pos_ - start);
}

std::string Reader::upper_atom() { return upper(atom()); }

bool Reader::keyword(std::string_view word) {
    if (failed()) return false;
    std::size_t end = pos_;
    while (end < frame_.text.size() && is_atom_char(frame_.text[end])) ++end;
    if (end - pos_ != word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (to_upper(frame_.text[pos_ + i]) != word[i]) return false;
    }
    pos_ = end;
    count();
    return true;
}

std::string Reader::tag() {
    std::size_t start = pos_;
    while (!at_end() && is_astring_char(frame_.text[pos_]) && frame_.text[pos_] != '+') ++pos_;
    if (pos_ == start) {
        fail("missing or invalid tag");
        return {};
    }
    return frame_.text.substr(start, pos_ - start);
}

std::string Reader::astring() {
    if (failed()) return {};
    if (peek() == '"' || at_literal()) return string();
    std::size_t start = pos_;
    while (!at_end() && is_astring_char(frame_.text[pos_])) ++pos_;
    if (pos_ == start) {
        fail(at_end() ? "missing argument" : "expected a string");
        return {};
    }
    count();
    return frame_.text.substr(start, pos_ - start);
}

std::string Reader::string() {
    if (failed()) return {};
    if (peek() == '"') return quoted();
    if (at_literal()) {
        bool binary = false;
        return literal(false, binary);
    }
    fail(at_end() ? "missing argument" : "expected a string");
    return {};
}

std::optional<std::string> Reader::nstring() {
    if (keyword("NIL")) return std::nullopt;
    return string();
}

std::string Reader::quoted() {
    expect('"');
    std::string out;
    bool eight_bit = false;
    for (;;) {
        if (failed()) return {};
        if (at_end()) {
            fail("unterminated quoted string");
            return {};
        }
        char c = frame_.text[pos_++];
        if (c == '"') break;
        if (c == '\\') {
            char e = peek();
            if (e != '"' && e != '\\') {
                fail("invalid escape in quoted string");
                return {};
            }
            ++pos_;
            out.push_back(e);
            continue;
        }
        auto u = static_cast<unsigned char>(c);
        if (u == 0 || c == '\r' || c == '\n') {
            fail("invalid character in quoted string");
            return {};
        }
        if (u >= 0x80) eight_bit = true;
        out.push_back(c);
    }
    if (eight_bit && (!utf8_ || !valid_utf8(out))) {
        fail(utf8_ ? "invalid UTF-8 in quoted string" : "8-bit character in quoted string");
        return {};
    }
    count();
    return out;
}

bool Reader::at_literal() const {
    return peek() == '{' || (peek() == '~' && peek(1) == '{');
}

std::string Reader::literal(bool allow_binary, bool& binary) {
    binary = accept('~');
    expect('{');
    while (!failed() && !at_end() && frame_.text[pos_] >= '0' && frame_.text[pos_] <= '9') ++pos_;
    accept('+');
    expect('}');
    if (failed()) return {};
    if (next_literal_ >= frame_.literal_at.size() || frame_.literal_at[next_literal_] != pos_) {
        fail("a literal must end its line");
        return {};
    }
    if (binary && !allow_binary) {
        fail("literal8 not allowed here");
        return {};
    }
    count();
    return std::move(frame_.literals[next_literal_++]);
}

std::uint64_t Reader::digits(std::uint64_t max) {
    if (failed()) return 0;
    std::size_t start = pos_;
    std::uint64_t value = 0;
    while (!at_end() && frame_.text[pos_] >= '0' && frame_.text[pos_] <= '9') {
        auto d = static_cast<std::uint64_t>(frame_.text[pos_] - '0');
        if (value > (max - d) / 10) {
            fail("number too large");
            return 0;
        }
        value = value * 10 + d;
        ++pos_;
    }
    if (pos_ == start) {
        fail("expected a number");
        return 0;
    }
    count();
    return value;
}

std::uint64_t Reader::number() { return digits(0xffffffffu); }

std::uint32_t Reader::nz_number() {
    auto v = digits(0xffffffffu);
    if (v == 0) fail("expected a non-zero number");
    return static_cast<std::uint32_t>(v);
}

std::uint64_t Reader::mod_sequence_valzer() { return digits(0x7fffffffffffffffull); }

std::uint64_t Reader::mod_sequence() {
    auto v = mod_sequence_valzer();
    if (v == 0) fail("expected a non-zero mod-sequence");
    return v;
}

SequenceSet Reader::sequence_set() {
    if (failed()) return {};
    std::size_t start = pos_;
    while (!at_end()) {
        char c = frame_.text[pos_];
        if ((c < '0' || c > '9') && c != '*' && c != ':' && c != ',' && c != '$') break;
        ++pos_;
    }
    auto set = parse_sequence_set(std::string_view(frame_.text).substr(start, pos_ - start),
                                  limits_.max_sequence_ranges);
    if (!set) {
        fail(pos_ == start ? "expected a sequence set" : "invalid sequence set");
        return {};
    }
    count();
    return std::move(*set);
}

std::string Reader::flag() {
    if (accept('\\')) {
        if (accept('*')) return "\\*";
        return "\\" + atom();
    }
    return atom();
}

std::vector<std::string> Reader::flag_list() {
    std::vector<std::string> flags;
    expect('(');
    if (accept(')')) return flags;
    do {
        flags.push_back(flag());
    } while (!failed() && accept(' '));
    expect(')');
    return flags;
}

namespace {

constexpr std::array<std::string_view, 12> month_names = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

}  // namespace

std::chrono::year_month_day Reader::date_text() {
    auto day = digits(99);
    expect('-');
    if (failed()) return {};
    if (pos_ + 3 > frame_.text.size()) {
        fail("invalid date");
        return {};
    }
    std::string month = upper(std::string_view(frame_.text).substr(pos_, 3));
    unsigned m = 0;
    for (unsigned i = 0; i < month_names.size(); ++i) {
        if (month_names[i] == month) m = i + 1;
    }
    if (m == 0) {
        fail("invalid month");
        return {};
    }
    pos_ += 3;
    expect('-');
    std::size_t year_start = pos_;
    auto year = digits(9999);
    if (!failed() && pos_ - year_start != 4) fail("invalid year");
    if (failed()) return {};
    std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(year)), std::chrono::month(m),
                                    std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) fail("invalid date");
    return ymd;
}

std::chrono::year_month_day Reader::date() {
    if (accept('"')) {
        auto d = date_text();
        expect('"');
        return d;
    }
    return date_text();
}

// The quoted date-time is parsed by date_time.h, which also renders INTERNALDATE: one copy of the format.
std::chrono::sys_seconds Reader::date_time() {
    if (failed()) return {};
    if (peek() != '"') {
        fail("expected a date-time");
        return {};
    }
    std::size_t close = frame_.text.find('"', pos_ + 1);
    auto parsed = close == std::string::npos
                      ? std::nullopt
                      : parse_date_time(std::string_view(frame_.text).substr(pos_, close + 1 - pos_));
    if (!parsed) {
        fail("invalid date-time");
        return {};
    }
    pos_ = close + 1;
    count();
    return std::chrono::time_point_cast<std::chrono::seconds>(parsed->time);
}

std::string Reader::mailbox() {
    std::string name = astring();
    if (name.size() == 5 && upper(name) == "INBOX") name = "INBOX";
    return name;
}

std::string Reader::list_mailbox() {
    if (failed()) return {};
    if (peek() == '"' || at_literal()) return string();
    std::size_t start = pos_;
    while (!at_end()) {
        char c = frame_.text[pos_];
        if (!is_astring_char(c) && c != '%' && c != '*') break;
        ++pos_;
    }
    if (pos_ == start) {
        fail(at_end() ? "missing argument" : "expected a mailbox pattern");
        return {};
    }
    count();
    return frame_.text.substr(start, pos_ - start);
}

}  // namespace mallard::imap
