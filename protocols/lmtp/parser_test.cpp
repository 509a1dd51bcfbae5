// LMTP syntax as a client observes it: commands, MAIL/RCPT paths and parameters, DATA decoding (fed whole and
// one byte at a time), and the trace headers.
#include "protocols/lmtp/parser.h"

#include <gtest/gtest.h>

#include "protocols/lmtp/trace_headers.h"

namespace mallard::lmtp {
namespace {

MailFrom mail_ok(std::string_view argument) {
    auto parsed = parse_mail_from(argument);
    EXPECT_TRUE(std::holds_alternative<MailFrom>(parsed)) << argument;
    return std::holds_alternative<MailFrom>(parsed) ? std::get<MailFrom>(parsed) : MailFrom{};
}

Reply mail_error(std::string_view argument) {
    auto parsed = parse_mail_from(argument);
    EXPECT_TRUE(std::holds_alternative<Reply>(parsed)) << argument;
    return std::holds_alternative<Reply>(parsed) ? std::get<Reply>(parsed) : Reply{};
}

std::string rcpt_ok(std::string_view argument) {
    auto parsed = parse_rcpt_to(argument);
    EXPECT_TRUE(std::holds_alternative<RcptTo>(parsed)) << argument;
    return std::holds_alternative<RcptTo>(parsed) ? std::get<RcptTo>(parsed).address : std::string();
}

int rcpt_error(std::string_view argument) {
    auto parsed = parse_rcpt_to(argument);
    EXPECT_TRUE(std::holds_alternative<Reply>(parsed)) << argument;
    return std::holds_alternative<Reply>(parsed) ? std::get<Reply>(parsed).code : 0;
}

struct Decoded {
    std::string message;
    std::size_t consumed = 0;
    bool done = false;
    bool too_big = false;
};

Decoded decode_whole(std::string_view bytes, std::uint64_t max = 1 << 20) {
    DataDecoder d(max);
    Decoded out;
    out.consumed = d.feed(bytes);
    out.done = d.done();
    out.too_big = d.too_big();
    out.message = d.take();
    return out;
}

Decoded decode_bytewise(std::string_view bytes, std::uint64_t max = 1 << 20) {
    DataDecoder d(max);
    Decoded out;
    for (std::size_t i = 0; i < bytes.size() && !d.done(); ++i) out.consumed += d.feed(bytes.substr(i, 1));
    out.done = d.done();
    out.too_big = d.too_big();
    out.message = d.take();
    return out;
}

void expect_decodes(std::string_view wire, std::string_view message) {
    for (auto decoded : {decode_whole(wire), decode_bytewise(wire)}) {
        EXPECT_TRUE(decoded.done);
        EXPECT_FALSE(decoded.too_big);
        EXPECT_EQ(decoded.message, message);
    }
}

TEST(LmtpParser, verbs_are_case_insensitive_and_keep_their_argument) {
    auto c = parse_command("lhlo client.example");
    EXPECT_EQ(c.verb, Verb::lhlo);
    EXPECT_EQ(c.argument, "client.example");
    EXPECT_EQ(parse_command("Mail FROM:<a@b>").verb, Verb::mail);
    EXPECT_EQ(parse_command("DATA").verb, Verb::data);
    EXPECT_EQ(parse_command("DATA").argument, "");
}

TEST(LmtpParser, smtp_greetings_and_unoffered_commands_are_told_apart_from_unknown_ones) {
    EXPECT_EQ(parse_command("EHLO x").verb, Verb::ehlo);
    EXPECT_EQ(parse_command("HELO x").verb, Verb::helo);
    EXPECT_EQ(parse_command("EXPN list").verb, Verb::not_implemented);
    EXPECT_EQ(parse_command("STARTTLS").verb, Verb::not_implemented);
    EXPECT_EQ(parse_command("FROB").verb, Verb::unknown);
    EXPECT_EQ(parse_command("").verb, Verb::unknown);
}

TEST(LmtpParser, mail_from_with_every_offered_parameter) {
    auto m = mail_ok("FROM:<sender@example.com> SIZE=1234 BODY=8BITMIME SMTPUTF8");
    EXPECT_EQ(m.address, "sender@example.com");
    EXPECT_EQ(m.size, 1234u);
    EXPECT_EQ(m.body, BodyType::eight_bit_mime);
    EXPECT_TRUE(m.smtputf8);
    EXPECT_EQ(mail_ok("from:<a@b> body=7bit").body, BodyType::seven_bit);
}

TEST(LmtpParser, null_reverse_path_and_lenient_space_after_colon) {
    EXPECT_EQ(mail_ok("FROM:<>").address, "");
    EXPECT_EQ(mail_ok("FROM: <a@b.example>").address, "a@b.example");
}

TEST(LmtpParser, source_routes_are_dropped_and_quoted_local_parts_kept) {
    EXPECT_EQ(rcpt_ok("TO:<@relay.example,@other.example:user@example.com>"), "user@example.com");
    EXPECT_EQ(rcpt_ok("TO:<\"john > doe\"@example.com>"), "\"john > doe\"@example.com");
}

TEST(LmtpParser, utf8_addresses_are_passed_through) {
    EXPECT_EQ(rcpt_ok("TO:<j\xc3\xb6rg@b\xc3\xbc" "cher.example>"), "j\xc3\xb6rg@b\xc3\xbc" "cher.example");
    EXPECT_FALSE(is_ascii("j\xc3\xb6rg@example.com"));
    EXPECT_TRUE(is_ascii("jorg@example.com"));
}

TEST(LmtpParser, malformed_paths_are_501_and_unknown_parameters_555) {
    EXPECT_EQ(mail_error("FROM:a@b").code, 501);
    EXPECT_EQ(mail_error("FROM:<a@b").code, 501);
    EXPECT_EQ(mail_error("TO:<a@b>").code, 501);
    EXPECT_EQ(mail_error("FROM:<a@b> SIZE=abc").code, 501);
    EXPECT_EQ(mail_error("FROM:<a@b> SIZE=1 SIZE=2").code, 501);
    EXPECT_EQ(mail_error("FROM:<a@b> SIZE=99999999999999999999999").code, 501);
    EXPECT_EQ(mail_error("FROM:<a@b> BODY=BINARYMIME").code, 501);
    EXPECT_EQ(mail_error("FROM:<a@b> RET=FULL").code, 555);
    EXPECT_EQ(mail_error("FROM:<a@b> RET=FULL").status, "5.5.4");
    EXPECT_EQ(rcpt_error("TO:<>"), 501);
    EXPECT_EQ(rcpt_error("TO:<user>"), 501);
    EXPECT_EQ(rcpt_error("TO:<@example.com>"), 501);
    EXPECT_EQ(rcpt_error("TO:<a b@example.com>"), 501);
    EXPECT_EQ(rcpt_error("TO:<a@b> NOTIFY=NEVER"), 555);
    EXPECT_EQ(rcpt_ok("TO:<Postmaster>"), "Postmaster");
}

TEST(LmtpParser, replies_render_with_and_without_status) {
    EXPECT_EQ((Reply{250, "2.1.5", "OK"}).render(), "250 2.1.5 OK\r\n");
    EXPECT_EQ((Reply{354, "", "Go ahead"}).render(), "354 Go ahead\r\n");
}

TEST(LmtpData, dot_stuffed_lines_are_unstuffed) {
    expect_decodes("Subject: x\r\n\r\n..leading dot\r\n...\r\n.\r\n", "Subject: x\r\n\r\n.leading dot\r\n..\r\n");
}

TEST(LmtpData, bare_lf_becomes_crlf_and_bare_cr_is_kept) {
    expect_decodes("a\nb\r\nc\rd\r\n.\n", "a\r\nb\r\nc\rd\r\n");
}

TEST(LmtpData, the_end_marker_is_consumed_and_what_follows_is_left) {
    std::string_view wire = "body\r\n.\r\nQUIT\r\n";
    auto whole = decode_whole(wire);
    EXPECT_EQ(whole.consumed, wire.size() - 6);
    EXPECT_EQ(whole.message, "body\r\n");
    auto bytewise = decode_bytewise(wire);
    EXPECT_EQ(bytewise.consumed, wire.size() - 6);
}

TEST(LmtpData, an_empty_message_and_a_dot_inside_a_line) {
    expect_decodes(".\r\n", "");
    expect_decodes("a.b\r\n .\r\n.\r\n", "a.b\r\n .\r\n");
}

TEST(LmtpData, eight_bit_and_nul_bytes_pass_unchanged) {
    std::string wire("caf\xc3\xa9 \x00 \xff\r\n.\r\n", 14);
    std::string message("caf\xc3\xa9 \x00 \xff\r\n", 11);
    expect_decodes(wire, message);
}

TEST(LmtpData, incomplete_input_is_not_done) {
    auto d = decode_whole("line\r\n.");
    EXPECT_FALSE(d.done);
    EXPECT_EQ(d.consumed, 7u);
}

TEST(LmtpData, over_the_limit_reads_to_the_end_but_keeps_nothing) {
    std::string wire(10000, 'x');
    wire += "\r\n.\r\nNOOP\r\n";
    for (auto d : {decode_whole(wire, 100), decode_bytewise(wire, 100)}) {
        EXPECT_TRUE(d.done);
        EXPECT_TRUE(d.too_big);
        EXPECT_TRUE(d.message.empty());
        EXPECT_EQ(d.consumed, wire.size() - 6);
    }
    auto exact = decode_whole("12345678\r\n.\r\n", 10);
    EXPECT_FALSE(exact.too_big);
    EXPECT_EQ(exact.message, "12345678\r\n");
    EXPECT_TRUE(decode_whole("123456789\r\n.\r\n", 10).too_big);
}

TEST(LmtpTrace, date_is_rfc5322_in_utc) {
    EXPECT_EQ(rfc5322_date(1700000000), "Tue, 14 Nov 2023 22:13:20 +0000");
    EXPECT_EQ(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
}

TEST(LmtpTrace, headers_name_sender_each_recipient_and_the_hop) {
    TraceInfo t;
    t.sender = "s@example.org";
    t.recipients = {"Bob+news@example.com", "bob@example.com"};
    t.lhlo_name = "mx(1)";
    t.peer = "[127.0.0.1]";
    t.hostname = "mail.example.com";
    t.id = "1f.1";
    t.date = 1700000000;
    EXPECT_EQ(render_trace_headers(t),
              "Return-Path: <s@example.org>\r\n"
              "Delivered-To: Bob+news@example.com\r\n"
              "Delivered-To: bob@example.com\r\n"
              "Received: from mx_1_ ([127.0.0.1])\r\n"
              "\tby mail.example.com (Mallard) with LMTP id 1f.1\r\n"
              "\tfor <Bob+news@example.com>; Tue, 14 Nov 2023 22:13:20 +0000\r\n");
    t.sender.clear();
    t.smtputf8 = true;
    std::string h = render_trace_headers(t);
    EXPECT_EQ(h.substr(0, 16), "Return-Path: <>\r");
    EXPECT_NE(h.find("with UTF8LMTP id"), std::string::npos);
}

}  // namespace
}  // namespace mallard::lmtp
