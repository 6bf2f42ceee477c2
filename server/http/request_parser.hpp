// The server's HTTP/1.1 request parser: Beast's basic_parser (the wire format) with our own callbacks,
// after Beast's http::parser. Included by server.cpp only, so that Beast stays in few translation units.
//
// Why not Beast's request_parser<string_body>:
//   - its fields container throws std::length_error for a field of 64 KiB or more, and trailer fields
//     after a chunked body are not bound by the header limit: one such trailer threw on an I/O thread
//     and ended the process. Here header fields go straight into our Header values and trailer fields
//     are counted and dropped (no handler reads them);
//   - chunk extensions and trailer fields count, with the header block, within one header limit
//     (error::header_limit past it);
//   - body bytes are taken from the node's request budget before they are stored: a Content-Length
//     when the header has been read (reserve_content_length), a chunk's size when its chunk header has
//     been read. busy() tells that the budget could not give them.
// The bytes of a line not yet parsed (a header block, a chunk header, a trailer) are bounded by the
// session's read buffer, which is not allowed to grow past the header limit and one read.
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "server/http/byte_budget.hpp"
#include "server/http/message.hpp"

namespace rxl::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
public:
    using error_code = boost::beast::error_code;
    using string_view = boost::beast::string_view;

    RequestParser(std::size_t header_bytes_max, ByteBudget& request_budget)
        : header_bytes_max_(header_bytes_max), reservation_(request_budget) {}

    const std::string& method() const { return method_; }
    const std::string& target() const { return target_; }
    std::vector<Header>& headers() { return headers_; }
    std::string& body() { return body_; }
    // The node's request budget could not hold the body (error::buffer_overflow was set).
    bool busy() const { return busy_; }
    // After the header: takes the declared Content-Length from the request budget. False when the
    // budget cannot give it; the body must then not be read.
    bool reserve_content_length() {
        const auto length = content_length();
        if (!length || *length == 0) return true;
        busy_ = !reservation_.grow(static_cast<std::size_t>(*length));
        return !busy_;
    }
    // The bytes this request holds, to be given back when its handler is done.
    Reservation take_reservation() { return std::move(reservation_); }

private:
    void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int, error_code& ec) override {
        method_ = std::string(method);
        target_ = std::string(target);
        count(method.size() + target.size() + 12, ec);  // "M T HTTP/1.1\r\n"
    }
    void on_response_impl(int, string_view, int, error_code& ec) override { ec = boost::beast::http::error::bad_version; }

    void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code& ec) override {
        count(name.size() + value.size() + 4, ec);  // "N: V\r\n"
        if (ec) return;
        // Fields after the header are trailer fields: counted, not kept.
        if (!is_header_done()) headers_.push_back(Header{std::string(name), std::string(value)});
    }
    void on_header_impl(error_code& ec) override { ec = {}; }

    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override {
        ec = {};
        // Reserved already (reserve_content_length), and within the body limit Beast checked.
        if (content_length) body_.reserve(static_cast<std::size_t>(*content_length));
    }
    std::size_t on_body_impl(string_view body, error_code& ec) override {
        ec = {};
        body_.append(body.data(), body.size());
        return body.size();
    }

    void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override {
        count(extensions.size(), ec);
        if (ec || size == 0) return;
        // Beast checked the size against the body limit; hold it before its bytes arrive.
        if (!reservation_.grow(static_cast<std::size_t>(size))) {
            busy_ = true;
            ec = boost::beast::http::error::buffer_overflow;
        }
    }
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
        return on_body_impl(body, ec);
    }
    void on_finish_impl(error_code& ec) override { ec = {}; }

    // Header-like bytes: the header block, chunk extensions and trailers together.
    void count(std::size_t bytes, error_code& ec) {
        header_bytes_ += bytes;
        if (header_bytes_ > header_bytes_max_) ec = boost::beast::http::error::header_limit;
    }

    const std::size_t header_bytes_max_;
    std::size_t header_bytes_ = 2;  // the empty line that ends the header
    std::string method_;
    std::string target_;
    std::vector<Header> headers_;
    std::string body_;
    Reservation reservation_;
    bool busy_ = false;
};

}  // namespace rxl::http
