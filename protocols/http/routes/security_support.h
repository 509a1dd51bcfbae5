// What the account-security routes (asps.cpp, two_factor.cpp, authlog.cpp) share: ISO 8601 times as WildDuck
// shows them, the Authenticator of the context, and writing a security change to the user's auth log.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/task.h"
#include "protocols/auth/authenticator.h"
#include "protocols/http/context.h"
#include "protocols/http/routes/message_view.h"  // iso_time
#include "storage/security_types.h"

namespace mallard::http::routes {

// "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)" or "YYYY-MM-DD" (midnight UTC), years
// 1970 to 2200; nullopt otherwise.
std::optional<storage::TimePoint> parse_iso_time(std::string_view text);

// The context's Authenticator; without one (tests), `fallback`, made here without rate limits.
const auth::Authenticator& authenticator_of(const Call& call, std::optional<auth::Authenticator>& fallback);

// Appends {action, result "success", protocol "API", ip (the request's "ip" parameter, WildDuck's way of
// naming the end user's address), asp} to the user's auth log; failures are logged, not returned.
core::Task<void> record_security_event(Call& call, storage::UserId user, std::string action, std::string asp,
                                       std::string result);

}  // namespace mallard::http::routes
