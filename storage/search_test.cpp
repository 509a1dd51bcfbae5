// The backend-neutral parts of SEARCH: case folding, header-line matching, query limits.
#include "storage/search.h"

#include <gtest/gtest.h>

namespace mallard::storage {
namespace {

TEST(SearchFold, folds_ascii_latin_greek_cyrillic) {
    EXPECT_EQ(fold_case("Hello WORLD 123 %_*"), "hello world 123 %_*");
    EXPECT_EQ(fold_case("ÄÖÜ ÀÉÎ Ø ×"), "äöü àéî ø ×");
    EXPECT_EQ(fold_case("ŁÓDŹ Ş Ÿ"), "łódź ş ÿ");
    EXPECT_EQ(fold_case("ΑΘΉΝΑ ΌΛΟΣ"), "αθήνα όλοσ");  // final sigma folds to σ: ς and σ match each other
    EXPECT_EQ(fold_case("όλος"), "όλοσ");
    EXPECT_EQ(fold_case("МОСКВА ЁЖ"), "москва ёж");
    EXPECT_EQ(fold_case("日本語"), "日本語");
    EXPECT_EQ(fold_case("ß"), "ß");  // no multi-character folds
}

TEST(SearchFold, invalid_utf8_passes_through) {
    EXPECT_EQ(fold_case("A\xff" "B\xc3"), "a\xff" "b\xc3");
    EXPECT_EQ(fold_case(std::string("A\0B", 3)), std::string("a\0b", 3));
}

TEST(SearchHeaderLines, match_within_a_field_of_that_name) {
    const std::string lines = "subject: alpha\nto: beta\nx-empty:\nreceived: from a\nreceived: from b\n";
    EXPECT_TRUE(header_lines_match(lines, "subject", "alpha"));
    EXPECT_TRUE(header_lines_match(lines, "subject", "lph"));
    EXPECT_FALSE(header_lines_match(lines, "subject", "beta"));
    EXPECT_FALSE(header_lines_match(lines, "subject", "alpha\nto"));
    EXPECT_FALSE(header_lines_match(lines, "subj", "alpha"));
    EXPECT_TRUE(header_lines_match(lines, "x-empty", ""));
    EXPECT_FALSE(header_lines_match(lines, "cc", ""));
    EXPECT_TRUE(header_lines_match(lines, "received", "from b"));  // any occurrence
    EXPECT_FALSE(header_lines_match("", "subject", ""));
}

TEST(SearchQuery, limits_are_checked) {
    EXPECT_TRUE(validate(search::all_of({search::flag("\\Seen"), search::negation(search::body("x"))})));
    SearchKey deep = search::all();
    for (std::size_t i = 0; i < max_search_depth + 1; ++i) deep = search::negation(std::move(deep));
    EXPECT_FALSE(validate(deep));
    std::vector<SearchKey> wide(max_search_keys, search::all());
    EXPECT_FALSE(validate(search::any_of(wide)));
    wide.pop_back();
    EXPECT_TRUE(validate(search::any_of(wide)));
    SearchKey two = search::negation(search::all());
    two.children.push_back(search::all());
    EXPECT_FALSE(validate(two));
}

TEST(SearchQuery, day_spans_are_utc_days) {
    auto d = std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year(2024), std::chrono::month(1),
                                                               std::chrono::day(2)});
    EXPECT_EQ(day_span(d).begin, 1704153600);
    EXPECT_EQ(day_span(d).end, 1704153600 + 86400);
}

}  // namespace
}  // namespace mallard::storage
