// libFuzzer target for the whole request path: bytes in, a session's answer out.
//
// LLVMFuzzerInitialize starts a real node in this process, as rxledgerd assembles one: a development
// consortium (genesis, keys, read tokens) in a temporary folder, a LedgerService on a fresh PostgreSQL
// database, the verification log, the alert raiser, the production route table (server/app/routes.cpp)
// and an http::Server with TLS on 127.0.0.1. Each input is sent as raw bytes over one new TLS
// connection; the client then closes its side (TLS close_notify) and reads until the server closes.
// The target knows nothing of the server's internals, so it holds while they change. It checks:
//   - the answer is empty (the server closed without a word) or starts with "HTTP/1.1 " and a status of
//     three digits;
//   - the server closes the connection within answer_timeout_ms of the client's close (a connection left
//     open is reported and its input kept, see report_open_connection; RXL_FUZZ_STRICT_CLOSE=1 makes it
//     a crash);
//   - the node stays alive: every healthz_every_inputs inputs, GET /healthz on a fresh connection is
//     answered 200.
// A broken check aborts (a crash for libFuzzer, with the input as its reproducer); so does anything
// AddressSanitizer or UndefinedBehaviorSanitizer find anywhere in the node, on any of its threads.
//
// Inputs may name the corner pharmacy's read token as RXL-FUZZ-TOKEN: the target puts the real token
// there, so that seeds (tests/fuzz/seeds/request/) reach the authenticated handlers.
//
// Needs RXL_TEST_DATABASE, the superuser connection string of a PostgreSQL cluster (scripts/fuzz starts
// the private one, as scripts/test does). Run: ./scripts/fuzz 60 request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "ledger/crypto/ed25519.hpp"
#include "ledger/service/alert_raiser.hpp"
#include "ledger/service/ledger_service.hpp"
#include "ledger/service/verification_log.hpp"
#include "server/app/config.hpp"
#include "server/app/handlers.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/dev_certificates.hpp"
#include "server/http/server.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/tls.hpp"

namespace {

using namespace rxl;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How long the server may take, after the client closed its side, to answer and close. Well below
// libFuzzer's -timeout (scripts/fuzz: 10 s) so that a hang is reported as this target's finding.
constexpr int answer_timeout_ms = 5'000;
constexpr std::uint64_t healthz_every_inputs = 100;
// The answer's first bytes are what the checks read; the rest is read and dropped.
constexpr std::size_t answer_kept_bytes = 64;
constexpr std::string_view token_placeholder = "RXL-FUZZ-TOKEN";

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "request_fuzz: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

// The node, built once and stopped at exit.
struct Node {
    test::TemporaryDirectory dir;
    test::TestDatabase database;
    app::Tokens tokens;
    http::Metrics metrics;
    std::unique_ptr<LedgerService> ledger;
    std::unique_ptr<VerificationLog> verification_log;
    std::unique_ptr<AlertRaiser> alerts;
    std::unique_ptr<app::App> application;
    std::unique_ptr<http::Router> router;
    std::unique_ptr<http::Server> server;
    std::string token;  // the corner pharmacy's read token
    SSL_CTX* client_context = nullptr;

    void stop() {
        if (server) server->stop();
        if (alerts) alerts->stop();
        if (verification_log) verification_log->stop();
        if (ledger) ledger->stop();
    }
};

Node* node = nullptr;

std::string file_text(const fs::path& path) {
    bool ok = false;
    std::string text = app::read_text_file(path.string(), ok);
    if (!ok) fail("cannot read " + path.string());
    return text;
}

app::NodeConfig node_config(const Node& built, const cli::CertificateFiles& tls) {
    const fs::path& dir = built.dir.path();
    app::NodeConfig config;
    const std::string settings[] = {
        "listen_address=127.0.0.1", "port=0", "tls_certificate=" + tls.certificate.string(),
        "tls_private_key=" + tls.private_key.string(), "database=" + built.database.conninfo(),
        "genesis=" + (dir / "consortium.json").string(), "tokens=" + (dir / "token-hashes.json").string(),
        "node_id=node-1", "node_key=" + (dir / "keys/node-1.pem").string(), "access_log=", "worker_threads=4"};
    for (const auto& setting : settings) {
        const auto equals = setting.find('=');
        if (auto status = app::apply_override(config, setting.substr(0, equals), setting.substr(equals + 1)); !status) {
            fail("configuration " + setting + ": " + status.error().detail);
        }
    }
    if (auto checked = app::check_config(config); !checked) fail(checked.error().detail);
    return config;
}

// The ledger service as rxledgerd opens it, with the local orderer.
void open_ledger(Node& built, const app::NodeConfig& config) {
    auto node_key = PrivateKey::from_pem(file_text(config.node_key_file));
    if (!node_key) fail("node key: " + node_key.error().detail);
    LedgerServiceConfig ledger_config;
    ledger_config.database = config.database;
    ledger_config.genesis_json = file_text(config.genesis_file);
    ledger_config.read_connections = config.read_connections;
    ledger_config.node_id = config.node_id;
    ledger_config.node_key = std::make_shared<const PrivateKey>(std::move(node_key).value());
    auto ledger = LedgerService::open(std::move(ledger_config));
    if (!ledger) fail("ledger service: " + ledger.error().detail);
    built.ledger = std::move(ledger).value();
    built.ledger->start();
}

void start_node(Node& built) {
    const fs::path& dir = built.dir.path();
    if (auto made = cli::create_dev_consortium(dir, {"https://127.0.0.1:8443"}); !made) fail(made.error().detail);
    const cli::CertificateFiles authority{dir / "tls-ca.crt", dir / "tls-ca.key"};
    const cli::CertificateFiles tls{dir / "tls.crt", dir / "tls.key"};
    if (auto made = cli::make_certificate_authority(authority, "request_fuzz CA"); !made) fail(made.error().detail);
    if (auto made = cli::make_server_certificate(authority, tls, "localhost", {"localhost"}); !made) fail(made.error().detail);
    const app::NodeConfig config = node_config(built, tls);

    auto tokens = app::Tokens::parse(file_text(config.tokens_file));
    if (!tokens) fail("tokens: " + tokens.error().detail);
    built.tokens = std::move(tokens).value();
    open_ledger(built, config);
    built.tokens.use_directory(app::ledger_directory(*built.ledger), std::chrono::milliseconds(config.token_cache_ms));
    auto verification_log = VerificationLog::open(config.database);
    if (!verification_log) fail("verification log: " + verification_log.error().detail);
    built.verification_log = std::move(verification_log).value();
    built.alerts = std::make_unique<AlertRaiser>(*built.ledger);
    built.application = std::make_unique<app::App>(app::App{*built.ledger, built.tokens, built.metrics,
                                                            config.commit_wait_timeout_ms, config.http.body_bytes_max,
                                                            built.verification_log.get(), built.alerts.get(), nullptr});
    app::register_ledger_metrics(*built.application);
    built.router = std::make_unique<http::Router>(app::make_router(*built.application));
    built.server = std::make_unique<http::Server>(config.http, *built.router, built.metrics, nullptr);
    if (auto started = built.server->start(); !started) fail("server: " + started.error().detail);
    built.token = test::dev_token(dir, "corner-pharmacy");
    if (built.token.empty()) fail("no read token for corner-pharmacy");
}

// ---- one raw TLS exchange --------------------------------------------------------------------------------

struct Answer {
    std::string head;     // the first answer_kept_bytes bytes
    bool closed = false;  // the server closed within the time
};

bool wait_readable(int fd, Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd poll_fd{fd, POLLIN, 0};
    return ::poll(&poll_fd, 1, static_cast<int>(left)) > 0;
}

int connect_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    // The request and the close_notify after it are small writes: without this, Nagle holds the second
    // back until the first is acknowledged.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// Reads what the server sends until it closes (close_notify, EOF or reset) or the deadline passes.
void read_answer(SSL* ssl, int fd, Answer& answer) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(answer_timeout_ms);
    char chunk[16384];
    while (true) {
        if (SSL_pending(ssl) == 0 && !wait_readable(fd, deadline)) return;
        const int got = SSL_read(ssl, chunk, sizeof chunk);
        if (got > 0) {
            const std::size_t room = answer_kept_bytes - std::min(answer_kept_bytes, answer.head.size());
            answer.head.append(chunk, std::min(room, static_cast<std::size_t>(got)));
            continue;
        }
        if (SSL_get_error(ssl, got) == SSL_ERROR_WANT_READ) continue;  // a TLS 1.3 ticket, a partial record
        answer.closed = true;
        return;
    }
}

// A new connection: handshake, the bytes, close_notify (the request ends here), then the answer. A server
// that refuses the connection or the handshake, or closes before the bytes are all sent, is "closed".
Answer exchange(std::string_view bytes) {
    Answer answer;
    const int fd = connect_loopback(node->server->port());
    if (fd < 0) {
        answer.closed = true;
        return answer;
    }
    SSL* ssl = SSL_new(node->client_context);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
        bool sent = true;
        while (sent && !bytes.empty()) {
            const int written = SSL_write(ssl, bytes.data(), static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 20)));
            sent = written > 0;
            if (sent) bytes.remove_prefix(static_cast<std::size_t>(written));
        }
        if (sent) SSL_shutdown(ssl);  // close_notify: the client sends nothing more, and still reads
        read_answer(ssl, fd, answer);
    } else {
        answer.closed = true;
    }
    ERR_clear_error();
    SSL_free(ssl);
    ::close(fd);
    return answer;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A connection the server leaves open answer_timeout_ms after the client's close. Not a crash: the
// input is kept in RXL_FUZZ_SLOW_DIR (scripts/fuzz: var/fuzz/request/slow/) and counted on standard
// error, and whether the node still answers at once says whether it stalled or only that connection
// did. With RXL_FUZZ_STRICT_CLOSE=1 it is a crash, with the input as its reproducer.
void report_open_connection(std::string_view input, const Answer& answer) {
    static std::uint64_t open_connections = 0;
    ++open_connections;
    const auto start = Clock::now();
    const Answer probe = exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto probe_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    const std::string what = "the server left a connection open " + std::to_string(answer_timeout_ms) +
                             " ms after the client's close (" + std::to_string(open_connections) +
                             " so far); it had sent " + std::to_string(answer.head.size()) +
                             " bytes; a /healthz right after took " + std::to_string(probe_ms) + " ms";
    const char* strict = std::getenv("RXL_FUZZ_STRICT_CLOSE");
    if (strict != nullptr && std::string_view(strict) == "1") fail(what);
    std::fprintf(stderr, "request_fuzz: %s\n", what.c_str());
    if (const char* dir = std::getenv("RXL_FUZZ_SLOW_DIR"); dir != nullptr && *dir != '\0') {
        std::ofstream out(fs::path(dir) / ("open-" + std::to_string(::getpid()) + "-" + std::to_string(open_connections)),
                          std::ios::binary);
        out.write(input.data(), static_cast<std::streamsize>(input.size()));
    }
}

void check_answer(std::string_view input, const Answer& answer) {
    if (!answer.closed) report_open_connection(input, answer);
    if (answer.head.empty()) return;
    const std::string_view head = answer.head;
    const bool status_line = head.size() >= 13 && head.substr(0, 9) == "HTTP/1.1 " && is_digit(head[9]) &&
                             is_digit(head[10]) && is_digit(head[11]) && head[12] == ' ';
    if (!status_line) fail("the answer does not start with an HTTP/1.1 status line: '" + answer.head + "'");
}

void check_alive() {
    for (int attempt = 0; attempt < 3; ++attempt) {
        const Answer answer = exchange("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
        if (answer.head.starts_with("HTTP/1.1 200 ")) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    fail("the node no longer answers GET /healthz with 200");
}

std::string with_token(std::string_view bytes) {
    std::string text(bytes);
    for (auto at = text.find(token_placeholder); at != std::string::npos; at = text.find(token_placeholder, at)) {
        text.replace(at, token_placeholder.size(), node->token);
        at += node->token.size();
    }
    return text;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // A server that closes early makes SSL_write fail; it must not kill the process with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    node = new Node();
    start_node(*node);
    node->client_context = SSL_CTX_new(TLS_client_method());
    if (node->client_context == nullptr) fail("SSL_CTX_new failed");
    SSL_CTX_set_verify(node->client_context, SSL_VERIFY_NONE, nullptr);
    check_alive();
    std::fprintf(stderr, "request_fuzz: node serving https://127.0.0.1:%u (database %s)\n", node->server->port(),
                 node->database.conninfo().c_str());
    // Stopped gracefully at exit, so that its threads do not run on while statics are destroyed; the
    // temporary folder and the database go with it.
    std::atexit([] {
        node->stop();
        SSL_CTX_free(node->client_context);
        delete node;
        node = nullptr;
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::uint64_t inputs = 0;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check_answer(bytes, exchange(with_token(bytes)));
    if (++inputs % healthz_every_inputs == 0) check_alive();
    return 0;
}
