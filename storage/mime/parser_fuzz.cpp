// libFuzzer target for the MIME code: parse (whole and in input-derived chunks, which must agree),
// serialize/deserialize (which must round-trip), deserialize of the raw input (corruption), text
// extraction, header decoding and the codecs. Any disagreement aborts.
//
// Built with clang and libFuzzer by test/fuzz/run_fuzzer.sh (ctest runs it for MALLARD_FUZZ_SECONDS; by hand:
//   test/fuzz/run_fuzzer.sh mime_parser_fuzz 600 test/fuzz/mime test/data/mime).
// In every ctest run, mime_fuzz_replay feeds this entry point the corpus in test/fuzz/mime.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/mime/address.h"
#include "storage/mime/base64.h"
#include "storage/mime/encoded_words.h"
#include "storage/mime/params.h"
#include "storage/mime/parser.h"
#include "storage/mime/quoted_printable.h"
#include "storage/mime/serialize.h"
#include "storage/mime/text_extract.h"
#include "storage/mime/thread_key.h"
#include "storage/mime/transfer.h"

namespace {

using namespace mallard::storage::mime;

void check(bool ok) {
    if (!ok) std::abort();
}

ParsedMessage parse_in_chunks(std::string_view in, const ParserLimits& limits) {
    Parser parser(limits);
    std::uint32_t seed = static_cast<std::uint32_t>(in.size()) * 2654435761u + 1;
    while (!in.empty()) {
        seed = seed * 1103515245u + 12345u;
        std::size_t n = std::min<std::size_t>(in.size(), 1 + (seed >> 16) % 97);
        parser.feed(in.substr(0, n));
        in.remove_prefix(n);
    }
    return parser.finish();
}

void check_structure(const Part& p, std::uint64_t lo, std::uint64_t hi, std::uint32_t depth) {
    check(lo <= p.header_start && p.header_start <= p.body_start && p.body_start <= p.body_end && p.body_end <= hi);
    check(depth <= ParserLimits{}.max_depth);
    std::uint64_t next = p.body_start;
    for (const auto& c : p.children) {
        check_structure(c, next, p.body_end, depth + 1);
        next = c.body_end;
    }
}

void exercise_parser(std::string_view in) {
    ParsedMessage whole = parse(in);
    check(whole.size == in.size());
    check_structure(whole.root, 0, in.size(), 0);
    check(parse_in_chunks(in, {}) == whole);

    ParserLimits tight{3, 12, 512, 70};
    check(parse_in_chunks(in, tight) == parse(in, tight));

    std::string bytes = serialize(whole);
    auto back = deserialize(bytes);
    check(back.ok() && *back == whole);

    ExtractedText text = extract_text(whole, in, TextLimits{4096, 4096});
    check(text.plain.size() <= 4096);
    (void)thread_key(whole.envelope());
}

void exercise_headers(std::string_view in) {
    std::string_view head = in.substr(0, 16384);
    (void)decode_header_text(head);
    (void)parse_address_list(head);
    (void)parse_content_type(head);
    (void)base_subject(head);
    (void)parse_message_ids(head);
}

void exercise_codecs(std::string_view in) {
    std::string decoded = decode_base64(in);
    check(decode_base64(encode_base64(decoded, {64, false, true})) == decoded);
    if (auto how = find_reencoding(in, TransferEncoding::base64, decoded)) check(reencode(decoded, *how) == in);
    (void)decode_quoted_printable(in);
    std::string split;
    QpDecoder qp;
    for (std::size_t i = 0; i < in.size(); i += 7) qp.decode(in.substr(i, 7), split);
    qp.finish(split);
    check(split == decode_quoted_printable(in));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    exercise_parser(in);
    exercise_headers(in);
    exercise_codecs(in);
    (void)deserialize(in);  // arbitrary bytes: must be rejected or accepted, never crash
    return 0;
}
