// The HTTPS listener and its connections (after Beast's example/http/server/async-ssl and
// example/advanced/server-flex): a session reads one request, hands it to the router on the worker pool,
// writes the response the worker posts back to the session's strand, and reads the next.
//
// Timeouts all use tcp_stream::expires_after, which closes the socket when it fires:
//   handshake  handshake_timeout_ms
//   idle       idle_timeout_ms, while waiting for the first byte of the next request
//   request    request_timeout_ms, from a request's first byte to its last (slowloris)
//   response   response_timeout_ms, for the whole answer
#include "server/http/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <fmt/format.h>
#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <unordered_map>

#include "ledger/core/bytes.hpp"
#include "server/http/access_log.hpp"
#include "server/http/byte_budget.hpp"
#include "server/http/request_parser.hpp"

namespace rxl::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// Bytes asked of the socket while waiting for the first byte of a request.
constexpr std::size_t first_read_bytes = 16 * 1024;
// After an accept error (out of file descriptors, say) the listener waits this long before accepting
// again rather than spin on the error.
constexpr std::uint32_t accept_retry_delay_ms = 50;
// After shutdown_grace_ms the remaining connections are closed; this bounds the wait for them to go.
constexpr std::uint32_t force_close_wait_ms = 2'000;

// Failures that are part of a network's normal life: a peer that leaves, a timeout that fired, an
// operation cancelled by our own close. They end a connection quietly.
bool is_expected_network_error(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message || ec == asio::error::eof ||
           ec == ssl::error::stream_truncated || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor || ec == asio::error::not_connected ||
           ec.category() == asio::error::get_ssl_category();
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                           : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

struct ClientCertificate {
    std::string sha256;       // lower-case hex SHA-256 of the DER bytes
    std::string common_name;  // the subject's single CN, UTF-8; empty if it has none or several
};

// The subject's common name, if it has exactly one and it holds no NUL character.
std::string single_common_name(X509* certificate) {
    const X509_NAME* subject = X509_get_subject_name(certificate);
    const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0) return {};
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    if (length < 0) return {};
    std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return name.find('\0') == std::string::npos ? name : std::string();
}

// The peer's certificate, if it sent one that verified; both fields empty otherwise. With verify_peer a
// certificate that does not verify fails the handshake, so the verify result is checked once more only
// to keep an unverified certificate from ever reaching a handler.
ClientCertificate client_certificate(SSL* ssl) {
    X509* certificate = SSL_get1_peer_certificate(ssl);
    if (certificate == nullptr) return {};
    ClientCertificate out;
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
    unsigned length = 0;
    if (SSL_get_verify_result(ssl) == X509_V_OK && X509_digest(certificate, EVP_sha256(), digest.data(), &length) == 1) {
        out.sha256 = to_hex(std::span<const std::uint8_t>(digest.data(), length));
        out.common_name = single_common_name(certificate);
    }
    X509_free(certificate);
    return out;
}

Status unavailable(std::string code, std::string detail) {
    return make_error(ErrorKind::unavailable, std::move(code), std::move(detail));
}

}  // namespace

class Session;

// Why a new connection is refused at once (all counted in rxledger_http_connections_refused_total).
enum class Refusal { none, connections, per_address, handshakes };

struct Server::Impl {
    Impl(ServerConfig server_config, const Router& server_router, Metrics& server_metrics, std::ostream* log)
        : config(std::move(server_config)),
          router(server_router),
          metrics(server_metrics),
          access_log(log),
          open_connections(metrics.gauge("rxledger_http_connections_open", "HTTPS connections open now.")),
          refused_connections(metrics.counter("rxledger_http_connections_refused_total",
                                              "Connections closed at once: connections_max, connections_per_address_max "
                                              "or handshakes_max were reached.")),
          request_budget(config.request_buffer_bytes_max),
          response_budget(config.response_buffer_bytes_max),
          ioc(static_cast<int>(config.io_threads)),
          workers(config.worker_threads),
          acceptor(asio::make_strand(ioc)),
          accept_retry_timer(acceptor.get_executor()) {}

    Status configure_tls();
    Status listen();
    void accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
    Refusal admit(const asio::ip::address& address);
    Counter& refused_by_reason(Refusal refusal);
    void add_session(const std::shared_ptr<Session>& session);
    void remove_session(Session* session, const asio::ip::address& address, bool in_handshake);
    void handshake_done();
    template <class Action>
    void for_each_session(Action action);
    bool wait_for_sessions(milliseconds timeout);
    Response run_handler(Request& request, std::string& route) const;
    std::optional<Response> run_handler_without_blocking(Request& request, std::string& route) const;
    void run_io_thread();
    void stop();

    ServerConfig config;
    const Router& router;
    Metrics& metrics;
    AccessLog access_log;
    Gauge& open_connections;
    Counter& refused_connections;
    ByteBudget request_budget;   // request bodies held now (server.hpp, "node memory")
    ByteBudget response_budget;  // answers held for writing now

    std::atomic<bool> stopping{false};
    std::atomic<std::uint16_t> bound_port{0};

    // Declared before the io_context: sessions destroyed with it still deregister here.
    mutable std::mutex sessions_mutex;
    std::condition_variable sessions_changed;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
    std::map<asio::ip::address, std::size_t> connections_by_address;  // counted from accept
    std::size_t handshakes = 0;                                       // in progress now

    enum class State { created, running, stopping, stopped };
    std::mutex state_mutex;
    std::condition_variable state_changed;
    State state = State::created;

    ssl::context tls{ssl::context::tls_server};
    asio::io_context ioc;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    asio::thread_pool workers;
    tcp::acceptor acceptor;
    asio::steady_timer accept_retry_timer;
    std::vector<std::thread> io_threads;
};

namespace {

Response server_busy(std::string_view what) {
    Response response = problem(make_error(ErrorKind::unavailable, "server-busy",
                                           fmt::format("The node holds as many {} as it may; retry shortly.", what)));
    response.headers.push_back(Header{"Retry-After", "1"});
    return response;
}

Response header_too_large(std::size_t header_bytes_max) {
    return problem(make_error(ErrorKind::too_large, "header-too-large",
                              fmt::format("The request header, with its chunk extensions and trailer fields, exceeds the "
                                          "limit of {} bytes.",
                                          header_bytes_max)),
                   431, "The request header fields are too large.");
}

Response body_too_large(std::size_t body_bytes_max) {
    return problem(make_error(ErrorKind::too_large, "body-too-large",
                              fmt::format("The request body exceeds the limit of {} bytes.", body_bytes_max)));
}

bool is_json(std::string_view content_type) { return content_type.find("json") != std::string_view::npos; }

// The request as handlers see it, from the target and the header fields; nothing if the target is not
// an origin-form URL (400 bad-target) or decodes to text that is not UTF-8 (400 bad-encoding).
Result<Request> request_from_head(std::string method, std::string target, std::vector<Header> headers) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        return make_error(ErrorKind::invalid_input, "bad-target",
                          "The request target is not an absolute path with an optional query.");
    }
    // Text as the store takes it: UTF-8 without NUL (PostgreSQL refuses both in a text parameter, which
    // would otherwise surface deep in a handler as a database failure).
    auto is_text = [](std::string_view text) { return is_valid_utf8(text) && text.find('\0') == std::string_view::npos; };
    Request request;
    request.path = parsed->path();
    bool text = is_text(request.path);
    for (auto param : parsed->params()) {
        request.query.emplace_back(param.key, param.has_value ? param.value : "");
        text = text && is_text(request.query.back().first) && is_text(request.query.back().second);
    }
    if (!text) {
        return make_error(ErrorKind::invalid_input, "bad-encoding",
                          "The request's percent-decoded path or query is not valid UTF-8, or holds a NUL character.");
    }
    request.method = std::move(method);
    request.target = std::move(target);
    request.headers = std::move(headers);
    return request;
}

}  // namespace

// ------------------------------------------------------------------------------------------------------

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Server::Impl& server, tcp::socket&& socket, const tcp::endpoint& remote)
        : server_(server),
          stream_(beast::tcp_stream(std::move(socket)), server.tls),
          // Unparsed bytes (a header block, a chunk header line, trailers) never exceed the header limit;
          // one more read's worth lets a pipelined request follow.
          buffer_(server.config.header_bytes_max + first_read_bytes),
          address_(remote.address()),
          remote_(format_endpoint(remote)) {}
    ~Session() { server_.remove_session(this, address_, !handshake_counted_); }

    asio::any_io_executor executor() { return stream_.get_executor(); }
    // Any thread: starts the handshake on the session's strand.
    void run() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->guarded([&] { self->handshake(); }); });
    }
    // Strand: the server is stopping. Connections waiting for a request go now; the others finish theirs.
    void on_server_stop() {
        if (phase_ == Phase::handshake || phase_ == Phase::idle) close_now();
    }
    // Strand: the grace period is over.
    void close_now() {
        phase_ = Phase::closing;
        beast::get_lowest_layer(stream_).close();
    }

private:
    enum class Phase { handshake, idle, reading, handling, writing, closing };

    // Runs one step of the session; an exception (a bug, or memory exhausted) ends this connection only.
    template <class Step>
    void guarded(Step&& step) {
        try {
            step();
        } catch (const std::exception& error) {
            std::cerr << "rxledger: connection " << remote_ << " failed: " << error.what() << '\n';
            close_now();
        } catch (...) {
            std::cerr << "rxledger: connection " << remote_ << " failed with a non-standard exception\n";
            close_now();
        }
    }

    void handshake();
    void on_handshake(beast::error_code ec);
    void wait_for_request();
    void on_first_bytes(beast::error_code ec, std::size_t bytes);
    void read_request();
    void on_header(beast::error_code ec);
    std::optional<Response> admit_body(Request& head, std::string& route);
    void answer_before_body(Response response, std::string route);
    void on_read(beast::error_code ec);
    void hand_to_worker();
    void respond_and_linger(Response response, std::string route);
    void write(Response response, std::string route, bool keep_alive, bool linger);
    void on_write(beast::error_code ec, std::size_t bytes, bool keep_alive, bool linger);
    void record(std::size_t bytes);
    void close_gracefully();
    void close_lingering();
    void drain();

    Server::Impl& server_;
    beast::ssl_stream<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_;
    std::optional<RequestParser> parser_;
    Request request_;                 // the request being read: its head, then its body
    bool head_request_ = false;       // answer without a body
    std::size_t body_bytes_max_ = 0;  // the request's body limit, once its route is known
    std::shared_ptr<bhttp::response<bhttp::string_body>> response_;  // alive while being written
    Reservation response_bytes_;      // response_'s body, from the node's answer budget
    std::unique_ptr<std::array<char, 16 * 1024>> drain_buffer_;      // only for lingering closes
    std::size_t drained_bytes_ = 0;
    asio::ip::address address_;
    std::string remote_;
    ClientCertificate client_certificate_;
    Phase phase_ = Phase::handshake;
    bool handshake_counted_ = false;  // this session's handshake no longer counts as in progress
    AccessLogEntry entry_;            // the request being answered
    SteadyClock::time_point read_at_;
};

void Session::handshake() {
    if (server_.stopping) return close_now();
    beast::get_lowest_layer(stream_).expires_after(milliseconds(server_.config.handshake_timeout_ms));
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) { self->guarded([&] { self->on_handshake(ec); }); });
}

void Session::on_handshake(beast::error_code ec) {
    handshake_counted_ = true;
    server_.handshake_done();
    // A failed handshake (plain HTTP, TLS 1.1, a scanner) is the client's problem, not the server's.
    if (ec) return;
    if (server_.config.client_ca_file) client_certificate_ = client_certificate(stream_.native_handle());
    wait_for_request();
}

void Session::wait_for_request() {
    if (server_.stopping) return close_gracefully();
    if (buffer_.size() > 0) return read_request();  // the client pipelined its next request
    phase_ = Phase::idle;
    beast::get_lowest_layer(stream_).expires_after(milliseconds(server_.config.idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(first_read_bytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                                self->guarded([&] { self->on_first_bytes(ec, bytes); });
                            });
}

void Session::on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) return;  // idle timeout, the client left, or the server closed us on stop
    buffer_.commit(bytes);
    read_request();
}

void Session::read_request() {
    phase_ = Phase::reading;
    const auto& config = server_.config;
    parser_.emplace(config.header_bytes_max, server_.request_budget);
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(config.header_bytes_max, UINT32_MAX)));
    // The largest body any route takes; admit_body lowers it once the route is known.
    parser_->body_limit(static_cast<std::uint64_t>(std::max(config.body_bytes_max, config.unsigned_body_bytes_max)));
    // The whole request, headers and body, must arrive within this time from its first byte.
    beast::get_lowest_layer(stream_).expires_after(milliseconds(config.request_timeout_ms));
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->guarded([&] { self->on_header(ec); });
    });
}

void Session::on_header(beast::error_code ec) {
    read_at_ = SteadyClock::now();
    entry_ = AccessLogEntry{std::chrono::system_clock::now(), remote_, {}, {}, 0, {}, 0, 0, 0};
    const auto& config = server_.config;
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
        return respond_and_linger(header_too_large(config.header_bytes_max), "header_too_large");
    }
    if (ec == bhttp::error::body_limit) {
        return respond_and_linger(body_too_large(std::max(config.body_bytes_max, config.unsigned_body_bytes_max)), "body_too_large");
    }
    if (ec && is_expected_network_error(ec)) return;  // includes the request timeout: just close
    if (ec) {
        return respond_and_linger(problem(make_error(ErrorKind::invalid_input, "malformed-request",
                                                     "The request is not valid HTTP/1.1: " + ec.message() + ".")),
                                  "malformed");
    }
    const std::string_view target = parser_->target();
    entry_.method = parser_->method();
    entry_.path = std::string(target.substr(0, target.find('?')));
    entry_.query_bytes = target.find('?') == std::string_view::npos ? 0 : target.size() - target.find('?') - 1;
    head_request_ = parser_->method() == "HEAD";

    auto head = request_from_head(parser_->method(), parser_->target(), std::move(parser_->headers()));
    if (!head) {
        return answer_before_body(problem(head.error()), head.error().code == "bad-target" ? "bad_target" : "bad_encoding");
    }
    request_ = std::move(head).value();
    request_.remote_address = remote_;
    request_.client_certificate_sha256 = client_certificate_.sha256;
    request_.client_certificate_common_name = client_certificate_.common_name;
    std::string route;
    if (auto refusal = admit_body(request_, route)) return answer_before_body(std::move(refusal).value(), std::move(route));
    if (parser_->is_done()) return on_read({});
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code read_error, std::size_t) {
        self->guarded([&] { self->on_read(read_error); });
    });
}

// Before the body is read: the route's header check, the body limit it earns, and the node's request
// budget for a declared Content-Length. A problem to answer instead of reading the body, if any.
std::optional<Response> Session::admit_body(Request& head, std::string& route) {
    const auto& config = server_.config;
    HeaderVerdict verdict;
    try {
        verdict = server_.router.check_header(head, route);
    } catch (const std::exception& error) {
        std::cerr << "rxledger: header check of route " << route << " threw: " << error.what() << '\n';
        route = "internal";
        return problem(make_error(ErrorKind::internal, "internal", "The server failed to handle this request."));
    }
    if (verdict.answer) return std::move(verdict.answer);
    const std::size_t body_bytes_max =
        verdict.checked ? config.body_bytes_max : std::min(config.unsigned_body_bytes_max, config.body_bytes_max);
    const auto length = parser_->content_length();
    if (length && *length > body_bytes_max) {
        route = "body_too_large";
        return body_too_large(body_bytes_max);
    }
    body_bytes_max_ = body_bytes_max;
    parser_->body_limit(static_cast<std::uint64_t>(body_bytes_max));
    if (!parser_->reserve_content_length()) {
        route = "server_busy";
        return server_busy("request bodies");
    }
    return std::nullopt;
}

// An answer given once the header is read: the connection stays open only if there is no body to skip.
void Session::answer_before_body(Response response, std::string route) {
    if (!parser_->is_done()) return respond_and_linger(std::move(response), std::move(route));
    const bool keep_alive = parser_->keep_alive();
    parser_.reset();
    write(std::move(response), std::move(route), keep_alive, false);
}

void Session::on_read(beast::error_code ec) {
    read_at_ = SteadyClock::now();
    const auto& config = server_.config;
    if (parser_->busy()) return respond_and_linger(server_busy("request bodies"), "server_busy");
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
        return respond_and_linger(header_too_large(config.header_bytes_max), "header_too_large");
    }
    if (ec == bhttp::error::body_limit) {
        return respond_and_linger(body_too_large(body_bytes_max_), "body_too_large");
    }
    if (ec && is_expected_network_error(ec)) return;  // includes the request timeout: just close
    if (ec) {
        return respond_and_linger(problem(make_error(ErrorKind::invalid_input, "malformed-request",
                                                     "The request is not valid HTTP/1.1: " + ec.message() + ".")),
                                  "malformed");
    }
    hand_to_worker();
}

void Session::hand_to_worker() {
    Request request = std::move(request_);
    request_ = Request{};
    request.body = std::move(parser_->body());
    Reservation body_bytes = parser_->take_reservation();
    const bool keep_alive = parser_->keep_alive();
    parser_.reset();

    phase_ = Phase::handling;
    // Answers not yet taken by their clients fill the node's answer budget: build no more until they go.
    if (server_.response_budget.exhausted()) return write(server_busy("answers"), "server_busy", keep_alive, false);
    std::string inline_route;
    if (auto response = server_.run_handler_without_blocking(request, inline_route)) {
        return write(std::move(response).value(), std::move(inline_route), keep_alive, false);
    }
    // Handlers may block (database, orderer): they run on the worker pool, never on an I/O thread. The
    // response comes back to this session's strand. The body's bytes count until the handler is done.
    asio::post(server_.workers, [self = shared_from_this(), request = std::move(request), body_bytes = std::move(body_bytes),
                                 keep_alive]() mutable {
        std::string route;
        Response response = self->server_.run_handler(request, route);
        request = Request{};
        body_bytes.release();
        asio::post(self->stream_.get_executor(),
                   [self, response = std::move(response), route = std::move(route), keep_alive]() mutable {
                       self->guarded([&] { self->write(std::move(response), std::move(route), keep_alive, false); });
                   });
    });
}

// For requests that were not read to their end: answer, then close without reading the rest.
void Session::respond_and_linger(Response response, std::string route) {
    parser_.reset();
    request_ = Request{};
    write(std::move(response), std::move(route), false, true);
}

void Session::write(Response response, std::string route, bool keep_alive, bool linger) {
    if (phase_ == Phase::closing) return;  // closed by a stop while the handler ran
    // JSON is UTF-8 (RFC 8259 §8.1); a handler may have echoed invalid bytes it was sent.
    if (is_json(response.content_type) && !is_valid_utf8(response.body)) response.body = to_valid_utf8(response.body);
    response_bytes_ = Reservation(server_.response_budget);
    if (!response_bytes_.grow(response.body.size())) {
        response = server_busy("answers");
        route = "server_busy";
    }
    // RFC 9110 §9.3.2: HEAD gets the GET answer's header fields without its content; Content-Length
    // still tells the content's size.
    const std::size_t content_bytes = response.body.size();
    if (head_request_) response.body.clear();
    entry_.route = std::move(route);
    entry_.status = response.status;
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(11);
    message->result(response.status);
    message->set(bhttp::field::server, "rxledger");
    if (!response.content_type.empty()) message->set(bhttp::field::content_type, response.content_type);
    for (auto& header : response.headers) message->insert(header.name, header.value);
    message->body() = std::move(response.body);
    keep_alive = keep_alive && !server_.stopping;
    message->keep_alive(keep_alive);
    message->prepare_payload();
    if (head_request_) message->content_length(content_bytes);
    response_ = message;

    phase_ = Phase::writing;
    // A deadline for the whole answer: a client reading a byte at a time cannot stretch it.
    beast::get_lowest_layer(stream_).expires_after(milliseconds(server_.config.response_timeout_ms));
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), keep_alive, linger](beast::error_code ec, std::size_t bytes) {
                           self->guarded([&] { self->on_write(ec, bytes, keep_alive, linger); });
                       });
}

void Session::on_write(beast::error_code ec, std::size_t bytes, bool keep_alive, bool linger) {
    response_.reset();
    response_bytes_.release();
    head_request_ = false;
    record(bytes);
    if (ec) return;
    if (linger) return close_lingering();
    if (!keep_alive) return close_gracefully();
    wait_for_request();
}

void Session::record(std::size_t bytes) {
    entry_.bytes_out = bytes;
    const std::chrono::duration<double> elapsed = SteadyClock::now() - read_at_;
    entry_.duration_ms = elapsed.count() * 1000.0;
    server_.metrics.observe_http_request(entry_.route, entry_.status, elapsed.count());
    server_.access_log.write(entry_);
}

// Sends the TLS close_notify and waits briefly for the peer's; the socket closes when the session goes.
void Session::close_gracefully() {
    phase_ = Phase::closing;
    beast::get_lowest_layer(stream_).expires_after(milliseconds(tls_shutdown_timeout_ms));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
}

// The client may still be sending the rest of a request we refused. Closing a socket with unread data
// makes the kernel send a reset, which can destroy the response before the client reads it; so stop
// sending, discard what still arrives for a while, then close (what nginx calls a lingering close).
void Session::close_lingering() {
    phase_ = Phase::closing;
    auto& tcp_stream = beast::get_lowest_layer(stream_);
    beast::error_code ec;
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    tcp_stream.expires_after(milliseconds(lingering_close_timeout_ms));
    drain_buffer_ = std::make_unique<std::array<char, 16 * 1024>>();
    drain();
}

void Session::drain() {
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(*drain_buffer_), [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
            self->drained_bytes_ += bytes;
            if (ec || self->drained_bytes_ > lingering_close_bytes_max) return;
            self->guarded([&] { self->drain(); });
        });
}

// ------------------------------------------------------------------------------------------------------

Status Server::Impl::configure_tls() {
    // TLS 1.2 and 1.3 only: older versions have known weaknesses and no client of ours needs them.
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                    ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    tls.use_certificate_chain_file(config.certificate_chain_file, ec);
    if (ec) return unavailable("tls-certificate", "Cannot load the certificate chain " + config.certificate_chain_file + ": " + ec.message() + ".");
    tls.use_private_key_file(config.private_key_file, ssl::context::pem, ec);
    if (ec) return unavailable("tls-private-key", "Cannot load the private key " + config.private_key_file + ": " + ec.message() + ".");
    if (SSL_CTX_check_private_key(tls.native_handle()) != 1) {
        return unavailable("tls-private-key", "The private key does not match the certificate.");
    }
    if (!config.client_ca_file) return ok_status();
    tls.load_verify_file(*config.client_ca_file, ec);
    if (ec) return unavailable("tls-client-ca", "Cannot load the client CA file " + *config.client_ca_file + ": " + ec.message() + ".");
    // Ask for a certificate (naming the acceptable CAs) without requiring one: bearer tokens remain
    // an alternative. A certificate that is sent must verify, or the handshake fails.
    SSL_CTX_set_client_CA_list(tls.native_handle(), SSL_load_client_CA_file(config.client_ca_file->c_str()));
    tls.set_verify_mode(ssl::verify_peer);
    // Session resumption with client verification needs a session id context.
    static constexpr unsigned char session_context[] = "rxledger";
    SSL_CTX_set_session_id_context(tls.native_handle(), session_context, sizeof session_context - 1);
    return ok_status();
}

Status Server::Impl::listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(config.listen_address, ec);
    if (ec) return unavailable("listen-address", "Cannot parse the listen address " + config.listen_address + ".");
    const tcp::endpoint endpoint(address, config.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        acceptor.close();
        return unavailable("listen-failed", fmt::format("Cannot listen on {}: {}.", format_endpoint(endpoint), ec.message()));
    }
    bound_port = acceptor.local_endpoint().port();
    return ok_status();
}

void Server::Impl::accept() {
    // Each connection gets its own strand: its handlers never run concurrently with each other.
    acceptor.async_accept(asio::make_strand(ioc),
                          [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Server::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
    if (stopping || !acceptor.is_open()) return;
    if (ec) {
        accept_retry_timer.expires_after(milliseconds(accept_retry_delay_ms));
        accept_retry_timer.async_wait([this](beast::error_code wait_error) {
            if (!wait_error) accept();
        });
        return;
    }
    beast::error_code endpoint_error;
    const tcp::endpoint remote = socket.remote_endpoint(endpoint_error);
    const Refusal refusal = endpoint_error ? Refusal::connections : admit(remote.address());
    if (refusal != Refusal::none) {
        // Closing at once costs the client one round trip and keeps our memory bounded.
        refused_connections.increment();
        refused_by_reason(refusal).increment();
        beast::error_code ignored;
        socket.close(ignored);
    } else {
        auto session = std::make_shared<Session>(*this, std::move(socket), remote);
        add_session(session);
        session->run();
    }
    accept();
}

Counter& Server::Impl::refused_by_reason(Refusal refusal) {
    std::string_view reason = "connections_max";
    switch (refusal) {
        case Refusal::none:
        case Refusal::connections: break;
        case Refusal::per_address: reason = "connections_per_address_max"; break;
        case Refusal::handshakes: reason = "handshakes_max"; break;
    }
    return metrics.counter("rxledger_http_connections_refused_by_limit_total",
                           "Connections closed at once, by the limit that was reached.", {{"limit", std::string(reason)}});
}

// On the acceptor's strand. Counts the connection (and its handshake) when it is admitted; the session
// gives both back (handshake_done, remove_session).
Refusal Server::Impl::admit(const asio::ip::address& address) {
    std::lock_guard lock(sessions_mutex);
    if (sessions.size() >= config.connections_max) return Refusal::connections;
    if (handshakes >= config.handshakes_max) return Refusal::handshakes;
    auto& from_address = connections_by_address[address];
    if (from_address >= config.connections_per_address_max) {
        if (from_address == 0) connections_by_address.erase(address);
        return Refusal::per_address;
    }
    ++from_address;
    ++handshakes;
    return Refusal::none;
}

void Server::Impl::add_session(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(sessions_mutex);
    sessions.emplace(session.get(), session);
    open_connections.set(static_cast<double>(sessions.size()));
}

void Server::Impl::remove_session(Session* session, const asio::ip::address& address, bool in_handshake) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(session);
    if (auto found = connections_by_address.find(address); found != connections_by_address.end() && --found->second == 0) {
        connections_by_address.erase(found);
    }
    if (in_handshake) --handshakes;
    open_connections.set(static_cast<double>(sessions.size()));
    sessions_changed.notify_all();
}

void Server::Impl::handshake_done() {
    std::lock_guard lock(sessions_mutex);
    --handshakes;
}

// Posts action(session) to every live session's strand.
template <class Action>
void Server::Impl::for_each_session(Action action) {
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(sessions_mutex);
        for (auto& [pointer, weak] : sessions) {
            if (auto session = weak.lock()) live.push_back(std::move(session));
        }
    }
    for (auto& session : live) asio::post(session->executor(), [session, action] { action(*session); });
}

bool Server::Impl::wait_for_sessions(milliseconds timeout) {
    std::unique_lock lock(sessions_mutex);
    return sessions_changed.wait_for(lock, timeout, [this] { return sessions.empty(); });
}

Response Server::Impl::run_handler(Request& request, std::string& route) const {
    // Handlers return errors as values; an exception here is a bug, answered as 500 rather than
    // allowed to kill a worker thread.
    try {
        return router.dispatch(request, route);
    } catch (const std::exception& error) {
        std::cerr << "rxledger: handler for route " << route << " threw: " << error.what() << '\n';
    } catch (...) {
        std::cerr << "rxledger: handler for route " << route << " threw a non-standard exception\n";
    }
    if (route.empty()) route = "unknown";
    return problem(make_error(ErrorKind::internal, "internal", "The server failed to handle this request."));
}

// On an I/O thread: the routes that may answer without blocking (Dispatch::io_thread_first). A handler
// that throws here is run again on a worker, which answers 500 if it throws again.
std::optional<Response> Server::Impl::run_handler_without_blocking(Request& request, std::string& route) const {
    try {
        return router.dispatch_without_blocking(request, route);
    } catch (const std::exception&) {
        request.may_block = true;
        return std::nullopt;
    }
}

// An exception that escapes a completion handler (inside Beast or Asio, where no session's guard
// reaches) unwinds out of run(): log it and go on serving, as Beast's examples advise. The operation
// that threw is gone, and with it the last reference to its session, which closes that connection only.
void Server::Impl::run_io_thread() {
    for (;;) {
        try {
            ioc.run();
            return;  // stopped: no work left
        } catch (const std::exception& error) {
            std::cerr << "rxledger: an I/O thread caught: " << error.what() << '\n';
        } catch (...) {
            std::cerr << "rxledger: an I/O thread caught a non-standard exception\n";
        }
    }
}

void Server::Impl::stop() {
    stopping = true;
    asio::post(acceptor.get_executor(), [this] {
        beast::error_code ignored;
        acceptor.close(ignored);
        accept_retry_timer.cancel();
    });
    for_each_session([](Session& session) { session.on_server_stop(); });
    if (!wait_for_sessions(milliseconds(config.shutdown_grace_ms))) {
        for_each_session([](Session& session) { session.close_now(); });
        wait_for_sessions(milliseconds(force_close_wait_ms));
    }
    // Handlers still running finish (they cannot be interrupted); their responses meet closed sockets.
    workers.join();
    work.reset();
    for (auto& thread : io_threads) thread.join();
    io_threads.clear();
}

// ------------------------------------------------------------------------------------------------------

Server::Server(ServerConfig config, const Router& router, Metrics& metrics, std::ostream* access_log)
    : impl_(std::make_unique<Impl>(std::move(config), router, metrics, access_log)) {
    RXL_ASSERT(impl_->config.io_threads > 0 && impl_->config.worker_threads > 0);
}

Server::~Server() { stop(); }

Status Server::start() {
    std::lock_guard lock(impl_->state_mutex);
    RXL_ASSERT_MSG(impl_->state == Impl::State::created, "Server::start() runs once");
    if (auto status = impl_->configure_tls(); !status) return status;
    if (auto status = impl_->listen(); !status) return status;
    impl_->work.emplace(impl_->ioc.get_executor());
    impl_->accept();
    for (std::size_t i = 0; i < impl_->config.io_threads; ++i) {
        impl_->io_threads.emplace_back([this] { impl_->run_io_thread(); });
    }
    impl_->state = Impl::State::running;
    return ok_status();
}

void Server::stop() {
    // Only the caller that moves the state from running to stopping does the work; others wait for it.
    bool mine = false;
    {
        std::lock_guard lock(impl_->state_mutex);
        if (impl_->state == Impl::State::created) return;
        mine = impl_->state == Impl::State::running;
        if (mine) impl_->state = Impl::State::stopping;
    }
    if (mine) {
        impl_->stop();
        std::lock_guard lock(impl_->state_mutex);
        impl_->state = Impl::State::stopped;
        impl_->state_changed.notify_all();
    }
    wait();
}

void Server::wait() {
    std::unique_lock lock(impl_->state_mutex);
    impl_->state_changed.wait(lock, [this] {
        return impl_->state == Impl::State::created || impl_->state == Impl::State::stopped;
    });
}

std::uint16_t Server::port() const { return impl_->bound_port; }

std::size_t Server::connections() const {
    std::lock_guard lock(impl_->sessions_mutex);
    return impl_->sessions.size();
}

}  // namespace rxl::http
