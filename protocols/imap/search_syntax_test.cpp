// SEARCH keys: RFC 3501 §6.4.4, RFC 4731, RFC 5032, RFC 5182, RFC 7162. Fed whole and byte by byte.
#include "protocols/imap/search_syntax.h"

#include <gtest/gtest.h>

#include "protocols/imap/parser_test_support.h"

namespace mallard::imap {
namespace {

using namespace mallard::imap::test;
using Kind = SearchKey::Kind;
using namespace std::chrono;

SearchCommand search(const std::string& keys, const ParserLimits& limits = {}) {
    return args<SearchCommand>("t SEARCH " + keys + "\r\n", limits);
}

// The single top-level key.
SearchKey key(const std::string& keys) {
    SearchCommand s = search(keys);
    EXPECT_EQ(s.key.kind, Kind::all_of);
    if (s.key.children.size() != 1) {
        ADD_FAILURE() << keys;
        return {};
    }
    return s.key.children[0];
}

TEST(ImapSearch, keys_without_arguments) {
    struct Case {
        const char* name;
        Kind kind;
    };
    for (Case c : {Case{"ALL", Kind::all}, {"ANSWERED", Kind::answered}, {"DELETED", Kind::deleted},
                   {"DRAFT", Kind::draft}, {"FLAGGED", Kind::flagged}, {"NEW", Kind::new_}, {"OLD", Kind::old},
                   {"RECENT", Kind::recent}, {"SEEN", Kind::seen}, {"UNANSWERED", Kind::unanswered},
                   {"UNDELETED", Kind::undeleted}, {"UNDRAFT", Kind::undraft}, {"UNFLAGGED", Kind::unflagged},
                   {"unseen", Kind::unseen}}) {
        EXPECT_EQ(key(c.name).kind, c.kind) << c.name;
    }
}

TEST(ImapSearch, string_keys) {
    struct Case {
        const char* name;
        Kind kind;
    };
    for (Case c : {Case{"BCC", Kind::bcc}, {"BODY", Kind::body}, {"CC", Kind::cc}, {"FROM", Kind::from},
                   {"SUBJECT", Kind::subject}, {"TEXT", Kind::text}, {"TO", Kind::to}}) {
        SearchKey k = key(std::string(c.name) + " \"hello world\"");
        EXPECT_EQ(k.kind, c.kind) << c.name;
        EXPECT_EQ(k.text, "hello world");
    }
    EXPECT_EQ(key("SUBJECT {5+}\r\nhe\"lo").text, "he\"lo");
    SearchKey h = key("HEADER X-Spam yes");
    EXPECT_EQ(h.kind, Kind::header);
    EXPECT_EQ(h.field, "X-Spam");
    EXPECT_EQ(h.text, "yes");
    EXPECT_EQ(key("HEADER Message-ID \"\"").text, "");
    EXPECT_EQ(key("KEYWORD $Work").text, "$Work");
    EXPECT_EQ(key("UNKEYWORD $Junk").kind, Kind::unkeyword);
}

TEST(ImapSearch, date_keys) {
    SearchKey k = key("SINCE 1-Feb-1994");
    EXPECT_EQ(k.kind, Kind::since);
    EXPECT_EQ(k.date, year(1994) / February / 1);
    EXPECT_EQ(key("BEFORE \"02-feb-2024\"").date, year(2024) / February / 2);
    EXPECT_EQ(key("ON 29-Feb-2024").kind, Kind::on);
    EXPECT_EQ(key("SENTBEFORE 1-Jan-2000").kind, Kind::sent_before);
    EXPECT_EQ(key("SENTON 1-Jan-2000").kind, Kind::sent_on);
    EXPECT_EQ(key("SENTSINCE 1-Jan-2000").kind, Kind::sent_since);
    for (const char* b : {"SINCE 29-Feb-2023", "SINCE 1-Foo-2000", "SINCE 1-Jan-20", "SINCE 100-Jan-2000",
                          "SINCE 1 Jan 2000", "SINCE \"1-Jan-2000", "SINCE"}) {
        EXPECT_EQ(bad(std::string("t SEARCH ") + b + "\r\n").tag, "t") << b;
    }
}

TEST(ImapSearch, number_keys) {
    EXPECT_EQ(key("LARGER 1000").number, 1000u);
    EXPECT_EQ(key("SMALLER 4294967295").kind, Kind::smaller);
    EXPECT_EQ(key("OLDER 3600").kind, Kind::older);
    EXPECT_EQ(key("YOUNGER 60").number, 60u);
    EXPECT_EQ(bad("t SEARCH LARGER 4294967296\r\n").tag, "t");
    EXPECT_EQ(bad("t SEARCH LARGER -1\r\n").tag, "t");
}

TEST(ImapSearch, sequence_sets_and_uid) {
    SearchKey k = key("1,3:5,*");
    EXPECT_EQ(k.kind, Kind::sequence_set);
    EXPECT_EQ(k.set.ranges, (std::vector<SequenceSet::Range>{{1, 1}, {3, 5}, {0, 0}}));
    k = key("UID 5:2");
    EXPECT_EQ(k.kind, Kind::uid);
    EXPECT_EQ(k.set.resolve(100), (std::vector<SequenceSet::Range>{{2, 5}}));
    EXPECT_TRUE(key("$").set.saved);
    EXPECT_TRUE(key("UID $").set.saved);
}

TEST(ImapSearch, several_keys_are_a_conjunction) {
    SearchCommand s = search("UNSEEN FROM bob 1:10");
    ASSERT_EQ(s.key.children.size(), 3u);
    EXPECT_EQ(s.key.children[1].text, "bob");
    EXPECT_FALSE(s.charset);
    EXPECT_FALSE(s.return_opts);
}

TEST(ImapSearch, or_of_nots_of_parenthesised_lists) {
    SearchKey k = key("OR NOT (SEEN FROM alice) (NOT (DELETED OR FLAGGED 2:3))");
    ASSERT_EQ(k.kind, Kind::or_);
    ASSERT_EQ(k.children.size(), 2u);
    const SearchKey& left = k.children[0];
    ASSERT_EQ(left.kind, Kind::not_);
    ASSERT_EQ(left.children[0].kind, Kind::all_of);
    EXPECT_EQ(left.children[0].children.size(), 2u);
    EXPECT_EQ(left.children[0].children[1].text, "alice");
    const SearchKey& right = k.children[1];
    ASSERT_EQ(right.kind, Kind::all_of);
    ASSERT_EQ(right.children[0].kind, Kind::not_);
    const SearchKey& inner = right.children[0].children[0];
    ASSERT_EQ(inner.kind, Kind::all_of);
    EXPECT_EQ(inner.children[0].kind, Kind::deleted);
    ASSERT_EQ(inner.children[1].kind, Kind::or_);
    EXPECT_EQ(inner.children[1].children[1].kind, Kind::sequence_set);
}

TEST(ImapSearch, nesting_limit) {
    ParserLimits limits;
    limits.max_search_depth = 5;
    EXPECT_EQ(search("((((SEEN))))", limits).key.children.size(), 1u);
    EXPECT_EQ(bad("t SEARCH (((((SEEN)))))\r\n", limits).text, "search keys nested too deeply");
    EXPECT_EQ(bad("t SEARCH NOT NOT NOT NOT NOT SEEN\r\n", limits).tag, "t");
    EXPECT_EQ(bad("t SEARCH OR OR OR OR OR 1 2 3 4 5 6\r\n", limits).tag, "t");
    // The default limit keeps a hostile line from exhausting the stack.
    std::string deep(5000, '(');
    EXPECT_EQ(bad("t SEARCH " + deep + "SEEN" + std::string(5000, ')') + "\r\n").text,
              "search keys nested too deeply");
}

TEST(ImapSearch, malformed_keys) {
    for (const char* b : {"", "()", "(SEEN", "SEEN)", "FROBNICATE", "OR SEEN", "NOT", "HEADER X", "UID",
                          "KEYWORD", "SEEN  UNSEEN", "0", "1:", "FROM \"x"}) {
        EXPECT_EQ(bad(std::string("t SEARCH ") + b + "\r\n").tag, "t") << b;
    }
    EXPECT_EQ(bad("t SEARCH\r\n").tag, "t");
}

TEST(ImapSearch, charset) {
    SearchCommand s = search("CHARSET UTF-8 SUBJECT {4+}\r\n\xc3\xa9t\xc3");
    EXPECT_EQ(s.charset, "UTF-8");
    EXPECT_EQ(s.key.children[0].text, "\xc3\xa9t\xc3");  // literals are 8-bit; the session converts
    EXPECT_EQ(search("charset \"US-ASCII\" ALL").charset, "US-ASCII");
    EXPECT_EQ(bad("t SEARCH CHARSET\r\n").tag, "t");
    EXPECT_EQ(bad("t SEARCH CHARSET UTF-8\r\n").tag, "t");
}

TEST(ImapSearch, return_options) {
    SearchCommand s = search("RETURN (MIN MAX COUNT) CHARSET UTF-8 UNSEEN");
    ASSERT_TRUE(s.return_opts);
    EXPECT_TRUE(s.return_opts->min && s.return_opts->max && s.return_opts->count);
    EXPECT_FALSE(s.return_opts->all);
    EXPECT_EQ(s.charset, "UTF-8");
    s = search("RETURN () ALL");
    EXPECT_TRUE(s.return_opts->all);
    s = search("RETURN (SAVE) FLAGGED");
    EXPECT_TRUE(s.return_opts->save);
    EXPECT_EQ(bad("t SEARCH RETURN (FOO) ALL\r\n").tag, "t");
}

TEST(ImapSearch, modseq) {
    SearchKey k = key("MODSEQ 620162338");
    EXPECT_EQ(k.kind, Kind::modseq);
    EXPECT_EQ(k.number, 620162338u);
    k = key("MODSEQ \"/flags/\\\\draft\" all 620162338");
    EXPECT_EQ(k.field, "/flags/\\draft");
    EXPECT_EQ(k.text, "all");
    EXPECT_EQ(k.number, 620162338u);
    EXPECT_EQ(bad("t SEARCH MODSEQ \"/x\" all 1\r\n").tag, "t");
    EXPECT_EQ(bad("t SEARCH MODSEQ \"/flags/\\\\Seen\" mine 1\r\n").tag, "t");
    EXPECT_EQ(bad("t SEARCH MODSEQ 9223372036854775808\r\n").tag, "t");
}

TEST(ImapSearch, uid_search) {
    Command cmd = command("t UID SEARCH UID 1:* NOT DELETED\r\n");
    EXPECT_EQ(cmd.name, "UID SEARCH");
    EXPECT_EQ(std::get<SearchCommand>(cmd.args).key.children.size(), 2u);
}

}  // namespace
}  // namespace mallard::imap
