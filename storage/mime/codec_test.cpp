// Transfer codecs (RFC 2045 §6.7, §6.8), exact re-encoding, and content hashes.
#include <gtest/gtest.h>

#include "storage/mime/base64.h"
#include "storage/mime/content_hash.h"
#include "storage/mime/parser.h"
#include "storage/mime/quoted_printable.h"
#include "storage/mime/test_util.h"
#include "storage/mime/transfer.h"

namespace mallard::storage::mime {
namespace {

std::string sample_bytes(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>((i * 131 + 7) & 0xff));
    return s;
}

template <class Decoder>
std::string decode_in_pieces(std::string_view in, std::size_t piece) {
    Decoder d;
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += piece) d.decode(in.substr(i, piece), out);
    d.finish(out);
    return out;
}

TEST(MimeBase64, decodes_rfc4648_vectors_and_ignores_line_breaks) {
    EXPECT_EQ(decode_base64(""), "");
    EXPECT_EQ(decode_base64("Zg=="), "f");
    EXPECT_EQ(decode_base64("Zm8="), "fo");
    EXPECT_EQ(decode_base64("Zm9v"), "foo");
    EXPECT_EQ(decode_base64("Zm9v\r\nYmFy"), "foobar");
    EXPECT_EQ(decode_base64("Zm9vYg"), "foob");         // missing padding
    EXPECT_EQ(decode_base64("Zm9v YmE*="), "fooba");    // stray characters ignored
    EXPECT_EQ(decode_base64("Zg==Zg=="), "ff");          // concatenated blocks
}

TEST(MimeBase64, cleanliness) {
    Base64Decoder d;
    std::string out;
    d.decode("Zm9v\r\nYg==", out);
    d.finish(out);
    EXPECT_TRUE(d.clean());
    Base64Decoder bad;
    bad.decode("Zm9v!", out);
    EXPECT_FALSE(bad.clean());
    Base64Decoder lone;
    lone.decode("Z", out);
    lone.finish(out);
    EXPECT_FALSE(lone.clean());
}

TEST(MimeBase64, any_split_gives_the_same_bytes) {
    std::string data = sample_bytes(1000);
    std::string encoded = encode_base64(data);
    for (std::size_t piece : {1u, 2u, 3u, 5u, 77u, 4096u}) {
        EXPECT_EQ(decode_in_pieces<Base64Decoder>(encoded, piece), data) << piece;
    }
}

TEST(MimeBase64, encoder_layouts) {
    EXPECT_EQ(encode_base64("foobar", {4, false, true}), "Zm9v\nYmFy\n");
    EXPECT_EQ(encode_base64("foobar", {4, true, false}), "Zm9v\r\nYmFy");
    EXPECT_EQ(encode_base64("fooba", {0, true, true}), "Zm9vYmE=\r\n");
    EXPECT_EQ(encode_base64("", {}), "");
    std::string long_line = encode_base64(sample_bytes(100));
    EXPECT_EQ(long_line.find("\r\n"), 76u);
}

TEST(MimeQuotedPrintable, decoding_rules) {
    EXPECT_EQ(decode_quoted_printable("Gr=C3=BC=c3=9Fe"), "Grüße");           // either case of hex
    EXPECT_EQ(decode_quoted_printable("soft=\r\nbreak"), "softbreak");
    EXPECT_EQ(decode_quoted_printable("soft=\nbreak"), "softbreak");
    EXPECT_EQ(decode_quoted_printable("padded= \t\r\nbreak"), "paddedbreak");  // transport padding
    EXPECT_EQ(decode_quoted_printable("trailing   \r\nnext"), "trailing\r\nnext");
    EXPECT_EQ(decode_quoted_printable("lf only  \nnext"), "lf only\nnext");
    EXPECT_EQ(decode_quoted_printable("a = b =Z1 =4"), "a = b =Z1 =4");        // not escapes: kept
    EXPECT_EQ(decode_quoted_printable("x= y"), "x= y");
    EXPECT_EQ(decode_quoted_printable("end="), "end=");
    EXPECT_EQ(decode_quoted_printable("space at end  "), "space at end");
    EXPECT_EQ(decode_quoted_printable("bare\rCR"), "bare\rCR");
    EXPECT_EQ(decode_quoted_printable("=\rx"), "=\rx");
}

TEST(MimeQuotedPrintable, any_split_gives_the_same_bytes) {
    std::string in = "Die Pr=C3=BCfung = ok \r\nlang=\r\ner Satz=20  \r\nx=\n= \t\r\n=4=41=\r";
    std::string whole = decode_quoted_printable(in);
    for (std::size_t piece = 1; piece < in.size(); ++piece) {
        EXPECT_EQ(decode_in_pieces<QpDecoder>(in, piece), whole) << piece;
    }
}

TEST(MimeTransfer, encoding_names) {
    EXPECT_EQ(transfer_encoding(""), TransferEncoding::identity);
    EXPECT_EQ(transfer_encoding("8BIT"), TransferEncoding::identity);
    EXPECT_EQ(transfer_encoding("Base64"), TransferEncoding::base64);
    EXPECT_EQ(transfer_encoding("quoted-printable"), TransferEncoding::quoted_printable);
    EXPECT_EQ(transfer_encoding("x-uuencode"), TransferEncoding::unknown);
}

TEST(MimeTransfer, exact_reencoding_is_found_for_regular_base64) {
    std::string data = sample_bytes(1234);
    for (Base64Layout layout : {Base64Layout{76, true, true}, Base64Layout{76, true, false}, Base64Layout{72, false, true},
                                Base64Layout{64, false, false}, Base64Layout{0, true, false}, Base64Layout{0, false, true}}) {
        std::string encoded = encode_base64(data, layout);
        std::string decoded = decode_body(encoded, TransferEncoding::base64);
        ASSERT_EQ(decoded, data);
        auto how = find_reencoding(encoded, TransferEncoding::base64, decoded);
        ASSERT_TRUE(how) << layout.line_length << " " << layout.crlf << " " << layout.trailing_newline;
        EXPECT_EQ(reencode(decoded, *how), encoded);
    }
}

TEST(MimeTransfer, irregular_base64_is_not_reencoded) {
    std::string data = sample_bytes(300);
    std::string regular = encode_base64(data, {76, true, true});
    std::string uneven = regular;
    uneven.erase(uneven.find("\r\n"), 2);  // first line 152 long, the rest 76
    std::string mixed_breaks = regular;
    mixed_breaks.erase(mixed_breaks.find("\r\n"), 1);
    std::string no_padding = encode_base64("fooba", {76, true, false});
    no_padding.pop_back();
    std::string double_newline = regular + "\r\n";
    for (const std::string& encoded : {uneven, mixed_breaks, no_padding, double_newline}) {
        std::string decoded = decode_body(encoded, TransferEncoding::base64);
        EXPECT_FALSE(find_reencoding(encoded, TransferEncoding::base64, decoded));
    }
}

TEST(MimeTransfer, identity_and_quoted_printable) {
    auto same = find_reencoding("8bit body\r\n", TransferEncoding::identity, "8bit body\r\n");
    ASSERT_TRUE(same);
    EXPECT_EQ(reencode("8bit body\r\n", *same), "8bit body\r\n");
    EXPECT_FALSE(find_reencoding("a=3Db", TransferEncoding::quoted_printable, "a=b"));
    EXPECT_FALSE(find_reencoding("begin 644 x", TransferEncoding::unknown, "begin 644 x"));
}

TEST(MimeTransfer, attachment_from_a_real_message_reencodes_exactly) {
    std::string stored = test::read_data("mixed_attachments.eml");
    for (const std::string& msg : {stored, test::to_crlf(stored)}) {
        ParsedMessage m = test::parse_checked(msg);
        const Part& pdf = m.root.children[1];
        std::string_view encoded = std::string_view(msg).substr(pdf.body_start, pdf.body_bytes());
        std::string decoded = decode_body(encoded, transfer_encoding(pdf.encoding));
        auto how = find_reencoding(encoded, TransferEncoding::base64, decoded);
        ASSERT_TRUE(how);
        EXPECT_EQ(how->layout.line_length, 76u);
        EXPECT_EQ(how->layout.crlf, msg != stored);
        EXPECT_TRUE(how->layout.trailing_newline);
        EXPECT_EQ(reencode(decoded, *how), encoded);
    }
}

TEST(MimeContentHash, sha256_of_decoded_content) {
    EXPECT_EQ(content_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(content_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256 h;
    h.update("a");
    h.update("");
    h.update("bc");
    EXPECT_EQ(to_hex(h.finish()), content_hash("abc"));
}

}  // namespace
}  // namespace mallard::storage::mime
