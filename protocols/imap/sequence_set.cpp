// Sequence sets: RFC 3501 §9, RFC 5182 ("$").
#include "protocols/imap/sequence_set.h"

#include <utility>

namespace mallard::imap {

std::vector<SequenceSet::Range> SequenceSet::resolve(std::uint32_t largest) const {
    std::vector<Range> out;
    out.reserve(ranges.size());
    for (Range r : ranges) {
        if (r.first == star) r.first = largest;
        if (r.last == star) r.last = largest;
        if (r.first > r.last) std::swap(r.first, r.last);
        out.push_back(r);
    }
    return out;
}

namespace {

// seq-number = nz-number / "*"; nz-number fits in 32 bits (RFC 3501 §9: number is 0..4294967295).
bool parse_seq_number(std::string_view& text, std::uint32_t& out) {
    if (!text.empty() && text.front() == '*') {
        text.remove_prefix(1);
        out = SequenceSet::star;
        return true;
    }
    if (text.empty() || text.front() < '1' || text.front() > '9') return false;
    std::uint64_t value = 0;
    while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
        value = value * 10 + static_cast<std::uint64_t>(text.front() - '0');
        if (value > 0xffffffffu) return false;
        text.remove_prefix(1);
    }
    out = static_cast<std::uint32_t>(value);
    return true;
}

}  // namespace

std::optional<SequenceSet> parse_sequence_set(std::string_view text, std::size_t max_ranges) {
    SequenceSet set;
    if (text == "$") {
        set.saved = true;
        return set;
    }
    for (;;) {
        SequenceSet::Range range;
        if (!parse_seq_number(text, range.first)) return std::nullopt;
        range.last = range.first;
        if (!text.empty() && text.front() == ':') {
            text.remove_prefix(1);
            if (!parse_seq_number(text, range.last)) return std::nullopt;
        }
        if (set.ranges.size() >= max_ranges) return std::nullopt;
        set.ranges.push_back(range);
        if (text.empty()) return set;
        if (text.front() != ',') return std::nullopt;
        text.remove_prefix(1);
    }
}

}  // namespace mallard::imap
