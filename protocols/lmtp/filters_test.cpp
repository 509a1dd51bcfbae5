// Message facts, filter matching and the merge of actions, spam rules: what a filter's owner would expect
// of WildDuck-shaped filters, on real message syntax (encoded words, folding, multipart).
#include "protocols/lmtp/filters.h"

#include <gtest/gtest.h>

#include "protocols/lmtp/spam_verdict.h"

namespace mallard::lmtp {
namespace {

using storage::Filter;
using storage::FilterQuery;

const std::string plain_message =
    "From: The Boss <boss@example.org>\r\n"
    "To: team@example.com\r\n"
    "Cc: Alice <alice@example.com>\r\n"
    "Subject: =?UTF-8?Q?Urgent:_caf=C3=A9?=\r\n"
    " meeting\r\n"
    "List-ID: Dev list <dev.lists.example.org>\r\n"
    "\r\n"
    "The DEADLINE is\r\n  tomorrow.\r\n";

const std::string attachment_message =
    "From: scanner@example.net\r\n"
    "Subject: scan\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "See attached.\r\n"
    "--b\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename=scan.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--b--\r\n";

MessageFacts facts(const std::string& raw) {
    MessageFacts f = header_facts(raw);
    add_body_facts(f, raw);
    return f;
}

Filter filter(std::string id, FilterQuery query) {
    Filter f;
    f.id = std::move(id);
    f.query = std::move(query);
    return f;
}

// Queries with the named fields set (designated initializers would leave the others to warnings).
FilterQuery q(std::string FilterQuery::*field, std::string value) {
    FilterQuery query;
    query.*field = std::move(value);
    return query;
}
FilterQuery q(std::string FilterQuery::*a, std::string va, std::string FilterQuery::*b, std::string vb) {
    FilterQuery query = q(a, std::move(va));
    query.*b = std::move(vb);
    return query;
}
FilterQuery with_attachment(bool has) {
    FilterQuery query;
    query.has_attachment = has;
    return query;
}
FilterQuery with_size(std::int64_t size) {
    FilterQuery query;
    query.size = size;
    return query;
}
constexpr auto from = &FilterQuery::from;
constexpr auto to = &FilterQuery::to;
constexpr auto subject = &FilterQuery::subject;
constexpr auto list_id = &FilterQuery::list_id;
constexpr auto text = &FilterQuery::text;

TEST(MessageFacts, headers_are_decoded_and_unfolded_text_is_folded) {
    auto f = facts(plain_message);
    ASSERT_EQ(f.headers.size(), 5u);
    EXPECT_EQ(f.headers[0].name, "from");
    EXPECT_EQ(f.headers[3].name, "subject");
    EXPECT_EQ(f.headers[3].value, "Urgent: caf\xc3\xa9 meeting");
    EXPECT_EQ(f.text, "the deadline is tomorrow.");
    EXPECT_FALSE(f.has_attachment);
    EXPECT_EQ(f.size_bytes, plain_message.size());
    EXPECT_TRUE(facts(attachment_message).has_attachment);
    EXPECT_FALSE(header_facts(plain_message).has_body);
}

TEST(FilterMatch, header_fields_match_case_insensitive_substrings) {
    auto f = facts(plain_message);
    auto matches = [&](const FilterQuery& query) { return filter_matches(query, f); };
    EXPECT_TRUE(matches({}));  // an empty query matches everything
    EXPECT_TRUE(matches(q(from, "BOSS@example")));
    EXPECT_TRUE(matches(q(from, "the boss")));
    EXPECT_FALSE(matches(q(from, "team@")));
    EXPECT_TRUE(matches(q(to, "team@example.com")));
    EXPECT_TRUE(matches(q(to, "alice")));  // Cc counts as To
    EXPECT_TRUE(matches(q(subject, "CAF\xc3\x89  Meeting")));  // decoded, folded, white space collapsed
    EXPECT_TRUE(matches(q(list_id, "dev.lists.example.org")));
    EXPECT_TRUE(matches(q(list_id, "Whatever <dev.lists.example.org>")));  // the id part only
    EXPECT_FALSE(matches(q(list_id, "other.example.org")));
    // Every set field must match.
    EXPECT_TRUE(matches(q(from, "boss", subject, "urgent")));
    EXPECT_FALSE(matches(q(from, "boss", subject, "invoice")));
}

TEST(FilterMatch, text_attachment_and_size) {
    auto plain = facts(plain_message);
    auto attached = facts(attachment_message);
    EXPECT_TRUE(filter_matches(q(text, "deadline is tomorrow"), plain));
    EXPECT_FALSE(filter_matches(q(text, "yesterday"), plain));
    EXPECT_FALSE(filter_matches(q(text, "scan.pdf"), attached));  // attachments are not text
    EXPECT_TRUE(filter_matches(with_attachment(true), attached));
    EXPECT_FALSE(filter_matches(with_attachment(true), plain));
    EXPECT_TRUE(filter_matches(with_attachment(false), plain));
    EXPECT_FALSE(filter_matches(with_attachment(false), attached));
    const auto size = static_cast<std::int64_t>(plain_message.size());
    EXPECT_TRUE(filter_matches(with_size(size), plain));        // at least
    EXPECT_FALSE(filter_matches(with_size(size + 1), plain));
    EXPECT_TRUE(filter_matches(with_size(-size), plain));       // at most
    EXPECT_FALSE(filter_matches(with_size(-(size - 1)), plain));
    EXPECT_FALSE(filter_matches(with_size(-1), plain));
    // Body tests never match facts taken without the body.
    EXPECT_FALSE(filter_matches(q(text, "deadline"), header_facts(plain_message)));
    EXPECT_TRUE(needs_body(with_attachment(false)));
    EXPECT_FALSE(needs_body(q(from, "x")));
}

TEST(FilterRun, first_setter_of_each_action_wins_and_disabled_filters_are_skipped) {
    auto f = facts(plain_message);
    std::vector<Filter> filters;
    filters.push_back(filter("1", q(from, "nobody")));  // does not match
    filters.back().action.mailbox = "box-0";
    filters.push_back(filter("2", q(from, "boss")));
    filters.back().action.seen = true;
    filters.back().action.mailbox = "box-1";
    filters.push_back(filter("3", q(subject, "urgent")));
    filters.back().action.flag = true;
    filters.back().action.seen = false;       // too late: filter 2 decided
    filters.back().action.mailbox = "box-2";  // too late too
    filters.back().action.spam = false;
    filters.push_back(filter("4", {}));
    filters.back().action.discard = true;
    filters.back().disabled = true;

    auto out = run_filters(filters, f);
    EXPECT_EQ(out.matched, (std::vector<storage::FilterId>{"2", "3"}));
    EXPECT_TRUE(out.seen);
    EXPECT_TRUE(out.flag);
    EXPECT_FALSE(out.discard);
    EXPECT_EQ(out.spam, false);
    EXPECT_EQ(out.mailbox, "box-1");
    EXPECT_FALSE(run_filters({}, f).spam.has_value());
}

TEST(SpamVerdict, rules_match_field_name_and_value_prefix_case_insensitively) {
    auto rules = parse_spam_rules({"X-Spam-Status: Yes", "X-Spam-Flag: YES", "X-Rspamd-Action: rewrite subject",
                                   "X-Spam-Virus:"});
    ASSERT_TRUE(rules);
    auto verdict = [&](std::string headers) { return spam_verdict(*rules, header_facts(headers + "\r\nbody\r\n")); };
    EXPECT_TRUE(verdict("x-spam-status: yes, score=9.1 required=5.0\r\n"));
    EXPECT_TRUE(verdict("X-Spam-Status: Yes,\r\n\tscore=9.1\r\n"));
    EXPECT_FALSE(verdict("X-Spam-Status: No, score=1.0\r\n"));
    EXPECT_TRUE(verdict("X-Spam-Flag: yes\r\n"));
    EXPECT_TRUE(verdict("X-Rspamd-Action: rewrite subject\r\n"));
    EXPECT_FALSE(verdict("X-Rspamd-Action: no action\r\n"));
    EXPECT_TRUE(verdict("X-Spam-Virus: \r\n"));  // an empty prefix: present is enough
    EXPECT_FALSE(verdict("Subject: X-Spam-Flag: YES\r\n"));
    EXPECT_FALSE(spam_verdict({}, header_facts("X-Spam-Flag: YES\r\n\r\n")));

    EXPECT_FALSE(parse_spam_rule("no colon"));
    EXPECT_FALSE(parse_spam_rule(": Yes"));
    EXPECT_FALSE(parse_spam_rule("X Spam: Yes"));
    EXPECT_EQ(*parse_spam_rule("  X-Spam-Flag :  YES "), (SpamRule{"x-spam-flag", "yes"}));
}

}  // namespace
}  // namespace mallard::lmtp
