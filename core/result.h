// Result<T>: a value or an Error, for failures we expect (not found, quota, timed out, ...).
// libstdc++ 12 has no std::expected in C++20 mode, so this is the small subset Mallard needs.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mallard::core {

enum class Errc {
    not_found,     // no such user, mailbox, message
    exists,        // already exists
    quota,         // over quota
    too_big,       // over a size limit
    bad_input,     // malformed input from a client or a file
    timed_out,     // a deadline passed
    cancelled,     // the connection closed or the server is shutting down
    woken,         // a read ended early on purpose: something else needs the reader (IDLE and a mailbox change)
    closed,        // the peer closed the connection
    unavailable,   // a backend is down or overloaded
    permission,    // not allowed
    conflict,      // a condition did not hold (UNCHANGEDSINCE, concurrent change)
    io,            // an operating system error
    tls,           // a TLS failure
    internal,      // a bug or an unexpected third-party failure
};

std::string_view errc_name(Errc code);

struct Error {
    Errc code;
    std::string detail;
    Error(Errc c, std::string d = {}) : code(c), detail(std::move(d)) {}
    std::string to_string() const;
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(v_); }
    const T& value() const& { assert(ok()); return std::get<0>(v_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(v_); }
    Error&& take_error() { assert(!ok()); return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { assert(!ok_); return error_; }
    Error&& take_error() { assert(!ok_); return std::move(error_); }

private:
    Error error_{Errc::internal};
    bool ok_ = true;
};

inline Result<void> success() { return {}; }

}  // namespace mallard::core
