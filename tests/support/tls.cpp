#include "tests/support/tls.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace rxl::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

// OpenSSL writes to the raw connections' sockets with write(), and tests write to sockets the server has
// already closed (a refused connection, a timed-out client): that must be an error, not a SIGPIPE that
// kills the test binary.
const bool sigpipe_ignored = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
}();

std::chrono::milliseconds since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

// Waits until fd is readable or the deadline passes; false on timeout.
bool wait_readable(int fd, SteadyClock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    if (left <= 0) return false;
    pollfd entry{fd, POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(left)) > 0;
}

std::string sha256_of_certificate(const std::filesystem::path& file) {
    FILE* in = std::fopen(file.c_str(), "r");
    if (in == nullptr) throw std::runtime_error("cannot open " + file.string());
    X509* certificate = PEM_read_X509(in, nullptr, nullptr, nullptr);
    std::fclose(in);
    if (certificate == nullptr) throw std::runtime_error("cannot read " + file.string());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    X509_digest(certificate, EVP_sha256(), digest, &length);
    X509_free(certificate);
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
        hex += digits[digest[i] >> 4];
        hex += digits[digest[i] & 0x0f];
    }
    return hex;
}

}  // namespace

TemporaryDirectory::TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rxl-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

TestCertificate make_self_signed_certificate(const std::filesystem::path& directory, std::string_view common_name) {
    TestCertificate made{directory / (std::string(common_name) + ".crt"), directory / (std::string(common_name) + ".key"), {}};
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
        " -keyout '" + made.private_key_file.string() + "' -out '" + made.certificate_file.string() +
        "' -subj '/CN=" + std::string(common_name) +
        "' -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed: " + command);
    made.sha256 = sha256_of_certificate(made.certificate_file);
    return made;
}

TcpConnection::TcpConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

TcpConnection::~TcpConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool TcpConnection::send(std::string_view data) {
    while (!data.empty()) {
        const auto sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

ReadResult TcpConnection::read_until_closed(std::chrono::milliseconds timeout) {
    ReadResult result;
    const auto start = SteadyClock::now();
    char chunk[4096];
    while (wait_readable(fd_, start + timeout)) {
        const auto got = ::recv(fd_, chunk, sizeof chunk, 0);
        if (got <= 0) {
            result.closed = true;
            break;
        }
        result.data.append(chunk, static_cast<std::size_t>(got));
    }
    result.elapsed = since(start);
    return result;
}

TlsConnection::TlsConnection(std::uint16_t port, const Options& options) : tcp_(port) {
    if (!tcp_.connected()) return;
    context_ = SSL_CTX_new(TLS_client_method());
    if (options.allow_legacy) SSL_CTX_set_cipher_list(context_, "DEFAULT:@SECLEVEL=0");
    if (options.tls_version_min != 0) SSL_CTX_set_min_proto_version(context_, options.tls_version_min);
    if (options.tls_version_max != 0) SSL_CTX_set_max_proto_version(context_, options.tls_version_max);
    if (!options.certificate_file.empty()) {
        SSL_CTX_use_certificate_chain_file(context_, options.certificate_file.c_str());
        SSL_CTX_use_PrivateKey_file(context_, options.private_key_file.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(context_);
    SSL_set_fd(ssl_, tcp_.fd());
    handshake_ok_ = SSL_connect(ssl_) == 1;
    ERR_clear_error();
}

TlsConnection::~TlsConnection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (context_ != nullptr) SSL_CTX_free(context_);
}

bool TlsConnection::send(std::string_view data) {
    if (!handshake_ok_) return false;
    while (!data.empty()) {
        const int written = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
        if (written <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

ReadResult TlsConnection::read_until_closed(std::chrono::milliseconds timeout) {
    ReadResult result;
    const auto start = SteadyClock::now();
    char chunk[4096];
    while (handshake_ok_) {
        if (SSL_pending(ssl_) == 0 && !wait_readable(tcp_.fd(), start + timeout)) break;
        const int got = SSL_read(ssl_, chunk, sizeof chunk);
        if (got > 0) {
            result.data.append(chunk, static_cast<std::size_t>(got));
            continue;
        }
        const int error = SSL_get_error(ssl_, got);
        if (error == SSL_ERROR_WANT_READ) continue;  // a TLS 1.3 ticket or a partial record
        result.closed = true;
        break;
    }
    ERR_clear_error();
    result.elapsed = since(start);
    return result;
}

}  // namespace rxl::test
