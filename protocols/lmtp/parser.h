// LMTP syntax, pure (no I/O): command lines in, commands out; DATA bytes in, the unstuffed message out.
// RFC 2033 (LMTP), RFC 5321 §4.1 (command syntax), §4.5.2 (dot-stuffing), RFC 1870 (SIZE),
// RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 3463 / RFC 2034 (enhanced status codes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace mallard::lmtp {

// One reply line: "250 2.1.0 Sender OK". `status` is the RFC 3463 code, empty for replies that have none
// (220 greeting, LHLO lines).
struct Reply {
    int code = 250;
    std::string status;
    std::string text;
    std::string render() const;  // with CRLF
    bool positive() const { return code < 400; }
};

enum class Verb {
    lhlo, mail, rcpt, data, rset, noop, quit, vrfy, help,
    helo, ehlo,                       // SMTP greetings: refused, LMTP requires LHLO (RFC 2033 §4.1)
    not_implemented,                  // EXPN, STARTTLS, BDAT, ETRN, TURN, AUTH: known, not offered
    unknown,
};

struct Command {
    Verb verb = Verb::unknown;
    std::string name;       // as sent, upper-cased
    std::string argument;   // the rest of the line after one space, as sent
};

// Splits a command line (without its CRLF). Never fails: an unrecognised verb is Verb::unknown.
Command parse_command(std::string_view line);

enum class BodyType { unspecified, seven_bit, eight_bit_mime };

struct MailFrom {
    std::string address;    // the reverse-path without brackets; empty for the null path <>
    std::optional<std::uint64_t> size;
    BodyType body = BodyType::unspecified;
    bool smtputf8 = false;
};

struct RcptTo {
    std::string address;    // the forward-path without brackets, source route removed
};

// "FROM:<a@b> SIZE=123 BODY=8BITMIME SMTPUTF8". Errors are the reply to send (501/555 with 5.5.4, ...).
std::variant<MailFrom, Reply> parse_mail_from(std::string_view argument);
// "TO:<a@b>". RCPT parameters (DSN's NOTIFY/ORCPT) are not offered: any parameter gives 555.
std::variant<RcptTo, Reply> parse_rcpt_to(std::string_view argument);

bool is_ascii(std::string_view text);

// DATA content decoder (RFC 5321 §4.5.2): feed the bytes after the 354 as they arrive; it removes the
// leading dot of stuffed lines, turns bare LF line ends into CRLF, and stops right after the terminating
// ".". Past `max_bytes` of message it keeps reading to the end but stores nothing more, so memory stays
// bounded; too_big() then says so.
class DataDecoder {
public:
    explicit DataDecoder(std::uint64_t max_bytes) : max_bytes_(max_bytes) {}

    // Consumes bytes up to and including the end marker; returns how many were consumed.
    std::size_t feed(std::string_view bytes);
    bool done() const { return state_ == State::done; }
    bool too_big() const { return size_ > max_bytes_; }
    std::uint64_t size_bytes() const { return size_; }  // the decoded size, counted even past the limit
    std::string take() { return std::move(message_); }

private:
    enum class State { line_start, dot, dot_cr, body, cr, done };
    void emit(std::string_view bytes);

    std::uint64_t max_bytes_;
    std::uint64_t size_ = 0;
    State state_ = State::line_start;
    std::string message_;
};

}  // namespace mallard::lmtp
