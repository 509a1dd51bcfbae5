// The benchmark clients' parsing and generation: EXISTS lines, HTTP requests, quoted strings, /proc texts,
// unique messages.
#include <gtest/gtest.h>
#include <unistd.h>

#include "perf/http_client.h"
#include "perf/imap_client.h"
#include "perf/lmtp_client.h"
#include "perf/server_memory.h"

namespace mallard::perf {
namespace {

TEST(PerfClients, exists_is_read_from_untagged_exists_only) {
    EXPECT_EQ(exists_in("* 17 EXISTS"), 17ul);
    EXPECT_EQ(exists_in("* 0 EXISTS"), 0ul);
    EXPECT_FALSE(exists_in("* 17 RECENT"));
    EXPECT_FALSE(exists_in("* 17 EXISTSX"));
    EXPECT_FALSE(exists_in("* OK [UIDNEXT 4] Predicted next UID"));
    EXPECT_FALSE(exists_in("a OK 17 EXISTS"));
}

TEST(PerfClients, http_get_carries_the_token_only_when_given) {
    EXPECT_EQ(http_get_request("/users/1/mailboxes", ""), "GET /users/1/mailboxes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_EQ(http_get_request("/health", "t0k"),
              "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Access-Token: t0k\r\n\r\n");
}

TEST(PerfClients, quoted_strings_escape_quotes_and_refuse_line_breaks) {
    EXPECT_EQ(imap_quoted("u1"), "\"u1\"");
    EXPECT_EQ(imap_quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_FALSE(imap_quoted("a\r\nb"));
    EXPECT_FALSE(imap_quoted("p\xc3\xa4ss"));
}

TEST(PerfClients, pss_and_tcp_memory_are_read_from_proc_texts) {
    EXPECT_EQ(pss_in("00400000-7ffd [rollup]\nRss:    2000 kB\nPss:    1234 kB\nPss_Anon:  1000 kB\n"), 1234u);
    EXPECT_FALSE(pss_in("Rss: 2000 kB\n"));
    EXPECT_EQ(tcp_pages_in("sockets: used 5\nTCP: inuse 3 orphan 0 tw 1 alloc 4 mem 12\nUDP: inuse 0 mem 0\n"), 12u);
    EXPECT_TRUE(pss_kib(static_cast<int>(::getpid())).has_value());
}

TEST(PerfClients, every_message_number_gives_different_bytes_and_ends_with_the_dot) {
    auto t = make_templates("u1@bench.example");
    EXPECT_NE(message(t, 1), message(t, 2));
    EXPECT_NE(message(t, 4), message(t, 9));  // both large: the attachment differs too
    EXPECT_EQ(message(t, 1).substr(message(t, 1).size() - 5), "\r\n.\r\n");
    EXPECT_EQ(message_bytes(t, 1) + 3, message(t, 1).size());
    EXPECT_LT(message_bytes(t, 1), message_bytes(t, 4));
    EXPECT_EQ(small_message(t, 4).size(), message(t, 1).size());
}

}  // namespace
}  // namespace mallard::perf
