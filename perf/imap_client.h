// The IMAP (RFC 3501 / RFC 9051) client side the benchmarks need: a session that connects (from a chosen
// source address, optionally over implicit TLS), logs in, selects INBOX and enters IDLE (RFC 2177), and
// then reads the mailbox's size as the server pushes "* n EXISTS". Every wait has a deadline, every read
// loop a line bound. Runs on the calling thread's reactor.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/deadline.h"
#include "core/net/address.h"
#include "core/net/connection.h"
#include "core/net/tls_context.h"
#include "core/result.h"
#include "core/task.h"

namespace mallard::perf {

// n from "* n EXISTS" (RFC 3501 §7.3.1), or nothing for any other line.
std::optional<unsigned long> exists_in(std::string_view line);

// `text` as an IMAP quoted string (RFC 3501 §4.3); nothing when it has characters a quoted string can't hold.
std::optional<std::string> imap_quoted(std::string_view text);

struct IdleTarget {
    core::net::SocketAddress server;
    std::optional<core::net::SocketAddress> source;  // bind the local end here first
    std::shared_ptr<core::net::TlsContext> tls;      // implicit TLS (port 993) when set
    std::string user;
    std::string password;
};

struct IdleSession {
    std::unique_ptr<core::net::Connection> conn;
    unsigned long exists = 0;  // the mailbox's size when IDLE began
};

// Connect, greeting, LOGIN, SELECT INBOX, IDLE up to its "+" continuation. The error names the step and
// quotes the server's answer ("LOGIN: a NO [LIMIT] ...").
core::Task<core::Result<IdleSession>> open_idle_session(IdleTarget target, core::Deadline deadline);

// Reads pushed lines until "* n EXISTS"; returns n. Other untagged lines (RECENT, FETCH, EXPUNGE) are skipped.
core::Task<core::Result<unsigned long>> next_exists(core::net::Connection& conn, core::Deadline deadline);

}  // namespace mallard::perf
