// The HTTPS listener: TLS 1.2/1.3 only, HTTP/1.1 with keep-alive, every limit enforced per connection.
//
// A connection's I/O runs on the I/O threads and only reads a request, hands it to the router on the
// worker pool, and writes the response the worker posts back; handlers never run on an I/O thread and
// never see a socket. Expected network failures (a peer that goes away, a timeout, a bad handshake) close
// the connection quietly; they are not errors of the server.
//
// Observability: every answered request adds one access-log line (see access_log.hpp) and updates
// rxledger_http_requests_total{route,status} and rxledger_http_request_duration_seconds{route}; the
// server also keeps rxledger_http_connections_open and rxledger_http_connections_refused_total (one
// Metrics per server: two servers sharing one would overwrite each other's connection gauge). Answers the
// server gives without a route carry the route names "not_found", "method_not_allowed", "malformed",
// "header_too_large", "body_too_large", "bad_target", "bad_encoding" and "server_busy".
//
// Limits (DESIGN.md §10: a limit on everything, checked before the work), all in ServerConfig:
//   connections    connections_max in all, connections_per_address_max from one IP address, and
//                  handshakes_max TLS handshakes in progress, each taking at most handshake_timeout_ms;
//                  past any of them a new connection is closed at once
//   header         header_bytes_max for the header block, and again for chunk extensions and trailer
//                  fields together (431); a connection never buffers more unparsed bytes than that
//   body           body_bytes_max for a route whose header check passed (a signed write),
//                  unsigned_body_bytes_max for everything else (413); decided before the body is read
//   node memory    request_buffer_bytes_max of request bodies and response_buffer_bytes_max of answers
//                  held at once by the whole node; past either, 503 server-busy before the work
//   time           request_timeout_ms to send a request, response_timeout_ms to take its answer
// Requests whose decoded path segments or query parameters are not valid UTF-8 are answered 400
// (bad-encoding) before any handler, and every JSON answer is sent as valid UTF-8 (invalid bytes
// become U+FFFD). HEAD is answered as GET without the body (Content-Length is the GET answer's).
// No exception leaves a session or an I/O thread: one is logged and ends its connection only.
//
// Not done here: Expect: 100-continue is not answered (clients that send it wait for their own timeout,
// curl's is 1 s, before sending the body).
//
// Lifecycle: construct, start() once, stop() once (or let the destructor do it), wait() from any thread
// for stop() to finish. stop() must not be called from a handler or an I/O thread (it joins them).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "ledger/core/limits.hpp"
#include "ledger/core/result.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"

namespace rxl::http {

// When the server closes a connection it sends a TLS close_notify and waits this long for the peer's.
inline constexpr std::uint32_t tls_shutdown_timeout_ms = 1'000;
// After an error response whose request was not read to its end (413, 431, 400) the server stops
// sending and discards what the client still sends for at most this long (and at most
// lingering_close_bytes_max), so the client reads the response instead of a connection reset.
inline constexpr std::uint32_t lingering_close_timeout_ms = 2'000;
inline constexpr std::size_t lingering_close_bytes_max = 1024 * 1024;
// Worker threads that run handlers; handlers may block on the database, so this is sized to the
// connection pool rather than to the cores.
inline constexpr std::size_t worker_threads_default = 16;

inline std::size_t io_threads_default() {
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : cores;
}

struct ServerConfig {
    std::string listen_address = "127.0.0.1";
    std::uint16_t port = 8443;  // 0 picks a free port; Server::port() tells which
    std::string certificate_chain_file;  // PEM, leaf first
    std::string private_key_file;        // PEM
    // When set, the server asks for (but does not require) a client certificate; one that is presented
    // must chain to these CAs, and its SHA-256 fingerprint and subject CN reach handlers in Request.
    std::optional<std::string> client_ca_file;
    std::size_t io_threads = io_threads_default();
    std::size_t worker_threads = worker_threads_default;
    std::size_t header_bytes_max = limits::http_header_bytes_max;  // also chunk extensions + trailers
    std::size_t body_bytes_max = limits::http_body_bytes_max;      // routes whose header check passed
    std::size_t unsigned_body_bytes_max = limits::http_unsigned_body_bytes_max;  // every other request
    std::size_t request_buffer_bytes_max = limits::http_request_buffer_bytes_max;    // node-wide
    std::size_t response_buffer_bytes_max = limits::http_response_buffer_bytes_max;  // node-wide
    std::uint32_t request_timeout_ms = limits::http_request_timeout_ms;
    std::uint32_t response_timeout_ms = limits::http_response_timeout_ms;
    std::uint32_t idle_timeout_ms = limits::http_idle_timeout_ms;
    std::uint32_t handshake_timeout_ms = limits::http_handshake_timeout_ms;
    std::size_t connections_max = limits::http_connections_max;
    std::size_t connections_per_address_max = limits::http_connections_per_address_max;
    std::size_t handshakes_max = limits::http_handshakes_max;
    std::uint32_t shutdown_grace_ms = limits::shutdown_grace_ms;
};

class Server {
public:
    // The router, the metrics and the access log (one JSON line per request; null for none) must outlive
    // the server. Nothing happens until start().
    Server(ServerConfig config, const Router& router, Metrics& metrics, std::ostream* access_log);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();  // stops the server if it is running

    // Loads the certificate and key, binds, listens and starts the threads. Errors (unreadable
    // certificate, address in use) are values of kind unavailable; the server is then not running.
    Status start();
    // Graceful: stops accepting, closes idle connections, lets requests in flight be answered for up to
    // shutdown_grace_ms, then closes what is left and joins every thread. Idempotent.
    void stop();
    // Blocks until stop() has finished (returns at once if the server never started).
    void wait();
    // The bound port (the actual one when the configuration said 0); 0 before start().
    std::uint16_t port() const;
    // Connections open right now.
    std::size_t connections() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace rxl::http
