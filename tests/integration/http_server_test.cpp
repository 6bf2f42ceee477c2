// The HTTPS server over real TLS on 127.0.0.1: routing, limits, timeouts, TLS policy, graceful stop,
// metrics and the access log; plus unit tests of problem+json, the router, metrics and the client's URL
// parsing. Every server listens on 127.0.0.1, port 0, and is stopped by its fixture.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "server/http/access_log.hpp"
#include "server/http/client.hpp"
#include "server/http/message.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/http/server.hpp"
#include "tests/support/tls.hpp"

using namespace rxl;
using namespace rxl::http;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Limits small enough to test quickly; each test that needs another value says so.
constexpr std::size_t test_header_bytes_max = 4096;
constexpr std::size_t test_body_bytes_max = 1024;           // for /upload, whose header check passed
constexpr std::size_t test_unsigned_body_bytes_max = 512;   // for every other route
constexpr std::uint32_t test_request_timeout_ms = 300;
constexpr std::uint32_t test_idle_timeout_ms = 1000;
constexpr std::uint32_t slow_handler_ms = 500;

boost::json::object parse_object(std::string_view text) { return boost::json::parse(text).as_object(); }

std::string string_at(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string("<missing>");
}

std::uint64_t number_at(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_number() ? value->to_number<std::uint64_t>() : UINT64_MAX;
}

std::chrono::milliseconds since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

// Polls until the condition holds or three seconds pass; for effects that follow a response
// asynchronously (metrics are recorded after the write completes, a closed session deregisters later).
bool eventually(const std::function<bool()>& condition) {
    const auto deadline = SteadyClock::now() + 3s;
    while (SteadyClock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

Request make_request(std::string method, std::string target, std::string path) {
    Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.path = std::move(path);
    return request;
}

ClientOptions with_timeout(std::uint32_t timeout_ms) {
    ClientOptions options;
    options.timeout_ms = timeout_ms;
    return options;
}

ClientOptions with_ca(const std::filesystem::path& ca_file) {
    ClientOptions options;
    options.ca_file = ca_file.string();
    return options;
}

ClientOptions with_client_certificate(const test::TestCertificate& certificate) {
    ClientOptions options;
    options.client_certificate_file = certificate.certificate_file.string();
    options.client_private_key_file = certificate.private_key_file.string();
    return options;
}

test::TlsConnection::Options tls_versions(int min_version, int max_version, bool allow_legacy) {
    test::TlsConnection::Options options;
    options.tls_version_min = min_version;
    options.tls_version_max = max_version;
    options.allow_legacy = allow_legacy;
    return options;
}

Response echo(const Request& request) {
    boost::json::object body;
    body["method"] = request.method;
    body["path"] = request.path;
    body["first"] = request.path_param("first");
    body["second"] = request.path_param("second");
    boost::json::array query;
    for (const auto& [key, value] : request.query) query.push_back(boost::json::array{key.c_str(), value.c_str()});
    body["query"] = std::move(query);
    body["body"] = request.body;
    body["certificate"] = request.client_certificate_sha256;
    body["certificate_cn"] = request.client_certificate_common_name;
    body["remote"] = request.remote_address;
    return Response::json(200, boost::json::serialize(body));
}

struct TestServer {
    explicit TestServer(const std::function<void(ServerConfig&)>& adjust = {}) {
        certificate = test::make_self_signed_certificate(directory.path(), "localhost");
        add_routes();
        ServerConfig config;
        config.listen_address = "127.0.0.1";
        config.port = 0;
        config.certificate_chain_file = certificate.certificate_file.string();
        config.private_key_file = certificate.private_key_file.string();
        config.io_threads = 2;
        config.worker_threads = 4;
        config.header_bytes_max = test_header_bytes_max;
        config.body_bytes_max = test_body_bytes_max;
        config.unsigned_body_bytes_max = test_unsigned_body_bytes_max;
        config.request_timeout_ms = test_request_timeout_ms;
        config.idle_timeout_ms = test_idle_timeout_ms;
        config.connections_max = 16;
        config.shutdown_grace_ms = 3000;
        if (adjust) adjust(config);
        server = std::make_unique<Server>(config, router, metrics, &access_log);
        const auto started = server->start();
        REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error().detail));
    }
    ~TestServer() { server->stop(); }

    void add_routes() {
        router.add("GET", "/hello", "hello", [](const Request&) { return Response::text(200, "text/plain", "hello"); });
        router.add("GET", "/echo/{first}/{second}", "echo", echo);
        router.add("POST", "/echo/{first}/{second}", "echo_post", echo);
        router.add("GET", "/items", "items_list", [](const Request&) { return Response::json(200, "[]"); });
        router.add("POST", "/items", "items_create", [](const Request& request) {
            return Response::json(201, fmt_size(request.body.size()));
        });
        router.add("GET", "/slow", "slow", [this](const Request&) {
            slow_started = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(slow_handler_ms));
            return Response::text(200, "text/plain", "done");
        });
        router.add("GET", "/throw", "throw", [](const Request&) -> Response { throw std::runtime_error("bug"); });
        // A stand-in for a signed write: its header check wants "X-Key: good" before the body is read.
        RouteOptions checked;
        checked.check_header = [](const Request& head) -> std::optional<Response> {
            if (head.header("X-Key") == "good") return std::nullopt;
            return problem(make_error(ErrorKind::unauthenticated, "unknown-key", "X-Key is not good"));
        };
        router.add("POST", "/upload", "upload", [](const Request& request) {
            return Response::json(201, fmt_size(request.body.size()));
        }, checked);
        router.add("GET", "/big", "big", [this](const Request&) {
            return Response::text(200, "application/octet-stream", std::string(big_answer_bytes, 'b'));
        });
        router.add("GET", "/invalid-utf8", "invalid_utf8", [](const Request&) {
            return Response::json(200, "{\"echo\":\"caf\xC3 \xFF\"}");
        });
    }
    static std::string fmt_size(std::size_t size) { return "{\"bytes\":" + std::to_string(size) + "}"; }

    HttpsClient client(ClientOptions options = {}) const { return HttpsClient("127.0.0.1", server->port(), std::move(options)); }
    std::uint16_t port() const { return server->port(); }

    test::TemporaryDirectory directory;
    test::TestCertificate certificate;
    Router router;
    Metrics metrics;
    std::ostringstream access_log;
    std::atomic<bool> slow_started{false};
    std::size_t big_answer_bytes = 1024;
    std::unique_ptr<Server> server;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------
// problem+json and the router, without a server

TEST_CASE("status_for maps every error kind to its HTTP status") {
    CHECK(status_for(ErrorKind::invalid_input) == 400);
    CHECK(status_for(ErrorKind::unauthenticated) == 401);
    CHECK(status_for(ErrorKind::forbidden) == 403);
    CHECK(status_for(ErrorKind::not_found) == 404);
    CHECK(status_for(ErrorKind::method_not_allowed) == 405);
    CHECK(status_for(ErrorKind::conflict) == 409);
    CHECK(status_for(ErrorKind::too_large) == 413);
    CHECK(status_for(ErrorKind::unsupported_media_type) == 415);
    CHECK(status_for(ErrorKind::rule_violation) == 422);
    CHECK(status_for(ErrorKind::unavailable) == 503);
    CHECK(status_for(ErrorKind::internal) == 500);
}

TEST_CASE("problem builds an RFC 9457 document from an error") {
    const Response with_pointer = problem(make_error(ErrorKind::rule_violation, "unit-not-active", "The unit is decommissioned.", "/epcisBody/eventList/0"));
    CHECK(with_pointer.status == 422);
    CHECK(with_pointer.content_type == "application/problem+json");
    const auto document = parse_object(with_pointer.body);
    CHECK(string_at(document, "type") == "https://rxledger.org/problems/unit-not-active");
    CHECK(string_at(document, "title") == "The ledger's rules reject this request.");
    CHECK(document.at("status").as_int64() == 422);
    CHECK(string_at(document, "detail") == "The unit is decommissioned.");
    CHECK(string_at(document, "pointer") == "/epcisBody/eventList/0");

    const auto without_pointer = parse_object(problem(make_error(ErrorKind::conflict, "duplicate-event", "Seen before.")).body);
    CHECK(without_pointer.if_contains("pointer") == nullptr);
    CHECK(without_pointer.at("status").as_int64() == 409);
}

TEST_CASE("router matches literal and parameter segments, first route first") {
    Router router;
    std::string seen;
    router.add("GET", "/v1/units/{gtin}/{serial}", "unit", [&](const Request& request) {
        seen = std::string(request.path_param("gtin")) + "|" + std::string(request.path_param("serial"));
        return Response::json(200, "{}");
    });
    router.add("GET", "/v1/units/{gtin}/{serial}/history", "history", [](const Request&) { return Response::json(200, "{}"); });
    router.add("GET", "/v1/units/special/one", "shadowed", [](const Request&) { return Response::json(200, "{}"); });
    router.add("POST", "/v1/units/{gtin}/{serial}", "unit_post", [](const Request&) { return Response::json(200, "{}"); });

    std::string route;
    Request request = make_request("GET", "/v1/units/09506000134352/AB%2F12?x=1", "/v1/units/09506000134352/AB/12");
    CHECK(router.dispatch(request, route).status == 200);
    CHECK(route == "unit");
    CHECK(seen == "09506000134352|AB/12");  // an encoded slash stays inside its segment

    Request history = make_request("GET", "/v1/units/1/2/history", "");
    router.dispatch(history, route);
    CHECK(route == "history");

    Request shadowed = make_request("GET", "/v1/units/special/one", "");
    router.dispatch(shadowed, route);
    CHECK(route == "unit");  // added first

    Request empty_segment = make_request("GET", "/v1/units//2", "/v1/units//2");
    CHECK(router.dispatch(empty_segment, route).status == 404);
    CHECK(route == "not_found");

    Request trailing = make_request("GET", "/v1/units/1/2/", "");
    CHECK(router.dispatch(trailing, route).status == 404);

    Request by_path = make_request("GET", "", "/v1/units/7/8");  // no target: built by hand
    CHECK(router.dispatch(by_path, route).status == 200);
    CHECK(seen == "7|8");
}

TEST_CASE("router answers 405 with Allow listing each method once") {
    Router router;
    auto ok = [](const Request&) { return Response::json(200, "{}"); };
    router.add("GET", "/v1/recalls", "recalls_list", ok);
    router.add("POST", "/v1/recalls", "recalls_create", ok);
    router.add("GET", "/v1/{anything}", "catch_all", ok);
    std::string route;
    Request request = make_request("DELETE", "/v1/recalls", "/v1/recalls");
    const Response response = router.dispatch(request, route);
    CHECK(response.status == 405);
    CHECK(route == "method_not_allowed");
    REQUIRE(response.headers.size() == 1);
    CHECK(response.headers[0].name == "Allow");
    CHECK(response.headers[0].value == "GET, POST");
    CHECK(string_at(parse_object(response.body), "type") == "https://rxledger.org/problems/method-not-allowed");
}

TEST_CASE("router runs the matched route's header check, and answers HEAD with the GET route") {
    Router router;
    int checks = 0;
    RouteOptions checked;
    checked.check_header = [&](const Request& head) -> std::optional<Response> {
        ++checks;
        if (head.path_param("id") == "ok") return std::nullopt;
        return problem(make_error(ErrorKind::unauthenticated, "unknown-key", "no"));
    };
    router.add("POST", "/things/{id}", "things_post", [](const Request&) { return Response::json(201, "{}"); }, checked);
    router.add("GET", "/things/{id}", "things_get", [](const Request& request) { return Response::json(200, "\"" + request.method + "\""); });

    std::string route;
    Request refused = make_request("POST", "/things/bad", "/things/bad");
    const HeaderVerdict refusal = router.check_header(refused, route);
    REQUIRE(refusal.answer.has_value());
    CHECK(refusal.answer->status == 401);
    CHECK_FALSE(refusal.checked);
    CHECK(route == "things_post");

    Request passed = make_request("POST", "/things/ok", "/things/ok");
    const HeaderVerdict pass = router.check_header(passed, route);
    CHECK_FALSE(pass.answer.has_value());
    CHECK(pass.checked);

    Request unchecked = make_request("GET", "/things/ok", "/things/ok");  // no check: the small body limit
    CHECK_FALSE(router.check_header(unchecked, route).checked);
    CHECK(checks == 2);

    Request head = make_request("HEAD", "/things/x", "/things/x");
    const Response answered = router.dispatch(head, route);
    CHECK(answered.status == 200);
    CHECK(route == "things_get");
    CHECK(answered.body == "\"HEAD\"");
}

TEST_CASE("request helpers find headers case-insensitively and query parameters by name") {
    Request request;
    request.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
    request.query = {{"code", "010950"}, {"receipt", "1"}};
    CHECK(request.header("content-type") == "application/json");
    CHECK(request.header("X-a") == "1");
    CHECK_FALSE(request.header("Accept").has_value());
    CHECK(request.query_param("receipt") == "1");
    CHECK_FALSE(request.query_param("Code").has_value());
}

// ---------------------------------------------------------------------------------------------------
// metrics, access log and node URLs, without a server

TEST_CASE("metrics render the Prometheus text format") {
    Metrics metrics;
    Counter& counter = metrics.counter("rxledger_test_total", "Things.\nCounted \\ here.", {{"kind", "a\"b\\c\nd"}});
    counter.increment(2);
    CHECK(&metrics.counter("rxledger_test_total", "Things.\nCounted \\ here.", {{"kind", "a\"b\\c\nd"}}) == &counter);
    metrics.gauge("rxledger_test_gauge", "A gauge.").set(1.5);
    Histogram& histogram = metrics.histogram("rxledger_test_seconds", "Durations.", {0.1, 1.0});
    histogram.observe(0.05);
    histogram.observe(0.1);  // "less or equal": the 0.1 bucket
    histogram.observe(5.0);
    metrics.register_gauge_callback("rxledger_test_ledger_size", "Entries.", [] { return 42.0; });

    const std::string text = metrics.render();
    CHECK(text.find("# HELP rxledger_test_total Things.\\nCounted \\\\ here.\n") != std::string::npos);
    CHECK(text.find("# TYPE rxledger_test_total counter\n") != std::string::npos);
    CHECK(text.find("rxledger_test_total{kind=\"a\\\"b\\\\c\\nd\"} 2\n") != std::string::npos);
    CHECK(text.find("# TYPE rxledger_test_gauge gauge\nrxledger_test_gauge 1.5\n") != std::string::npos);
    CHECK(text.find("# TYPE rxledger_test_seconds histogram\n") != std::string::npos);
    CHECK(text.find("rxledger_test_seconds_bucket{le=\"0.1\"} 2\n") != std::string::npos);
    CHECK(text.find("rxledger_test_seconds_bucket{le=\"1\"} 2\n") != std::string::npos);
    CHECK(text.find("rxledger_test_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
    CHECK(text.find("rxledger_test_seconds_sum 5.15\n") != std::string::npos);
    CHECK(text.find("rxledger_test_seconds_count 3\n") != std::string::npos);
    CHECK(text.find("# TYPE rxledger_test_ledger_size gauge\nrxledger_test_ledger_size 42\n") != std::string::npos);
    CHECK(text.back() == '\n');
}

TEST_CASE("HTTP request metrics are labelled by route and status") {
    Metrics metrics;
    metrics.observe_http_request("verify", 200, 0.0007);
    metrics.observe_http_request("verify", 200, 0.003);
    metrics.observe_http_request("verify", 404, 0.2);
    const std::string text = metrics.render();
    CHECK(text.find("rxledger_http_requests_total{route=\"verify\",status=\"200\"} 2\n") != std::string::npos);
    CHECK(text.find("rxledger_http_requests_total{route=\"verify\",status=\"404\"} 1\n") != std::string::npos);
    CHECK(text.find("rxledger_http_request_duration_seconds_bucket{route=\"verify\",le=\"0.0005\"} 0\n") != std::string::npos);
    CHECK(text.find("rxledger_http_request_duration_seconds_bucket{route=\"verify\",le=\"0.001\"} 1\n") != std::string::npos);
    CHECK(text.find("rxledger_http_request_duration_seconds_bucket{route=\"verify\",le=\"0.25\"} 3\n") != std::string::npos);
    CHECK(text.find("rxledger_http_request_duration_seconds_bucket{route=\"verify\",le=\"10\"} 3\n") != std::string::npos);
    CHECK(text.find("rxledger_http_request_duration_seconds_count{route=\"verify\"} 3\n") != std::string::npos);
}

TEST_CASE("access log lines are JSON with an RFC 3339 UTC time") {
    const std::chrono::system_clock::time_point noon_may_first{std::chrono::milliseconds(1'714'564'800'123)};
    CHECK(format_rfc3339_utc(noon_may_first) == "2024-05-01T12:00:00.123Z");
    const std::string line = format_access_log_line(
        AccessLogEntry{noon_may_first, "127.0.0.1:5000", "GET", "/v1/verify", 12, "verify", 200, 345, 1.2345678});
    REQUIRE(line.back() == '\n');
    const auto object = parse_object(line);
    CHECK(string_at(object, "time") == "2024-05-01T12:00:00.123Z");
    CHECK(string_at(object, "target") == "/v1/verify");
    CHECK(number_at(object, "query_bytes") == 12);
    CHECK(number_at(object, "status") == 200);
    CHECK(number_at(object, "bytes_out") == 345);
    CHECK(object.at("duration_ms").as_double() == doctest::Approx(1.234));
}

TEST_CASE("parse_node_url accepts https host and port only") {
    const auto local = parse_node_url("https://localhost:8443");
    REQUIRE(local.ok());
    CHECK(local->host == "localhost");
    CHECK(local->port == 8443);
    const auto default_port = parse_node_url("https://node-2.example.org/");
    REQUIRE(default_port.ok());
    CHECK(default_port->port == 443);
    const auto v6 = parse_node_url("https://[::1]:9000");
    REQUIRE(v6.ok());
    CHECK(v6->host == "::1");
    for (const char* bad : {"http://localhost:8443", "https://localhost:8443/v1", "https://u@localhost", "localhost:8443",
                            "https://localhost:8443?x=1", "https://localhost:99999"}) {
        const std::string url = bad;
        CAPTURE(url);
        const auto parsed = parse_node_url(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().code == "bad-node-url");
    }
}

// ---------------------------------------------------------------------------------------------------
// a real server over TLS

TEST_CASE("routing over HTTPS fills path parameters and the decoded query") {
    TestServer fixture;
    auto client = fixture.client();
    const auto got = client.request("GET", "/echo/abc/d%2Fe?code=01%2012&flag");
    REQUIRE(got.ok());
    CHECK(got->status == 200);
    CHECK(got->header("content-type") == "application/json");
    const auto body = parse_object(got->body);
    CHECK(string_at(body, "first") == "abc");
    CHECK(string_at(body, "second") == "d/e");
    CHECK(string_at(body, "path") == "/echo/abc/d/e");
    CHECK(boost::json::serialize(body.at("query")) == R"([["code","01 12"],["flag",""]])");
    CHECK(string_at(body, "certificate").empty());
    CHECK(string_at(body, "remote").rfind("127.0.0.1:", 0) == 0);

    const auto posted = client.request("POST", "/echo/x/y", "payload", {{"Content-Type", "text/plain"}});
    REQUIRE(posted.ok());
    CHECK(string_at(parse_object(posted->body), "method") == "POST");
    CHECK(string_at(parse_object(posted->body), "body") == "payload");
}

TEST_CASE("unknown paths get 404 and known paths with another method 405 with Allow, as problem+json") {
    TestServer fixture;
    auto client = fixture.client();
    const auto missing = client.request("GET", "/nowhere");
    REQUIRE(missing.ok());
    CHECK(missing->status == 404);
    CHECK(missing->header("Content-Type") == "application/problem+json");
    CHECK(string_at(parse_object(missing->body), "type") == "https://rxledger.org/problems/not-found");

    const auto wrong_method = client.request("DELETE", "/items");
    REQUIRE(wrong_method.ok());
    CHECK(wrong_method->status == 405);
    CHECK(wrong_method->header("Allow") == "GET, POST");
    CHECK(parse_object(wrong_method->body).at("status").as_int64() == 405);
}

TEST_CASE("keep-alive serves many requests on one connection") {
    TestServer fixture;
    auto client = fixture.client();
    for (int i = 0; i < 25; ++i) {
        const auto got = client.request("GET", "/hello");
        REQUIRE(got.ok());
        CHECK(got->status == 200);
        CHECK(got->body == "hello");
    }
    CHECK(client.connections_opened() == 1);
    CHECK(fixture.server->connections() == 1);
}

TEST_CASE("a body over the limit is refused with 413 naming the limit") {
    TestServer fixture;
    auto client = fixture.client();
    const auto at_limit = client.request("POST", "/upload", std::string(test_body_bytes_max, 'a'), {{"X-Key", "good"}});
    REQUIRE(at_limit.ok());
    CHECK(at_limit->status == 201);

    const auto over = client.request("POST", "/upload", std::string(4 * test_body_bytes_max, 'a'), {{"X-Key", "good"}});
    REQUIRE(over.ok());
    CHECK(over->status == 413);
    CHECK(over->header("Content-Type") == "application/problem+json");
    const auto document = parse_object(over->body);
    CHECK(string_at(document, "type") == "https://rxledger.org/problems/body-too-large");
    CHECK(string_at(document, "detail").find(std::to_string(test_body_bytes_max) + " bytes") != std::string::npos);

    // The server closed that connection; the client opens a new one.
    const auto after = client.request("GET", "/hello");
    REQUIRE(after.ok());
    CHECK(after->status == 200);
}

TEST_CASE("a header block over the limit is refused with 431") {
    TestServer fixture;
    auto client = fixture.client();
    const auto fine = client.request("GET", "/hello", {}, {{"X-Filler", std::string(1000, 'a')}});
    REQUIRE(fine.ok());
    CHECK(fine->status == 200);

    const auto over = client.request("GET", "/hello", {}, {{"X-Filler", std::string(2 * test_header_bytes_max, 'a')}});
    REQUIRE(over.ok());
    CHECK(over->status == 431);
    const auto document = parse_object(over->body);
    CHECK(string_at(document, "type") == "https://rxledger.org/problems/header-too-large");
    CHECK(document.at("status").as_int64() == 431);
}

TEST_CASE("a malformed request is answered 400 problem+json and the connection closed") {
    TestServer fixture;
    test::TlsConnection connection(fixture.port());
    REQUIRE(connection.handshake_ok());
    REQUIRE(connection.send("GET /hello HTTP/1.1\r\nHost: localhost\r\nNot A Header\r\n\r\n"));
    const auto read = connection.read_until_closed(3s);
    CHECK(read.data.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(read.data.find("application/problem+json") != std::string::npos);
    CHECK(read.data.find("https://rxledger.org/problems/malformed-request") != std::string::npos);
    CHECK(read.closed);
}

TEST_CASE("a client that sends half a request is disconnected after the request timeout") {
    TestServer fixture;
    test::TlsConnection slow(fixture.port());
    REQUIRE(slow.handshake_ok());
    REQUIRE(slow.send("GET /hello HTTP/1.1\r\nHost: loc"));
    const auto read = slow.read_until_closed(3s);
    CHECK(read.closed);
    CHECK(read.data.empty());
    // The request timeout (300 ms), not the idle timeout (1000 ms), closed it.
    CHECK(read.elapsed >= std::chrono::milliseconds(test_request_timeout_ms - 50));
    CHECK(read.elapsed < std::chrono::milliseconds(test_idle_timeout_ms - 100));

    auto client = fixture.client();  // others are still served
    const auto got = client.request("GET", "/hello");
    REQUIRE(got.ok());
    CHECK(got->status == 200);
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout") {
    TestServer fixture;
    test::TlsConnection connection(fixture.port());
    REQUIRE(connection.handshake_ok());
    REQUIRE(connection.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const auto read = connection.read_until_closed(4s);
    CHECK(read.data.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(read.closed);
    CHECK(read.elapsed >= std::chrono::milliseconds(test_idle_timeout_ms - 100));
    CHECK(read.elapsed < std::chrono::milliseconds(test_idle_timeout_ms + 1500));
}

TEST_CASE("the client reconnects after the server closed its idle connection") {
    TestServer fixture;
    auto client = fixture.client();
    REQUIRE(client.request("GET", "/hello").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(test_idle_timeout_ms + 300));
    const auto again = client.request("GET", "/hello");
    REQUIRE(again.ok());
    CHECK(again->status == 200);
    CHECK(client.connections_opened() == 2);
}

TEST_CASE("connections beyond connections_max are closed at once") {
    TestServer fixture([](ServerConfig& config) { config.connections_max = 2; });
    auto first = std::make_unique<test::TlsConnection>(fixture.port());
    test::TlsConnection second(fixture.port());
    REQUIRE(first->handshake_ok());
    REQUIRE(second.handshake_ok());
    REQUIRE(eventually([&] { return fixture.server->connections() == 2; }));

    test::TlsConnection third(fixture.port());
    CHECK_FALSE(third.handshake_ok());
    CHECK(eventually([&] {
        return fixture.metrics.render().find("rxledger_http_connections_refused_total 1\n") != std::string::npos;
    }));

    first.reset();  // frees a slot once the server notices
    REQUIRE(eventually([&] { return fixture.server->connections() == 1; }));
    test::TlsConnection fourth(fixture.port());
    CHECK(fourth.handshake_ok());
}

TEST_CASE("plain HTTP is refused") {
    TestServer fixture;
    test::TcpConnection plain(fixture.port());
    REQUIRE(plain.connected());
    REQUIRE(plain.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const auto read = plain.read_until_closed(3s);
    CHECK(read.closed);
    CHECK(read.data.find("HTTP/1.1") == std::string::npos);
    CHECK(read.data.find("hello") == std::string::npos);
}

TEST_CASE("TLS 1.1 is refused while TLS 1.2 and 1.3 are accepted") {
    TestServer fixture;
    // The client allows legacy ciphers, and the P-256 certificate works with TLS 1.1: a failure here is
    // the server's refusal.
    test::TlsConnection tls11(fixture.port(), tls_versions(TLS1_1_VERSION, TLS1_1_VERSION, true));
    CHECK_FALSE(tls11.handshake_ok());
    test::TlsConnection tls12(fixture.port(), tls_versions(TLS1_2_VERSION, TLS1_2_VERSION, false));
    CHECK(tls12.handshake_ok());
    test::TlsConnection tls13(fixture.port(), tls_versions(TLS1_3_VERSION, TLS1_3_VERSION, false));
    CHECK(tls13.handshake_ok());
}

TEST_CASE("stop lets an in-flight request finish and closes idle connections at once") {
    TestServer fixture([](ServerConfig& config) { config.idle_timeout_ms = 20'000; });
    test::TlsConnection idle(fixture.port());
    REQUIRE(idle.handshake_ok());

    std::optional<Result<ClientResponse>> slow_result;
    std::thread slow_client([&] {
        auto client = fixture.client();
        slow_result.emplace(client.request("GET", "/slow"));
    });
    REQUIRE(eventually([&] { return fixture.slow_started.load(); }));
    const auto stop_started = SteadyClock::now();
    fixture.server->stop();
    const auto stop_took = since(stop_started);
    slow_client.join();

    REQUIRE(slow_result.has_value());
    REQUIRE(slow_result->ok());
    CHECK((*slow_result)->status == 200);
    CHECK((*slow_result)->body == "done");
    CHECK((*slow_result)->header("Connection") == "close");
    // Neither the idle connection (20 s idle timeout) nor the grace period (3 s) was waited for.
    CHECK(stop_took < 2500ms);
    CHECK(idle.read_until_closed(1s).closed);

    auto late = fixture.client();
    const auto refused = late.request("GET", "/hello");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::unavailable);
}

TEST_CASE("handlers run on the worker pool, not on the I/O thread") {
    TestServer fixture([](ServerConfig& config) { config.io_threads = 1; });
    const auto started = SteadyClock::now();
    std::vector<std::thread> clients;
    std::atomic<int> answered{0};
    for (int i = 0; i < 3; ++i) {
        clients.emplace_back([&] {
            auto client = fixture.client();
            const auto got = client.request("GET", "/slow");
            if (got.ok() && got->status == 200) ++answered;
        });
    }
    for (auto& thread : clients) thread.join();
    CHECK(answered == 3);
    // Three 500 ms handlers on one I/O thread would take 1.5 s.
    CHECK(since(started) < std::chrono::milliseconds(2 * slow_handler_ms + 200));
}

TEST_CASE("a throwing handler is answered 500 problem+json") {
    TestServer fixture;
    auto client = fixture.client();
    const auto got = client.request("GET", "/throw");
    REQUIRE(got.ok());
    CHECK(got->status == 500);
    CHECK(string_at(parse_object(got->body), "type") == "https://rxledger.org/problems/internal");
}

TEST_CASE("metrics count the server's requests by route and status") {
    TestServer fixture;
    auto client = fixture.client();
    for (int i = 0; i < 3; ++i) REQUIRE(client.request("GET", "/hello").ok());
    REQUIRE(client.request("GET", "/nowhere").ok());
    CHECK(eventually([&] {
        const std::string text = fixture.metrics.render();
        return text.find("rxledger_http_requests_total{route=\"hello\",status=\"200\"} 3\n") != std::string::npos &&
               text.find("rxledger_http_requests_total{route=\"not_found\",status=\"404\"} 1\n") != std::string::npos &&
               text.find("rxledger_http_request_duration_seconds_count{route=\"hello\"} 3\n") != std::string::npos;
    }));
    CHECK(fixture.metrics.render().find("rxledger_http_connections_open 1\n") != std::string::npos);
}

TEST_CASE("the access log has one JSON line per request and never the query string") {
    TestServer fixture;
    {
        auto client = fixture.client();
        REQUIRE(client.request("GET", "/hello?code=SECRET123").ok());
        REQUIRE(client.request("GET", "/nowhere").ok());
    }
    fixture.server->stop();  // every line is written; the stream is no longer shared
    const std::string log = fixture.access_log.str();
    CHECK(log.find("SECRET123") == std::string::npos);
    std::istringstream lines(log);
    std::vector<boost::json::object> entries;
    for (std::string line; std::getline(lines, line);) entries.push_back(parse_object(line));
    REQUIRE(entries.size() == 2);
    CHECK(string_at(entries[0], "method") == "GET");
    CHECK(string_at(entries[0], "target") == "/hello");
    CHECK(number_at(entries[0], "query_bytes") == std::string_view("code=SECRET123").size());
    CHECK(string_at(entries[0], "route") == "hello");
    CHECK(number_at(entries[0], "status") == 200);
    CHECK(number_at(entries[0], "bytes_out") > 5);
    CHECK(entries[0].at("duration_ms").is_number());
    CHECK(string_at(entries[0], "remote").rfind("127.0.0.1:", 0) == 0);
    CHECK(string_at(entries[0], "time").back() == 'Z');
    CHECK(string_at(entries[1], "route") == "not_found");
    CHECK(number_at(entries[1], "status") == 404);
}

TEST_CASE("the client reports a refused connection and a timeout as unavailable") {
    std::uint16_t unused_port = 0;
    {
        TestServer fixture;
        auto client = fixture.client(with_timeout(200));
        const auto started = SteadyClock::now();
        const auto slow = client.request("GET", "/slow");
        REQUIRE_FALSE(slow.ok());
        CHECK(slow.error().kind == ErrorKind::unavailable);
        CHECK(slow.error().code == "timeout");
        CHECK(since(started) < std::chrono::milliseconds(slow_handler_ms));
        unused_port = fixture.port();
    }
    HttpsClient nobody("127.0.0.1", unused_port);
    const auto refused = nobody.request("GET", "/hello");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::unavailable);
    CHECK(refused.error().code == "connect-failed");
}

TEST_CASE("the client verifies the server against a CA file") {
    TestServer fixture;
    test::TemporaryDirectory other;
    const auto stranger = test::make_self_signed_certificate(other.path(), "stranger");

    HttpsClient trusting("localhost", fixture.port(), with_ca(fixture.certificate.certificate_file));
    const auto trusted = trusting.request("GET", "/hello");
    REQUIRE_MESSAGE(trusted.ok(), (trusted.ok() ? "" : trusted.error().detail));
    CHECK(trusted->status == 200);

    HttpsClient suspicious("localhost", fixture.port(), with_ca(stranger.certificate_file));
    const auto refused = suspicious.request("GET", "/hello");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "tls-handshake-failed");
}

TEST_CASE("a TLS client certificate's SHA-256 and CN reach the handler when the server asks for one") {
    test::TemporaryDirectory keys;
    const auto member = test::make_self_signed_certificate(keys.path(), "member");
    const auto stranger = test::make_self_signed_certificate(keys.path(), "stranger");
    TestServer fixture([&](ServerConfig& config) { config.client_ca_file = member.certificate_file.string(); });

    auto with_certificate = fixture.client(with_client_certificate(member));
    const auto known = with_certificate.request("GET", "/echo/a/b");
    REQUIRE_MESSAGE(known.ok(), (known.ok() ? "" : known.error().detail));
    CHECK(string_at(parse_object(known->body), "certificate") == member.sha256);
    CHECK(string_at(parse_object(known->body), "certificate_cn") == "member");

    auto without = fixture.client();  // asked, not required
    const auto anonymous = without.request("GET", "/echo/a/b");
    REQUIRE(anonymous.ok());
    CHECK(string_at(parse_object(anonymous->body), "certificate").empty());
    CHECK(string_at(parse_object(anonymous->body), "certificate_cn").empty());

    auto unknown = fixture.client(with_client_certificate(stranger));
    CHECK_FALSE(unknown.request("GET", "/echo/a/b").ok());  // a certificate that is sent must verify
}

// ---------------------------------------------------------------------------------------------------
// issue 13: a limit on everything, and no exception leaves a session (DESIGN.md §10 rules 2 and 5)

namespace {

// A plain TCP connection to 127.0.0.1:port from `source` (any 127/8 address is loopback on Linux), that
// sends nothing: what an attacker's idle connection looks like. Closed on destruction.
class IdleConnection {
public:
    IdleConnection(const char* source, std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, source, &local.sin_addr);
        sockaddr_in remote{};
        remote.sin_family = AF_INET;
        remote.sin_port = htons(port);
        remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
            ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
            if (fd_ >= 0) ::close(fd_);
            fd_ = -1;
        }
    }
    ~IdleConnection() {
        if (fd_ >= 0) ::close(fd_);
    }
    IdleConnection(const IdleConnection&) = delete;
    IdleConnection& operator=(const IdleConnection&) = delete;
    bool connected() const { return fd_ >= 0; }
    // True once the server has closed the connection (a read returns end of file or an error).
    bool closed_by_server() const {
        char byte = 0;
        const auto got = ::recv(fd_, &byte, 1, MSG_DONTWAIT);
        return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    }

private:
    int fd_ = -1;
};

// What a raw connection reads back within `timeout` after sending `request`.
std::string exchange(std::uint16_t port, const std::string& request, std::chrono::milliseconds timeout = 3s) {
    test::TlsConnection connection(port);
    REQUIRE(connection.handshake_ok());
    REQUIRE(connection.send(request));
    return connection.read_until_closed(timeout).data;
}

std::string chunked_get(std::string_view chunks) {
    return "GET /hello HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
           std::string(chunks);
}

bool answered_hello(const TestServer& fixture) {
    auto client = fixture.client();
    const auto got = client.request("GET", "/hello");
    return got.ok() && got->status == 200 && got->body == "hello";
}

}  // namespace

TEST_CASE("a chunked request's trailer fields count within the header limit and cannot stop the server") {
    TestServer fixture;
    // The request that killed the process: Beast's fields threw length_error on an I/O thread.
    const std::string huge = exchange(fixture.port(), chunked_get("0\r\nX-Trailer: " + std::string(65'534, 'a') + "\r\n\r\n"));
    CHECK(huge.rfind("HTTP/1.1 431", 0) == 0);
    CHECK(huge.find("https://rxledger.org/problems/header-too-large") != std::string::npos);
    CHECK(answered_hello(fixture));

    // Each part within the limit, together over it.
    const std::string together =
        exchange(fixture.port(), "GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Filler: " + std::string(2500, 'h') +
                                     "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: " + std::string(2500, 't') + "\r\n\r\n");
    CHECK(together.rfind("HTTP/1.1 431", 0) == 0);

    const std::string small = exchange(fixture.port(), chunked_get("0\r\nX-Trailer: fine\r\n\r\n"));
    CHECK(small.rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("chunk extensions count within the header limit") {
    TestServer fixture;
    const std::string one = exchange(fixture.port(), chunked_get("5;ext=" + std::string(2 * test_header_bytes_max, 'e') + "\r\nhello\r\n0\r\n\r\n"));
    CHECK(one.rfind("HTTP/1.1 431", 0) == 0);

    std::string many_chunks;  // 50 chunks with 100 bytes of extension each: 5,000 bytes in all
    for (int i = 0; i < 50; ++i) many_chunks += "1;e=" + std::string(96, 'e') + "\r\nx\r\n";
    const std::string many = exchange(fixture.port(), chunked_get(many_chunks + "0\r\n\r\n"));
    CHECK(many.rfind("HTTP/1.1 431", 0) == 0);

    const std::string fine = exchange(fixture.port(), chunked_get("1;e=1\r\nx\r\n0\r\n\r\n"));
    CHECK(fine.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(answered_hello(fixture));
}

TEST_CASE("a route's header check answers before the body is read") {
    TestServer fixture;
    // The body is announced and never sent: the answer cannot have waited for it.
    const auto started = SteadyClock::now();
    test::TlsConnection connection(fixture.port());
    REQUIRE(connection.handshake_ok());
    REQUIRE(connection.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nX-Key: bad\r\nContent-Length: 1000\r\n\r\n"));
    const auto read = connection.read_until_closed(3s);
    CHECK(read.data.rfind("HTTP/1.1 401", 0) == 0);
    CHECK(read.data.find("https://rxledger.org/problems/unknown-key") != std::string::npos);
    CHECK(since(started) < 2500ms);
}

TEST_CASE("routes without a header check take only unsigned_body_bytes_max") {
    TestServer fixture;
    auto client = fixture.client();
    const auto unchecked = client.request("POST", "/items", std::string(test_unsigned_body_bytes_max + 100, 'a'));
    REQUIRE(unchecked.ok());
    CHECK(unchecked->status == 413);
    CHECK(string_at(parse_object(unchecked->body), "detail").find(std::to_string(test_unsigned_body_bytes_max) + " bytes") != std::string::npos);

    const auto small = client.request("POST", "/items", std::string(test_unsigned_body_bytes_max, 'a'));
    REQUIRE(small.ok());
    CHECK(small->status == 201);
    const auto checked = client.request("POST", "/upload", std::string(test_unsigned_body_bytes_max + 100, 'a'), {{"X-Key", "good"}});
    REQUIRE(checked.ok());
    CHECK(checked->status == 201);
}

TEST_CASE("request bodies past the node's request buffer budget are answered 503 before they are read") {
    TestServer fixture([](ServerConfig& config) {
        config.request_buffer_bytes_max = 1500;
        config.request_timeout_ms = 5000;
    });
    const std::string head = "POST /upload HTTP/1.1\r\nHost: localhost\r\nX-Key: good\r\nContent-Type: text/plain\r\n";
    test::TlsConnection holder(fixture.port());
    REQUIRE(holder.handshake_ok());
    REQUIRE(holder.send(head + "Content-Length: 1000\r\n\r\n"));  // 1000 of the 1500 bytes, body not sent yet
    std::this_thread::sleep_for(200ms);

    const std::string declared = exchange(fixture.port(), head + "Content-Length: 1000\r\n\r\n");
    CHECK(declared.rfind("HTTP/1.1 503", 0) == 0);
    CHECK(declared.find("https://rxledger.org/problems/server-busy") != std::string::npos);
    // A chunked body is counted as its chunks are announced: 0x320 = 800 bytes.
    const std::string chunked = exchange(fixture.port(), head + "Transfer-Encoding: chunked\r\n\r\n320\r\n");
    CHECK(chunked.rfind("HTTP/1.1 503", 0) == 0);

    REQUIRE(holder.send(std::string(1000, 'a')));
    const auto held = holder.read_until_closed(500ms);
    CHECK(held.data.rfind("HTTP/1.1 201", 0) == 0);
    // Its bytes went back to the budget when its handler was done.
    auto client = fixture.client();
    const auto after = client.request("POST", "/upload", std::string(1000, 'a'), {{"X-Key", "good"}});
    REQUIRE(after.ok());
    CHECK(after->status == 201);
}

TEST_CASE("answers held for slow readers are bounded by the node's answer budget and the response timeout") {
    TestServer fixture([](ServerConfig& config) {
        config.response_buffer_bytes_max = 40 * 1024 * 1024;
        config.response_timeout_ms = 1000;
        config.idle_timeout_ms = 20'000;
    });
    // More than loopback's socket buffers take: the answer stays in the server while nobody reads it.
    fixture.big_answer_bytes = 32 * 1024 * 1024;
    test::TlsConnection slow_reader(fixture.port());
    REQUIRE(slow_reader.handshake_ok());
    REQUIRE(slow_reader.send("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    std::this_thread::sleep_for(300ms);

    auto client = fixture.client();
    const auto refused = client.request("GET", "/big");
    REQUIRE(refused.ok());
    CHECK(refused->status == 503);
    CHECK(string_at(parse_object(refused->body), "type") == "https://rxledger.org/problems/server-busy");
    CHECK(refused->header("Retry-After") == "1");

    // The response timeout ends the slow reader's connection, and its answer's bytes go back.
    std::this_thread::sleep_for(1200ms);
    CHECK(eventually([&] { return fixture.server->connections() <= 1; }));
    const auto served = client.request("GET", "/big");
    REQUIRE(served.ok());
    CHECK(served->status == 200);
    CHECK(served->body.size() == fixture.big_answer_bytes);
}

TEST_CASE("HEAD is answered like GET without a body, so keep-alive clients stay in step") {
    TestServer fixture;
    const std::string data = exchange(fixture.port(),
                                      "HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                      "HEAD /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                      "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    const auto first_end = data.find("\r\n\r\n");
    REQUIRE(first_end != std::string::npos);
    const std::string first = data.substr(0, first_end);
    CHECK(first.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(first.find("Content-Length: 5") != std::string::npos);
    // The next answer starts right after the first one's header: no body came in between.
    const std::string rest = data.substr(first_end + 4);
    CHECK(rest.rfind("HTTP/1.1 404", 0) == 0);
    const auto second_end = rest.find("\r\n\r\n");
    REQUIRE(second_end != std::string::npos);
    CHECK(rest.substr(second_end + 4).rfind("HTTP/1.1 200", 0) == 0);
    CHECK(data.size() - data.rfind("\r\n\r\n") == 4 + 5);  // only the GET has a body: "hello"
}

TEST_CASE("UTF-8: invalid bytes are replaced, and well-formed text is kept") {
    CHECK(is_valid_utf8("plain ASCII"));
    CHECK(is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x92\x8A"));
    CHECK_FALSE(is_valid_utf8("\xFF"));
    CHECK_FALSE(is_valid_utf8("\xC0\x80"));           // overlong NUL
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));       // a surrogate
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));   // past U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));           // cut short
    CHECK(to_valid_utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
    CHECK(to_valid_utf8("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(to_valid_utf8("caf\xC3\xA9") == "caf\xC3\xA9");

    const Response echoed = problem(make_error(ErrorKind::not_found, "not-found", "No resource exists at /web/\xFF."));
    CHECK(is_valid_utf8(echoed.body));
    CHECK(string_at(parse_object(echoed.body), "detail") == "No resource exists at /web/\xEF\xBF\xBD.");
}

TEST_CASE("requests whose path or query decode to invalid UTF-8 are refused with 400, and JSON answers are UTF-8") {
    TestServer fixture;
    auto client = fixture.client();
    for (const char* target : {"/echo/%FF/x", "/echo/a/%C3%28", "/hello?code=%FF", "/hello?%ED%A0%80=1", "/nowhere/%FF"}) {
        CAPTURE(target);
        const auto got = client.request("GET", target);
        REQUIRE(got.ok());
        CHECK(got->status == 400);
        CHECK(is_valid_utf8(got->body));
        CHECK(string_at(parse_object(got->body), "type") == "https://rxledger.org/problems/bad-encoding");
    }
    const auto accented = client.request("GET", "/echo/caf%C3%A9/x?name=%E2%82%AC");
    REQUIRE(accented.ok());
    CHECK(accented->status == 200);
    CHECK(string_at(parse_object(accented->body), "first") == "caf\xC3\xA9");

    const auto repaired = client.request("GET", "/invalid-utf8");
    REQUIRE(repaired.ok());
    CHECK(is_valid_utf8(repaired->body));
    CHECK(string_at(parse_object(repaired->body), "echo") == "caf\xEF\xBF\xBD \xEF\xBF\xBD");
}

TEST_CASE("one address with thousands of idle connections cannot lock other clients out") {
    TestServer fixture([](ServerConfig& config) {
        config.connections_max = 16;
        config.connections_per_address_max = 8;
        config.idle_timeout_ms = 20'000;
    });
    std::vector<std::unique_ptr<IdleConnection>> attacker;
    for (int i = 0; i < 40; ++i) attacker.push_back(std::make_unique<IdleConnection>("127.0.0.2", fixture.port()));
    REQUIRE(attacker.front()->connected());
    REQUIRE(eventually([&] { return fixture.server->connections() == 8; }));

    CHECK(eventually([&] {
        return fixture.metrics.render().find("rxledger_http_connections_refused_total 32\n") != std::string::npos;
    }));
    CHECK(fixture.metrics.render().find("rxledger_http_connections_refused_by_limit_total{limit=\"connections_per_address_max\"} 32\n") !=
          std::string::npos);
    int answered = 0;
    for (int probe = 0; probe < 24; ++probe) answered += answered_hello(fixture) ? 1 : 0;
    CHECK(answered == 24);
}

TEST_CASE("handshakes in progress are limited node-wide and time out after handshake_timeout_ms") {
    TestServer fixture([](ServerConfig& config) {
        config.handshakes_max = 4;
        config.handshake_timeout_ms = 1000;
    });
    std::vector<std::unique_ptr<IdleConnection>> stalled;
    for (int i = 0; i < 4; ++i) stalled.push_back(std::make_unique<IdleConnection>("127.0.0.2", fixture.port()));
    REQUIRE(eventually([&] { return fixture.server->connections() == 4; }));

    test::TlsConnection while_full(fixture.port());
    CHECK_FALSE(while_full.handshake_ok());

    // The stalled handshakes are cut after 1 s (it was 10 s), and the slots are free again.
    CHECK(eventually([&] { return fixture.server->connections() == 0; }));
    for (const auto& connection : stalled) CHECK(connection->closed_by_server());
    CHECK(answered_hello(fixture));
}
