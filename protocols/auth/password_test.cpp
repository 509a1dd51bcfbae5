#include "protocols/auth/password.h"

#include <gtest/gtest.h>

namespace mallard::auth {

TEST(Password, a_new_hash_is_argon2id_in_phc_format_and_verifies) {
    auto hash = hash_password("correct horse");
    ASSERT_TRUE(hash) << hash.error().to_string();
    EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
    EXPECT_EQ(verify_password("correct horse", *hash), Verdict::match);
    EXPECT_EQ(verify_password("correct horsf", *hash), Verdict::mismatch);
    EXPECT_EQ(verify_password("", *hash), Verdict::mismatch);
}

TEST(Password, the_same_password_gets_a_different_salt_each_time) {
    auto a = hash_password("secret", {1, 1024, 1});
    auto b = hash_password("secret", {1, 1024, 1});
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    EXPECT_EQ(verify_password("secret", *b), Verdict::match);
}

TEST(Password, malformed_or_unknown_hashes_never_match) {
    EXPECT_EQ(verify_password("x", ""), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "x"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$argon2id$v=19$m=1,t=1,p=1$garbage"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$argon2id$"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "{PLAIN}x"), Verdict::unsupported_format);
}

// Made by Python's crypt module (libxcrypt) and hashlib, not by us.
TEST(Password, imported_bcrypt_hashes_verify_in_every_variant) {
    const std::string b2b = "$2b$04$MJ4iJlG/Ru07vPwgyCuw/.jGGic25I4qLLBiAdidloSQkaGaUYF7u";
    EXPECT_EQ(verify_password("hunter2", b2b), Verdict::match);
    EXPECT_EQ(verify_password("hunter3", b2b), Verdict::mismatch);
    EXPECT_EQ(verify_password("hunter2", "$2y$" + b2b.substr(4)), Verdict::match);
    const std::string b2a = "$2a$04$abcdefghijklmnopqrstuuV3duMsC0HpUex6N9qapiuOHHWkwRXVm";
    EXPECT_EQ(verify_password("hunter2", b2a), Verdict::match);
    EXPECT_EQ(verify_password(std::string("hunter2\0x", 9), b2a), Verdict::mismatch);
    EXPECT_TRUE(needs_rehash(b2a));
}

TEST(Password, imported_sha512_crypt_hashes_verify) {
    const std::string h = "$6$8f3qfVUQ9eW0u7Wv$DL0/pI0IAwkzoiNIGtTCgDooMkQ1IRkqsddfwUpcMCXuZX1kTCZv7c.nmuOVSmV9SiL0r2FX6paExVqFAXWCI0";
    EXPECT_EQ(verify_password("hunter2", h), Verdict::match);
    EXPECT_EQ(verify_password("hunter", h), Verdict::mismatch);
}

TEST(Password, imported_pbkdf2_hashes_verify_in_phc_and_passlib_form) {
    const std::string phc = "$pbkdf2-sha512$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$Xp/4UtI3VYuUskUJvg/ElBho/1QUob2t4wOqDH2dRs5/"
                            "P6kzj5+E8oi97sPcw7P4ZvydZ2rKx3aQeetuxYWOOg";
    EXPECT_EQ(verify_password("hunter2", phc), Verdict::match);
    EXPECT_EQ(verify_password("Hunter2", phc), Verdict::mismatch);
    EXPECT_EQ(verify_password("hunter2", "$pbkdf2-sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg$pj4T35D2v4tYmC1sTJ1y5tcMADOdtnQGvuHmyYDQh2g"),
              Verdict::match);
    EXPECT_TRUE(needs_rehash(phc));
}

TEST(Password, broken_imported_hashes_are_unsupported_never_a_match) {
    EXPECT_EQ(verify_password("x", "$2b$04$short"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$2b$99$MJ4iJlG/Ru07vPwgyCuw/.jGGic25I4qLLBiAdidloSQkaGaUYF7u"),
              Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$pbkdf2-sha512$i=0$AAAA$AAAA"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$pbkdf2-sha512$i=99999999999$AAAA$AAAA"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$pbkdf2-md5$i=10$AAAA$AAAA"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$pbkdf2-sha512$i=10$AA!A$AAAA"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$pbkdf2-sha512$i=10$AAAA$"), Verdict::unsupported_format);
    EXPECT_EQ(verify_password("x", "$pbkdf2-sha512$i=10$AAAA"), Verdict::unsupported_format);
}

TEST(Password, only_argon2id_needs_no_rehash) {
    auto hash = hash_password("x", {1, 1024, 1});
    ASSERT_TRUE(hash);
    EXPECT_FALSE(needs_rehash(*hash));
}

TEST(Password, generated_passwords_are_lowercase_letters_of_the_asked_length) {
    std::string p = generate_password(16);
    EXPECT_EQ(p.size(), 16u);
    for (char c : p) EXPECT_TRUE(c >= 'a' && c <= 'z');
    EXPECT_NE(generate_password(), generate_password());
}

}  // namespace mallard::auth
