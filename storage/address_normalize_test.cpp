#include "storage/address_normalize.h"

#include <gtest/gtest.h>

using namespace mallard::storage;

TEST(Domain, rfc3492_samples_through_idna) {
    struct Sample {
        const char* unicode;
        const char* ascii;
    };
    const Sample samples[] = {
        {"bücher.example", "xn--bcher-kva.example"},
        {"münchen.de", "xn--mnchen-3ya.de"},
        {"他们为什么不说中文.cn", "xn--ihqwcrb4cv8a8dqg056pqjye.cn"},  // RFC 3492 §7.1 (B)
        {"exämple.com", "xn--exmple-cua.com"},
    };
    for (const auto& s : samples) {
        EXPECT_EQ(domain_to_ascii(s.unicode).value_or("?"), s.ascii) << s.unicode;
        EXPECT_EQ(domain_to_unicode(s.ascii).value_or("?"), s.unicode) << s.ascii;
    }
}

// UTS #46 mapping, which ASCII folding alone missed: upper-case non-ASCII letters and decomposed input.
TEST(Domain, unicode_case_and_nfc_folded) {
    EXPECT_EQ(domain_to_unicode("BÜCHER.Example").value_or("?"), "bücher.example");
    EXPECT_EQ(domain_to_unicode("bu\xcc\x88" "cher.example").value_or("?"), "bücher.example");  // u + U+0308
    EXPECT_EQ(domain_to_ascii("[127.0.0.1]").value_or("?"), "[127.0.0.1]");
    EXPECT_EQ(domain_to_ascii("Under_score.Example").value_or("?"), "under_score.example");
}

TEST(Domain, rejects_invalid_idna) {
    EXPECT_FALSE(domain_to_unicode("xn--abc-.com"));
    EXPECT_FALSE(domain_to_ascii("\xff.com"));
    EXPECT_FALSE(domain_to_ascii(".com"));
    EXPECT_FALSE(domain_to_ascii(std::string_view("a\0b.com", 7)));
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
    // Stored and shown as WildDuck stores it: Unicode domain, local part folded but otherwise as given.
    EXPECT_EQ(b->display, "info@bücher.example");
    auto c = normalize_address("First.Last+tag@Exämple.COM");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->display, "first.last+tag@exämple.com");
    EXPECT_EQ(c->key(), "firstlast@exämple.com");
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
