// The updates stream's event text and its resumable ids.
#include "protocols/http/routes/update_events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mallard::http::routes {
namespace {

TEST(UpdateEvents, positions_round_trip) {
    StreamPosition p{{"1", 5}, {"22", 0}, {"abc", 18446744073709551615ull}};
    EXPECT_EQ(encode_position(p), "1:5,22:0,abc:18446744073709551615");
    EXPECT_EQ(decode_position(encode_position(p)), p);
    EXPECT_EQ(decode_position(""), StreamPosition{});
    for (const char* bad : {"1", "1:", ":5", "1:x", "1:5,", "1:-1", "1:99999999999999999999"})
        EXPECT_FALSE(decode_position(bad)) << bad;
    EXPECT_FALSE(decode_position(std::string(70000, '1')));
    EXPECT_EQ(encode_position({{"a,b", 1}, {"c", 2}}), "c:2");  // an id that would break the format is left out
}

TEST(UpdateEvents, journal_entries_become_events) {
    storage::JournalEntry added{7, storage::JournalKind::append, 3, {"\\Seen"}, {}};
    std::string text = journal_event("9", added, {{"9", 7}});
    ASSERT_EQ(text.rfind("id: 9:7\ndata: ", 0), 0u) << text;
    ASSERT_EQ(text.substr(text.size() - 2), "\n\n");
    auto data = nlohmann::json::parse(text.substr(text.find("data: ") + 6));
    EXPECT_EQ(data["command"], "EXISTS");
    EXPECT_EQ(data["mailbox"], "9");
    EXPECT_EQ(data["uid"], 3);
    EXPECT_EQ(data["unseen"], false);
    storage::JournalEntry gone{8, storage::JournalKind::expunge, 3, {}, {}};
    data = nlohmann::json::parse(journal_event("9", gone, {}).substr(journal_event("9", gone, {}).find("data: ") + 6));
    EXPECT_EQ(data["command"], "EXPUNGE");
    EXPECT_FALSE(data.contains("flags"));
}

}  // namespace
}  // namespace mallard::http::routes
