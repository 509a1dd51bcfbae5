// Password hashing shared by every protocol and the tools: argon2id for every new password, in the PHC string
// format ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"). Hashing costs tens of milliseconds on purpose, so
// call these through the thread pool, never on a reactor thread.
// (Verifying imported bcrypt / PBKDF2 hashes and upgrading them comes with the account-security work.)
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

// A random password of `letters` lowercase letters (for generated credentials shown once).
std::string generate_password(std::size_t letters = 16);

}  // namespace mallard::auth
