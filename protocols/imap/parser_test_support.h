// Helpers for the parser tests: every input is parsed fed whole and fed one byte at a time, and the two
// runs must give the same results.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/imap/parser.h"

namespace mallard::imap::test {

// Feeds `in` `chunk` bytes at a time; collects every result but NeedMore. After an IDLE command the next
// line is read raw, as a session does.
inline std::vector<Step> feed(std::string_view in, const ParserLimits& limits, bool utf8, std::size_t chunk) {
    Parser parser(limits);
    parser.enable_utf8(utf8);
    std::vector<Step> out;
    std::string buffer;
    std::size_t fed = 0;
    while (fed < in.size()) {
        std::size_t n = std::min(chunk, in.size() - fed);
        buffer.append(in.substr(fed, n));
        fed += n;
        for (;;) {
            std::string_view view = buffer;
            Step step = parser.parse(view);
            buffer.erase(0, buffer.size() - view.size());
            if (std::holds_alternative<NeedMore>(step)) break;
            if (const auto* cmd = std::get_if<Command>(&step); cmd && cmd->name == "IDLE") parser.expect_line();
            out.push_back(std::move(step));
        }
    }
    return out;
}

inline std::vector<Step> parse_all(std::string_view in, const ParserLimits& limits = {}, bool utf8 = false) {
    auto whole = feed(in, limits, utf8, in.size() + 1);
    auto bytewise = feed(in, limits, utf8, 1);
    EXPECT_TRUE(whole == bytewise) << "fed whole and byte by byte differ for: " << in;
    return whole;
}

// The steps without the continuation requests.
inline std::vector<Step> results(std::string_view in, const ParserLimits& limits = {}, bool utf8 = false) {
    std::vector<Step> out;
    for (auto& s : parse_all(in, limits, utf8)) {
        if (!std::holds_alternative<SendContinuation>(s)) out.push_back(std::move(s));
    }
    return out;
}

inline Command command(std::string_view in, const ParserLimits& limits = {}, bool utf8 = false) {
    auto steps = results(in, limits, utf8);
    if (steps.size() != 1 || !std::holds_alternative<Command>(steps[0])) {
        ADD_FAILURE() << "expected one command from: " << in << " (got " << steps.size() << " results"
                      << (steps.size() == 1 && std::holds_alternative<Bad>(steps[0])
                              ? ", Bad: " + std::get<Bad>(steps[0]).text
                              : std::string())
                      << ")";
        return {};
    }
    return std::get<Command>(std::move(steps[0]));
}

template <class T>
T args(std::string_view in, const ParserLimits& limits = {}, bool utf8 = false) {
    Command cmd = command(in, limits, utf8);
    if (!std::holds_alternative<T>(cmd.args)) {
        ADD_FAILURE() << "unexpected argument type for: " << in;
        return T{};
    }
    return std::get<T>(std::move(cmd.args));
}

inline Bad bad(std::string_view in, const ParserLimits& limits = {}, bool utf8 = false) {
    auto steps = results(in, limits, utf8);
    if (steps.size() != 1 || !std::holds_alternative<Bad>(steps[0])) {
        ADD_FAILURE() << "expected one Bad from: " << in << " (got " << steps.size() << " results)";
        return {};
    }
    return std::get<Bad>(std::move(steps[0]));
}

}  // namespace mallard::imap::test
