#include "storage/threading.h"

#include <gtest/gtest.h>

using namespace mallard::storage;

// WildDuck's normalizeSubject(…, {removePrefix: true}) examples and edge cases.
TEST(Threading, base_subject_strips_reply_forward_and_tags) {
    EXPECT_EQ(base_subject("Re: [EXTERNAL] Re: Fwd: Example subject (fwd)"), "Example subject");
    EXPECT_EQ(base_subject("RE : FW: hello   world "), "hello world");
    EXPECT_EQ(base_subject("[list] topic"), "topic");
    EXPECT_EQ(base_subject("[only-a-tag]"), "[only-a-tag]");  // nothing follows: not a tag prefix
    EXPECT_EQ(base_subject("Reply needed"), "Reply needed");  // "Re" without a colon stays
    EXPECT_EQ(base_subject(""), "");
}

TEST(Threading, keys_gather_ids_from_the_last_fields) {
    const std::string headers =
        "From: a@example.com\n"
        "Subject: Re: Lunch\n"
        "Message-ID: <m3@example.com>\n"
        "In-Reply-To: <m2@example.com>\n"
        "References: <m1@example.com> <m2@example.com>\n"
        "Thread-Index: AQHXYZabcdefghijklmnopqrstuvwxyz\n";
    const ThreadKeys keys = thread_keys(headers);
    EXPECT_EQ(keys.subject, "Lunch");
    EXPECT_EQ(keys.refs, (std::vector<std::string>{"m3@example.com", "m2@example.com", "AQHXYZabcdefghijklmnop",
                                                  "m1@example.com"}));
}

TEST(Threading, keys_are_bounded) {
    std::string refs = "References:";
    for (int i = 0; i < 50; ++i) refs += " <id" + std::to_string(i) + "@x>";
    const ThreadKeys keys = thread_keys(refs + "\nMessage-ID: <" + std::string(1000, 'a') + ">\n");
    EXPECT_EQ(keys.refs.size(), max_thread_refs);
    EXPECT_EQ(keys.refs.front().size(), max_thread_ref_bytes);
    EXPECT_TRUE(thread_keys("").refs.empty());
}
