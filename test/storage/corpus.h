// A deterministic generator of varied RFC 5322 messages for the store's round-trip property and its
// benchmark: plain text (US-ASCII, 8-bit UTF-8, quoted-printable), multipart/alternative, multipart/mixed
// whose attachments recur across messages in several base64 layouts (so de-duplication has work to do),
// forwarded message/rfc822, RFC 2047/2231 headers in several charsets, 8-bit and binary parts, CRLF and
// bare-LF messages, and malformed ones (RFC 5322, RFC 2045-2047, RFC 2231; the malformations are the
// ones issue 3 names). Attachments look like real files, not zeroes, so compression figures are honest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mallard::storage::test {

struct CorpusMessage {
    std::string name;  // unique within a corpus: "0042-mixed_b64_76"
    std::string kind;  // one of corpus_kinds()
    std::string raw;   // the message bytes
};

// Every kind the generator produces; the first corpus_kinds().size() messages of any corpus take them
// in this order, so even a small corpus covers all of them.
const std::vector<std::string_view>& corpus_kinds();

// The same (seed, count) always gives the same messages. Sizes run from under 1 KB to about 2 MB; the
// heavy kinds (2 MB attachment, 1 MB line, 200-deep nesting) are rare after the first round.
std::vector<CorpusMessage> generate_corpus(std::uint32_t seed, std::size_t count);

// The contents of every *.eml file in `dir`, sorted by file name. Throws if `dir` can't be read.
std::vector<std::string> load_corpus_dir(const std::string& dir);

}  // namespace mallard::storage::test
