// See security_support.h.
#include "protocols/http/routes/security_support.h"

#include <cstdio>
#include <ctime>

namespace mallard::http::routes {

std::optional<storage::TimePoint> parse_iso_time(std::string_view text) {
    if (text.size() > 40) return std::nullopt;
    std::string s(text);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
    std::tm tm{};
    if (s.size() == 10) {
        if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10) return std::nullopt;
    } else if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6) {
        return std::nullopt;
    }
    // system_clock counts nanoseconds in 64 bits: it ends in 2262.
    if (y < 1970 || y > 2200) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    long offset = 0;
    std::string_view rest = std::string_view(s).substr(static_cast<std::size_t>(used));
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
    }
    if (rest == "Z" || (rest.empty() && s.size() == 10)) {
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        int oh = 0, om = 0;
        if (std::sscanf(std::string(rest).c_str() + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
        offset = (rest[0] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
    } else {
        return std::nullopt;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    const std::time_t t = ::timegm(&tm);
    return storage::TimePoint(std::chrono::seconds(t - offset));
}

const auth::Authenticator& authenticator_of(const Call& call, std::optional<auth::Authenticator>& fallback) {
    if (call.context.authenticator) return *call.context.authenticator;
    fallback.emplace(call.context.store, call.context.pool, nullptr, auth::AuthOptions{});
    return *fallback;
}

core::Task<void> record_security_event(Call& call, storage::UserId user, std::string action, std::string asp,
                                       std::string result) {
    storage::AuthEvent event;
    event.user = std::move(user);
    event.action = std::move(action);
    event.result = std::move(result);
    event.protocol = "API";
    event.asp = std::move(asp);
    event.remote_address = call.input.string("ip", 64, true).value_or("");
    if (const std::string* agent = call.request.header("user-agent")) event.user_agent = agent->substr(0, 256);
    std::optional<auth::Authenticator> fallback;
    const auth::Authenticator& authenticator = authenticator_of(call, fallback);
    co_await authenticator.record(std::move(event));
}

}  // namespace mallard::http::routes
