// TLS helpers for tests: throwaway certificates, and raw TCP / TLS connections (blocking POSIX sockets
// and OpenSSL, no Beast) for tests that must misbehave: half requests, garbage, plain HTTP, old TLS.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace rxl::test {

// A fresh directory under the system temp directory, removed with everything in it on destruction.
class TemporaryDirectory {
public:
    TemporaryDirectory();
    ~TemporaryDirectory();
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct TestCertificate {
    std::filesystem::path certificate_file;  // PEM
    std::filesystem::path private_key_file;  // PEM, unencrypted
    std::string sha256;                      // lower-case hex SHA-256 of the certificate's DER bytes
};

// A self-signed ECDSA P-256 certificate for CN=`common_name` with subjectAltName DNS:localhost and
// IP:127.0.0.1, valid for two days, made by the openssl command. P-256 rather than Ed25519 so that a
// client offering only TLS 1.1 could complete a handshake if a server allowed it: the refusal a test
// sees is then the server's. Throws std::runtime_error when openssl fails.
TestCertificate make_self_signed_certificate(const std::filesystem::path& directory, std::string_view common_name);

struct ReadResult {
    std::string data;     // everything received before the connection closed or the time ran out
    bool closed = false;  // the peer closed (or reset) the connection
    std::chrono::milliseconds elapsed{0};
};

// A plain TCP connection to 127.0.0.1:port.
class TcpConnection {
public:
    explicit TcpConnection(std::uint16_t port);
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;
    bool connected() const { return fd_ >= 0; }
    bool send(std::string_view data);
    ReadResult read_until_closed(std::chrono::milliseconds timeout);
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

// A TLS client connection to 127.0.0.1:port that does not verify the server. The handshake runs in the
// constructor; handshake_ok() tells whether it succeeded.
class TlsConnection {
public:
    struct Options {
        int tls_version_min = 0;  // OpenSSL constants (TLS1_1_VERSION, …); 0: library default
        int tls_version_max = 0;
        bool allow_legacy = false;  // security level 0, so that TLS 1.0/1.1 ciphers are offered at all
        std::string certificate_file;  // optional client certificate and key
        std::string private_key_file;
    };
    TlsConnection(std::uint16_t port, const Options& options);
    explicit TlsConnection(std::uint16_t port) : TlsConnection(port, Options{}) {}
    ~TlsConnection();
    TlsConnection(const TlsConnection&) = delete;
    TlsConnection& operator=(const TlsConnection&) = delete;

    bool handshake_ok() const { return handshake_ok_; }
    bool send(std::string_view data);
    ReadResult read_until_closed(std::chrono::milliseconds timeout);

private:
    TcpConnection tcp_;
    SSL_CTX* context_ = nullptr;
    SSL* ssl_ = nullptr;
    bool handshake_ok_ = false;
};

}  // namespace rxl::test
