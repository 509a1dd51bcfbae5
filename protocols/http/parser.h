// RequestParser: bytes in, one HTTP/1.1 request (or "need more", or an error status) out. RFC 9112 message
// syntax, Content-Length and chunked bodies (§6.1, §7.1), driven by libhttp-parser; the limits are ours.
// It does no I/O: the session feeds it the connection's input, a test or a fuzzer feeds it plain bytes.
//
// Pipelining: parse() stops right after a complete request and reports how many bytes it used, so the next
// request stays in the caller's buffer until the response to this one is queued (RFC 9112 §9.3.2).
// After an Error the parser is spent: the session answers with the status and closes the connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "protocols/http/request.h"

namespace mallard::http {

struct ParserLimits {
    std::size_t max_url_bytes = 8192;       // the request-target; beyond it: 414 (RFC 9110 §15.5.15)
    std::size_t max_header_bytes = 16384;   // request line + header fields; beyond it: 431 (RFC 6585 §5)
    std::size_t max_body_bytes = 64u << 20; // de-chunked body; beyond it: 413 (RFC 9110 §15.5.14)
    std::size_t max_headers = 100;          // header field count; beyond it: 431
};

struct NeedMore {};
struct ParseError {
    int status;        // 400, 413, 414, 431, 501, 505
    std::string text;  // for the error body and the log
};
using ParseStep = std::variant<NeedMore, Request, ParseError>;

class RequestParser {
public:
    explicit RequestParser(const ParserLimits& limits);
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;
    ~RequestParser();

    // Consumes bytes of `in` (sets `used`) up to the end of one request. NeedMore means all of `in` was used.
    ParseStep parse(std::string_view in, std::size_t& used);
    // Bytes of a request have arrived but it is not complete yet (the request deadline is running).
    bool in_request() const;
    // True once per request whose headers asked "Expect: 100-continue" and whose body is still to come:
    // the session then sends "100 Continue" (RFC 9110 §10.1.1) so the client goes on sending.
    bool take_continue();

    struct State;  // libhttp-parser's state and the request being built (parser.cpp)

private:
    std::unique_ptr<State> state_;
};

}  // namespace mallard::http
