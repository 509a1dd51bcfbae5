#include "storage/address_normalize.h"

#include <gtest/gtest.h>

using namespace mallard::storage;

TEST(Punycode, rfc3492_samples_round_trip) {
    struct Sample {
        const char* unicode;
        const char* ascii;
    };
    const Sample samples[] = {
        {"bücher", "bcher-kva"},
        {"münchen", "mnchen-3ya"},
        {"他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"},                  // RFC 3492 §7.1 (B)
        {"3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"},                      // (L)
        {"-> $1.00 <-", "-> $1.00 <--"},                                      // (S)
    };
    for (const auto& s : samples) {
        EXPECT_EQ(punycode_encode(s.unicode).value_or("?"), s.ascii) << s.unicode;
        EXPECT_EQ(punycode_decode(s.ascii).value_or("?"), s.unicode) << s.ascii;
    }
}

TEST(Punycode, rejects_malformed) {
    EXPECT_FALSE(punycode_decode("abc-!!"));
    EXPECT_FALSE(punycode_decode("99999999999999"));  // overflow
    EXPECT_FALSE(punycode_encode("\xff"));
}

TEST(Domain, unicode_and_ascii_forms_meet) {
    EXPECT_EQ(domain_to_unicode("XN--BCHER-KVA.Example").value_or("?"), "bücher.example");
    EXPECT_EQ(domain_to_ascii("Bücher.example").value_or("?"), "xn--bcher-kva.example");
    EXPECT_EQ(domain_to_ascii("example.com.").value_or("?"), "example.com");
    EXPECT_FALSE(domain_to_unicode("a..b"));
    EXPECT_FALSE(domain_to_unicode("xn--!.com"));
}

TEST(NormalizeAddress, case_dots_and_label) {
    auto a = normalize_address("John.Doe+Lists@Example.COM");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->local, "johndoe");
    EXPECT_EQ(a->label, "Lists");
    EXPECT_EQ(a->key(), "johndoe@example.com");
    auto b = normalize_address("johndoe@example.com");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->key(), a->key());
    EXPECT_EQ(b->label, "");
}

TEST(NormalizeAddress, idn_domains_match_in_both_forms) {
    auto a = normalize_address("info@bücher.example");
    auto b = normalize_address("INFO@xn--bcher-kva.example");
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_EQ(a->key(), b->key());
    EXPECT_EQ(a->domain_ascii, "xn--bcher-kva.example");
}

TEST(NormalizeAddress, utf8_local_part_accepted) {
    auto a = normalize_address("Jürgen.Müller@example.de");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->local, "jürgenmüller");
}

TEST(NormalizeAddress, rejects_bad_input) {
    EXPECT_FALSE(normalize_address("no-at-sign"));
    EXPECT_FALSE(normalize_address("@example.com"));
    EXPECT_FALSE(normalize_address("user@"));
    EXPECT_FALSE(normalize_address("+label@example.com"));
    EXPECT_FALSE(normalize_address("u\xc3@example.com"));
    EXPECT_EQ(normalize_address("x").error().code, mallard::core::Errc::bad_input);
}
