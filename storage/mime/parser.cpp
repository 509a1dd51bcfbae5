// The streaming MIME parser: RFC 5322 §2.2 (header blocks), RFC 2045 §5, RFC 2046 §5.1 (multipart
// boundaries: at line start, "--" closing, transport padding, CRLF or bare LF), RFC 2046 §5.2.1
// (message/rfc822), RFC 6532 §3.7 (message/global).
//
// Input is consumed line by line; of each line only its first line_cap_ bytes are kept (enough to
// classify a header line or recognise a boundary), and of each header block at most
// max_header_bytes. A line break is attributed to the boundary line that follows it only once that
// line is seen, which is why lines are processed when they end.
#include "storage/mime/parser.h"

#include <algorithm>
#include <cstring>

#include "storage/mime/header_fields.h"

namespace mallard::storage::mime {

namespace {

bool opens_as_message(const Part& p) {
    // An encoded message/rfc822 breaks RFC 2046 §5.2.1; it is kept as an opaque leaf.
    return p.type == "message" && (p.subtype == "rfc822" || p.subtype == "global") &&
           (p.encoding == "7bit" || p.encoding == "8bit" || p.encoding == "binary");
}

}  // namespace

Parser::Parser(const ParserLimits& limits)
    : limits_(limits),
      line_cap_(std::max<std::size_t>(limits.max_boundary_bytes + 8, 256)),
      msg_(std::make_unique<ParsedMessage>()) {
    Frame root;
    root.part = &msg_->root;
    root.message_top = true;
    stack_.push_back(std::move(root));
}

void Parser::feed(std::string_view bytes) {
    if (finished_) return;
    while (!bytes.empty()) {
        const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
        std::size_t n = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) + 1 : bytes.size();
        take(bytes.substr(0, n), nl != nullptr);
        bytes.remove_prefix(n);
    }
}

ParsedMessage Parser::finish() {
    if (!finished_) {
        finished_ = true;
        if (pos_ > line_start_) end_line(Line{line_start_, pos_, pos_});
        close_above(0, Mark{pos_, lfs_}, Mark{pos_, lfs_});
        msg_->size = pos_;
    }
    return std::move(*msg_);
}

// Accounts for a piece of the current line; `ends_line`: the piece ends with its LF.
void Parser::take(std::string_view segment, bool ends_line) {
    std::string_view content = ends_line ? segment.substr(0, segment.size() - 1) : segment;
    bool crlf = false;
    if (ends_line) crlf = content.empty() ? (pos_ > line_start_ && last_byte_ == '\r') : content.back() == '\r';
    if (line_.size() < line_cap_) {
        std::size_t n = std::min(line_cap_ - line_.size(), content.size());
        line_.append(content.substr(0, n));
        content.remove_prefix(n);
    }
    if (line_tail_blank_ && content.find_first_not_of(" \t\r") != std::string_view::npos) line_tail_blank_ = false;
    if (stack_.back().state == State::header && !header_full_) {
        std::size_t room = limits_.max_header_bytes - header_.size();
        header_full_ = segment.size() > room;
        header_.append(segment.substr(0, std::min(room, segment.size())));
    }
    pos_ += segment.size();
    last_byte_ = segment.back();
    if (ends_line) end_line(Line{line_start_, pos_ - 1 - (crlf ? 1 : 0), pos_});
}

void Parser::end_line(const Line& line) {
    // A line that ends a header block without a blank line is processed again in the part it starts.
    for (;;) {
        if (live_boundaries_ > 0 && match_boundary(line)) break;
        if (stack_.back().state == State::body || !header_line(line)) break;
    }
    if (line.end > line.eol) ++lfs_;
    prev_eol_ = line.eol;
    line_start_ = line.end;
    line_.clear();
    line_tail_blank_ = true;
}

// "--" boundary ["--"] then only whitespace: the innermost live boundary that matches exactly wins,
// so an inner boundary that is a prefix of an outer one does not capture the outer's lines.
bool Parser::match_boundary(const Line& line) {
    std::string_view s = line_;
    if (s.size() < 2 || s[0] != '-' || s[1] != '-' || !line_tail_blank_) return false;
    for (std::size_t k = stack_.size(); k-- > 0;) {
        const std::string& b = stack_[k].boundary;
        if (b.empty() || s.size() < 2 + b.size() || s.compare(2, b.size(), b) != 0) continue;
        std::string_view rest = s.substr(2 + b.size());
        bool closing = rest.size() >= 2 && rest[0] == '-' && rest[1] == '-';
        if (closing) rest.remove_prefix(2);
        if (rest.find_first_not_of(" \t\r") != std::string_view::npos) continue;

        // The line break before the boundary line belongs to the boundary (RFC 2046 §5.1.1).
        Mark before = line.start > 0 ? Mark{prev_eol_, lfs_ - 1} : Mark{0, 0};
        close_above(k + 1, before, Mark{line.start, lfs_});
        Frame& m = stack_[k];
        if (closing) {
            m.boundary.clear();  // the epilogue follows; its lines are the multipart's own
            --live_boundaries_;
        } else if (parts_ >= limits_.max_parts) {
            msg_->issues |= issue::part_limit;  // the part's lines stay in the multipart's body
        } else {
            bool digest = m.part->subtype == "digest";
            m.part->children.emplace_back();
            push_child(m.part->children.back(), m.depth + 1, Mark{line.end, lfs_ + (line.end > line.eol)}, false,
                       digest);
        }
        return true;
    }
    return false;
}

// A line in the innermost part's header block. Returns true when the line turned out to be the
// first line of that part's body and must be processed again.
bool Parser::header_line(const Line& line) {
    Frame& f = stack_.back();
    std::size_t offset = static_cast<std::size_t>(line.start - f.part->header_start);  // in header_
    switch (classify_header_line(line_, f.after_field)) {
    case HeaderLine::blank:
        end_header(Mark{line.end, lfs_ + (line.end > line.eol)}, header_.size());
        return false;
    case HeaderLine::field:
    case HeaderLine::continuation:
        f.after_field = true;
        if (header_full_) {
            msg_->issues |= issue::header_limit;  // the rest is body; the line that overflowed is dropped
            end_header(Mark{line.end, lfs_ + (line.end > line.eol)}, offset);
        }
        return false;
    case HeaderLine::other:
        break;
    }
    msg_->issues |= issue::no_header_end;
    std::string carry = offset < header_.size() ? header_.substr(offset) : std::string();
    end_header(Mark{line.start, lfs_}, offset);
    if (stack_.back().state == State::header) header_ = std::move(carry);  // a nested message starts here
    return true;
}

// Ends the innermost part's header block; its body starts at `body_start`. `keep_bytes` of header_
// belong to the block.
void Parser::end_header(Mark body_start, std::size_t keep_bytes) {
    Frame& f = stack_.back();
    if (keep_bytes < header_.size()) header_.resize(keep_bytes);
    std::vector<HeaderField> fields = split_header_fields(header_);
    apply_mime_fields(*f.part, fields, f.in_digest);
    if (f.message_top) f.part->envelope = make_envelope(fields);
    header_.clear();
    header_full_ = false;
    start_body(f, body_start);  // may push a frame: f is not used afterwards
}

void Parser::start_body(Frame& f, Mark body_start) {
    Part& p = *f.part;
    p.body_start = p.body_end = body_start.offset;
    f.state = State::body;
    f.lfs_at_body = body_start.lfs;
    if (p.type == "multipart") {
        const Param* b = p.param("boundary");
        // As written; only an RFC 2231 form ("boundary*=''…") needs its decoded value.
        std::string_view boundary = !b ? std::string_view() : b->extended ? b->value : b->raw;
        if (boundary.empty() || boundary.size() > limits_.max_boundary_bytes) {
            msg_->issues |= issue::bad_boundary;
        } else if (f.depth >= limits_.max_depth) {
            msg_->issues |= issue::depth_limit;
        } else {
            p.kind = PartKind::multipart;
            f.boundary = boundary;
            ++live_boundaries_;
        }
    } else if (opens_as_message(p)) {
        if (f.depth >= limits_.max_depth) {
            msg_->issues |= issue::depth_limit;
        } else if (parts_ >= limits_.max_parts) {
            msg_->issues |= issue::part_limit;
        } else {
            p.kind = PartKind::message;
            p.children.emplace_back();
            push_child(p.children.back(), f.depth + 1, body_start, true, false);
        }
    }
}

void Parser::push_child(Part& part, std::uint32_t depth, Mark start, bool message_top, bool in_digest) {
    part.header_start = part.body_start = part.body_end = start.offset;
    ++parts_;
    Frame f;
    f.part = &part;
    f.depth = depth;
    f.message_top = message_top;
    f.in_digest = in_digest;
    stack_.push_back(std::move(f));
    header_.clear();
    header_full_ = false;
}

// Closes the frames above the first `keep`, at `end`. A part that began on the current line (it has
// no line before the boundary) ends at `line_start` instead, so no part ends before it starts.
void Parser::close_above(std::size_t keep, Mark end, Mark line_start) {
    Mark e = end;
    while (stack_.size() > keep) {
        Frame& f = stack_.back();
        if (f.part->header_start > e.offset) e = line_start;
        if (f.state == State::header) {
            msg_->issues |= issue::no_header_end;
            std::uint64_t before_line = line_start.offset - std::min(line_start.offset, f.part->header_start);
            end_header(e, static_cast<std::size_t>(std::min<std::uint64_t>(before_line, header_.size())));
            continue;  // a nested message's top part may have been pushed: it closes first
        }
        Part& p = *f.part;
        p.body_start = std::min(p.body_start, e.offset);  // a header's last line break may be the boundary's
        p.body_end = e.offset;
        p.body_lines = e.offset > p.body_start ? e.lfs - f.lfs_at_body : 0;
        if (!f.boundary.empty()) {
            msg_->issues |= issue::unclosed_multipart;
            --live_boundaries_;
        }
        stack_.pop_back();
    }
}

ParsedMessage parse(std::string_view message, const ParserLimits& limits) {
    Parser parser(limits);
    parser.feed(message);
    return parser.finish();
}

}  // namespace mallard::storage::mime
