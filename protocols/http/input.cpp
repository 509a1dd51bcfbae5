// Building and reading API parameters (see input.h).
#include "protocols/http/input.h"

#include <charconv>

namespace mallard::http {

namespace {

constexpr int max_json_depth = 32;

// True for "application/json", "application/json; charset=utf-8", "application/merge-patch+json".
bool is_json_type(std::string_view type) {
    std::string_view base = type.substr(0, type.find(';'));
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    std::string lower(base);
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return lower == "application/json" || (lower.size() > 5 && lower.ends_with("+json"));
}

bool is_form_type(std::string_view type) {
    std::string lower(type.substr(0, type.find(';')));
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    while (!lower.empty() && lower.back() == ' ') lower.pop_back();
    return lower == "application/x-www-form-urlencoded";
}

// nlohmann's parser is iterative, but a hostile body of a million '[' would still build a deep tree: the
// callback discards anything deeper than max_json_depth and the caller refuses the body.
std::optional<nlohmann::json> parse_json_object(std::string_view body) {
    bool too_deep = false;
    nlohmann::json::parser_callback_t limit = [&too_deep](int depth, nlohmann::json::parse_event_t event,
                                                          nlohmann::json&) {
        if (depth > max_json_depth && (event == nlohmann::json::parse_event_t::object_start ||
                                       event == nlohmann::json::parse_event_t::array_start)) {
            too_deep = true;
            return false;
        }
        return !too_deep;
    };
    nlohmann::json parsed = nlohmann::json::parse(body, limit, false);
    if (too_deep || parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
    return parsed;
}

void merge_pairs(const Pairs& pairs, nlohmann::json& out) {
    for (const auto& [key, value] : pairs) out[key] = value;
}

}  // namespace

std::optional<InputFailure> build_input(const Request& request, const Pairs& path_params, std::string_view drop,
                                        nlohmann::json& out) {
    out = nlohmann::json::object();
    auto query = parse_pairs(request.query);
    if (!query) return InputFailure{400, "Malformed percent-encoding in the query string"};
    for (const auto& [key, value] : *query)
        if (key != drop) out[key] = value;
    if (!request.body.empty()) {
        const std::string* type = request.header("content-type");
        if (type && is_form_type(*type)) {
            auto form = parse_pairs(request.body);
            if (!form) return InputFailure{400, "Malformed percent-encoding in the form body"};
            merge_pairs(*form, out);
        } else if (!type || is_json_type(*type)) {  // restify takes an untyped body as JSON too
            auto body = parse_json_object(request.body);
            if (!body) return InputFailure{400, "Request body must be a JSON object"};
            for (auto& [key, value] : body->items()) out[key] = std::move(value);
        } else {
            return InputFailure{415, "Unsupported Content-Type: use application/json or a form"};
        }
    }
    merge_pairs(path_params, out);
    return std::nullopt;
}

const nlohmann::json* Input::find(std::string_view key) const {
    auto it = values_.find(key);
    if (it == values_.end() || it->is_null()) return nullptr;
    return &*it;
}

bool Input::has(std::string_view key) const { return find(key) != nullptr; }

void Input::invalid(std::string_view key, std::string message) { errors_.emplace_back(std::string(key), std::move(message)); }

std::optional<std::string> Input::string(std::string_view key, std::size_t max_length, bool empty_is_absent) {
    const nlohmann::json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
        invalid(key, "\"" + std::string(key) + "\" must be a string");
        return std::nullopt;
    }
    const std::string& s = v->get_ref<const std::string&>();
    if (s.empty() && empty_is_absent) return std::nullopt;
    if (s.size() > max_length) {
        invalid(key, "\"" + std::string(key) + "\" length must be less than or equal to " + std::to_string(max_length) +
                         " characters long");
        return std::nullopt;
    }
    return s;
}

std::optional<bool> Input::boolean(std::string_view key) {
    const nlohmann::json* v = find(key);
    if (!v) return std::nullopt;
    if (v->is_boolean()) return v->get<bool>();
    if (v->is_number_integer()) {
        auto n = v->get<std::int64_t>();
        if (n == 0 || n == 1) return n == 1;
    }
    if (v->is_string()) {
        // WildDuck's booleanSchema: truthy Y true yes on 1, falsy N false no off 0, '' is absent.
        const std::string& s = v->get_ref<const std::string&>();
        if (s.empty()) return std::nullopt;
        for (const char* t : {"Y", "true", "yes", "on", "1"})
            if (s == t) return true;
        for (const char* f : {"N", "false", "no", "off", "0"})
            if (s == f) return false;
    }
    invalid(key, "\"" + std::string(key) + "\" must be a boolean");
    return std::nullopt;
}

std::optional<std::uint64_t> Input::number(std::string_view key, std::uint64_t min, std::uint64_t max) {
    const nlohmann::json* v = find(key);
    if (!v) return std::nullopt;
    const std::string name = "\"" + std::string(key) + "\"";
    std::optional<double> value;
    if (v->is_number()) {
        value = v->get<double>();
    } else if (v->is_string()) {
        const std::string& s = v->get_ref<const std::string&>();
        double parsed = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
        if (!s.empty() && ec == std::errc{} && end == s.data() + s.size()) value = parsed;
    }
    if (!value) {
        invalid(key, name + " must be a number");
        return std::nullopt;
    }
    if (*value < static_cast<double>(min)) {
        invalid(key, name + " must be greater than or equal to " + std::to_string(min));
        return std::nullopt;
    }
    if (*value > static_cast<double>(max) || *value >= 18446744073709551616.0) {
        invalid(key, name + " must be less than or equal to " + std::to_string(max));
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(*value);
}

Response Input::error_response() const {
    std::string message;
    nlohmann::json details = nlohmann::json::object();
    for (const auto& [key, text] : errors_) {
        if (!message.empty()) message += ". ";
        message += text;
        if (!details.contains(key)) details[key] = text;
    }
    nlohmann::json body = {{"error", message}, {"code", "InputValidationError"}, {"details", details}};
    return json_response(400, body);
}

}  // namespace mallard::http
