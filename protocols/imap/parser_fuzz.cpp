// libFuzzer target for the IMAP parser: arbitrary bytes through small limits, fed whole and in
// input-derived chunks, which must give the same results; every result is checked against the limits.
//
// Built with clang and libFuzzer by test/fuzz/run_fuzzer.sh (ctest runs it for 30 s; by hand:
//   test/fuzz/run_fuzzer.sh imap_parser_fuzz 600 test/fuzz/imap).
// In every ctest run, imap_parser_fuzz_replay feeds this entry point the corpus in test/fuzz/imap.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/imap/parser.h"

namespace {

using namespace mallard::imap;

void check(bool ok) {
    if (!ok) std::abort();
}

ParserLimits small_limits(bool literal_minus) {
    ParserLimits l;
    if (literal_minus) l.max_nonsync_literal_bytes = 50;
    l.max_line_bytes = 300;
    l.max_literal_bytes = 200;
    l.max_append_bytes = 1000;
    l.max_search_depth = 6;
    l.max_arguments = 60;
    l.max_sequence_ranges = 8;
    return l;
}

void check_limits(const Step& step, const ParserLimits& l) {
    const auto* cmd = std::get_if<Command>(&step);
    if (!cmd) return;
    if (const auto* a = std::get_if<Append>(&cmd->args)) {
        std::size_t total = 0;
        for (const auto& m : a->messages) total += m.message.size();
        check(total <= l.max_append_bytes);
    }
    if (const auto* f = std::get_if<FetchCommand>(&cmd->args)) {
        check(f->set.ranges.size() <= l.max_sequence_ranges);
        for (const auto& r : f->set.resolve(17)) check(r.first <= r.last);
    }
    if (std::holds_alternative<RawLine>(cmd->args)) check(cmd->tag.empty());
    else check(!cmd->tag.empty());
}

// Feeds `in` to a parser `chunk(i)` bytes at a time, the way a session drains its read buffer.
template <class Chunk>
std::vector<Step> run(std::string_view in, bool utf8, bool literal_minus, Chunk chunk) {
    const ParserLimits limits = small_limits(literal_minus);
    Parser parser(limits);
    parser.enable_utf8(utf8);
    std::vector<Step> out;
    std::string buffer;
    std::size_t fed = 0;
    for (std::size_t i = 0; fed < in.size(); ++i) {
        std::size_t n = std::min(in.size() - fed, chunk(i));
        buffer.append(in.substr(fed, n));
        fed += n;
        int stalls = 0;
        for (;;) {
            std::string_view view = buffer;
            Step step = parser.parse(view);
            std::size_t consumed = buffer.size() - view.size();
            buffer.erase(0, consumed);
            if (std::holds_alternative<NeedMore>(step)) {
                check(buffer.empty());
                break;
            }
            stalls = consumed == 0 ? stalls + 1 : 0;
            check(stalls < 2);
            check_limits(step, limits);
            // A session answers IDLE, then reads DONE as a raw line; the same for SASL responses.
            if (const auto* cmd = std::get_if<Command>(&step)) {
                const auto* auth = std::get_if<Authenticate>(&cmd->args);
                if (cmd->name == "IDLE" || (auth && !auth->initial_response)) parser.expect_line();
            }
            out.push_back(std::move(step));
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    bool utf8 = size > 0 && (data[0] & 1) != 0;
    bool literal_minus = size > 0 && (data[0] & 2) != 0;
    auto whole = run(in, utf8, literal_minus, [](std::size_t) { return std::size_t(-1); });
    std::uint32_t seed = static_cast<std::uint32_t>(size) * 2654435761u + 1;
    auto chunked = run(in, utf8, literal_minus, [&seed](std::size_t) {
        seed = seed * 1103515245u + 12345u;
        return std::size_t(1 + (seed >> 16) % 23);
    });
    check(whole == chunked);
    auto bytewise = run(in, utf8, literal_minus, [](std::size_t) { return std::size_t(1); });
    check(whole == bytewise);
    return 0;
}
