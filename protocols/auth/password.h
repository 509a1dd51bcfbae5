// Password hashing shared by every protocol and the tools: argon2id for every new password, in the PHC string
// format ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"). Hashing costs tens of milliseconds on purpose, so
// call these through the thread pool, never on a reactor thread.
// Imported hashes in the formats WildDuck stores verify too (hash_formats.cpp): bcrypt "$2a$"/"$2b$"/"$2y$" and
// the SHA-crypt family "$5$"/"$6$" through libxcrypt's crypt_r, and "$pbkdf2-sha512$" (also -sha256, -sha1)
// as @phc/pbkdf2 writes it. needs_rehash() tells the login code to replace them with argon2id once the
// password is known.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace mallard::auth {

struct Argon2Params {
    std::uint32_t time_cost = 2;         // passes
    std::uint32_t memory_kib = 19456;    // 19 MiB: OWASP's minimum recommendation for argon2id
    std::uint32_t parallelism = 1;
};

core::Result<std::string> hash_password(std::string_view password, const Argon2Params& params = {});

enum class Verdict { match, mismatch, unsupported_format };
// Compares in constant time. An unknown or malformed hash is `unsupported_format`, never a match.
Verdict verify_password(std::string_view password, const std::string& encoded_hash);

// Whether `encoded_hash` is in a format verify_password reads (argon2, bcrypt, SHA-crypt, PBKDF2): what an
// import of already hashed passwords may store.
bool is_supported_hash(std::string_view encoded_hash);

// True for every stored hash that is not argon2id: after a successful login it is replaced (upgraded).
bool needs_rehash(std::string_view encoded_hash);

// The two as thread-pool jobs (core::ThreadPool::run): hashing costs tens of milliseconds on purpose, so it
// never runs on a reactor thread.
struct HashJob {
    std::string password;
    Argon2Params params;
    core::Result<std::string> operator()() const { return hash_password(password, params); }
};
struct VerifyJob {
    std::string password;
    std::string hash;
    Verdict operator()() const { return verify_password(password, hash); }
};

// A random password of `letters` lowercase letters (for generated credentials shown once).
std::string generate_password(std::size_t letters = 16);

}  // namespace mallard::auth
