// The IMAP parser: framing (lines, literals, limits, resynchronisation) and every command's arguments.
// Every input is parsed fed whole and one byte at a time (parser_test_support.h).
#include "protocols/imap/parser.h"

#include <gtest/gtest.h>

#include "protocols/imap/parser_test_support.h"

namespace mallard::imap {
namespace {

using namespace mallard::imap::test;

// ---- framing -------------------------------------------------------------------------------------------

TEST(ImapParser, commands_without_arguments) {
    for (const char* name : {"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE", "EXPUNGE", "IDLE",
                             "NAMESPACE", "UNSELECT"}) {
        Command cmd = command(std::string("a1 ") + name + "\r\n");
        EXPECT_EQ(cmd.tag, "a1");
        EXPECT_EQ(cmd.name, name);
        EXPECT_FALSE(cmd.uid);
        EXPECT_TRUE(std::holds_alternative<NoArguments>(cmd.args)) << name;
        Bad b = bad(std::string("a2 ") + name + " extra\r\n");
        EXPECT_EQ(b.tag, "a2");
    }
}

TEST(ImapParser, command_names_are_case_insensitive_and_lf_alone_ends_a_line) {
    Command cmd = command("x.1 nOoP\n");
    EXPECT_EQ(cmd.tag, "x.1");
    EXPECT_EQ(cmd.name, "NOOP");
}

TEST(ImapParser, unknown_command_is_bad_with_its_tag) {
    Bad b = bad("a7 FROBNICATE 1 2 3\r\n");
    EXPECT_EQ(b.tag, "a7");
    EXPECT_EQ(b.text, "unknown command");
    EXPECT_EQ(bad("a8 UID NOOP\r\n").text, "unknown command");
    EXPECT_EQ(bad("a9 UID\r\n").tag, "a9");
}

TEST(ImapParser, garbage_lines_are_bad_and_parsing_goes_on) {
    auto steps = results("\x01\x02\x03\r\n+ NOOP\r\n(\r\n a NOOP\r\nNOOP\r\n\"a\" NOOP\r\nb NOOP\r\n");
    ASSERT_EQ(steps.size(), 7u);
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(std::holds_alternative<Bad>(steps[i])) << i;
        EXPECT_EQ(std::get<Bad>(steps[i]).tag, i == 4 ? "NOOP" : "*") << i;  // "NOOP" alone is a tag
    }
    EXPECT_EQ(std::get<Command>(steps[6]).tag, "b");
}

TEST(ImapParser, a_tag_alone_is_bad) {
    Bad b = bad("lonely\r\n");
    EXPECT_EQ(b.tag, "lonely");
}

TEST(ImapParser, empty_lines_are_ignored) {
    auto steps = results("\r\n\r\n\na NOOP\r\n\r\n");
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_EQ(std::get<Command>(steps[0]).name, "NOOP");
}

TEST(ImapParser, parse_stops_after_each_command) {
    Parser parser({});
    std::string_view in = "a STARTTLS\r\nb NOOP\r\n";
    Step step = parser.parse(in);
    ASSERT_TRUE(std::holds_alternative<Command>(step));
    EXPECT_EQ(in, "b NOOP\r\n");  // pipelined plaintext stays for the session to discard
    EXPECT_FALSE(parser.in_command());
}

TEST(ImapParser, need_more_until_the_line_ends) {
    Parser parser({});
    std::string_view in = "a NO";
    EXPECT_TRUE(std::holds_alternative<NeedMore>(parser.parse(in)));
    EXPECT_TRUE(in.empty());
    EXPECT_TRUE(parser.in_command());
    in = "OP\r";
    EXPECT_TRUE(std::holds_alternative<NeedMore>(parser.parse(in)));
    in = "\n";
    EXPECT_TRUE(std::holds_alternative<Command>(parser.parse(in)));
}

TEST(ImapParser, eight_bit_bytes_in_atoms_are_bad) {
    EXPECT_EQ(bad("a SELECT caf\xc3\xa9\r\n").tag, "a");
    EXPECT_EQ(bad("a SELECT caf\xc3\xa9\r\n", {}, true).tag, "a");  // atoms stay 7-bit under UTF8=ACCEPT
    EXPECT_EQ(bad("t\xff NOOP\r\n").tag, "*");
    EXPECT_EQ(bad("a NO\xffOP\r\n").tag, "a");
}

TEST(ImapParser, nul_and_controls_are_bad) {
    EXPECT_EQ(bad(std::string_view("a LOGIN \"x\0y\" p\r\n", 18)).tag, "a");
    EXPECT_EQ(bad("a LOGIN x\ty p\r\n").tag, "a");
}

// ---- strings and literals ------------------------------------------------------------------------------

TEST(ImapParser, quoted_strings_with_escapes) {
    Login l = args<Login>("a LOGIN \"jo \\\"the\\\" user\" \"back\\\\slash\"\r\n");
    EXPECT_EQ(l.user, "jo \"the\" user");
    EXPECT_EQ(l.password, "back\\slash");
    EXPECT_EQ(bad("a LOGIN \"bad\\n\" p\r\n").tag, "a");
    EXPECT_EQ(bad("a LOGIN \"open p\r\n").tag, "a");
    Login e = args<Login>("a LOGIN \"\" \"\"\r\n");
    EXPECT_EQ(e.user, "");
}

TEST(ImapParser, utf8_in_quoted_strings_is_an_option) {
    const char* in = "a SELECT \"Entw\xc3\xbcrfe\"\r\n";
    EXPECT_EQ(bad(in).tag, "a");
    EXPECT_EQ(args<Select>(in, {}, true).mailbox, "Entw\xc3\xbcrfe");
    EXPECT_EQ(bad("a SELECT \"\xc3\x28\"\r\n", {}, true).tag, "a");       // invalid UTF-8
    EXPECT_EQ(bad("a SELECT \"\xed\xa0\x80\"\r\n", {}, true).tag, "a");   // a surrogate
    EXPECT_EQ(bad("a SELECT \"\xc3\"\r\n", {}, true).tag, "a");           // truncated
}

TEST(ImapParser, synchronising_literals_ask_for_continuation) {
    auto steps = parse_all("a LOGIN {3}\r\nbob {6}\r\np\"\\ \r\n\r\n");
    ASSERT_EQ(steps.size(), 3u);
    EXPECT_EQ(std::get<SendContinuation>(steps[0]).literal_bytes, 3u);
    EXPECT_EQ(std::get<SendContinuation>(steps[1]).literal_bytes, 6u);
    Login l = std::get<Login>(std::get<Command>(steps[2]).args);
    EXPECT_EQ(l.user, "bob");
    EXPECT_EQ(l.password, "p\"\\ \r\n");
}

TEST(ImapParser, literal_split_across_reads) {
    Parser parser({});
    std::string_view in = "a LOGIN {11}\r\nhello";
    Step s = parser.parse(in);
    ASSERT_TRUE(std::holds_alternative<SendContinuation>(s));
    EXPECT_EQ(in, "hello");
    EXPECT_TRUE(std::holds_alternative<NeedMore>(parser.parse(in)));
    in = " world";
    EXPECT_TRUE(std::holds_alternative<NeedMore>(parser.parse(in)));
    in = " secret\r";
    EXPECT_TRUE(std::holds_alternative<NeedMore>(parser.parse(in)));
    in = "\n";
    Step done = parser.parse(in);
    ASSERT_TRUE(std::holds_alternative<Command>(done));
    EXPECT_EQ(std::get<Login>(std::get<Command>(done).args).user, "hello world");
}

TEST(ImapParser, non_synchronising_literals_need_no_continuation) {
    auto steps = parse_all("a LOGIN {3+}\r\nbob {2+}\r\npw\r\n");
    ASSERT_EQ(steps.size(), 1u);
    Login l = std::get<Login>(std::get<Command>(steps[0]).args);
    EXPECT_EQ(l.user, "bob");
    EXPECT_EQ(l.password, "pw");
}

TEST(ImapParser, empty_literal) {
    auto steps = parse_all("a LOGIN {0}\r\n {0+}\r\n\r\n");
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<SendContinuation>(steps[0]).literal_bytes, 0u);
    EXPECT_EQ(std::get<Login>(std::get<Command>(steps[1]).args).user, "");
}

TEST(ImapParser, literal_marker_inside_a_quoted_string_is_not_a_literal) {
    Bad b = bad("a LOGIN \"x {3}\r\n");
    EXPECT_EQ(b.tag, "a");
    Login l = args<Login>("a LOGIN \"x {3}\" {1+}\r\ny\r\n");
    EXPECT_EQ(l.user, "x {3}");
    EXPECT_EQ(l.password, "y");
}

TEST(ImapParser, a_literal_must_end_its_line) {
    EXPECT_EQ(bad("a LOGIN {3} x\r\n").tag, "a");
    EXPECT_EQ(bad("a LOGIN u~{1+}\r\nx\r\n").tag, "a");  // literal8 outside APPEND
}

TEST(ImapParser, bad_line_with_synchronising_literal_is_not_waited_for) {
    auto steps = parse_all("a FROB {5}\r\nb NOOP\r\n");
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]), (Bad{"a", "unknown command"}));
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
}

TEST(ImapParser, bad_line_with_non_synchronising_literal_skips_it) {
    auto steps = parse_all("a FROB {8+}\r\nb NOOP\r\n xx {3+}\r\nc\r\n\r\nd NOOP\r\n");
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]).tag, "a");
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "d");
}

// ---- limits --------------------------------------------------------------------------------------------

TEST(ImapParser, line_too_long_is_bad_and_resyncs) {
    ParserLimits limits;
    limits.max_line_bytes = 20;
    std::string in = "a1 LOGIN " + std::string(100, 'x') + " y\r\nb NOOP\r\n";
    auto steps = results(in, limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]), (Bad{"a1", "line too long"}));
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
    // Exactly at the limit is fine.
    EXPECT_EQ(command("a LOGIN 1234567 9abc\r\n", limits).tag, "a");
    EXPECT_EQ(bad("a LOGIN 1234567 9abcd\r\n", limits).text, "line too long");
}

TEST(ImapParser, line_limit_counts_every_segment_of_a_command) {
    ParserLimits limits;
    limits.max_line_bytes = 30;
    std::string in = "a LOGIN {1+}\r\nx {1+}\r\ny" + std::string(40, ' ') + "\r\nb NOOP\r\n";
    auto steps = results(in, limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]).text, "line too long");
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
}

TEST(ImapParser, overlong_line_ending_in_a_non_synchronising_literal_skips_it) {
    ParserLimits limits;
    limits.max_line_bytes = 20;
    std::string in = "a LOGIN " + std::string(50, 'x') + " {5+}\r\nb NOP\r\nc NOOP\r\n";
    auto steps = results(in, limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]).tag, "a");
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "c");
}

TEST(ImapParser, overlong_line_ending_in_a_synchronising_literal_ends_there) {
    ParserLimits limits;
    limits.max_line_bytes = 20;
    std::string in = "a LOGIN " + std::string(50, 'x') + " {5}\r\nb NOOP\r\n";
    auto steps = parse_all(in, limits);
    ASSERT_EQ(steps.size(), 2u);  // no continuation
    EXPECT_EQ(std::get<Bad>(steps[0]).tag, "a");
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
}

TEST(ImapParser, literal_too_big_is_bad_without_continuation) {
    ParserLimits limits;
    limits.max_literal_bytes = 10;
    auto steps = parse_all("a LOGIN {11}\r\nb NOOP\r\n", limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]), (Bad{"a", "literal too big"}));
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
    // The limit is on all literals of the command together.
    steps = parse_all("a LOGIN {6}\r\nabcdef {5}\r\nc NOOP\r\n", limits);
    ASSERT_EQ(steps.size(), 3u);
    EXPECT_TRUE(std::holds_alternative<SendContinuation>(steps[0]));
    EXPECT_EQ(std::get<Bad>(steps[1]).text, "literal too big");
    EXPECT_EQ(std::get<Command>(steps[2]).tag, "c");
}

TEST(ImapParser, non_synchronising_literal_too_big_is_skipped) {
    ParserLimits limits;
    limits.max_literal_bytes = 10;
    auto steps = parse_all("a LOGIN {20+}\r\n01234567890123456789 pw\r\nb NOOP\r\n", limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]).tag, "a");
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
}

TEST(ImapParser, huge_literal_announcement) {
    auto steps = parse_all("a LOGIN {99999999999999999999999999}\r\nb NOOP\r\n");
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]).text, "literal too big");
}

TEST(ImapParser, literal_minus_limits_non_synchronising_literals) {
    ParserLimits limits;
    limits.max_nonsync_literal_bytes = 4;
    EXPECT_EQ(args<Login>("a LOGIN {4+}\r\nabcd {5}\r\nefghi\r\n", limits).user, "abcd");
    auto steps = parse_all("a LOGIN {5+}\r\nabcde x\r\nb NOOP\r\n", limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<Bad>(steps[0]).tag, "a");
}

TEST(ImapParser, literal_minus_append_over_the_limit_is_too_big) {
    ParserLimits limits;
    limits.max_nonsync_literal_bytes = 4096;
    std::string in = "a APPEND INBOX {5000+}\r\n" + std::string(5000, 'm') + "\r\nb NOOP\r\n";
    auto steps = parse_all(in, limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<TooBig>(steps[0]), (TooBig{"a", 5000}));
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
    // A synchronising literal of that size is fine.
    in = "a APPEND INBOX {5000}\r\n" + std::string(5000, 'm') + "\r\n";
    EXPECT_EQ(args<Append>(in, limits).messages[0].message.size(), 5000u);
}

TEST(ImapParser, waiting_for_a_literal_is_inside_a_command) {
    Parser parser({});
    std::string_view in = "a LOGIN {3}\r\n";
    EXPECT_TRUE(std::holds_alternative<SendContinuation>(parser.parse(in)));
    EXPECT_TRUE(parser.in_command());
    in = "bob pw\r\n";
    EXPECT_TRUE(std::holds_alternative<Command>(parser.parse(in)));
    EXPECT_FALSE(parser.in_command());
}

TEST(ImapParser, too_many_arguments) {
    ParserLimits limits;
    limits.max_arguments = 10;
    EXPECT_EQ(bad("a STORE 1 FLAGS (a b c d e f g h i j k)\r\n", limits).text, "too many arguments");
    EXPECT_EQ(command("a STORE 1 FLAGS (a b c)\r\n", limits).name, "STORE");
}

TEST(ImapParser, sequence_set_range_limit) {
    ParserLimits limits;
    limits.max_sequence_ranges = 3;
    EXPECT_EQ(command("a FETCH 1,2,3 FLAGS\r\n", limits).name, "FETCH");
    EXPECT_EQ(bad("a FETCH 1,2,3,4 FLAGS\r\n", limits).tag, "a");
}

// ---- IDLE and raw lines --------------------------------------------------------------------------------

TEST(ImapParser, idle_then_done) {
    auto steps = results("a IDLE\r\nDONE\r\nb NOOP\r\n");
    ASSERT_EQ(steps.size(), 3u);
    EXPECT_EQ(std::get<Command>(steps[0]).name, "IDLE");
    const Command& done = std::get<Command>(steps[1]);
    EXPECT_EQ(done.tag, "");
    EXPECT_EQ(std::get<RawLine>(done.args).text, "DONE");
    EXPECT_EQ(std::get<Command>(steps[2]).name, "NOOP");
}

TEST(ImapParser, raw_line_for_an_authenticate_response) {
    Parser parser({});
    std::string_view in = "a AUTHENTICATE PLAIN\r\nAGJvYgBwdw==\r\n";
    Step s = parser.parse(in);
    EXPECT_EQ(std::get<Authenticate>(std::get<Command>(s).args).mechanism, "PLAIN");
    parser.expect_line();
    s = parser.parse(in);
    EXPECT_EQ(std::get<RawLine>(std::get<Command>(s).args).text, "AGJvYgBwdw==");
    EXPECT_TRUE(in.empty());
}

// ---- commands ------------------------------------------------------------------------------------------

TEST(ImapParser, login) {
    Login l = args<Login>("a LOGIN bob s3cr]t\r\n");
    EXPECT_EQ(l.user, "bob");
    EXPECT_EQ(l.password, "s3cr]t");
    EXPECT_EQ(bad("a LOGIN bob\r\n").tag, "a");
    EXPECT_EQ(bad("a LOGIN\r\n").tag, "a");
    EXPECT_EQ(bad("a LOGIN  bob pw\r\n").tag, "a");
}

TEST(ImapParser, authenticate) {
    Authenticate a = args<Authenticate>("a authenticate plain\r\n");
    EXPECT_EQ(a.mechanism, "PLAIN");
    EXPECT_FALSE(a.initial_response);
    a = args<Authenticate>("a AUTHENTICATE PLAIN AGJvYgBwdw==\r\n");
    EXPECT_EQ(a.initial_response, "AGJvYgBwdw==");
    a = args<Authenticate>("a AUTHENTICATE PLAIN =\r\n");
    EXPECT_EQ(a.initial_response, "");
    EXPECT_EQ(bad("a AUTHENTICATE PLAIN !!\r\n").tag, "a");
}

TEST(ImapParser, select_and_examine) {
    Command cmd = command("a SELECT inbox\r\n");
    EXPECT_EQ(cmd.name, "SELECT");
    EXPECT_EQ(std::get<Select>(cmd.args), (Select{"INBOX", false}));
    cmd = command("a EXAMINE \"Lists/imap\" (CONDSTORE)\r\n");
    EXPECT_EQ(cmd.name, "EXAMINE");
    EXPECT_EQ(std::get<Select>(cmd.args), (Select{"Lists/imap", true}));
    EXPECT_EQ(bad("a SELECT x (QRESYNC)\r\n").tag, "a");
    EXPECT_EQ(args<Select>("a SELECT {5+}\r\nInBoX\r\n").mailbox, "INBOX");
    EXPECT_EQ(args<Select>("a SELECT INBOXES\r\n").mailbox, "INBOXES");
}

TEST(ImapParser, create_with_special_use) {
    EXPECT_EQ(args<Create>("a CREATE Drafts\r\n"), (Create{"Drafts", {}}));
    EXPECT_EQ(args<Create>("a CREATE Drafts (USE (\\Drafts))\r\n"), (Create{"Drafts", {"\\Drafts"}}));
    EXPECT_EQ(args<Create>("a CREATE X (use (\\Junk \\Archive))\r\n").special_use,
              (std::vector<std::string>{"\\Junk", "\\Archive"}));
    EXPECT_EQ(bad("a CREATE X (FOO (\\Junk))\r\n").tag, "a");
}

TEST(ImapParser, delete_rename_subscribe_unsubscribe) {
    Command cmd = command("a DELETE Old\r\n");
    EXPECT_EQ(cmd.name, "DELETE");
    EXPECT_EQ(std::get<MailboxArgument>(cmd.args).mailbox, "Old");
    EXPECT_EQ(args<Rename>("a RENAME \"A B\" C\r\n"), (Rename{"A B", "C"}));
    EXPECT_EQ(command("a SUBSCRIBE x\r\n").name, "SUBSCRIBE");
    EXPECT_EQ(command("a UNSUBSCRIBE x\r\n").name, "UNSUBSCRIBE");
    EXPECT_EQ(bad("a RENAME A\r\n").tag, "a");
}

TEST(ImapParser, list_basic) {
    List l = args<List>("a LIST \"\" *\r\n");
    EXPECT_EQ(l.reference, "");
    EXPECT_EQ(l.patterns, (std::vector<std::string>{"*"}));
    EXPECT_FALSE(l.extended);
    l = args<List>("a LIST ~/Mail/ %/a]b\r\n");
    EXPECT_EQ(l.reference, "~/Mail/");
    EXPECT_EQ(l.patterns[0], "%/a]b");
}

TEST(ImapParser, list_extended) {
    List l = args<List>("a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Lists/%\") RETURN (CHILDREN "
                        "SPECIAL-USE STATUS (MESSAGES UNSEEN))\r\n");
    EXPECT_TRUE(l.extended);
    EXPECT_TRUE(l.select_subscribed);
    EXPECT_TRUE(l.select_recursive);
    EXPECT_FALSE(l.select_remote);
    EXPECT_EQ(l.patterns, (std::vector<std::string>{"INBOX", "Lists/%"}));
    EXPECT_TRUE(l.return_children);
    EXPECT_TRUE(l.return_special_use);
    EXPECT_EQ(l.return_status, (std::vector<StatusItem>{StatusItem::messages, StatusItem::unseen}));
    l = args<List>("a LIST () \"\" % RETURN ()\r\n");
    EXPECT_TRUE(l.extended);
    l = args<List>("a LIST (SPECIAL-USE REMOTE) \"\" * RETURN (SUBSCRIBED)\r\n");
    EXPECT_TRUE(l.select_special_use && l.select_remote && l.return_subscribed);
    EXPECT_EQ(bad("a LIST (RECURSIVEMATCH) \"\" *\r\n").tag, "a");
    EXPECT_EQ(bad("a LIST (BOGUS) \"\" *\r\n").tag, "a");
    EXPECT_EQ(bad("a LIST \"\" * RETURN (BOGUS)\r\n").tag, "a");
    EXPECT_EQ(bad("a LIST \"\" * (CHILDREN)\r\n").tag, "a");
}

TEST(ImapParser, list_reference_is_kept_as_written) {
    List l = args<List>("a LIST inbox %\r\n");
    EXPECT_EQ(l.reference, "inbox");
    EXPECT_EQ(l.patterns[0], "%");
    EXPECT_EQ(args<List>("a LIST {4+}\r\nMail {1+}\r\n*\r\n").reference, "Mail");
}

TEST(ImapParser, lsub) {
    Command cmd = command("a LSUB \"\" \"*\"\r\n");
    EXPECT_EQ(cmd.name, "LSUB");
    EXPECT_EQ(std::get<List>(cmd.args).patterns[0], "*");
}

TEST(ImapParser, status) {
    Status s = args<Status>("a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE "
                            "DELETED APPENDLIMIT)\r\n");
    EXPECT_EQ(s.mailbox, "INBOX");
    EXPECT_EQ(s.items.size(), 9u);
    EXPECT_EQ(s.items[5], StatusItem::highestmodseq);
    EXPECT_EQ(bad("a STATUS INBOX ()\r\n").tag, "a");
    EXPECT_EQ(bad("a STATUS INBOX (FOO)\r\n").tag, "a");
}

TEST(ImapParser, append_with_flags_and_date) {
    auto steps = parse_all("A003 APPEND saved-messages (\\Seen $Work) \"17-Jul-1996 02:44:25 -0700\" {12}\r\n"
                           "Hello\r\nWorld\r\n");
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<SendContinuation>(steps[0]).literal_bytes, 12u);
    Append a = std::get<Append>(std::get<Command>(steps[1]).args);
    EXPECT_EQ(a.mailbox, "saved-messages");
    ASSERT_EQ(a.messages.size(), 1u);
    EXPECT_EQ(a.messages[0].flags, (std::vector<std::string>{"\\Seen", "$Work"}));
    using namespace std::chrono;
    auto expected = sys_days(year(1996) / July / 17) + hours(9) + minutes(44) + seconds(25);
    EXPECT_EQ(a.messages[0].internal_date, expected);
    EXPECT_EQ(a.messages[0].message, "Hello\r\nWorld");
    EXPECT_FALSE(a.messages[0].binary);
}

TEST(ImapParser, append_plain_and_space_padded_day) {
    Append a = args<Append>("a APPEND INBOX {2+}\r\nhi\r\n");
    EXPECT_EQ(a.messages[0].message, "hi");
    EXPECT_FALSE(a.messages[0].internal_date);
    a = args<Append>("a APPEND INBOX \" 5-Jan-2024 00:00:00 +0100\" {1+}\r\nx\r\n");
    using namespace std::chrono;
    EXPECT_EQ(a.messages[0].internal_date, sys_days(year(2024) / January / 4) + hours(23));
    EXPECT_EQ(bad("a APPEND INBOX \"31-Feb-2024 00:00:00 +0000\" {1+}\r\nx\r\n").tag, "a");
    EXPECT_EQ(bad("a APPEND INBOX (\\Seen)\r\n").tag, "a");
    EXPECT_EQ(bad("a APPEND INBOX hello\r\n").tag, "a");
}

TEST(ImapParser, multiappend_and_literal8) {
    std::string in = std::string("a APPEND INBOX (\\Seen) {1+}\r\nx ~{3+}\r\n") + std::string("\0y\0", 3) +
                     " () {1+}\r\nz\r\n";
    Append a = args<Append>(in);
    ASSERT_EQ(a.messages.size(), 3u);
    EXPECT_EQ(a.messages[0].flags, (std::vector<std::string>{"\\Seen"}));
    EXPECT_EQ(a.messages[1].message, std::string("\0y\0", 3));
    EXPECT_TRUE(a.messages[1].binary);
    EXPECT_TRUE(a.messages[2].flags.empty());
    EXPECT_EQ(a.messages[2].message, "z");
}

TEST(ImapParser, append_too_big_is_distinct_from_bad) {
    ParserLimits limits;
    limits.max_append_bytes = 10;
    limits.max_literal_bytes = 100;
    auto steps = parse_all("a APPEND INBOX {11}\r\nb NOOP\r\n", limits);
    ASSERT_EQ(steps.size(), 2u);  // no continuation
    EXPECT_EQ(std::get<TooBig>(steps[0]), (TooBig{"a", 11}));
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
    steps = parse_all("a APPEND INBOX {11+}\r\n01234567890 {3+}\r\nabc\r\nb NOOP\r\n", limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<TooBig>(steps[0]), (TooBig{"a", 11}));
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
    // Several messages count together.
    steps = parse_all("a APPEND INBOX {6+}\r\n012345 {6+}\r\n012345\r\nb NOOP\r\n", limits);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(std::get<TooBig>(steps[0]), (TooBig{"a", 6}));
    // An APPEND literal is bounded by max_append_bytes, not max_literal_bytes.
    limits.max_literal_bytes = 2;
    EXPECT_EQ(args<Append>("a APPEND INBOX {9+}\r\n012345678\r\n", limits).messages[0].message, "012345678");
}

// RFC 7889 APPENDLIMIT: each message on its own, refused as announced; a MULTIAPPEND within it passes.
TEST(ImapParser, append_message_limit) {
    ParserLimits limits;
    limits.max_append_message_bytes = 5;
    auto steps = parse_all("a APPEND INBOX {6}\r\nb NOOP\r\n", limits);
    ASSERT_EQ(steps.size(), 2u);  // no continuation
    EXPECT_EQ(std::get<TooBig>(steps[0]), (TooBig{"a", 6}));
    EXPECT_EQ(std::get<Command>(steps[1]).tag, "b");
    auto multi = args<Append>("a APPEND INBOX {5+}\r\n01234 {5+}\r\n56789\r\n", limits);
    ASSERT_EQ(multi.messages.size(), 2u);
    EXPECT_EQ(multi.messages[1].message, "56789");
}

TEST(ImapParser, store) {
    Store s = args<Store>("a STORE 2:4 +FLAGS (\\Deleted)\r\n");
    EXPECT_EQ(s.mode, StoreMode::add);
    EXPECT_FALSE(s.silent);
    EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Deleted"}));
    EXPECT_EQ(s.set.ranges, (std::vector<SequenceSet::Range>{{2, 4}}));
    s = args<Store>("a STORE 1 -FLAGS.SILENT \\Seen $Junk\r\n");
    EXPECT_EQ(s.mode, StoreMode::remove);
    EXPECT_TRUE(s.silent);
    EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Seen", "$Junk"}));
    s = args<Store>("a STORE * (UNCHANGEDSINCE 12345) flags ()\r\n");
    EXPECT_EQ(s.mode, StoreMode::replace);
    EXPECT_EQ(s.unchanged_since, 12345u);
    EXPECT_TRUE(s.flags.empty());
    Command cmd = command("a UID STORE 1:* +FLAGS.SILENT (\\Answered)\r\n");
    EXPECT_EQ(cmd.name, "UID STORE");
    EXPECT_TRUE(cmd.uid);
    EXPECT_EQ(bad("a STORE 1 +LABELS (x)\r\n").tag, "a");
    EXPECT_EQ(bad("a STORE 1 FLAGS\r\n").tag, "a");
    EXPECT_EQ(bad("a STORE 0 FLAGS x\r\n").tag, "a");
}

TEST(ImapParser, copy_move_and_uid_forms) {
    Command cmd = command("a COPY 1:3 Archive\r\n");
    EXPECT_EQ(cmd.name, "COPY");
    EXPECT_EQ(std::get<CopyMove>(cmd.args).mailbox, "Archive");
    cmd = command("a uid move 4,5:* \"Trash\"\r\n");
    EXPECT_EQ(cmd.name, "UID MOVE");
    EXPECT_EQ(std::get<CopyMove>(cmd.args).set.ranges, (std::vector<SequenceSet::Range>{{4, 4}, {5, 0}}));
    EXPECT_EQ(command("a MOVE $ x\r\n").name, "MOVE");
    EXPECT_EQ(command("a UID COPY 1 x\r\n").name, "UID COPY");
    cmd = command("a UID EXPUNGE 3:1\r\n");
    EXPECT_EQ(cmd.name, "UID EXPUNGE");
    EXPECT_EQ(std::get<UidExpunge>(cmd.args).set.resolve(9), (std::vector<SequenceSet::Range>{{1, 3}}));
    EXPECT_EQ(bad("a UID EXPUNGE\r\n").tag, "a");
}

TEST(ImapParser, enable) {
    EXPECT_EQ(args<Enable>("a ENABLE condstore UTF8=ACCEPT\r\n").capabilities,
              (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT"}));
    EXPECT_EQ(bad("a ENABLE\r\n").tag, "a");
}

TEST(ImapParser, id) {
    EXPECT_FALSE(args<Id>("a ID NIL\r\n").fields);
    Id id = args<Id>("a ID (\"name\" \"Thunderbird\" \"version\" NIL)\r\n");
    ASSERT_TRUE(id.fields);
    ASSERT_EQ(id.fields->size(), 2u);
    EXPECT_EQ((*id.fields)[0].first, "name");
    EXPECT_EQ((*id.fields)[0].second, "Thunderbird");
    EXPECT_FALSE((*id.fields)[1].second);
    EXPECT_TRUE(args<Id>("a ID ()\r\n").fields->empty());
    EXPECT_EQ(bad("a ID (\"name\")\r\n").tag, "a");
}

TEST(ImapParser, compress_and_quota) {
    EXPECT_EQ(args<Compress>("a COMPRESS deflate\r\n").mechanism, "DEFLATE");
    EXPECT_EQ(args<GetQuota>("a GETQUOTA \"\"\r\n").root, "");
    Command cmd = command("a GETQUOTAROOT INBOX\r\n");
    EXPECT_EQ(cmd.name, "GETQUOTAROOT");
    EXPECT_EQ(std::get<MailboxArgument>(cmd.args).mailbox, "INBOX");
    SetQuota q = args<SetQuota>("a SETQUOTA \"\" (storage 512 MESSAGE 1000)\r\n");
    EXPECT_EQ(q.limits, (std::vector<std::pair<std::string, std::uint64_t>>{{"STORAGE", 512}, {"MESSAGE", 1000}}));
    EXPECT_TRUE(args<SetQuota>("a SETQUOTA root ()\r\n").limits.empty());
}

TEST(ImapParser, search_and_fetch_dispatch) {
    Command cmd = command("a UID SEARCH UNSEEN\r\n");
    EXPECT_EQ(cmd.name, "UID SEARCH");
    EXPECT_TRUE(std::holds_alternative<SearchCommand>(cmd.args));
    cmd = command("a UID FETCH 1:* (FLAGS)\r\n");
    EXPECT_EQ(cmd.name, "UID FETCH");
    EXPECT_TRUE(std::holds_alternative<FetchCommand>(cmd.args));
}

TEST(ImapParser, a_command_owns_its_bytes_after_the_input_is_gone) {
    Parser parser({});
    std::string buffer = "a LOGIN {3+}\r\nbob pw\r\n";
    std::string_view in = buffer;
    Step s = parser.parse(in);
    buffer.assign(buffer.size(), 'z');
    EXPECT_EQ(std::get<Login>(std::get<Command>(s).args).user, "bob");
}

}  // namespace
}  // namespace mallard::imap
