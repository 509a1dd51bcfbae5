// The LMTP (RFC 2033) client the benchmarks share: generated messages, one session's greeting and LHLO, one
// pipelined transaction (RFC 2920), and a load of C concurrent sessions for a bounded time and count.
// Used by mallard-lmtp-bench and mallard-bench. Runs on the calling thread's reactor.
#pragma once

#include <cstddef>
#include <string>

#include "core/deadline.h"
#include "core/net/address.h"
#include "core/net/connection.h"
#include "core/task.h"

namespace mallard::perf {

// Four of five messages are ~4 KiB of text, every fifth ~200 KiB with a base64 attachment; each has unique
// content (so content-addressed attachment storage can't make repeats free).
struct MessageTemplates {
    std::string small;
    std::string large;
};
constexpr unsigned large_every = 5;

MessageTemplates make_templates(const std::string& rcpt);
// Message `n` with the DATA dot line at its end; every message number gives different bytes.
std::string message(const MessageTemplates& t, unsigned long long n);
// Message `n`'s size without the dot line.
std::size_t message_bytes(const MessageTemplates& t, unsigned long long n);
// A small text-only message `n` (the push latency measurement: the size of a typical notification's cause).
std::string small_message(const MessageTemplates& t, unsigned long long n);

// One reply, all its lines; the code of the last (0 on a broken connection, with the error in `text`).
core::Task<int> read_reply(core::net::Connection& conn, std::string* text);
// The greeting and LHLO; false (with the reply in `text`) unless both succeed.
core::Task<bool> lhlo(core::net::Connection& conn, std::string* text);

enum class Outcome { delivered, refused, broken };
// MAIL, RCPT and DATA in one write, their three replies, `body` (ending with the dot line), its reply.
core::Task<Outcome> transaction(core::net::Connection& conn, std::string rcpt, std::string body, std::string* text);

// `concurrency` sessions deliver messages numbered first_number, first_number + 1, ... to `rcpt` until
// `max_messages` are claimed or `seconds` pass; creates its own reactor.
struct LoadResult {
    double per_second = 0;
    double mb_per_second = 0;  // message bytes, 10^6
    unsigned long long delivered = 0;
    unsigned long long failed = 0;
    double seconds = 0;
    std::string first_error;
};
LoadResult run_lmtp_load(const core::net::SocketAddress& address, const MessageTemplates& t, const std::string& rcpt,
                         unsigned concurrency, unsigned long long max_messages, double seconds,
                         unsigned long long first_number);

}  // namespace mallard::perf
