#include "protocols/auth/totp.h"

#include <gtest/gtest.h>

namespace mallard::auth {

// RFC 6238 Appendix B (SHA1 column), key "12345678901234567890", 8 digits there: the low 6 digits here.
TEST(Totp, rfc6238_test_vectors) {
    const std::string key = "12345678901234567890";
    EXPECT_EQ(hotp_code(key, 59 / 30), "287082");
    EXPECT_EQ(hotp_code(key, 1111111109 / 30), "081804");
    EXPECT_EQ(hotp_code(key, 1234567890 / 30), "005924");
    EXPECT_EQ(hotp_code(key, 20000000000 / 30), "353130");
}

TEST(Totp, base32_round_trips_and_rejects_foreign_characters) {
    EXPECT_EQ(base32_encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    EXPECT_EQ(base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), "12345678901234567890");
    EXPECT_FALSE(base32_decode("GEZ1"));
    auto secret = generate_totp_secret();
    EXPECT_EQ(secret.size(), 32u);
    EXPECT_EQ(base32_decode(secret)->size(), 20u);
}

TEST(Totp, a_window_of_one_step_either_side) {
    const std::string key = "12345678901234567890";
    EXPECT_EQ(match_totp(key, hotp_code(key, 100), 100), 100);
    EXPECT_EQ(match_totp(key, hotp_code(key, 99), 100), 99);
    EXPECT_EQ(match_totp(key, hotp_code(key, 101), 100), 101);
    EXPECT_FALSE(match_totp(key, hotp_code(key, 98), 100));
    EXPECT_FALSE(match_totp(key, "12345", 100));
    EXPECT_FALSE(match_totp(key, "abcdef", 100));
}

TEST(Totp, otpauth_url_names_issuer_and_account) {
    EXPECT_EQ(otpauth_url("Mallard", "a b@example.com", "ABC"),
              "otpauth://totp/Mallard:a%20b@example.com?secret=ABC&issuer=Mallard");
}

}  // namespace mallard::auth
