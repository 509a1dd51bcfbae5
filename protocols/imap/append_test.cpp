// APPEND as a client sees it, over a socket pair with a SqliteStore (RFC 3501 §6.3.11, RFC 3502 MULTIAPPEND,
// RFC 4315 APPENDUID, RFC 7889 APPENDLIMIT, RFC 9208 OVERQUOTA): flags and date stored and fetched back byte
// for byte, synchronising and LITERAL+ literals, the response codes of each refusal, and MULTIAPPEND's all or
// nothing, including the removal of messages already stored when a later one fails in the store.
#include "protocols/imap/date_time.h"
#include "protocols/imap/session_test_support.h"
#include "storage/forwarding_store.h"

namespace mallard::imap {
namespace {

using namespace test;

class ImapAppend : public SessionFixture {
protected:
    std::vector<storage::MessageMeta> messages(const std::string& box) {
        auto metas = run(store_->list_messages(mailbox(box).id, storage::UidRange{}));
        EXPECT_TRUE(metas);
        return metas ? *metas : std::vector<storage::MessageMeta>{};
    }
};

// A response's lines joined as they were sent (literals split them), without the final CRLF.
std::string joined(const Lines& lines) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) out += "\r\n";
        out += lines[i];
    }
    return out;
}

// "{n+}\r\n<bytes>": a LITERAL+ literal as a command's last argument (the harness adds the final CRLF).
std::string literal_plus(const std::string& bytes) {
    return "{" + std::to_string(bytes.size()) + "+}\r\n" + bytes;
}

const std::string message = "From: a@example.com\r\nSubject: appended\r\n\r\nFirst line\r\n\r\nLast line\r\n";

TEST_F(ImapAppend, flags_and_date_then_fetch_back_byte_exact) {
    auto all = script({"APPEND INBOX (\\seen $Work \\Recent) \"02-Jan-2024 10:00:00 +0100\" " + literal_plus(message),
                       "EXAMINE INBOX", "FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE BODY[])"});
    auto box = mailbox("INBOX");
    EXPECT_EQ(response(all, "t1"),
              (Lines{"t1 OK [APPENDUID " + std::to_string(box.uidvalidity) + " 1] APPEND completed"}));
    std::string expected = "* 1 FETCH (FLAGS ($Work \\Seen) INTERNALDATE \"02-Jan-2024 09:00:00 +0000\" "
                           "RFC822.SIZE " + std::to_string(message.size()) + " BODY[] {" +
                           std::to_string(message.size()) + "}\r\n" + message + ")\r\nt3 OK FETCH completed";
    EXPECT_EQ(joined(response(all, "t3")), expected);
    auto stored = messages("INBOX");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].flags, (storage::Flags{"$Work", "\\Seen"}));  // canonical, \Recent dropped
}

TEST_F(ImapAppend, without_a_date_the_internal_date_is_now) {
    auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto all = script({"APPEND Drafts " + literal_plus(message)});
    EXPECT_EQ(all.back().rfind("t1 OK [APPENDUID ", 0), 0u) << all.back();
    auto stored = messages("Drafts");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_GE(stored[0].internal_date, before);
    EXPECT_LE(stored[0].internal_date, std::chrono::system_clock::now());
    EXPECT_TRUE(stored[0].flags.empty());
}

TEST_F(ImapAppend, synchronising_literal_waits_for_the_continuation) {
    // The harness sends the literal without waiting, but the server must still ask for it with "+".
    auto all = script({"APPEND INBOX {" + std::to_string(message.size()) + "}\r\n" + message, "NOOP"});
    auto t1 = response(all, "t1");
    ASSERT_EQ(t1.size(), 2u);
    EXPECT_EQ(t1[0].rfind("+ ", 0), 0u) << t1[0];
    EXPECT_EQ(t1[1].rfind("t1 OK [APPENDUID ", 0), 0u) << t1[1];
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK NOOP completed"}));
    ASSERT_EQ(messages("INBOX").size(), 1u);
    EXPECT_EQ(run(store_->read_message(mailbox("INBOX").id, 1, std::nullopt)).value(), message);
}

// A client that sends the literal only after the server's "+" (RFC 3501 §7.5), and nothing before it.
Task<Lines> append_waiting_for_continuation(std::shared_ptr<const Context> context, std::string user,
                                            std::string bytes) {
    auto pair = core::net::test::unix_pair();
    auto client = std::move(pair.first);
    bool done = false;
    core::spawn(run_server(std::move(pair.second), std::move(context), &done));
    Lines lines;
    auto greeting = co_await client->read_line(1 << 20, soon());
    EXPECT_TRUE(greeting);
    client->queue("a0 LOGIN " + user + " secret\r\n");
    auto sent = co_await client->flush(soon());
    EXPECT_TRUE(sent);
    auto login = co_await client->read_line(1 << 20, soon());
    EXPECT_TRUE(login);
    client->queue("a1 APPEND INBOX {" + std::to_string(bytes.size()) + "}\r\n");
    auto announced = co_await client->flush(soon());
    EXPECT_TRUE(announced);
    auto plus = co_await client->read_line(1 << 20, soon());
    lines.push_back(plus ? *plus : "<no continuation>");
    client->queue(bytes + "\r\n");
    auto literal = co_await client->flush(soon());
    EXPECT_TRUE(literal);
    auto tagged = co_await client->read_line(1 << 20, soon());
    lines.push_back(tagged ? *tagged : "<no response>");
    client->close();
    for (int i = 0; i < 1000 && !done; ++i) {
        auto pause = core::sleep_for(5ms);
        co_await pause;
    }
    EXPECT_TRUE(done);
    co_return lines;
}

TEST_F(ImapAppend, synchronising_literal_sent_after_the_continuation) {
    auto context = std::make_shared<const Context>(Context{test_options(), *store_, *pool_, nullptr});
    auto lines = run(append_waiting_for_continuation(context, user_, message));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "+ Ready for literal data");
    EXPECT_EQ(lines[1].rfind("a1 OK [APPENDUID ", 0), 0u) << lines[1];
    EXPECT_EQ(run(store_->read_message(mailbox("INBOX").id, 1, std::nullopt)).value(), message);
}

TEST_F(ImapAppend, missing_mailbox_is_trycreate) {
    auto all = script({"APPEND Nowhere " + literal_plus(message), "APPEND nowhere/deeper " + literal_plus(message)});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 NO [TRYCREATE] No such mailbox"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [TRYCREATE] No such mailbox"}));
}

TEST_F(ImapAppend, over_quota_stores_nothing) {
    ASSERT_TRUE(run(store_->set_quota_limit(user_id_, message.size() + 10)));
    auto all = script({"APPEND INBOX " + literal_plus(message) + " " + literal_plus(message),
                       "APPEND INBOX " + literal_plus(message), "APPEND INBOX " + literal_plus(message)});
    EXPECT_EQ(response(all, "t1")[0].rfind("t1 NO [OVERQUOTA] ", 0), 0u) << response(all, "t1")[0];
    EXPECT_EQ(response(all, "t2")[0].rfind("t2 OK [APPENDUID ", 0), 0u) << response(all, "t2")[0];
    EXPECT_EQ(response(all, "t3")[0].rfind("t3 NO [OVERQUOTA] ", 0), 0u) << response(all, "t3")[0];
    EXPECT_EQ(messages("INBOX").size(), 1u);
}

TEST_F(ImapAppend, appendlimit_advertised_and_enforced_before_the_literal_is_sent) {
    Options options = test_options();
    options.append_limit = 10;
    auto all = script({"CAPABILITY", "STATUS INBOX (APPENDLIMIT)",
                       "APPEND INBOX {11}",                         // synchronising: refused instead of "+"
                       "APPEND INBOX {11+}\r\n01234567890",         // LITERAL+: skipped, then refused
                       "NOOP", "APPEND INBOX {10+}\r\n0123456789"},
                      options);
    EXPECT_NE(response(all, "t1")[0].find(" APPENDLIMIT=10"), std::string::npos) << response(all, "t1")[0];
    EXPECT_EQ(response(all, "t2")[0], "* STATUS \"INBOX\" (APPENDLIMIT 10)");
    EXPECT_EQ(response(all, "t3"), (Lines{"t3 NO [TOOBIG] message too big (11 octets)"}));
    EXPECT_EQ(response(all, "t4"), (Lines{"t4 NO [TOOBIG] message too big (11 octets)"}));
    EXPECT_EQ(response(all, "t5"), (Lines{"t5 OK NOOP completed"}));
    EXPECT_EQ(response(all, "t6")[0].rfind("t6 OK [APPENDUID ", 0), 0u) << response(all, "t6")[0];
    EXPECT_EQ(messages("INBOX").size(), 1u);
}

TEST_F(ImapAppend, the_parser_limit_caps_the_advertised_limit) {
    Options options = test_options();
    options.limits.max_append_bytes = 1000;
    auto unlimited = script({"CAPABILITY"}, options);
    EXPECT_NE(unlimited[0].find(" APPENDLIMIT=1000"), std::string::npos) << unlimited[0];
    options.append_limit = 5000;
    auto larger = script({"CAPABILITY"}, options);
    EXPECT_NE(larger[0].find(" APPENDLIMIT=1000"), std::string::npos) << larger[0];
}

TEST_F(ImapAppend, multiappend_stores_all_in_order) {
    auto all = script({"APPEND Sent (\\Flagged) " + literal_plus("Subject: one\r\n\r\n1\r\n") +
                       " \"01-Feb-2024 08:00:00 +0000\" " + literal_plus("Subject: two\r\n\r\n2\r\n") + " " +
                       literal_plus("Subject: three\r\n\r\n3\r\n")});
    auto box = mailbox("Sent");
    EXPECT_EQ(all.back(), "t1 OK [APPENDUID " + std::to_string(box.uidvalidity) + " 1:3] APPEND completed");
    auto stored = messages("Sent");
    ASSERT_EQ(stored.size(), 3u);
    EXPECT_EQ(stored[0].flags, (storage::Flags{"\\Flagged"}));
    EXPECT_TRUE(stored[1].flags.empty());
    std::string date;
    render_date_time(date, stored[1].internal_date);
    EXPECT_EQ(date, "\"01-Feb-2024 08:00:00 +0000\"");
    EXPECT_EQ(run(store_->read_message(box.id, 3, std::nullopt)).value(), "Subject: three\r\n\r\n3\r\n");
}

TEST_F(ImapAppend, a_bad_message_refuses_the_whole_multiappend) {
    auto all = script({"APPEND INBOX " + literal_plus(message) + " (\\Bogus) " + literal_plus(message),
                       "APPEND INBOX " + literal_plus(message) + " {0+}\r\n"});
    EXPECT_EQ(response(all, "t1")[0].rfind("t1 BAD ", 0), 0u) << response(all, "t1")[0];
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 NO [CANNOT] Empty message not accepted"}));
    EXPECT_TRUE(messages("INBOX").empty());
}

TEST_F(ImapAppend, into_the_selected_mailbox) {
    append("INBOX", message, {});
    auto all = script({"SELECT INBOX", "APPEND INBOX " + literal_plus(message), "NOOP", "FETCH 2 (UID)"});
    EXPECT_EQ(response(all, "t2")[0].rfind("t2 OK [APPENDUID ", 0), 0u) << response(all, "t2")[0];
    EXPECT_EQ(all.back().rfind("t4 ", 0), 0u) << all.back();  // answered, whether or not the view has it yet
    EXPECT_EQ(messages("INBOX").size(), 2u);
}

// A store whose append fails after a number of successes (as if the disk filled up between two messages),
// everything else passed to the real store.
class FailingStore final : public storage::ForwardingStore {
public:
    FailingStore(storage::Store& real, int appends_allowed) : ForwardingStore(real), appends_left_(appends_allowed) {}

    storage::StoreTask<storage::Appended> append(storage::MailboxId box, storage::AppendRequest m) override {
        if (appends_left_-- <= 0) return fail();
        return inner().append(std::move(box), std::move(m));
    }

private:
    static storage::StoreTask<storage::Appended> fail() {
        co_return core::Error(core::Errc::unavailable, "disk full");
    }

    int appends_left_;
};

TEST_F(ImapAppend, multiappend_failing_in_the_store_removes_what_it_stored) {
    append("INBOX", message, {"\\Deleted"});  // the user's own \Deleted message must survive the rollback
    FailingStore failing(*store_, 2);
    Options options = test_options();
    auto context = std::make_shared<const Context>(Context{std::move(options), failing, *pool_, nullptr});
    auto all = run(transcript(context, user_,
                              {"APPEND INBOX " + literal_plus(message) + " " + literal_plus(message) + " " +
                               literal_plus(message)}));
    EXPECT_EQ(all.back(), "t1 NO [UNAVAILABLE] disk full");
    auto stored = messages("INBOX");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].uid, 1u);
}

}  // namespace
}  // namespace mallard::imap
