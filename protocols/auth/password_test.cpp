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

TEST(Password, generated_passwords_are_lowercase_letters_of_the_asked_length) {
    std::string p = generate_password(16);
    EXPECT_EQ(p.size(), 16u);
    for (char c : p) EXPECT_TRUE(c >= 'a' && c <= 'z');
    EXPECT_NE(generate_password(), generate_password());
}

}  // namespace mallard::auth
