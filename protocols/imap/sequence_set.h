// Sequence sets: RFC 3501 §9 (sequence-set, seq-range), with RFC 5182's "$" (SEARCHRES).
// Kept as the client wrote them ("*" unresolved, ranges in either order) until the session knows the
// largest number in use and calls resolve().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mallard::imap {

struct SequenceSet {
    static constexpr std::uint32_t star = 0;  // "*": the largest number in use (never a valid nz-number)

    // One range as written: "5" is {5, 5}, "5:2" is {5, 2}, "3:*" is {3, star}.
    struct Range {
        std::uint32_t first = 1;
        std::uint32_t last = 1;
        bool operator==(const Range&) const = default;
    };
    std::vector<Range> ranges;
    bool saved = false;  // "$": the result saved by SEARCH RETURN (SAVE); `ranges` is empty

    bool operator==(const SequenceSet&) const = default;

    // Ranges with "*" replaced by `largest` and each ordered first <= last (RFC 3501 §9: "5:2" = "2:5"),
    // in the order written; overlaps are kept. With `largest` == 0 (an empty mailbox) "*" resolves to 0.
    std::vector<Range> resolve(std::uint32_t largest) const;
};

// Parses a whole sequence set ("1,3:5,*", "$"); nullopt when malformed or when it has more than
// `max_ranges` ranges.
std::optional<SequenceSet> parse_sequence_set(std::string_view text, std::size_t max_ranges);

}  // namespace mallard::imap
