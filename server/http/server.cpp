// The HTTPS listener and its connections (after Beast's example/http/server/async-ssl and
// example/advanced/server-flex): a session reads one request, hands it to the router on the worker pool,
// writes the response the worker posts back to the session's strand, and reads the next.
//
// Timeouts all use tcp_stream::expires_after, which closes the socket when it fires:
//   handshake  tls_handshake_timeout_ms
//   idle       idle_timeout_ms, while waiting for the first byte of the next request
//   request    request_timeout_ms, from a request's first byte to its last (slowloris)
//   response   response_write_timeout_ms
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
#include <mutex>
#include <unordered_map>

#include "ledger/core/bytes.hpp"
#include "server/http/access_log.hpp"

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

struct Server::Impl {
    Impl(ServerConfig server_config, const Router& server_router, Metrics& server_metrics, std::ostream* log)
        : config(std::move(server_config)),
          router(server_router),
          metrics(server_metrics),
          access_log(log),
          open_connections(metrics.gauge("rxledger_http_connections_open", "HTTPS connections open now.")),
          refused_connections(metrics.counter("rxledger_http_connections_refused_total",
                                              "Connections closed at once because connections_max were open.")),
          ioc(static_cast<int>(config.io_threads)),
          workers(config.worker_threads),
          acceptor(asio::make_strand(ioc)),
          accept_retry_timer(acceptor.get_executor()) {}

    Status configure_tls();
    Status listen();
    void accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
    void add_session(const std::shared_ptr<Session>& session);
    void remove_session(Session* session);
    template <class Action>
    void for_each_session(Action action);
    bool wait_for_sessions(milliseconds timeout);
    Response run_handler(Request& request, std::string& route) const;
    std::optional<Response> run_handler_without_blocking(Request& request, std::string& route) const;
    void stop();

    ServerConfig config;
    const Router& router;
    Metrics& metrics;
    AccessLog access_log;
    Gauge& open_connections;
    Counter& refused_connections;

    std::atomic<bool> stopping{false};
    std::atomic<std::uint16_t> bound_port{0};

    // Declared before the io_context: sessions destroyed with it still deregister here.
    mutable std::mutex sessions_mutex;
    std::condition_variable sessions_changed;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

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

// ------------------------------------------------------------------------------------------------------

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Server::Impl& server, tcp::socket&& socket)
        : server_(server), stream_(beast::tcp_stream(std::move(socket)), server.tls) {
        beast::error_code ec;
        const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
        if (!ec) remote_ = format_endpoint(endpoint);
    }
    ~Session() { server_.remove_session(this); }

    asio::any_io_executor executor() { return stream_.get_executor(); }
    // Any thread: starts the handshake on the session's strand.
    void run() { asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->handshake(); }); }
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

    void handshake();
    void on_handshake(beast::error_code ec);
    void wait_for_request();
    void on_first_bytes(beast::error_code ec, std::size_t bytes);
    void read_request();
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
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<bhttp::response<bhttp::string_body>> response_;  // alive while being written
    std::unique_ptr<std::array<char, 16 * 1024>> drain_buffer_;      // only for lingering closes
    std::size_t drained_bytes_ = 0;
    std::string remote_;
    ClientCertificate client_certificate_;
    Phase phase_ = Phase::handshake;
    AccessLogEntry entry_;  // the request being answered
    SteadyClock::time_point read_at_;
};

void Session::handshake() {
    if (server_.stopping) return close_now();
    beast::get_lowest_layer(stream_).expires_after(milliseconds(tls_handshake_timeout_ms));
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
}

void Session::on_handshake(beast::error_code ec) {
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
                                self->on_first_bytes(ec, bytes);
                            });
}

void Session::on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) return;  // idle timeout, the client left, or the server closed us on stop
    buffer_.commit(bytes);
    read_request();
}

void Session::read_request() {
    phase_ = Phase::reading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(server_.config.header_bytes_max, UINT32_MAX)));
    parser_->body_limit(static_cast<std::uint64_t>(server_.config.body_bytes_max));
    // The whole request, headers and body, must arrive within this time from its first byte.
    beast::get_lowest_layer(stream_).expires_after(milliseconds(server_.config.request_timeout_ms));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void Session::on_read(beast::error_code ec) {
    read_at_ = SteadyClock::now();
    entry_ = AccessLogEntry{std::chrono::system_clock::now(), remote_, {}, {}, 0, {}, 0, 0, 0};
    if (parser_->is_header_done()) {
        const auto target = parser_->get().target();
        entry_.method = std::string(parser_->get().method_string());
        entry_.path = std::string(target.substr(0, target.find('?')));
        entry_.query_bytes = target.find('?') == std::string_view::npos ? 0 : target.size() - target.find('?') - 1;
    }
    const auto& config = server_.config;
    if (ec == bhttp::error::header_limit) {
        return respond_and_linger(
            problem(make_error(ErrorKind::too_large, "header-too-large",
                               fmt::format("The request header exceeds the limit of {} bytes.", config.header_bytes_max)),
                    431, "The request header fields are too large."),
            "header_too_large");
    }
    if (ec == bhttp::error::body_limit) {
        return respond_and_linger(
            problem(make_error(ErrorKind::too_large, "body-too-large",
                               fmt::format("The request body exceeds the limit of {} bytes.", config.body_bytes_max))),
            "body_too_large");
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
    auto& message = parser_->get();
    auto parsed = boost::urls::parse_origin_form(message.target());
    if (!parsed) {
        return write(problem(make_error(ErrorKind::invalid_input, "bad-target",
                                        "The request target is not an absolute path with an optional query.")),
                     "bad_target", message.keep_alive(), false);
    }
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.path = parsed->path();
    for (auto param : parsed->params()) request.query.emplace_back(param.key, param.has_value ? param.value : "");
    for (const auto& field : message) request.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
    request.body = std::move(message.body());
    request.remote_address = remote_;
    request.client_certificate_sha256 = client_certificate_.sha256;
    request.client_certificate_common_name = client_certificate_.common_name;
    const bool keep_alive = message.keep_alive();
    parser_.reset();

    phase_ = Phase::handling;
    std::string inline_route;
    if (auto response = server_.run_handler_without_blocking(request, inline_route)) {
        return write(std::move(response).value(), std::move(inline_route), keep_alive, false);
    }
    // Handlers may block (database, orderer): they run on the worker pool, never on an I/O thread. The
    // response comes back to this session's strand.
    asio::post(server_.workers, [self = shared_from_this(), request = std::move(request), keep_alive]() mutable {
        std::string route;
        Response response = self->server_.run_handler(request, route);
        asio::post(self->stream_.get_executor(),
                   [self, response = std::move(response), route = std::move(route), keep_alive]() mutable {
                       self->write(std::move(response), std::move(route), keep_alive, false);
                   });
    });
}

// For requests that were not read to their end: answer, then close without reading the rest.
void Session::respond_and_linger(Response response, std::string route) {
    parser_.reset();
    write(std::move(response), std::move(route), false, true);
}

void Session::write(Response response, std::string route, bool keep_alive, bool linger) {
    if (phase_ == Phase::closing) return;  // closed by a stop while the handler ran
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
    response_ = message;

    phase_ = Phase::writing;
    beast::get_lowest_layer(stream_).expires_after(milliseconds(response_write_timeout_ms));
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), keep_alive, linger](beast::error_code ec, std::size_t bytes) {
                           self->on_write(ec, bytes, keep_alive, linger);
                       });
}

void Session::on_write(beast::error_code ec, std::size_t bytes, bool keep_alive, bool linger) {
    response_.reset();
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
            self->drain();
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
    bool full = false;
    {
        std::lock_guard lock(sessions_mutex);
        full = sessions.size() >= config.connections_max;
    }
    if (full) {
        // Closing at once costs the client one round trip and keeps our memory bounded.
        refused_connections.increment();
        beast::error_code ignored;
        socket.close(ignored);
    } else {
        auto session = std::make_shared<Session>(*this, std::move(socket));
        add_session(session);
        session->run();
    }
    accept();
}

void Server::Impl::add_session(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(sessions_mutex);
    sessions.emplace(session.get(), session);
    open_connections.set(static_cast<double>(sessions.size()));
}

void Server::Impl::remove_session(Session* session) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(session);
    open_connections.set(static_cast<double>(sessions.size()));
    sessions_changed.notify_all();
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
        impl_->io_threads.emplace_back([this] { impl_->ioc.run(); });
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
