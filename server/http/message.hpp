// Requests and responses as plain values: handlers are functions from one to the other and never see a
// socket, a stream or a Beast type.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/core/result.hpp"

namespace rxl::http {

struct Header {
    std::string name;  // as sent; compare case-insensitively
    std::string value;
};

struct Request {
    std::string method;                                       // "GET", "POST", …
    std::string target;                                       // raw request target, "/v1/verify?code=…"
    std::string path;                                         // percent-decoded path, "/v1/verify"
    std::vector<std::pair<std::string, std::string>> query;   // decoded query parameters, in order
    std::vector<Header> headers;
    std::string body;
    std::string remote_address;                               // "127.0.0.1:53412"
    std::vector<std::pair<std::string, std::string>> path_params;  // filled by the router from {names}
    // The TLS client certificate, when the server asks for client certificates and the client presented
    // one that chains to the configured CA (the handshake fails for one that does not); empty otherwise.
    // Lower-case hex SHA-256 of its DER bytes:
    std::string client_certificate_sha256;
    // Its subject's common name (CN) as UTF-8; empty when the subject has none, more than one, or one
    // with a NUL character.
    std::string client_certificate_common_name;
    // False while the handler runs on an I/O thread (a route added with Dispatch::io_thread_first): it
    // must then answer without waiting for the database, the orderer or a lock held across I/O, or
    // return Response::would_block() to be run again on a worker thread, where this is true.
    bool may_block = true;

    // First header with this name (case-insensitive), if any.
    std::optional<std::string_view> header(std::string_view name) const;
    // First query parameter with this name, if any.
    std::optional<std::string_view> query_param(std::string_view name) const;
    // A path parameter the route declared; precondition: the route has it.
    std::string_view path_param(std::string_view name) const;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::vector<Header> headers;  // extra headers (Link, Allow, GS1-EPCIS-…); Content-Type/Length are set for you
    std::string body;

    static Response json(unsigned status, std::string body);
    static Response text(unsigned status, std::string content_type, std::string body);
    // "Not here": a handler called with may_block false that would have to wait (status 0, never sent).
    static Response would_block() { return Response{0, {}, {}, {}}; }
    bool is_would_block() const { return status == 0; }
};

// The RFC 9457 problem+json response for an error; the kind decides the status (one switch, no default).
// Its texts are made valid UTF-8 (see to_valid_utf8): a detail may quote what a client sent.
Response problem(const Error& error);
unsigned status_for(ErrorKind kind);
// The same document for a status of the transport itself that no ErrorKind maps to (431 Request Header
// Fields Too Large); `title` is that status's fixed sentence.
Response problem(const Error& error, unsigned status, std::string_view title);

using Handler = std::function<Response(const Request&)>;

// True if `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF). NUL is valid UTF-8 and allowed here.
bool is_valid_utf8(std::string_view text);
// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD, so that
// bytes echoed from input can go into a JSON answer (which must be UTF-8, RFC 8259 §8.1).
std::string to_valid_utf8(std::string_view text);

// Percent-encodes every byte but RFC 3986's unreserved ones (A-Z a-z 0-9 - . _ ~): safe as a path segment,
// a query name or a query value.
std::string percent_encode(std::string_view text);

}  // namespace rxl::http
