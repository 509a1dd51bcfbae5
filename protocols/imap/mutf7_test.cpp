// Modified UTF-7 mailbox names (RFC 3501 §5.1.3), with the RFC's own example.
#include "protocols/imap/mutf7.h"

#include <gtest/gtest.h>

namespace mallard::imap {
namespace {

TEST(Mutf7, ascii_passes_and_ampersand_is_escaped) {
    EXPECT_EQ(mutf7_encode("Sent/Work"), "Sent/Work");
    EXPECT_EQ(mutf7_encode("A&B"), "A&-B");
    EXPECT_EQ(mutf7_decode("A&-B"), "A&B");
}

TEST(Mutf7, rfc3501_example_round_trips) {
    // "~peter/mail/台北/日本語"
    const std::string utf8 = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
    EXPECT_EQ(mutf7_encode(utf8), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    EXPECT_EQ(mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), utf8);
}

TEST(Mutf7, accents_and_astral_characters) {
    EXPECT_EQ(mutf7_encode("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
    EXPECT_EQ(mutf7_decode("Entw&APw-rfe"), "Entw\xc3\xbcrfe");
    const std::string emoji = "\xf0\x9f\x93\xa7";  // U+1F4E7, a surrogate pair
    EXPECT_EQ(mutf7_decode(mutf7_encode(emoji)), emoji);
}

TEST(Mutf7, malformed_input_is_refused) {
    EXPECT_FALSE(mutf7_decode("&"));            // unterminated
    EXPECT_FALSE(mutf7_decode("&AGE-"));        // printable ASCII in base64
    EXPECT_FALSE(mutf7_decode("&2D0-"));        // lone high surrogate
    EXPECT_FALSE(mutf7_decode("a\xc3\xbc"));    // 8-bit bytes
    EXPECT_FALSE(mutf7_decode("&A/w-"));        // '/' is not in the modified alphabet
}

}  // namespace
}  // namespace mallard::imap
