// Trace fields a delivery agent prepends to each stored copy: Return-Path (RFC 5321 §4.4), Delivered-To
// (the address as given in RCPT, as Postfix and WildDuck write it) and a Received line (RFC 5321 §4.4, with
// the protocol names of RFC 3848 / RFC 6531). Pure: values in, header bytes out.
#pragma once

#include <ctime>
#include <string>
#include <vector>

namespace mallard::lmtp {

struct TraceInfo {
    std::string sender;                    // the reverse-path; empty for <>
    std::vector<std::string> recipients;   // this copy's RCPT addresses, as given, in order (at least one)
    std::string lhlo_name;                 // the client's LHLO argument
    std::string peer;                      // the client's address, "127.0.0.1" or "unix"
    std::string hostname;                  // ours
    std::string id;                        // the transaction id, also in our logs
    bool smtputf8 = false;                 // "with UTF8LMTP" (RFC 6531 §4.3) instead of "with LMTP"
    std::time_t date = 0;
};

// "Mon, 23 Nov 2026 19:15:20 +0000" (RFC 5322 §3.3), in UTC.
std::string rfc5322_date(std::time_t when);

// The trace header block, each field ending in CRLF, to go before the message's first byte.
std::string render_trace_headers(const TraceInfo& trace);

}  // namespace mallard::lmtp
