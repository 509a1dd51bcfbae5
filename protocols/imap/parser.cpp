// The incremental half of the IMAP parser: assembling one command from lines and literals (RFC 3501 §4.3,
// §7.5; RFC 7888 LITERAL+ / LITERAL-; RFC 3516 literal8), with the limits and the resynchronisation after
// errors. command_syntax.cpp turns the assembled command into a typed Command.
#include "protocols/imap/parser.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "protocols/imap/command_syntax.h"
#include "protocols/imap/syntax_reader.h"

namespace mallard::imap {

namespace {

constexpr std::size_t tail_bytes = 32;     // enough for "~{" + 20 digits + "+}"
constexpr std::size_t max_bad_tag = 256;   // a longer "tag" is answered untagged

struct Marker {
    std::uint64_t bytes = 0;
    bool sync = true;
};

// A literal announcement at the end of a line segment: "{n}", "{n+}" (and literal8 "~{n}", whose "~" the
// command syntax reads).
std::optional<Marker> trailing_marker(std::string_view seg) {
    if (seg.empty() || seg.back() != '}') return std::nullopt;
    Marker m;
    std::size_t end = seg.size() - 1;
    if (end > 0 && seg[end - 1] == '+') {
        m.sync = false;
        --end;
    }
    std::size_t start = end;
    while (start > 0 && seg[start - 1] >= '0' && seg[start - 1] <= '9') --start;
    if (start == end || start == 0 || seg[start - 1] != '{') return std::nullopt;
    if (end - start > 19) {
        m.bytes = std::numeric_limits<std::uint64_t>::max();
    } else {
        for (std::size_t i = start; i < end; ++i) m.bytes = m.bytes * 10 + static_cast<std::uint64_t>(seg[i] - '0');
    }
    return m;
}

}  // namespace

Parser::Parser(const ParserLimits& limits) : limits_(limits) {}

void Parser::expect_line() { raw_line_ = true; }

bool Parser::in_command() const { return started_ || mode_ != Mode::line; }

void Parser::reset() {
    frame_.clear();
    literal_total_ = 0;
    segment_start_ = 0;
    in_quote_ = false;
    quote_escape_ = false;
    started_ = false;
}

void Parser::track_quote(char c) {
    if (in_quote_) {
        if (quote_escape_) quote_escape_ = false;
        else if (c == '\\') quote_escape_ = true;
        else if (c == '"') in_quote_ = false;
    } else if (c == '"') {
        in_quote_ = true;
    }
}

std::string Parser::bad_tag() {
    Reader in(frame_, limits_, utf8_);
    std::string tag = raw_line_ ? std::string() : read_command_head(in).tag;
    return tag.empty() || tag.size() > max_bad_tag ? "*" : tag;
}

Step Parser::parse(std::string_view& in) {
    while (!in.empty()) {
        switch (mode_) {
        case Mode::literal: {
            auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_left_, in.size()));
            frame_.literals.back().append(in.data(), n);
            in.remove_prefix(n);
            skip_left_ -= n;
            if (skip_left_ == 0) start_segment(Mode::line);
            break;
        }
        case Mode::skip_literal: {
            auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_left_, in.size()));
            in.remove_prefix(n);
            skip_left_ -= n;
            if (skip_left_ == 0) start_segment(Mode::discard_line);
            break;
        }
        case Mode::discard_line:
            discard_bytes(in);
            break;
        case Mode::line: {
            bool line_ended = false;
            if (!take_line_bytes(in, line_ended)) return line_too_long();
            if (line_ended) {
                std::optional<Step> step = end_of_line();
                if (step) return std::move(*step);
            }
            break;
        }
        }
    }
    return NeedMore{};
}

void Parser::start_segment(Mode mode) {
    mode_ = mode;
    segment_start_ = frame_.text.size();
    tail_.clear();
    in_quote_ = false;
    quote_escape_ = false;
}

bool Parser::take_line_bytes(std::string_view& in, bool& line_ended) {
    std::size_t i = 0;
    for (; i < in.size(); ++i) {
        char c = in[i];
        if (c == '\n') {
            line_ended = true;
            ++i;
            break;
        }
        // One byte over the limit is allowed for the CR of the CRLF.
        std::size_t size = frame_.text.size();
        if (size > limits_.max_line_bytes || (size == limits_.max_line_bytes && c != '\r')) {
            in.remove_prefix(i);
            return false;
        }
        track_quote(c);
        frame_.text.push_back(c);
        started_ = true;
    }
    in.remove_prefix(i);
    return true;
}

Step Parser::line_too_long() {
    Bad bad{bad_tag(), "line too long"};
    std::string_view seg = std::string_view(frame_.text).substr(segment_start_);
    std::string tail(seg.substr(seg.size() - std::min(seg.size(), tail_bytes)));
    bool quote = in_quote_, escape = quote_escape_;
    reset();
    raw_line_ = false;
    mode_ = Mode::discard_line;
    tail_ = std::move(tail);
    in_quote_ = quote;
    quote_escape_ = escape;
    return bad;
}

std::optional<Step> Parser::end_of_line() {
    std::string& text = frame_.text;
    if (text.size() > segment_start_ && text.back() == '\r') text.pop_back();
    if (raw_line_) {
        Command cmd;
        cmd.args = RawLine{std::move(text)};
        reset();
        raw_line_ = false;
        return Step(std::move(cmd));
    }
    if (text.empty()) {  // an empty line between commands: ignored
        reset();
        return std::nullopt;
    }
    std::optional<Marker> marker;
    if (!in_quote_) marker = trailing_marker(std::string_view(text).substr(segment_start_));
    if (!marker) {
        Step step = parse_command(frame_, limits_, utf8_);
        reset();
        return step;
    }
    return announce_literal(marker->bytes, marker->sync);
}

std::optional<Step> Parser::announce_literal(std::uint64_t bytes, bool sync) {
    Reader in(frame_, limits_, utf8_);
    CommandHead head = read_command_head(in);
    std::string tag = head.tag.empty() || head.tag.size() > max_bad_tag ? "*" : head.tag;
    bool append = head.name == "APPEND";
    std::uint64_t limit = append ? limits_.max_append_bytes : limits_.max_literal_bytes;
    std::optional<Step> refusal;
    if (!head.known) {
        refusal = Bad{tag, in.failed() ? in.error() : "unknown command"};
    } else if (frame_.literals.size() >= limits_.max_arguments) {
        refusal = Bad{tag, "too many literals"};
    } else if ((!sync && bytes > limits_.max_nonsync_literal_bytes) || bytes > limit ||
               literal_total_ > limit - bytes || (append && bytes > limits_.max_append_message_bytes)) {
        if (append) refusal = TooBig{tag, bytes};
        else refusal = Bad{tag, "literal too big"};
    }
    if (refusal) {
        // The client waits for "+" before a synchronising literal: it gets the refusal instead and the
        // command ends here. A non-synchronising literal is on its way: skip it and the rest of the command.
        reset();
        if (sync) {
            mode_ = Mode::line;
        } else {
            mode_ = Mode::skip_literal;
            skip_left_ = bytes;
            if (bytes == 0) start_segment(Mode::discard_line);
        }
        return refusal;
    }
    frame_.literal_at.push_back(frame_.text.size());
    frame_.literals.emplace_back();
    frame_.literals.back().reserve(static_cast<std::size_t>(bytes));
    literal_total_ += bytes;
    skip_left_ = bytes;
    start_segment(bytes == 0 ? Mode::line : Mode::literal);
    if (sync) return Step(SendContinuation{bytes});
    return std::nullopt;
}

void Parser::discard_bytes(std::string_view& in) {
    std::size_t i = 0;
    bool line_ended = false;
    for (; i < in.size(); ++i) {
        char c = in[i];
        if (c == '\n') {
            line_ended = true;
            ++i;
            break;
        }
        track_quote(c);
        if (tail_.size() == tail_bytes) tail_.erase(0, 1);
        tail_.push_back(c);
    }
    in.remove_prefix(i);
    if (!line_ended) return;
    if (!tail_.empty() && tail_.back() == '\r') tail_.pop_back();
    std::optional<Marker> marker;
    if (!in_quote_) marker = trailing_marker(tail_);
    if (marker && !marker->sync) {
        skip_left_ = marker->bytes;
        mode_ = Mode::skip_literal;
        if (marker->bytes == 0) start_segment(Mode::discard_line);
        return;
    }
    reset();
    start_segment(Mode::line);
}

}  // namespace mallard::imap
