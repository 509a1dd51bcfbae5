// DeflateStream: RFC 4978 COMPRESS=DEFLATE over any other layer: raw deflate (no zlib header) both ways.
//
// Output is compressed with a small window (2^11, memLevel 4: ~22 KB instead of ~268 KB at zlib's defaults,
// with nearly the same ratio on IMAP output) and ends every flush() with Z_FULL_FLUSH, so nothing after it
// refers back: that lets release_buffers() end an idle deflater and start a fresh one later without the
// peer noticing. Input must accept the peer's window (up to 2^15), so the inflater stays once used.
#pragma once

#include <zlib.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/net/stream.h"

namespace mallard::core::net {

class DeflateStream final : public Stream {
public:
    // `already_read`: compressed bytes the connection read from `inner` before compression started.
    explicit DeflateStream(std::unique_ptr<Stream> inner, std::string_view already_read = {});
    DeflateStream(const DeflateStream&) = delete;
    DeflateStream& operator=(const DeflateStream&) = delete;
    ~DeflateStream() override;

    IoOutcome read(char* buf, std::size_t len) override;
    IoOutcome write(const char* data, std::size_t len) override;
    IoOutcome flush() override;
    bool has_buffered_input() const override;
    void release_buffers() override;
    std::string last_error() const override;
    Stream& inner() { return *inner_; }

    static constexpr int output_window_bits = 11;
    static constexpr int output_mem_level = 4;

private:
    IoOutcome drain();          // pushes pending compressed bytes to the inner layer
    bool ensure_deflater();
    void compress(const char* data, std::size_t len, int mode);

    std::unique_ptr<Stream> inner_;
    z_stream in_{};
    z_stream out_{};
    bool inflater_ready_ = false;
    bool deflater_ready_ = false;
    bool unflushed_ = false;     // written since the last full flush
    bool more_output_ = false;   // the last inflate filled the caller's buffer: more may be pending
    std::unique_ptr<char[]> in_buf_;  // compressed input from the inner layer
    std::string pending_;        // compressed output not yet accepted by the inner layer
    std::size_t pending_off_ = 0;
    std::string error_;
};

}  // namespace mallard::core::net
