// User access tokens (see tokens.h).
#include "protocols/http/tokens.h"

#include <openssl/rand.h>

#include <algorithm>

#include "storage/mime/content_hash.h"

namespace mallard::http {

namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(digits[bytes[i] >> 4]);
        out.push_back(digits[bytes[i] & 15]);
    }
    return out;
}

Denied invalid_token() { return Denied{403, "InvalidToken", "Invalid accessToken value"}; }

}  // namespace

std::string token_hash(std::string_view token) {
    // WildDuck hashes the token as sent; clients echo it as issued (lower case), so no folding here.
    storage::mime::Sha256 sha;
    sha.update(token);
    auto digest = sha.finish();
    return hex(digest.data(), digest.size());
}

core::Result<std::string> new_token() {
    unsigned char bytes[20];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return core::Error(core::Errc::internal, "no randomness for a token");
    return hex(bytes, sizeof bytes);
}

core::Task<core::Result<std::string>> issue_token(storage::Store& store, storage::UserId user, TokenLifetime lifetime,
                                                  bool needs_totp) {
    auto token = new_token();
    if (!token) co_return token.take_error();
    const storage::TimePoint now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    const storage::TimePoint expires = now + std::min(lifetime.ttl, lifetime.max_lifetime);
    storage::ApiToken stored{token_hash(*token), std::move(user), "master", now, expires, needs_totp};
    auto created = co_await store.create_api_token(std::move(stored));
    if (!created) co_return created.take_error();
    co_return std::move(*token);
}

core::Task<std::variant<Principal, Denied>> authorize_user_token(storage::Store& store, std::string token,
                                                                 TokenLifetime lifetime) {
    const std::string hash = token_hash(token);
    const storage::TimePoint now = std::chrono::system_clock::now();
    auto found = co_await store.find_api_token(hash, now);
    if (!found) co_return invalid_token();
    auto user = co_await store.find_user(found->user);
    if (!user || user->disabled) co_return invalid_token();
    const storage::TimePoint last = found->created + lifetime.max_lifetime;
    const storage::TimePoint slid = std::chrono::time_point_cast<std::chrono::seconds>(now) + lifetime.ttl;
    const storage::TimePoint wanted = std::min(last, slid);
    if (found->expires - now < lifetime.ttl / 2 && wanted > found->expires) {
        auto extended = co_await store.extend_api_token(hash, wanted);
        (void)extended;  // a lost race with a logout only means the token goes at its old expiry
    }
    co_return Principal{Role::user, found->user, hash, found->needs_totp};
}

}  // namespace mallard::http
