// The benchmark's messages: the sizes and shapes it promises, and marker words exactly where they were put
// (mallard-imap-bench checks SEARCH answers against them).
#include "perf/imap_message_gen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace mallard::perf {
namespace {

// The message's bytes lower-cased with quoted-printable soft line breaks removed, so a word split by one
// is still found.
std::string searchable(const std::string& raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw.compare(i, 3, "=\r\n") == 0) {
            i += 2;
            continue;
        }
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(raw[i])));
    }
    return out;
}

TEST(ImapMessageGen, SameSeedAndIndexSameMessage) {
    EXPECT_EQ(make_bench_message(7, 42).raw, make_bench_message(7, 42).raw);
    EXPECT_NE(make_bench_message(7, 42).raw, make_bench_message(7, 43).raw);
    EXPECT_NE(make_bench_message(7, 42).raw, make_bench_message(8, 42).raw);
}

TEST(ImapMessageGen, SizesShapesFlagsAndMarkers) {
    constexpr unsigned count = 2000;
    unsigned plain = 0, utf8 = 0, qp = 0, alternative = 0, mixed = 0, flagged = 0, rare = 0, common = 0;
    for (unsigned i = 0; i < count; ++i) {
        BenchMessage m = make_bench_message(20241123, i);
        EXPECT_GE(m.raw.size(), 1800u) << i;
        EXPECT_LE(m.raw.size(), 22u * 1024) << i;
        EXPECT_EQ(m.raw.find("\r\n\r\n") != std::string::npos, true) << i;
        EXPECT_EQ(m.raw.find('\n'), m.raw.find("\r\n") + 1) << i;  // CRLF line ends
        plain += m.raw.find("charset=us-ascii\r\nContent-Transfer-Encoding: 7bit") != std::string::npos;
        utf8 += m.raw.find("Content-Transfer-Encoding: 8bit") != std::string::npos;
        qp += m.raw.find("Content-Transfer-Encoding: quoted-printable") != std::string::npos;
        alternative += m.raw.find("multipart/alternative") != std::string::npos;
        mixed += m.raw.find("Content-Disposition: attachment") != std::string::npos;
        flagged += m.flagged;
        rare += m.has_rare;
        common += m.has_common;
        const std::string text = searchable(m.raw);
        EXPECT_EQ(text.find(rare_word) != std::string::npos, m.has_rare) << i;
        EXPECT_EQ(text.find(common_word) != std::string::npos, m.has_common) << i;
        EXPECT_EQ(text.find(missing_word), std::string::npos) << i;
    }
    // Every shape, in roughly the promised shares.
    EXPECT_GT(plain, count * 45 / 100);
    EXPECT_GT(utf8, count * 5 / 100);
    EXPECT_GT(qp, count * 2 / 100);
    EXPECT_GT(alternative, count * 6 / 100);
    EXPECT_GT(mixed, count * 15 / 100);
    EXPECT_GT(flagged, 0u);
    EXPECT_LT(flagged, count / 10);
    EXPECT_GT(rare, 0u);
    EXPECT_LT(rare, count / 25);
    EXPECT_GT(common, count / 10);
    EXPECT_LT(common, count * 3 / 10);
}

}  // namespace
}  // namespace mallard::perf
