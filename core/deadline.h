// Deadline: the time bound every wait on a peer or a backend carries. There is no default: a wait that may
// last forever says Deadline::never() out loud.
#pragma once

#include <chrono>
#include <cstdint>

namespace mallard::core {

using Clock = std::chrono::steady_clock;

class Deadline {
public:
    static Deadline never() { return Deadline(Clock::time_point::max()); }
    static Deadline at(Clock::time_point when) { return Deadline(when); }
    static Deadline after(Clock::duration span) { return Deadline(Clock::now() + span); }

    bool is_never() const { return at_ == Clock::time_point::max(); }
    Clock::time_point when() const { return at_; }
    bool passed(Clock::time_point now = Clock::now()) const { return !is_never() && now >= at_; }
    Deadline earlier(Deadline other) const { return other.at_ < at_ ? other : *this; }

private:
    explicit Deadline(Clock::time_point when) : at_(when) {}
    Clock::time_point at_;
};

// How a wait ended.
enum class WaitResult : std::uint8_t { ready, timed_out, cancelled };

}  // namespace mallard::core
