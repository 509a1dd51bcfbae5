// The request parser over libhttp-parser (RFC 9112). The library does the syntax; the callbacks here copy
// what a request needs into a Request and enforce the limits before any buffer grows past them.
#include "protocols/http/parser.h"

#include <http_parser.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <strings.h>
#include <optional>

namespace mallard::http {

struct RequestParser::State {
    http_parser parser{};
    http_parser_settings settings{};
    ParserLimits limits;
    Request request;
    std::string field;           // the header name being read (values follow in pieces)
    bool in_value = false;
    bool started = false;        // on_message_begin seen
    bool complete = false;       // on_message_complete seen
    bool continue_pending = false;  // Expect: 100-continue, body not read yet
    std::size_t header_bytes = 0;
    std::optional<ParseError> error;  // set by a callback that refused to go on

    void fail(int status, std::string text) {
        if (!error) error = ParseError{status, std::move(text)};
    }
    // Counts bytes of the request line and headers; false once over the limit.
    bool count_header(std::size_t bytes) {
        header_bytes += bytes;
        if (header_bytes > limits.max_header_bytes) {
            fail(431, "Request header fields too large");
            return false;
        }
        return true;
    }
    void finish_field() {
        if (!in_value) return;
        auto& value = request.headers.back().second;
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
        in_value = false;
    }
    void reset() {
        request = Request{};
        field.clear();
        in_value = false;
        started = complete = continue_pending = false;
        header_bytes = 0;
    }
};

namespace {

using State = RequestParser::State;
State& state_of(http_parser* p) { return *static_cast<State*>(p->data); }

int on_message_begin(http_parser* p) {
    state_of(p).started = true;
    return 0;
}

int on_url(http_parser* p, const char* at, std::size_t length) {
    State& s = state_of(p);
    if (s.request.target.size() + length > s.limits.max_url_bytes) {
        s.fail(414, "URI too long");
        return -1;
    }
    if (!s.count_header(length)) return -1;
    s.request.target.append(at, length);
    return 0;
}

int on_header_field(http_parser* p, const char* at, std::size_t length) {
    State& s = state_of(p);
    if (!s.count_header(length)) return -1;
    if (s.in_value) s.finish_field();
    s.field.append(at, length);
    return 0;
}

int on_header_value(http_parser* p, const char* at, std::size_t length) {
    State& s = state_of(p);
    if (!s.count_header(length)) return -1;
    if (!s.in_value) {
        if (s.request.headers.size() >= s.limits.max_headers) {
            s.fail(431, "Too many header fields");
            return -1;
        }
        for (char& c : s.field)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        s.request.headers.emplace_back(std::move(s.field), std::string{});
        s.field.clear();
        s.in_value = true;
    }
    std::string& value = s.request.headers.back().second;
    if (value.empty())
        while (length && (*at == ' ' || *at == '\t')) ++at, --length;
    value.append(at, length);
    return 0;
}

int on_headers_complete(http_parser* p) {
    State& s = state_of(p);
    s.finish_field();
    if (!s.field.empty()) {  // a name with an empty value: libhttp-parser reports no value callback
        for (char& c : s.field)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        s.request.headers.emplace_back(std::move(s.field), std::string{});
        s.field.clear();
    }
    // RFC 9110 §15.5.14: refuse a declared body before reading it.
    if (!(p->flags & F_CHUNKED) && p->content_length != ULLONG_MAX && p->content_length > s.limits.max_body_bytes) {
        s.fail(413, "Request body too large");
        return -1;
    }
    s.request.method = http_method_str(static_cast<http_method>(p->method));
    s.request.version_minor = p->http_minor;
    const std::string* expect = s.request.header("expect");
    if (expect && p->http_minor >= 1 && expect->size() == 12 && strncasecmp(expect->c_str(), "100-continue", 12) == 0)
        s.continue_pending = true;
    return 0;
}

int on_body(http_parser* p, const char* at, std::size_t length) {
    State& s = state_of(p);
    s.continue_pending = false;  // the client did not wait
    if (s.request.body.size() + length > s.limits.max_body_bytes) {
        s.fail(413, "Request body too large");
        return -1;
    }
    s.request.body.append(at, length);
    return 0;
}

int on_message_complete(http_parser* p) {
    State& s = state_of(p);
    s.complete = true;
    s.request.keep_alive = http_should_keep_alive(p) != 0 && !p->upgrade;
    http_parser_pause(p, 1);  // stop here: the next pipelined request waits in the caller's buffer
    return 0;
}

// Splits the target into path and query. Only origin-form is served (RFC 9112 §3.2.1); "*" and
// absolute-form are refused by the caller through an empty path.
void split_target(Request& r) {
    const std::string& t = r.target;
    if (t.empty() || t[0] != '/') return;
    std::size_t q = t.find('?');
    std::size_t end = t.find('#');  // a fragment is not sent by clients, but must not reach a route
    if (q != std::string::npos && end != std::string::npos && end < q) q = std::string::npos;
    r.path = t.substr(0, std::min(q, end));
    if (q != std::string::npos) r.query = t.substr(q + 1, end == std::string::npos ? std::string::npos : end - q - 1);
}

ParseError library_error(http_errno code) {
    switch (code) {
        case HPE_HEADER_OVERFLOW: return {431, "Request header fields too large"};
        case HPE_INVALID_VERSION: return {505, "HTTP version not supported"};
        case HPE_INVALID_METHOD: return {501, "Method not implemented"};
        default: return {400, std::string("Bad request: ") + http_errno_description(code)};
    }
}

}  // namespace

RequestParser::RequestParser(const ParserLimits& limits) : state_(std::make_unique<State>()) {
    state_->limits = limits;
    http_parser_init(&state_->parser, HTTP_REQUEST);
    state_->parser.data = state_.get();
    http_parser_settings& cb = state_->settings;
    http_parser_settings_init(&cb);
    cb.on_message_begin = on_message_begin;
    cb.on_url = on_url;
    cb.on_header_field = on_header_field;
    cb.on_header_value = on_header_value;
    cb.on_headers_complete = on_headers_complete;
    cb.on_body = on_body;
    cb.on_message_complete = on_message_complete;
}

RequestParser::~RequestParser() = default;

bool RequestParser::in_request() const { return state_->started && !state_->complete; }

bool RequestParser::take_continue() {
    const bool pending = state_->continue_pending && !state_->complete && !state_->error;
    state_->continue_pending = false;
    return pending;
}

ParseStep RequestParser::parse(std::string_view in, std::size_t& used) {
    State& s = *state_;
    used = 0;
    if (s.error) return *s.error;
    if (HTTP_PARSER_ERRNO(&s.parser) == HPE_PAUSED) http_parser_pause(&s.parser, 0);
    if (in.empty()) return NeedMore{};
    used = http_parser_execute(&s.parser, &s.settings, in.data(), in.size());
    if (s.error) return *s.error;
    const auto code = static_cast<http_errno>(HTTP_PARSER_ERRNO(&s.parser));
    if (code != HPE_OK && code != HPE_PAUSED) {
        s.error = library_error(code);
        return *s.error;
    }
    if (!s.complete) return NeedMore{};
    Request request = std::move(s.request);
    s.reset();
    split_target(request);
    if (request.path.empty()) {
        s.error = ParseError{400, "Only origin-form request targets are served"};
        return *s.error;
    }
    if (request.version_minor == 1 && !request.header("host")) {  // RFC 9112 §3.2
        s.error = ParseError{400, "Missing Host header"};
        return *s.error;
    }
    return request;
}

}  // namespace mallard::http
