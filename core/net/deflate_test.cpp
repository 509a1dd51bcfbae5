// COMPRESS=DEFLATE (RFC 4978) on a Connection: round trips between two of ours, and interoperation with plain
// zlib raw streams in both directions, as an IMAP client library would use them.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <zlib.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/net/connection.h"
#include "core/net/test_support.h"

namespace mallard::core::net {
namespace {

using namespace std::chrono_literals;
using namespace test;

// Text that compresses like mail: repetitive headers with varying numbers.
std::string mail_like(std::size_t bytes) {
    std::string s;
    for (int i = 0; s.size() < bytes; ++i)
        s += "* " + std::to_string(i) + " FETCH (UID " + std::to_string(1000 + i * 7) +
             " FLAGS (\\Seen) RFC822.SIZE " + std::to_string(i * 131 % 9973) + ")\r\n";
    s.resize(bytes);
    return s;
}

// Bytes that do not compress, to exercise output larger than the input chunks.
std::string noise(std::size_t bytes) {
    std::string s(bytes, '\0');
    std::uint32_t x = 2463534242u;
    for (auto& c : s) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x);
    }
    return s;
}

// A plain zlib peer: a raw inflater and a raw deflater at zlib's defaults (window 2^15), as clients use.
class ZlibPeer {
public:
    ZlibPeer() {
        EXPECT_EQ(inflateInit2(&in_, -15), Z_OK);
        EXPECT_EQ(deflateInit2(&out_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    }
    ~ZlibPeer() {
        inflateEnd(&in_);
        deflateEnd(&out_);
    }
    ZlibPeer(const ZlibPeer&) = delete;
    ZlibPeer& operator=(const ZlibPeer&) = delete;

    // Returns false on a stream error.
    bool inflate_more(std::string_view compressed, std::string& plain) {
        in_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
        in_.avail_in = static_cast<uInt>(compressed.size());
        char buf[16384];
        do {
            in_.next_out = reinterpret_cast<Bytef*>(buf);
            in_.avail_out = sizeof buf;
            int r = inflate(&in_, Z_SYNC_FLUSH);
            if (r != Z_OK && r != Z_BUF_ERROR && r != Z_STREAM_END) return false;
            plain.append(buf, sizeof buf - in_.avail_out);
        } while (in_.avail_in > 0 || in_.avail_out == 0);
        return true;
    }

    std::string deflate_sync(std::string_view plain) {
        out_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
        out_.avail_in = static_cast<uInt>(plain.size());
        std::string compressed;
        char buf[16384];
        do {
            out_.next_out = reinterpret_cast<Bytef*>(buf);
            out_.avail_out = sizeof buf;
            deflate(&out_, Z_SYNC_FLUSH);
            compressed.append(buf, sizeof buf - out_.avail_out);
        } while (out_.avail_in > 0 || out_.avail_out == 0);
        return compressed;
    }

private:
    z_stream in_{};
    z_stream out_{};
};

// Reads raw bytes from a plain connection until `plain` holds `want` inflated bytes.
Task<bool> inflate_until(Connection* raw, ZlibPeer* zlib, std::string* plain, std::size_t want) {
    while (plain->size() < want) {
        if (raw->input().empty()) {
            auto filled = co_await raw->fill(soon());
            if (!filled) co_return false;
        }
        bool ok = zlib->inflate_more(raw->input(), *plain);
        raw->consume(raw->input().size());
        if (!ok) co_return false;
    }
    co_return true;
}

// ---- ours to ours ------------------------------------------------------------------------------------

Task<void> deflate_sender(Connection* conn, std::string blob) {
    conn->start_deflate();
    conn->queue("A1 OK compressed from here\r\n");
    auto f1 = co_await conn->flush(soon());
    EXPECT_TRUE(f1);
    for (std::size_t off = 0; off < blob.size(); off += 200'000) {
        auto w = co_await conn->write(std::string_view(blob).substr(off, 200'000), soon());
        EXPECT_TRUE(w);
    }
    conn->queue("\r\nA2 OK done\r\n");
    auto f2 = co_await conn->flush(soon());
    EXPECT_TRUE(f2);
}

struct RoundTrip {
    std::string first, blob, last;
    bool compressed = false;
};

Task<RoundTrip> ours_to_ours(std::string blob) {
    auto [a, b] = unix_pair();
    spawn(deflate_sender(a.get(), blob));
    b->start_deflate();
    RoundTrip out;
    out.compressed = b->is_compressed();
    auto first = co_await b->read_line(1024, soon());
    out.first = first ? *first : first.error().to_string();
    auto body = co_await b->read_exact(blob.size(), soon());
    out.blob = body ? *body : body.error().to_string();
    auto crlf = co_await b->read_line(1024, soon());
    EXPECT_TRUE(crlf && crlf->empty());
    auto last = co_await b->read_line(1024, soon());
    out.last = last ? *last : last.error().to_string();
    co_return out;
}

TEST(Deflate, lines_and_large_blobs_round_trip_between_two_connections) {
    Reactor loop;
    for (const std::string& blob : {mail_like(3 * 1024 * 1024), noise(1024 * 1024)}) {
        auto out = loop.block_on(ours_to_ours(blob));
        EXPECT_TRUE(out.compressed);
        EXPECT_EQ(out.first, "A1 OK compressed from here");
        EXPECT_TRUE(out.blob == blob) << "blob of " << blob.size() << " bytes differs";
        EXPECT_EQ(out.last, "A2 OK done");
    }
}

// ---- ours to plain zlib ------------------------------------------------------------------------------

struct ZlibOutcome {
    std::string plain;
    bool ok = true;
};

Task<ZlibOutcome> ours_to_zlib(std::string text) {
    auto [ours, raw] = unix_pair();
    ours->start_deflate();
    ours->queue(text);
    auto f = co_await ours->flush(soon());
    EXPECT_TRUE(f);
    ZlibPeer zlib;
    ZlibOutcome out;
    out.ok = co_await inflate_until(raw.get(), &zlib, &out.plain, text.size());
    co_return out;
}

TEST(Deflate, what_we_write_inflates_with_a_raw_zlib_inflater) {
    Reactor loop;
    std::string text = mail_like(500'000);
    auto out = loop.block_on(ours_to_zlib(text));
    EXPECT_TRUE(out.ok);
    EXPECT_TRUE(out.plain == text);
}

Task<std::vector<std::string>> zlib_to_ours(std::vector<std::string> lines) {
    auto [ours, raw] = unix_pair();
    ours->start_deflate();
    ZlibPeer zlib;
    // Each line is its own Z_SYNC_FLUSH, as a client compresses each command; big ones span many reads.
    for (const std::string& line : lines) raw->queue(zlib.deflate_sync(line + "\r\n"));
    auto f = co_await raw->flush(soon());
    EXPECT_TRUE(f);
    std::vector<std::string> got;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto line = co_await ours->read_line(2 * 1024 * 1024, soon());
        got.push_back(line ? *line : line.error().to_string());
    }
    co_return got;
}

TEST(Deflate, what_a_raw_zlib_deflater_writes_reads_correctly_on_our_side) {
    std::vector<std::string> lines = {"a LOGIN user secret", "b SELECT INBOX", mail_like(1'000'000), "", "c LOGOUT"};
    for (auto& l : lines)
        for (auto& c : l)
            if (c == '\r' || c == '\n') c = ' ';
    Reactor loop;
    auto got = loop.block_on(zlib_to_ours(lines));
    ASSERT_EQ(got.size(), lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_TRUE(got[i] == lines[i]) << "line " << i;
}

// ---- idle release ------------------------------------------------------------------------------------

Task<ZlibOutcome> release_while_idle() {
    auto [ours, raw] = unix_pair();
    ours->start_deflate();
    ZlibPeer zlib;
    ZlibOutcome out;
    std::string expected;
    for (int round = 0; round < 5; ++round) {
        std::string text = "* " + std::to_string(round) + " EXISTS\r\n" + mail_like(20'000);
        expected += text;
        ours->queue(text);
        auto f = co_await ours->flush(soon());
        EXPECT_TRUE(f);
        // Going idle: a read that finds nothing releases the connection's buffers, the deflater's among them.
        auto idle = co_await ours->fill(Deadline::after(5ms));
        EXPECT_FALSE(idle);
        EXPECT_FALSE(ours->holds_read_buffer());
        bool ok = co_await inflate_until(raw.get(), &zlib, &out.plain, expected.size());
        if (!ok) out.ok = false;
    }
    EXPECT_TRUE(out.plain == expected);
    co_return out;
}

TEST(Deflate, the_peer_still_decodes_after_we_release_buffers_while_idle) {
    Reactor loop;
    auto out = loop.block_on(release_while_idle());
    EXPECT_TRUE(out.ok);
}

// ---- compressed bytes that arrive with the OK -----------------------------------------------------------

Task<std::vector<std::string>> data_right_behind_the_ok() {
    auto [client, server] = unix_pair();
    ZlibPeer zlib;
    // The server's tagged OK and, in the same packet, its first compressed output.
    server->queue("a OK DEFLATE active\r\n" + zlib.deflate_sync("* 3 EXISTS\r\n"));
    auto f = co_await server->flush(soon());
    EXPECT_TRUE(f);
    std::vector<std::string> got;
    auto ok = co_await client->read_line(1024, soon());
    got.push_back(ok ? *ok : ok.error().to_string());
    client->start_deflate();  // the rest of what was already read is compressed
    auto next = co_await client->read_line(1024, soon());
    got.push_back(next ? *next : next.error().to_string());
    co_return got;
}

TEST(Deflate, compressed_bytes_read_together_with_the_ok_are_inflated) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(data_right_behind_the_ok()), (std::vector<std::string>{"a OK DEFLATE active", "* 3 EXISTS"}));
}

// ---- corrupt input -----------------------------------------------------------------------------------

Task<Errc> read_corrupt() {
    auto [ours, raw] = unix_pair();
    ours->start_deflate();
    raw->queue(std::string("\xff\xff\xff\xff garbage that is not deflate", 33));
    auto f = co_await raw->flush(soon());
    EXPECT_TRUE(f);
    auto line = co_await ours->read_line(1024, soon());
    co_return line ? Errc::internal : line.error().code;
}

TEST(Deflate, corrupt_input_is_an_error_not_a_crash) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(read_corrupt()), Errc::io);
}

Task<Errc> read_truncated_then_closed() {
    auto [ours, raw] = unix_pair();
    ours->start_deflate();
    ZlibPeer zlib;
    std::string compressed = zlib.deflate_sync("a NOOP\r\n" + mail_like(10'000));
    raw->queue(std::string_view(compressed).substr(0, compressed.size() / 2));
    auto f = co_await raw->flush(soon());
    EXPECT_TRUE(f);
    raw.reset();
    auto first = co_await ours->read_line(64 * 1024, soon());
    EXPECT_TRUE(first);
    Errc code = Errc::internal;
    for (int i = 0; i < 1000; ++i) {
        auto line = co_await ours->read_line(64 * 1024, soon());
        if (!line) {
            code = line.error().code;
            break;
        }
    }
    co_return code;
}

TEST(Deflate, a_stream_cut_short_ends_with_closed) {
    Reactor loop;
    EXPECT_EQ(loop.block_on(read_truncated_then_closed()), Errc::closed);
}

}  // namespace
}  // namespace mallard::core::net
