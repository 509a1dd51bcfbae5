// Exponential backoff between reconnection attempts (redis_bus.cpp): the first retry comes after `initial`,
// each failure doubles the wait up to `cap`, and a success starts over. jittered() takes up to a quarter off
// a delay, so instances that lost the same server at the same moment don't all come back in step.
#pragma once

#include <algorithm>
#include <chrono>

namespace mallard::storage::notify {

class Backoff {
public:
    using ms = std::chrono::milliseconds;
    Backoff(ms initial, ms cap) : initial_(std::max(initial, ms(1))), cap_(std::max(cap, initial_)), next_(initial_) {}

    // The wait before the next attempt; the one after it is twice as long, up to the cap.
    ms next() {
        ms now = next_;
        next_ = next_ >= cap_ / 2 ? cap_ : next_ * 2;
        ++failures_;
        return now;
    }
    // After a success: the next failure waits `initial` again.
    void reset() {
        next_ = initial_;
        failures_ = 0;
    }
    // Attempts that failed since the last success.
    unsigned failures() const { return failures_; }

    // `delay` less up to a quarter, by `unit` in [0, 1).
    static ms jittered(ms delay, double unit) {
        unit = std::clamp(unit, 0.0, 1.0);
        return delay - ms(static_cast<ms::rep>(static_cast<double>(delay.count()) * unit / 4));
    }

private:
    ms initial_;
    ms cap_;
    ms next_;
    unsigned failures_ = 0;
};

}  // namespace mallard::storage::notify
