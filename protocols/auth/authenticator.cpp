// See authenticator.h.
#include "protocols/auth/authenticator.h"

#include <openssl/sha.h>

#include <algorithm>

#include "core/log.h"

namespace mallard::auth {

namespace {

bool scope_allows(const std::vector<std::string>& scopes, Service service) {
    for (const auto& s : scopes) {
        if (s == "*" || s == scope_name(service)) return true;
    }
    return false;
}

storage::AuthEvent attempt_event(const storage::User& user, const AuthAttempt& a) {
    storage::AuthEvent e;
    e.user = user.id;
    e.action = "authentication";
    e.protocol = std::string(protocol_label(a.service));
    e.remote_address = a.remote_address;
    e.user_agent = a.user_agent;
    return e;
}

}  // namespace

std::string_view scope_name(Service service) {
    switch (service) {
        case Service::imap: return "imap";
        case Service::pop3: return "pop3";
        case Service::smtp: return "smtp";
        case Service::api: return "api";
    }
    return "";
}

std::string_view protocol_label(Service service) {
    switch (service) {
        case Service::imap: return "IMAP";
        case Service::pop3: return "POP3";
        case Service::smtp: return "SMTP";
        case Service::api: return "API";
    }
    return "";
}

bool valid_scope(std::string_view scope) {
    return scope == "imap" || scope == "pop3" || scope == "smtp" || scope == "*";
}

std::string normalize_asp(std::string_view password) {
    std::string out;
    for (char c : password) {
        if (c != ' ') out.push_back(c);
    }
    return out;
}

bool looks_like_asp(std::string_view password) {
    std::string p = normalize_asp(password);
    return p.size() == 16 && std::all_of(p.begin(), p.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::string asp_lookup(std::string_view password) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(password.data()), password.size(), digest);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 8; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

Authenticator::Authenticator(storage::Store& store, core::ThreadPool& pool, FailureCounters* counters,
                             AuthOptions options)
    : store_(store), pool_(pool), counters_(counters), options_(options) {}

core::Task<void> Authenticator::record(storage::AuthEvent event) const {
    auto stored = co_await store_.record_auth_event(std::move(event), options_.authlog_keep);
    if (!stored) MLOG(warn) << "auth log: cannot record an event: " << stored.error().to_string();
}

core::Task<std::optional<std::chrono::seconds>> Authenticator::blocked(std::string login, std::string ip) const {
    if (!counters_) co_return std::nullopt;
    FailureLimiter limiter(*counters_, options_.limits);
    auto wait = co_await limiter.blocked(std::move(login), std::move(ip));
    co_return wait;
}

core::Task<void> Authenticator::record_failure(std::string login, std::string ip) const {
    if (!counters_) co_return;
    FailureLimiter limiter(*counters_, options_.limits);
    co_await limiter.record_failure(std::move(login), std::move(ip));
}

core::Task<AuthResult> Authenticator::authenticate(AuthAttempt a) const {
    AuthResult out;
    // Over a limit: refused before the password is looked at (and before any hashing is spent on it).
    auto wait = co_await blocked(a.login, a.remote_address);
    auto found = co_await store_.find_user_by_login(a.login);
    if (!found) {
        if (found.error().code != core::Errc::not_found) {
            MLOG(warn) << "login: store error: " << found.error().to_string();
            out.status = AuthResult::Status::unavailable;
            co_return out;
        }
        if (wait) {
            out.status = AuthResult::Status::rate_limited;
            out.retry_after = *wait;
            co_return out;
        }
        co_await record_failure(a.login, a.remote_address);
        co_return out;  // failed
    }
    storage::User user = std::move(*found);
    storage::AuthEvent event = attempt_event(user, a);
    if (wait) {
        event.result = "ratelimited";
        co_await record(std::move(event));
        out.status = AuthResult::Status::rate_limited;
        out.retry_after = *wait;
        co_return out;
    }
    auto totp = co_await store_.get_totp(user.id);
    if (!totp) {
        MLOG(warn) << "login: store error: " << totp.error().to_string();
        out.status = AuthResult::Status::unavailable;
        co_return out;
    }
    const bool two_factor = totp->enabled;

    bool matched = false;
    std::string reason = "invalid password";
    if (looks_like_asp(a.password)) {
        std::string asp = normalize_asp(a.password);
        auto candidates = co_await store_.find_app_passwords(user.id, asp_lookup(asp));
        if (!candidates) {
            MLOG(warn) << "login: store error: " << candidates.error().to_string();
            out.status = AuthResult::Status::unavailable;
            co_return out;
        }
        for (const storage::AppPassword& candidate : *candidates) {
            VerifyJob job{asp, candidate.password_hash};
            auto verdict = co_await pool_.run(std::move(job));
            if (verdict != Verdict::match) continue;
            event.asp = candidate.id;
            if (scope_allows(candidate.scopes, a.service)) matched = true;
            else reason = "application password not valid for " + std::string(scope_name(a.service));
            break;
        }
    }
    if (!matched && event.asp.empty()) {
        if (two_factor && a.service != Service::api) {
            // WildDuck: with 2FA on, mail clients must use application-specific passwords.
            reason = "two-factor authentication is on: an application password is required";
        } else if (user.password_hash.empty()) {
            reason = "no password set";
        } else {
            VerifyJob job{a.password, user.password_hash};
            auto verdict = co_await pool_.run(std::move(job));
            if (verdict == Verdict::match) {
                matched = true;
            } else if (verdict == Verdict::unsupported_format) {
                MLOG(error) << "login: the password hash of " << user.username << " is in an unsupported format";
                reason = "unsupported password hash";
            }
            if (matched && needs_rehash(user.password_hash)) {
                HashJob rehash{a.password, options_.argon2};
                auto upgraded = co_await pool_.run(std::move(rehash));
                if (upgraded) {
                    auto saved = co_await store_.set_password_hash(user.id, *upgraded);
                    if (saved) MLOG(info) << "login: password hash of " << user.username << " upgraded to argon2id";
                    else MLOG(warn) << "login: cannot store the upgraded hash: " << saved.error().to_string();
                }
            }
        }
    }
    if (!matched) {
        event.result = "fail";
        event.detail = reason;
        co_await record(std::move(event));
        co_await record_failure(a.login, a.remote_address);
        co_return out;  // failed
    }
    if (user.disabled) {
        event.result = "fail";
        event.detail = "account disabled";
        co_await record(std::move(event));
        out.status = AuthResult::Status::disabled;
        out.user = std::move(user);
        co_return out;
    }
    if (counters_) {
        FailureLimiter limiter(*counters_, options_.limits);
        co_await limiter.record_success(a.login);
    }
    out.asp = event.asp;
    out.needs_totp = two_factor && event.asp.empty();
    event.result = "success";
    if (out.needs_totp) event.detail = "password ok, TOTP required";
    co_await record(std::move(event));
    out.status = AuthResult::Status::ok;
    out.user = std::move(user);
    co_return out;
}

}  // namespace mallard::auth
