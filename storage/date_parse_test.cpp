// Date header parsing: RFC 5322 §3.3, the obsolete forms of §4.3, and what real mail carries.
#include "storage/date_parse.h"

#include <gtest/gtest.h>

namespace mallard::storage {
namespace {

// 2024-01-02 10:00:00 UTC
constexpr std::int64_t jan2_10utc = 1704189600;

std::int64_t epoch(std::string_view s) {
    auto d = parse_date_header(s);
    EXPECT_TRUE(d.has_value()) << s;
    return d ? d->epoch_seconds : -1;
}

TEST(DateParse, rfc5322_form_with_zone) {
    auto d = parse_date_header("Tue, 02 Jan 2024 11:00:00 +0100");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->epoch_seconds, jan2_10utc);
    EXPECT_EQ(d->utc_offset_seconds, 3600);
    EXPECT_EQ(epoch("Tue, 2 Jan 2024 05:00:00 -0500"), jan2_10utc);
    EXPECT_EQ(epoch("2 Jan 2024 10:00:00 +0000"), jan2_10utc);
}

TEST(DateParse, obsolete_forms) {
    EXPECT_EQ(epoch("Tue, 2 Jan 24 10:00:00 GMT"), jan2_10utc);             // two-digit year
    EXPECT_EQ(epoch("Tue, 2 Jan 124 10:00:00 UT"), jan2_10utc);             // three-digit year
    EXPECT_EQ(epoch("Tue, 2 Jan 2024 05:00:00 EST"), jan2_10utc);
    EXPECT_EQ(epoch("Tue, 2 Jan 2024 02:00:00 PST"), jan2_10utc);
    EXPECT_EQ(epoch("Tue, 2 Jan 2024 10:00:00 Z"), jan2_10utc);
    EXPECT_EQ(epoch("Tue, 2 Jan 2024 10:00 +0000"), jan2_10utc);            // no seconds
    EXPECT_EQ(epoch("  Tue ,  2   Jan\r\n 2024  10:00:00  +0000  "), jan2_10utc);  // folding, spacing
    EXPECT_EQ(epoch("Tue, 2 Jan 2024 11:00:00 +0100 (CET)"), jan2_10utc);   // comment
    EXPECT_EQ(epoch("Thu, 1 Jan 70 00:00:00 GMT"), 0);
    EXPECT_EQ(epoch("Fri, 31 Dec 99 23:59:60 +0000"), 946684799);           // leap second, 1999
}

TEST(DateParse, common_garbage) {
    EXPECT_EQ(epoch("Tuesday, 2 January 2024 10:00:00 +0000"), jan2_10utc);
    EXPECT_EQ(epoch("Tue., 2 Jan. 2024 10:00:00 +0000"), jan2_10utc);
    EXPECT_EQ(epoch("Tue Jan  2 10:00:00 2024"), jan2_10utc);               // asctime
    EXPECT_EQ(epoch("02-Jan-2024 11:00:00 +0100"), jan2_10utc);             // IMAP date-time style
    EXPECT_EQ(epoch("2024-01-02T10:00:00Z"), jan2_10utc);                   // ISO 8601
    EXPECT_EQ(epoch("2024-01-02 12:00:00+02:00"), jan2_10utc);
    EXPECT_EQ(epoch("Tue, 2 Jan 2024 10:00:00-0000"), jan2_10utc);
    EXPECT_EQ(epoch("Tue, 2 Jan 2024 10:00:00 XYZT"), jan2_10utc);          // unknown zone: +0000
    EXPECT_EQ(epoch("Tue, 2 Jan 2024"), jan2_10utc - 36000);                // no time: midnight
    EXPECT_EQ(epoch("tue, 02 jan 2024 10:00:00 gmt"), jan2_10utc);
}

TEST(DateParse, unreadable_dates_are_none) {
    EXPECT_FALSE(parse_date_header(""));
    EXPECT_FALSE(parse_date_header("yesterday"));
    EXPECT_FALSE(parse_date_header("Tue, 2 2024 10:00:00"));               // no month
    EXPECT_FALSE(parse_date_header("Tue, Jan 2024 10:00:00"));             // no day
    EXPECT_FALSE(parse_date_header("Fri, 30 Feb 2024 10:00:00 +0000"));    // no such day
    EXPECT_FALSE(parse_date_header("Tue, 2 Jan 2024 25:00:00 +0000"));     // no such hour
    EXPECT_FALSE(parse_date_header("2024-13-02"));
    EXPECT_FALSE(parse_date_header("(((((unclosed 2 Jan 2024"));
}

}  // namespace
}  // namespace mallard::storage
