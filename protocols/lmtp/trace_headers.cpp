// Return-Path, Delivered-To and Received: RFC 5321 §4.4, RFC 3848, RFC 6531 §4.3, RFC 5322 §3.3.
#include "protocols/lmtp/trace_headers.h"

#include <cstdio>

namespace mallard::lmtp {

namespace {

constexpr const char* day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The LHLO name goes into a header: keep it printable and free of parentheses that would end the comment.
std::string clean(const std::string& text) {
    std::string out;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        out += (u < 0x21 || u == 0x7f || c == '(' || c == ')' || c == '\\') ? '_' : c;
    }
    return out.empty() ? "unknown" : out;
}

}  // namespace

std::string rfc5322_date(std::time_t when) {
    std::tm tm{};
    ::gmtime_r(&when, &tm);
    char text[64];
    std::snprintf(text, sizeof text, "%s, %d %s %04d %02d:%02d:%02d +0000", day_names[tm.tm_wday % 7], tm.tm_mday,
                  month_names[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return text;
}

std::string render_trace_headers(const TraceInfo& trace) {
    std::string out = "Return-Path: <" + trace.sender + ">\r\n";
    for (const auto& rcpt : trace.recipients) out += "Delivered-To: " + rcpt + "\r\n";
    out += "Received: from " + clean(trace.lhlo_name) + " (" + clean(trace.peer) + ")\r\n";
    out += "\tby " + trace.hostname + " (Mallard) with " + (trace.smtputf8 ? "UTF8LMTP" : "LMTP") + " id " +
           trace.id + "\r\n";
    std::string first = trace.recipients.empty() ? std::string() : trace.recipients.front();
    out += "\tfor <" + first + ">; " + rfc5322_date(trace.date) + "\r\n";
    return out;
}

}  // namespace mallard::lmtp
