#include "protocols/auth/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "protocols/auth/hash_formats.h"
#include <vector>

namespace mallard::auth {

namespace {
constexpr std::size_t salt_bytes = 16;
constexpr std::size_t hash_bytes = 32;
}  // namespace

core::Result<std::string> hash_password(std::string_view password, const Argon2Params& params) {
    unsigned char salt[salt_bytes];
    if (RAND_bytes(salt, sizeof salt) != 1) return core::Error(core::Errc::internal, "no randomness for a salt");
    std::size_t length = argon2_encodedlen(params.time_cost, params.memory_kib, params.parallelism, salt_bytes,
                                           hash_bytes, Argon2_id);
    std::vector<char> encoded(length);
    int rc = argon2id_hash_encoded(params.time_cost, params.memory_kib, params.parallelism, password.data(),
                                   password.size(), salt, sizeof salt, hash_bytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) return core::Error(core::Errc::internal, std::string("argon2: ") + argon2_error_message(rc));
    return std::string(encoded.data());
}

Verdict verify_password(std::string_view password, const std::string& encoded_hash) {
    if (encoded_hash.rfind("$argon2id$", 0) == 0 || encoded_hash.rfind("$argon2i$", 0) == 0 ||
        encoded_hash.rfind("$argon2d$", 0) == 0) {
        argon2_type type = encoded_hash[7] == 'i' && encoded_hash[8] == 'd' ? Argon2_id
                           : encoded_hash[7] == 'i'                          ? Argon2_i
                                                                             : Argon2_d;
        int rc = argon2_verify(encoded_hash.c_str(), password.data(), password.size(), type);
        if (rc == ARGON2_OK) return Verdict::match;
        if (rc == ARGON2_VERIFY_MISMATCH) return Verdict::mismatch;
        return Verdict::unsupported_format;
    }
    if (is_crypt_hash(encoded_hash)) return verify_crypt(password, encoded_hash);
    if (encoded_hash.rfind("$pbkdf2-", 0) == 0) return verify_pbkdf2(password, encoded_hash);
    return Verdict::unsupported_format;
}

bool is_supported_hash(std::string_view h) {
    for (std::string_view prefix : {"$argon2id$", "$argon2i$", "$argon2d$", "$pbkdf2-sha512$", "$pbkdf2-sha256$",
                                    "$pbkdf2-sha1$", "$pbkdf2$"}) {
        if (h.substr(0, prefix.size()) == prefix) return true;
    }
    return is_crypt_hash(h);
}

bool needs_rehash(std::string_view encoded_hash) { return encoded_hash.rfind("$argon2id$", 0) != 0; }

std::string generate_password(std::size_t letters) {
    std::string out;
    out.reserve(letters);
    while (out.size() < letters) {
        unsigned char byte;
        if (RAND_bytes(&byte, 1) != 1) throw std::runtime_error("no randomness for a password");
        if (byte < 26 * 9) out.push_back(static_cast<char>('a' + byte % 26));  // unbiased: 234 = 9 × 26
    }
    return out;
}

}  // namespace mallard::auth
