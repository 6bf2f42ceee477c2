// The synchronous HTTPS client. Beast's timeouts (tcp_stream::expires_after) work on asynchronous
// operations only, so each step starts one and runs the client's private io_context until it completes.
#include "server/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cctype>

namespace rxl::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// A reused keep-alive connection that fails like this before any response byte was closed by the server
// while idle: the request can go again on a new connection.
bool is_stale_connection(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == ssl::error::stream_truncated ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted;
}

Error unavailable(std::string code, std::string detail) {
    return make_error(ErrorKind::unavailable, std::move(code), std::move(detail));
}

bhttp::request<bhttp::string_body> make_request(const std::string& host, std::uint16_t port, std::string_view method,
                                               std::string_view target, std::string_view body,
                                               const std::vector<Header>& headers) {
    bhttp::request<bhttp::string_body> message;
    const auto verb = bhttp::string_to_verb(method);
    if (verb == bhttp::verb::unknown) message.method_string(method);
    else message.method(verb);
    message.target(target);
    message.version(11);
    message.set(bhttp::field::host, fmt::format("{}:{}", host.find(':') == std::string::npos ? host : "[" + host + "]", port));
    message.set(bhttp::field::user_agent, "rxledger-client");
    for (const auto& header : headers) message.insert(header.name, header.value);
    message.body() = std::string(body);
    message.prepare_payload();
    return message;
}

void copy_headers(const bhttp::response_header<>& from, ClientResponse& to) {
    to.status = from.result_int();
    for (const auto& field : from) to.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
}

}  // namespace

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
    for (const auto& field : headers) {
        if (equals_ignoring_case(field.name, name)) return std::string_view(field.value);
    }
    return std::nullopt;
}

Result<NodeUrl> parse_node_url(std::string_view url) {
    auto bad = [&](std::string_view why) {
        return make_error(ErrorKind::invalid_input, "bad-node-url", fmt::format("\"{}\" is not a node URL: {}.", url, why));
    };
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return bad("it does not parse as a URI");
    if (parsed->scheme_id() != boost::urls::scheme::https) return bad("the scheme must be https");
    if (parsed->has_userinfo() || parsed->has_query() || parsed->has_fragment()) return bad("it may only name a host and port");
    if (!parsed->path().empty() && parsed->path() != "/") return bad("it may not have a path");
    NodeUrl node{parsed->host_address(), 443};
    if (node.host.empty()) return bad("it names no host");
    if (parsed->has_port()) {
        // port_number() wraps values past 65535, so read the digits ourselves.
        const std::string_view digits = parsed->port();
        unsigned long value = 0;
        const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
            return bad("the port must be 1 to 65535");
        }
        node.port = static_cast<std::uint16_t>(value);
    }
    return node;
}

struct HttpsClient::Impl {
    Impl(std::string server_host, std::uint16_t server_port, ClientOptions client_options)
        : host(std::move(server_host)), port(server_port), options(std::move(client_options)) {
        configure_tls();
    }

    void configure_tls();
    std::optional<Error> connect();
    Result<ClientResponse> attempt(std::string_view method, std::string_view target, std::string_view body,
                                   const std::vector<Header>& headers, bool& stale);
    Result<ClientResponse> stream_body(std::string_view method, std::string_view target, std::string_view body,
                                       const std::vector<Header>& headers,
                                       const std::function<bool(std::string_view)>& on_data);
    Error failure(std::string_view step, const beast::error_code& ec) const;
    void close() {
        stream.reset();
        buffer.clear();
    }

    // Runs the io_context until the operation started by `start` completes; returns its error.
    template <class Start>
    beast::error_code run(Start start) {
        beast::error_code result;
        start([&result](beast::error_code ec, auto&&...) { result = ec; });
        ioc.restart();
        ioc.run();
        return result;
    }

    std::string host;
    std::uint16_t port;
    ClientOptions options;
    std::optional<Error> setup_error;  // a CA or client certificate that could not be loaded
    asio::io_context ioc{1};
    ssl::context tls{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
    std::size_t connections_opened = 0;
    std::atomic<bool> interrupted{false};
};

void HttpsClient::Impl::configure_tls() {
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    if (options.ca_file.empty()) {
        tls.set_verify_mode(ssl::verify_none);
    } else {
        tls.load_verify_file(options.ca_file, ec);
        if (ec) setup_error = unavailable("tls-ca-file", "Cannot load the CA file " + options.ca_file + ": " + ec.message() + ".");
        tls.set_verify_mode(ssl::verify_peer);
    }
    if (options.client_certificate_file.empty() != options.client_private_key_file.empty()) {
        setup_error = make_error(ErrorKind::invalid_input, "tls-client-certificate",
                                 "A client certificate needs its private key, and a key its certificate.");
        return;
    }
    if (options.client_certificate_file.empty()) return;
    tls.use_certificate_chain_file(options.client_certificate_file, ec);
    if (!ec) tls.use_private_key_file(options.client_private_key_file, ssl::context::pem, ec);
    if (ec) setup_error = unavailable("tls-client-certificate", "Cannot load the client certificate or key: " + ec.message() + ".");
}

Error HttpsClient::Impl::failure(std::string_view step, const beast::error_code& ec) const {
    if (ec == beast::error::timeout) {
        return unavailable("timeout", fmt::format("{}:{} did not answer within {} ms ({}).", host, port, options.timeout_ms, step));
    }
    return unavailable(fmt::format("{}-failed", step), fmt::format("{} with {}:{} failed: {}.", step, host, port, ec.message()));
}

std::optional<Error> HttpsClient::Impl::connect() {
    close();
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return failure("resolve", ec);
    stream.emplace(ioc, tls);
    ++connections_opened;
    auto& socket_stream = beast::get_lowest_layer(*stream);
    socket_stream.expires_after(std::chrono::milliseconds(options.timeout_ms));
    ec = run([&](auto handler) { socket_stream.async_connect(endpoints, std::move(handler)); });
    if (ec) {
        close();
        return failure("connect", ec);
    }
    // Server name indication for names; it is not sent for IP addresses (RFC 6066).
    asio::ip::make_address(host, ec);
    if (ec) SSL_set_tlsext_host_name(stream->native_handle(), host.c_str());
    if (!options.ca_file.empty()) stream->set_verify_callback(ssl::host_name_verification(host));
    ec = run([&](auto handler) { stream->async_handshake(ssl::stream_base::client, std::move(handler)); });
    if (ec) {
        close();
        return failure("tls-handshake", ec);
    }
    return std::nullopt;
}

Result<ClientResponse> HttpsClient::Impl::attempt(std::string_view method, std::string_view target,
                                                  std::string_view body, const std::vector<Header>& headers,
                                                  bool& stale) {
    stale = false;
    if (!stream) {
        if (auto error = connect()) return *error;
    }
    const auto verb = bhttp::string_to_verb(method);
    auto message = make_request(host, port, method, target, body, headers);

    beast::get_lowest_layer(*stream).expires_after(std::chrono::milliseconds(options.timeout_ms));
    auto ec = run([&](auto handler) { bhttp::async_write(*stream, message, std::move(handler)); });
    if (ec) {
        stale = is_stale_connection(ec);
        close();
        return failure("write", ec);
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(static_cast<std::uint64_t>(client_response_body_bytes_max));
    if (verb == bhttp::verb::head) parser.skip(true);
    ec = run([&](auto handler) { bhttp::async_read(*stream, buffer, parser, std::move(handler)); });
    if (ec) {
        stale = is_stale_connection(ec) && !parser.got_some();
        close();
        return failure("read", ec);
    }

    auto& response = parser.get();
    ClientResponse result;
    copy_headers(response.base(), result);
    result.body = std::move(response.body());
    if (!response.keep_alive()) close();  // the server said Connection: close
    return result;
}

Result<ClientResponse> HttpsClient::Impl::stream_body(std::string_view method, std::string_view target,
                                                     std::string_view body, const std::vector<Header>& headers,
                                                     const std::function<bool(std::string_view)>& on_data) {
    auto interrupted_error = [] { return unavailable("interrupted", "The stream was interrupted."); };
    close();
    if (interrupted.load()) return interrupted_error();
    if (auto error = connect()) return *error;
    auto message = make_request(host, port, method, target, body, headers);
    auto& socket_stream = beast::get_lowest_layer(*stream);
    socket_stream.expires_after(std::chrono::milliseconds(options.timeout_ms));
    auto ec = run([&](auto handler) { bhttp::async_write(*stream, message, std::move(handler)); });
    if (ec) {
        close();
        return failure("write", ec);
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    ec = run([&](auto handler) { bhttp::async_read_header(*stream, buffer, parser, std::move(handler)); });
    if (ec) {
        close();
        return failure("read", ec);
    }
    ClientResponse result;
    copy_headers(parser.get().base(), result);
    socket_stream.expires_never();
    bool more = true;
    while (more && !parser.is_done()) {
        if (interrupted.load()) {
            close();
            return interrupted_error();
        }
        ec = run([&](auto handler) { bhttp::async_read_some(*stream, buffer, parser, std::move(handler)); });
        if (ec) {
            close();
            if (interrupted.load()) return interrupted_error();
            return failure("read", ec);
        }
        auto& piece = parser.get().body();
        if (!piece.empty()) more = on_data(piece);
        piece.clear();
    }
    close();
    return result;
}

HttpsClient::HttpsClient(std::string host, std::uint16_t port, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::move(options))) {}

HttpsClient::~HttpsClient() = default;
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;

Result<ClientResponse> HttpsClient::request(std::string_view method, std::string_view target, std::string_view body,
                                            const std::vector<Header>& headers) {
    if (impl_->setup_error) return *impl_->setup_error;
    const bool reused = impl_->stream.has_value();
    bool stale = false;
    auto result = impl_->attempt(method, target, body, headers, stale);
    // Only a reused connection is retried: a fresh one that fails says something about the server.
    if (!result.ok() && reused && stale) result = impl_->attempt(method, target, body, headers, stale);
    return result;
}

Result<ClientResponse> HttpsClient::stream(std::string_view method, std::string_view target, std::string_view body,
                                           const std::vector<Header>& headers,
                                           const std::function<bool(std::string_view)>& on_data) {
    if (impl_->setup_error) return *impl_->setup_error;
    return impl_->stream_body(method, target, body, headers, on_data);
}

void HttpsClient::interrupt() {
    impl_->interrupted.store(true);
    // Runs on the thread inside stream(), the only one that runs this io_context: the read fails at once.
    asio::post(impl_->ioc, [impl = impl_.get()] {
        if (impl->stream) beast::get_lowest_layer(*impl->stream).cancel();
    });
}

void HttpsClient::close() { impl_->close(); }

std::size_t HttpsClient::connections_opened() const { return impl_->connections_opened; }

}  // namespace rxl::http
