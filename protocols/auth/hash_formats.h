// Imported password hashes (WildDuck's lib/hashes.js accepts the same set), verified but never created:
// a match is upgraded to argon2id by the caller (password.h: needs_rehash).
// - crypt(3) formats through libxcrypt's crypt_r: bcrypt "$2a$", "$2b$", "$2y$" (cost 04..31) and SHA-crypt
//   "$5$", "$6$". crypt_r recomputes the whole string; it is compared in constant time.
// - PBKDF2 in the PHC string format of @phc/pbkdf2: "$pbkdf2-sha512$i=<iterations>$<salt>$<hash>", salt and
//   hash in base64 without padding. Passlib's variant ("$pbkdf2-sha512$<iterations>$…" with '.' for '+') is
//   read too. The derived key is as long as the stored hash.
// Call on the thread pool: these cost as much as the hash's parameters say.
#pragma once

#include <string>
#include <string_view>

#include "protocols/auth/password.h"

namespace mallard::auth {

bool is_crypt_hash(std::string_view encoded_hash);
Verdict verify_crypt(std::string_view password, const std::string& encoded_hash);
Verdict verify_pbkdf2(std::string_view password, std::string_view encoded_hash);

}  // namespace mallard::auth
