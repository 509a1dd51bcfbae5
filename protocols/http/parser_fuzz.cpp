// libFuzzer target for the HTTP request parser: arbitrary bytes through small limits, fed whole and in
// input-derived chunks, which must give the same requests and both end in an error or neither; every
// request is checked against the limits. (The status may differ: libhttp-parser reports a token to its
// callbacks at the end of each chunk, so in small pieces a limit can trip before a syntax error is seen.)
//
// Built with clang and libFuzzer by test/fuzz/run_fuzzer.sh (ctest runs it for 30 s; by hand:
//   test/fuzz/run_fuzzer.sh http_parser_fuzz 600 test/fuzz/http).
// In every ctest run, http_parser_fuzz_replay feeds this entry point the corpus in test/fuzz/http.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/http/parser.h"

namespace {

using namespace mallard::http;

void check(bool ok) {
    if (!ok) std::abort();
}

ParserLimits small_limits() {
    ParserLimits l;
    l.max_url_bytes = 64;
    l.max_header_bytes = 512;
    l.max_body_bytes = 256;
    l.max_headers = 8;
    return l;
}

struct Outcome {
    std::vector<std::string> requests;  // a summary of each request, to compare the two feeds
    int error = 0;
    bool same_as(const Outcome& o) const { return requests == o.requests && (error != 0) == (o.error != 0); }
};

std::string summary(const Request& r, const ParserLimits& l) {
    check(r.target.size() <= l.max_url_bytes);
    check(r.body.size() <= l.max_body_bytes);
    check(r.headers.size() <= l.max_headers);
    check(!r.path.empty() && r.path[0] == '/');
    std::size_t header_bytes = r.target.size();
    for (const auto& [name, value] : r.headers) header_bytes += name.size() + value.size();
    check(header_bytes <= l.max_header_bytes);
    std::string s = r.method + " " + r.target + " " + std::to_string(r.keep_alive) + "\n";
    for (const auto& [name, value] : r.headers) s += name + ":" + value + "\n";
    return s + r.body;
}

// Feeds `data` in pieces whose sizes come from `sizes` (cycled); an empty `sizes` feeds it whole.
Outcome run(std::string_view data, std::string_view sizes) {
    const ParserLimits limits = small_limits();
    RequestParser parser(limits);
    Outcome out;
    std::string buffer;
    std::size_t offset = 0;
    std::size_t turn = 0;
    for (;;) {
        std::size_t used = 0;
        ParseStep step = parser.parse(buffer, used);
        check(used <= buffer.size());
        buffer.erase(0, used);
        if (auto* r = std::get_if<Request>(&step)) {
            out.requests.push_back(summary(*r, limits));
            continue;
        }
        if (auto* e = std::get_if<ParseError>(&step)) {
            check(e->status >= 400 && e->status < 600);
            out.error = e->status;
            return out;
        }
        check(buffer.empty());  // NeedMore: everything was taken
        if (offset >= data.size()) return out;
        std::size_t n = data.size() - offset;
        if (!sizes.empty()) n = std::min<std::size_t>(n, 1 + static_cast<unsigned char>(sizes[turn++ % sizes.size()]) % 17);
        buffer.append(data.substr(offset, n));
        offset += n;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view all(reinterpret_cast<const char*>(data), size);
    // The first bytes choose the chunk sizes; the rest is the request stream.
    std::string_view sizes = all.substr(0, std::min<std::size_t>(4, all.size()));
    std::string_view stream = all.substr(sizes.size());
    check(run(stream, {}).same_as(run(stream, sizes)));
    return 0;
}
