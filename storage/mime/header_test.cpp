// Header decoding: field splitting and unfolding (RFC 5322 §2.2), encoded-words (RFC 2047), charset
// conversion, and MIME parameters with RFC 2231 continuations.
#include <gtest/gtest.h>

#include "storage/mime/charset.h"
#include "storage/mime/encoded_words.h"
#include "storage/mime/header_fields.h"
#include "storage/mime/params.h"

namespace mallard::storage::mime {
namespace {

TEST(MimeHeaderFields, split_keeps_folds_and_stops_at_the_blank_line) {
    std::string block = "Subject: one\r\n two\r\nX-Empty:\r\nTo : a@b\r\n\tc@d\r\n\r\nBody: not a field\r\n";
    auto fields = split_header_fields(block);
    ASSERT_EQ(fields.size(), 3u);
    EXPECT_EQ(fields[0].name, "Subject");
    EXPECT_EQ(fields[0].value, " one\r\n two");
    EXPECT_EQ(fields[1].value, "");
    EXPECT_EQ(fields[2].name, "To");
    EXPECT_EQ(unfold(fields[2].value), "a@b\tc@d");
    EXPECT_EQ(unfold(fields[0].value), "one two");
}

TEST(MimeHeaderFields, classify_lines) {
    EXPECT_EQ(classify_header_line("", false), HeaderLine::blank);
    EXPECT_EQ(classify_header_line("\r", true), HeaderLine::blank);
    EXPECT_EQ(classify_header_line("Subject: x", false), HeaderLine::field);
    EXPECT_EQ(classify_header_line("X-Ünï: raw UTF-8 name", false), HeaderLine::field);
    EXPECT_EQ(classify_header_line(" folded", true), HeaderLine::continuation);
    EXPECT_EQ(classify_header_line(" folded", false), HeaderLine::other);
    EXPECT_EQ(classify_header_line("no colon here", true), HeaderLine::other);
    EXPECT_EQ(classify_header_line("Spaced name: x", true), HeaderLine::other);
    EXPECT_EQ(classify_header_line(": empty name", true), HeaderLine::other);
    EXPECT_EQ(classify_header_line("From foo@bar Mon Jan  1", true), HeaderLine::other);
}

TEST(MimeEncodedWords, b_and_q_words) {
    EXPECT_EQ(decode_header_text("=?UTF-8?B?UHLDvGZ1bmdzZXJnZWJuaXNzZQ==?="), "Prüfungsergebnisse");
    EXPECT_EQ(decode_header_text("=?iso-8859-1?q?J=F6rg_M=FCller?="), "Jörg Müller");
    EXPECT_EQ(decode_header_text("Re: =?utf-8?Q?caf=C3=A9?= time"), "Re: café time");
    EXPECT_EQ(decode_header_text("=?UTF-8*en?Q?language_suffix?="), "language suffix");
    EXPECT_EQ(decode_header_text("plain text"), "plain text");
}

TEST(MimeEncodedWords, adjacent_words_join_and_may_split_characters) {
    // "Привет" split inside a two-byte character across two words.
    EXPECT_EQ(decode_header_text("=?utf-8?B?0J/RgNC40LLQ?=\r\n =?utf-8?B?tdGC?="), "Привет");
    EXPECT_EQ(decode_header_text("=?utf-8?q?a?= =?utf-8?q?b?=  \t =?iso-8859-1?q?=E9?="), "abé");
    EXPECT_EQ(decode_header_text("=?utf-8?q?a?= x =?utf-8?q?b?="), "a x b");
}

TEST(MimeEncodedWords, charsets) {
    EXPECT_EQ(decode_header_text("=?koi8-r?B?6dfBziDwxdTSz9c=?="), "Иван Петров");
    EXPECT_EQ(decode_header_text("=?iso-2022-jp?B?GyRCOzNFREJATzobKEI=?="), "山田太郎");
    EXPECT_EQ(decode_header_text("=?gb2312?B?1cXOsA==?="), "张伟");
    EXPECT_EQ(decode_header_text("=?windows-1252?Q?=93Smart=94?="), "“Smart”");
    EXPECT_EQ(decode_header_text("=?x-klingon?Q?caf=C3=A9?="), "café");  // unknown: valid UTF-8 kept
    EXPECT_EQ(decode_header_text("=?x-klingon?Q?caf=E9?="), "café");     // else latin1
}

TEST(MimeEncodedWords, malformed_words_are_left_as_written) {
    EXPECT_EQ(decode_header_text("=?utf-8?Q?unterminated and more"), "=?utf-8?Q?unterminated and more");
    EXPECT_EQ(decode_header_text("=?utf-8?X?bad-encoding?="), "=?utf-8?X?bad-encoding?=");
    EXPECT_EQ(decode_header_text("=?bogus?B?!!!?="), "=?bogus?B?!!!?=");
    EXPECT_EQ(decode_header_text("=?utf-8?Q?bad=ZZhex?="), "=?utf-8?Q?bad=ZZhex?=");
    EXPECT_EQ(decode_header_text("=??Q?no-charset?="), "=??Q?no-charset?=");
    EXPECT_EQ(decode_header_text("a =?utf-8?q?ok?= =?"), "a ok =?");
}

TEST(MimeEncodedWords, raw_eight_bit_text) {
    EXPECT_EQ(decode_header_text("Grüße"), "Grüße");
    EXPECT_EQ(decode_header_text("caf\xe9"), "café");
    EXPECT_EQ(decode_header_text("\x93quoted\x94"), "“quoted”");
}

TEST(MimeCharset, conversions) {
    EXPECT_EQ(to_utf8("\xe9t\xe9", "ISO-8859-1"), "été");
    EXPECT_EQ(to_utf8("\x80", "iso-8859-1"), "€");  // read as windows-1252, as mail clients do
    EXPECT_EQ(to_utf8("\x82\xb1\x82\xf1", "shift_jis"), "こん");
    EXPECT_EQ(to_utf8("\xc4\xe3\xba\xc3", "gb2312"), "你好");
    EXPECT_EQ(to_utf8("ok", "no-such-charset"), "ok");
    EXPECT_EQ(to_utf8("\xff", "utf-8"), "ÿ");
    EXPECT_EQ(to_utf8("a\xe9", "../etc//TRANSLIT"), "aé");
    EXPECT_EQ(to_utf8("\xe3\x81", "utf-8"), "ã\xc2\x81");  // a truncated sequence: bytes as latin1
    EXPECT_TRUE(is_valid_utf8(to_utf8("\x1b$B\xff\xff", "iso-2022-jp")));
    EXPECT_TRUE(is_valid_utf8(to_utf8(std::string("\xd8\x00", 2), "utf-16be")));
}

TEST(MimeCharset, utf8_helpers) {
    EXPECT_TRUE(is_valid_utf8("Grüße 日本"));
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_EQ(utf8_prefix_length("aé", 2), 1u);
    EXPECT_EQ(utf8_prefix_length("aé", 3), 3u);
}

TEST(MimeParams, content_type_and_plain_parameters) {
    ContentType ct = parse_content_type(" Text/HTML ; charset = \"UTF-8\" ; format=flowed (comment)");
    EXPECT_TRUE(ct.valid);
    EXPECT_EQ(ct.type, "text");
    EXPECT_EQ(ct.subtype, "html");
    ASSERT_EQ(ct.params.size(), 2u);
    EXPECT_EQ(ct.params[0].name, "charset");
    EXPECT_EQ(ct.params[0].value, "UTF-8");
    EXPECT_EQ(ct.params[1].value, "flowed");
    EXPECT_FALSE(parse_content_type("text").valid);
    EXPECT_FALSE(parse_content_type("").valid);
    EXPECT_EQ(parse_content_type("text; charset=utf-8").params[0].value, "utf-8");
}

TEST(MimeParams, quoted_and_unquoted_oddities) {
    auto ps = parse_params("; name=\"a \\\"quoted\\\" name;x.pdf\"; filename=my file.pdf; bare; b=c=d; dup=1; DUP=2");
    ASSERT_EQ(ps.size(), 4u);
    EXPECT_EQ(ps[0].value, "a \"quoted\" name;x.pdf");
    EXPECT_EQ(ps[1].value, "my file.pdf");
    EXPECT_EQ(ps[2].value, "c=d");
    EXPECT_EQ(ps[3].name, "dup");
    EXPECT_EQ(ps[3].value, "1");
}

TEST(MimeParams, rfc2231_continuations_and_charsets) {
    auto ps = parse_params("; filename*1=\"-two-\"; filename*0=\"part\"; filename*2=three.txt");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].value, "part-two-three.txt");
    EXPECT_FALSE(ps[0].extended);

    ps = parse_params("; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    EXPECT_EQ(ps[0].value, "This is ***fun***");
    EXPECT_EQ(ps[0].raw, "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
    EXPECT_TRUE(ps[0].extended);

    ps = parse_params("; filename*=iso-8859-1'fr'r%E9sum%E9.bin");
    EXPECT_EQ(ps[0].value, "résumé.bin");

    ps = parse_params("; filename*0*=UTF-8''%E2%82; filename*1*=%AC; filename*2=\" 100.pdf\"");
    EXPECT_EQ(ps[0].value, "€ 100.pdf");  // a character split across sections survives
    EXPECT_EQ(ps[0].raw, "UTF-8''%E2%82%AC%20100.pdf");

    ps = parse_params("; name=\"plain.pdf\"; name*=utf-8''%C3%BC.pdf");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].value, "ü.pdf");  // the extended form wins

    ps = parse_params("; filename*=no-quotes-here%20x");
    EXPECT_EQ(ps[0].value, "no-quotes-here x");
    EXPECT_EQ(ps[0].raw, "''no-quotes-here%20x");
}

TEST(MimeParams, encoded_words_in_quoted_values) {
    auto ps = parse_params("; name=\"=?UTF-8?B?5pel5pys6KqeLmJpbg==?=\"");
    EXPECT_EQ(ps[0].value, "日本語.bin");
    EXPECT_EQ(ps[0].raw, "=?UTF-8?B?5pel5pys6KqeLmJpbg==?=");
    EXPECT_FALSE(ps[0].extended);
}

TEST(MimeParams, disposition) {
    Disposition d = parse_disposition("ATTACHMENT; filename=\"a.txt\"; size=3");
    EXPECT_EQ(d.type, "attachment");
    ASSERT_EQ(d.params.size(), 2u);
    EXPECT_EQ(d.params[1].name, "size");
    EXPECT_EQ(parse_disposition("; filename=x").type, "");
}

}  // namespace
}  // namespace mallard::storage::mime
