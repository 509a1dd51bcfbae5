#include "core/net/deflate_stream.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace mallard::core::net {

namespace {
constexpr std::size_t input_chunk_bytes = 16384;
constexpr std::size_t max_compress_per_write = 65536;
}  // namespace

DeflateStream::DeflateStream(std::unique_ptr<Stream> inner, std::string_view already_read)
    : inner_(std::move(inner)) {
    if (inflateInit2(&in_, -15) != Z_OK) throw std::runtime_error("inflateInit2 failed");
    inflater_ready_ = true;
    if (!already_read.empty()) {
        in_buf_.reset(new char[std::max(already_read.size(), input_chunk_bytes)]);
        std::memcpy(in_buf_.get(), already_read.data(), already_read.size());
        in_.next_in = reinterpret_cast<Bytef*>(in_buf_.get());
        in_.avail_in = static_cast<uInt>(already_read.size());
    }
}

DeflateStream::~DeflateStream() {
    if (inflater_ready_) inflateEnd(&in_);
    if (deflater_ready_) deflateEnd(&out_);
}

bool DeflateStream::ensure_deflater() {
    if (deflater_ready_) return true;
    out_ = z_stream{};
    if (deflateInit2(&out_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -output_window_bits, output_mem_level,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        error_ = "deflateInit2 failed";
        return false;
    }
    deflater_ready_ = true;
    return true;
}

IoOutcome DeflateStream::read(char* buf, std::size_t len) {
    for (;;) {
        if (in_.avail_in > 0 || more_output_) {
            in_.next_out = reinterpret_cast<Bytef*>(buf);
            in_.avail_out = static_cast<uInt>(len);
            int r = inflate(&in_, Z_SYNC_FLUSH);
            if (r == Z_DATA_ERROR || r == Z_NEED_DICT || r == Z_MEM_ERROR) {
                error_ = in_.msg ? in_.msg : "corrupt deflate stream";
                return IoOutcome::need(IoStatus::error);
            }
            std::size_t produced = len - in_.avail_out;
            more_output_ = in_.avail_out == 0;
            if (r == Z_STREAM_END) return produced ? IoOutcome::done(produced) : IoOutcome::need(IoStatus::eof);
            if (produced > 0) return IoOutcome::done(produced);
            if (in_.avail_in > 0) continue;
        }
        if (!in_buf_) in_buf_.reset(new char[input_chunk_bytes]);
        IoOutcome got = inner_->read(in_buf_.get(), input_chunk_bytes);
        if (got.status != IoStatus::ok) return got;
        in_.next_in = reinterpret_cast<Bytef*>(in_buf_.get());
        in_.avail_in = static_cast<uInt>(got.bytes);
    }
}

void DeflateStream::compress(const char* data, std::size_t len, int mode) {
    out_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    out_.avail_in = static_cast<uInt>(len);
    do {
        std::size_t room = deflateBound(&out_, static_cast<uLong>(len)) + 64;
        std::size_t old = pending_.size();
        pending_.resize(old + room);
        out_.next_out = reinterpret_cast<Bytef*>(pending_.data() + old);
        out_.avail_out = static_cast<uInt>(room);
        deflate(&out_, mode);
        pending_.resize(old + room - out_.avail_out);
    } while (out_.avail_in > 0 || out_.avail_out == 0);
}

IoOutcome DeflateStream::drain() {
    while (pending_off_ < pending_.size()) {
        IoOutcome r = inner_->write(pending_.data() + pending_off_, pending_.size() - pending_off_);
        if (r.status != IoStatus::ok) return r;
        pending_off_ += r.bytes;
    }
    pending_.clear();
    pending_off_ = 0;
    return inner_->flush();
}

IoOutcome DeflateStream::write(const char* data, std::size_t len) {
    // Don't take more input while compressed output is still waiting: that is the backpressure.
    IoOutcome d = drain();
    if (d.status != IoStatus::ok) return d;
    if (!ensure_deflater()) return IoOutcome::need(IoStatus::error);
    std::size_t take = len < max_compress_per_write ? len : max_compress_per_write;
    compress(data, take, Z_NO_FLUSH);
    unflushed_ = true;
    drain();  // best effort; what remains goes out on the next write or flush
    return IoOutcome::done(take);
}

IoOutcome DeflateStream::flush() {
    if (unflushed_) {
        compress(nullptr, 0, Z_FULL_FLUSH);
        unflushed_ = false;
    }
    return drain();
}

bool DeflateStream::has_buffered_input() const {
    return in_.avail_in > 0 || more_output_ || inner_->has_buffered_input();
}

void DeflateStream::release_buffers() {
    if (in_.avail_in == 0) in_buf_.reset();
    if (deflater_ready_ && !unflushed_ && pending_.empty()) {
        deflateEnd(&out_);
        deflater_ready_ = false;
    }
    if (pending_.empty()) std::string().swap(pending_);
    inner_->release_buffers();
}

std::string DeflateStream::last_error() const { return error_.empty() ? inner_->last_error() : error_; }

}  // namespace mallard::core::net
