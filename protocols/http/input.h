// Input: the parameters of one API call. WildDuck validates restify's req.params, which holds the path
// params, the query string and the body together; Input does the same, and reads typed values with
// Joi-like conversion (numeric strings are numbers, "true"/"yes"/"1" are booleans) and Joi-like messages.
// A route reads every field it knows, then answers 400 InputValidationError if any read failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocols/http/request.h"
#include "protocols/http/response.h"
#include "protocols/http/url.h"

namespace mallard::http {

struct InputFailure {
    int status;          // 400, 415
    std::string message;
};

// Merges query pairs, the body (application/json or application/x-www-form-urlencoded) and the path params,
// later sources winning, as restify's mapParams does. A JSON body must be an object, at most 32 levels deep.
// `drop` names query keys that are not parameters (accessToken).
std::optional<InputFailure> build_input(const Request& request, const Pairs& path_params, std::string_view drop,
                                        nlohmann::json& out);

class Input {
public:
    Input() = default;
    explicit Input(nlohmann::json values) : values_(std::move(values)) {}

    bool has(std::string_view key) const;
    // Strings; an empty string reads as absent when `empty_is_absent` (Joi's .empty('')).
    std::optional<std::string> string(std::string_view key, std::size_t max_length = 1024,
                                      bool empty_is_absent = false);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::uint64_t> number(std::string_view key, std::uint64_t min = 0,
                                        std::uint64_t max = UINT64_MAX);
    // Records a failure found by the route itself (a bad address, a bad mailbox path).
    void invalid(std::string_view key, std::string message);

    bool ok() const { return errors_.empty(); }
    // 400 {"error": "<messages joined by '. '>", "code": "InputValidationError", "details": {key: message}}.
    Response error_response() const;
    const nlohmann::json& values() const { return values_; }

private:
    const nlohmann::json* find(std::string_view key) const;
    nlohmann::json values_ = nlohmann::json::object();
    std::vector<std::pair<std::string, std::string>> errors_;
};

}  // namespace mallard::http
