// The stored form of a parsed message: round trip, and refusal of anything damaged.
#include "storage/mime/serialize.h"

#include <gtest/gtest.h>

#include "storage/mime/parser.h"
#include "storage/mime/test_util.h"

namespace mallard::storage::mime {
namespace {

TEST(MimeSerialize, round_trip_keeps_every_field) {
    for (const char* name : {"mixed_attachments.eml", "nested_rfc822.eml", "groups.eml", "encoded_headers.eml",
                             "malformed_no_blank.eml"}) {
        SCOPED_TRACE(name);
        ParsedMessage m = test::parse_checked(test::read_data(name));
        std::string bytes = serialize(m);
        auto back = deserialize(bytes);
        ASSERT_TRUE(back.ok()) << back.error().to_string();
        EXPECT_TRUE(*back == m);
        EXPECT_EQ(serialize(*back), bytes);
    }
}

TEST(MimeSerialize, compact) {
    std::string msg = test::read_data("mixed_attachments.eml");
    std::string bytes = serialize(test::parse_checked(msg));
    EXPECT_LT(bytes.size(), 1200u);  // seven parts with their fields, the envelope and the checksum
}

TEST(MimeSerialize, every_truncation_is_refused) {
    std::string bytes = serialize(test::parse_checked(test::read_data("nested_rfc822.eml")));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        auto r = deserialize(std::string_view(bytes).substr(0, n));
        ASSERT_FALSE(r.ok()) << n;
        EXPECT_EQ(r.error().code, core::Errc::bad_input);
    }
}

TEST(MimeSerialize, every_flipped_byte_is_refused) {
    std::string bytes = serialize(test::parse_checked(test::read_data("digest.eml")));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (unsigned char flip : {0x01, 0x80, 0xff}) {
            std::string damaged = bytes;
            damaged[i] = static_cast<char>(damaged[i] ^ flip);
            EXPECT_FALSE(deserialize(damaged).ok()) << i;
        }
    }
    EXPECT_FALSE(deserialize(bytes + "x").ok());
}

TEST(MimeSerialize, structural_checks_behind_a_valid_checksum) {
    // Damage the tree and re-seal it: the checksum passes, the consistency checks must not.
    auto reseal = [](ParsedMessage m) { return deserialize(serialize(m)); };
    ParsedMessage m = test::parse_checked(test::read_data("alternative.eml"));
    ParsedMessage bad = m;
    bad.root.children[1].header_start = 0;  // overlaps its sibling
    EXPECT_FALSE(reseal(bad).ok());
    bad = m;
    bad.root.children[0].body_end = m.size + 1;
    EXPECT_FALSE(reseal(bad).ok());
    bad = m;
    bad.root.kind = PartKind::leaf;  // a leaf with children
    EXPECT_FALSE(reseal(bad).ok());
    bad = m;
    bad.root.envelope.reset();
    EXPECT_FALSE(reseal(bad).ok());
    bad = m;
    bad.root.children[0].kind = PartKind::message;  // without its enveloped child
    EXPECT_FALSE(reseal(bad).ok());
    bad = m;
    bad.root.body_lines = m.size;
    EXPECT_FALSE(reseal(bad).ok());
    EXPECT_TRUE(reseal(m).ok());
}

TEST(MimeSerialize, other_versions_are_refused) {
    std::string bytes = serialize(test::parse_checked("Subject: x\n\ny\n"));
    bytes[3] = 2;
    EXPECT_FALSE(deserialize(bytes).ok());
    EXPECT_FALSE(deserialize("").ok());
    EXPECT_FALSE(deserialize("MMP").ok());
}

}  // namespace
}  // namespace mallard::storage::mime
