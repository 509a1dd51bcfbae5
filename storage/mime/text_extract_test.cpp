// Text extraction for search and display, and HTML to text.
#include "storage/mime/text_extract.h"

#include <gtest/gtest.h>

#include "storage/mime/html_text.h"
#include "storage/mime/parser.h"
#include "storage/mime/test_util.h"

namespace mallard::storage::mime {
namespace {

ExtractedText extract(const std::string& msg, const TextLimits& limits = {}) {
    return extract_text(test::parse_checked(msg), msg, limits);
}

TEST(MimeText, alternative_prefers_plain_and_keeps_html) {
    std::string stored = test::read_data("alternative.eml");
    for (const std::string& msg : {stored, test::to_crlf(stored)}) {
        ExtractedText t = extract(msg);
        EXPECT_EQ(t.plain,
                  "Grüße aus München!\n\nDie Prüfungsergebnisse sind da. Alle haben bestanden, bis auf einen "
                  "sehr langen Satz, der hier weich umbrochen wird.");
        ASSERT_EQ(t.html.size(), 1u);
        EXPECT_NE(t.html[0].find("<b>München</b>"), std::string::npos);
        EXPECT_FALSE(t.truncated);
    }
}

TEST(MimeText, charsets_and_attachments) {
    ExtractedText t = extract(test::read_data("mixed_attachments.eml"));
    EXPECT_EQ(t.plain,
              "Dear customer,\n\nplease find your invoice attached. Total: 42,00 € (incl. 19% VAT).\n"
              "Vielen Dank für Ihren Einkauf!\n");
    EXPECT_EQ(t.plain.find("terms"), std::string::npos);  // an attachment
    ASSERT_EQ(t.html.size(), 1u);
    EXPECT_NE(t.html[0].find("Vielen Dank für"), std::string::npos);  // latin1 converted
}

TEST(MimeText, encapsulated_messages_are_included) {
    ExtractedText t = extract(test::read_data("nested_rfc822.eml"));
    EXPECT_EQ(t.plain, "See below — forwarding for the record.\n\nThe menü: soup, salad, crème brûlée.");
    ASSERT_EQ(t.html.size(), 1u);
    EXPECT_EQ(t.html[0], "<p>The menü: soup, salad, crème brûlée.</p>");
}

TEST(MimeText, html_only_message_is_converted) {
    ExtractedText t = extract(test::read_data("html_only.eml"));
    EXPECT_EQ(t.plain,
              "Deals & Offers\n\nSave 20 % – only this week…\n\nItem Price\nCafé €3,50\n\nVisit our shop.");
    ASSERT_EQ(t.html.size(), 1u);
    EXPECT_NE(t.html[0].find("<script>"), std::string::npos);
}

TEST(MimeText, other_charsets) {
    ExtractedText t = extract(test::read_data("encoded_headers.eml"));
    EXPECT_EQ(t.plain, "Привет из Москвы.\n\nこんにちは");  // the last line break is the boundary's
}

TEST(MimeText, parts_of_nothing_but_line_breaks) {
    // Found by the fuzzer: joining after a part that was all line breaks read before the string start.
    std::string msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\n\n\n\n--b\n\n\n\n--b\n\nend\n--b--\n";
    EXPECT_EQ(extract(msg).plain, "end");
}

TEST(MimeText, output_is_bounded) {
    std::string msg = "Content-Type: text/plain; charset=utf-8\n\n";
    for (int i = 0; i < 100000; ++i) msg += "äöü ";
    ExtractedText t = extract(msg, TextLimits{1002, 10});
    EXPECT_EQ(t.plain.size(), 1001u);  // 143 × "äöü ", then an "ä" that would not fit whole
    EXPECT_TRUE(t.truncated);
    std::string html = "Content-Type: text/html\n\n<p>" + std::string(5000, 'x') + "</p>";
    ExtractedText h = extract(html, TextLimits{100, 10000});
    EXPECT_EQ(h.plain, std::string(100, 'x'));
    ASSERT_EQ(h.html.size(), 1u);
    EXPECT_EQ(h.html[0].size(), 5007u);
    ExtractedText cut = extract(html, TextLimits{10000, 100});
    EXPECT_EQ(cut.html[0].size(), 100u);
    EXPECT_TRUE(cut.truncated);
}

TEST(MimeHtmlText, tags_entities_and_skipped_elements) {
    EXPECT_EQ(html_to_text("<p>a</p><p>b<br>c</p>", 100), "a\n\nb\nc");
    EXPECT_EQ(html_to_text("x &lt;tag&gt; &amp;amp; &#65;&#x42; &bogus; &", 100), "x <tag> &amp; AB &bogus; &");
    EXPECT_EQ(html_to_text("<script>if (a < b) {}</script>ok<style>p{}</style>", 100), "ok");
    EXPECT_EQ(html_to_text("<SCRIPT>x</ScRiPt>ok", 100), "ok");
    EXPECT_EQ(html_to_text("<a title=\"x > y\">link</a>", 100), "link");
    EXPECT_EQ(html_to_text("a < b and c>d", 100), "a < b and c>d");
    EXPECT_EQ(html_to_text("<!-- <p>no</p> -->yes<!-- unterminated", 100), "yes");
    EXPECT_EQ(html_to_text("  lots   of \n\t space  ", 100), "lots of space");
    EXPECT_EQ(html_to_text("<script>never closed", 100), "");
    EXPECT_EQ(html_to_text("&#0;&#xD800;&#99999999;", 100), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace mallard::storage::mime
