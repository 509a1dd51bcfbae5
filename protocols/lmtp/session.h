// An LMTP session (RFC 2033): the state machine around one connection. Reads command lines, answers in
// order (replies to pipelined commands, RFC 2920, are flushed together once no further command is waiting),
// reads DATA through the pure DataDecoder and hands the message to deliver().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/net/connection.h"
#include "core/task.h"
#include "protocols/lmtp/deliver.h"
#include "protocols/lmtp/parser.h"
#include "storage/store.h"

namespace mallard::lmtp {

struct SessionOptions {
    std::string hostname = "localhost";
    std::uint64_t max_message_bytes = 64ull << 20;
    std::uint32_t max_recipients = 1000;
    std::chrono::seconds idle_timeout{300};
    std::vector<SpamRule> spam_rules;   // lmtp.spam_headers, parsed
    core::ThreadPool* pool = nullptr;   // for MIME parses that filters need; null: on the loop
};

// A command line: RFC 5321 §4.5.3.1.4 says 512 octets; SMTPUTF8 addresses and parameters get some room.
constexpr std::size_t max_command_bytes = 4096;

// The listener's entry point: owns the connection until the session ends. `store` outlives every session.
core::Task<void> serve(std::unique_ptr<core::net::Connection> conn, storage::Store& store, SessionOptions options);

class Session {
public:
    Session(std::unique_ptr<core::net::Connection> conn, storage::Store& store, SessionOptions options);
    core::Task<void> run();

    // For the command handlers (session.cpp).
    void reply(const Reply& r);
    void reply_lines(int code, const std::vector<std::string>& lines);  // "250-a" ... "250 z"
    core::Deadline deadline() const { return core::Deadline::after(options_.idle_timeout); }
    void reset_transaction();

    std::unique_ptr<core::net::Connection> conn_;
    storage::Store& store_;
    SessionOptions options_;
    std::string lhlo_name_;          // empty until LHLO
    bool in_transaction_ = false;    // after a successful MAIL
    MailFrom mail_;
    std::vector<Recipient> recipients_;
    std::uint32_t transactions_ = 0;
    bool quit_ = false;
};

}  // namespace mallard::lmtp
