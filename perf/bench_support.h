// What every benchmark in perf/ shares: table-driven command-line options with ranges, and the median.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace mallard::perf {

struct CountOption {
    std::string_view flag;
    unsigned lo, hi;
    unsigned* target;
};

struct SecondsOption {
    std::string_view flag;
    double lo, hi;
    double* target;
};

inline bool parse_count(std::string_view text, unsigned lo, unsigned hi, unsigned& out) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) return false;
    out = v;
    return true;
}

// "--flag value" pairs; false (after a message on stderr) for --help, an unknown flag or a bad value.
inline bool parse_options(int argc, char** argv, std::initializer_list<CountOption> counts, SecondsOption seconds) {
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") return false;
        if (i + 1 >= argc) {
            std::fprintf(stderr, "%s needs a value\n", argv[i]);
            return false;
        }
        std::string value = argv[++i];
        bool known = false, ok = false;
        for (const auto& c : counts) {
            if (flag != c.flag) continue;
            known = true;
            ok = parse_count(value, c.lo, c.hi, *c.target);
        }
        if (flag == seconds.flag) {
            known = true;
            char* end = nullptr;
            double v = std::strtod(value.c_str(), &end);
            ok = end && *end == '\0' && v >= seconds.lo && v <= seconds.hi;
            if (ok) *seconds.target = v;
        }
        if (!known) {
            std::fprintf(stderr, "unknown option %s\n", argv[i - 1]);
            return false;
        }
        if (!ok) {
            std::fprintf(stderr, "bad value for %s: %s\n", argv[i - 1], argv[i]);
            return false;
        }
    }
    return true;
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace mallard::perf
