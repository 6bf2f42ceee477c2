// A synchronous HTTPS/1.1 client for the CLI, the integration tests and node-to-node calls.
//
// One client holds at most one keep-alive connection, opened on the first request and reopened when the
// server has closed it (a request that fails on a reused connection before any response byte arrives is
// sent once more on a new one; rxledger's writes are idempotent, resubmitting the same bytes returns the
// first outcome). Every failure to get a response (refused connection, TLS failure, timeout) is an Error
// of kind unavailable; any HTTP status, 4xx and 5xx included, is a successful ClientResponse.
//
// Not thread-safe: one client per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"
#include "server/http/message.hpp"

namespace rxl::http {

// A request (connect, handshake, write and read together) that takes longer fails with "timeout".
inline constexpr std::uint32_t client_timeout_ms_default = 30'000;
// Larger response bodies are refused rather than buffered: a proof or a page of units is far smaller.
inline constexpr std::size_t client_response_body_bytes_max = 256 * 1024 * 1024;

struct ClientOptions {
    // PEM file of the CAs that may sign the server's certificate; the certificate must also name the
    // host. Empty: the server is not verified at all (self-signed development certificates only).
    std::string ca_file;
    std::uint32_t timeout_ms = client_timeout_ms_default;
    // A TLS client certificate and its key (PEM), sent when the server asks; both or neither.
    std::string client_certificate_file;
    std::string client_private_key_file;
};

struct ClientResponse {
    unsigned status = 0;
    std::vector<Header> headers;
    std::string body;

    // First header with this name (case-insensitive), if any.
    std::optional<std::string_view> header(std::string_view name) const;
};

struct NodeUrl {
    std::string host;  // name or IP address, without brackets
    std::uint16_t port = 443;
};

// "https://localhost:8443" (a trailing "/" is accepted) → {"localhost", 8443}. Anything else (another
// scheme, a path, a query, user information) is an invalid_input error "bad-node-url".
Result<NodeUrl> parse_node_url(std::string_view url);

class HttpsClient {
public:
    HttpsClient(std::string host, std::uint16_t port, ClientOptions options = {});
    ~HttpsClient();
    HttpsClient(HttpsClient&&) noexcept;
    HttpsClient& operator=(HttpsClient&&) noexcept;

    // Sends one request and reads its response. Host, User-Agent and Content-Length are set for you.
    Result<ClientResponse> request(std::string_view method, std::string_view target, std::string_view body = {},
                                   const std::vector<Header>& headers = {});
    // A long-lived response (an etcd watch): sends one request, waits for the status line and headers
    // (within the timeout), then hands the body to `on_data` piece by piece as it arrives, without a
    // time limit, until the server ends it, `on_data` returns false, or interrupt() is called. The
    // ClientResponse carries the status and headers; its body is empty. The connection is closed after.
    Result<ClientResponse> stream(std::string_view method, std::string_view target, std::string_view body,
                                  const std::vector<Header>& headers, const std::function<bool(std::string_view)>& on_data);
    // Thread-safe: makes a stream() in progress (or the next one) on another thread return with the error
    // "interrupted".
    void interrupt();
    // Closes the connection, if open; the next request opens a new one.
    void close();
    // Connections this client has opened so far (one for any number of keep-alive requests).
    std::size_t connections_opened() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rxl::http
