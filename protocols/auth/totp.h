// TOTP (RFC 6238) over HOTP (RFC 4226 §5.3) with HMAC-SHA1, 6 digits, 30-second steps: what every
// authenticator app does with an otpauth:// URL that names no other parameters. The secret is shown to the
// user in base32 (RFC 4648 §6, no padding), as the Key Uri Format of Google Authenticator expects.
// Pure functions: the store keeps the secret and the last step used (no reuse, RFC 6238 §5.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mallard::auth {

constexpr std::int64_t totp_step_seconds = 30;
constexpr int totp_digits = 6;

// 20 random bytes (RFC 4226 §4 recommends 160 bits), base32-encoded.
std::string generate_totp_secret();

std::string base32_encode(std::string_view bytes);
// Case-insensitive, spaces and '=' padding ignored; nullopt on any other character.
std::optional<std::string> base32_decode(std::string_view text);

// The code for time step `step` (unix time / 30), zero-padded to 6 digits. `secret` is the raw key.
std::string hotp_code(std::string_view secret, std::int64_t step);

// The step in [now_step - window, now_step + window] whose code equals `code`, if any. RFC 6238 §5.2: one
// step either side absorbs clock drift and typing time. The caller refuses a step not after the last used.
std::optional<std::int64_t> match_totp(std::string_view secret, std::string_view code, std::int64_t now_step,
                                       int window = 1);

std::int64_t totp_step_now();

// otpauth://totp/<issuer>:<account>?secret=…&issuer=…, labels percent-encoded.
std::string otpauth_url(std::string_view issuer, std::string_view account, std::string_view base32_secret);

}  // namespace mallard::auth
