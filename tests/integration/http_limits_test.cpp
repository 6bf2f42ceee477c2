// The node's HTTP limits end to end (issue 13, DESIGN.md §10): a signed write's headers are checked
// before its body is read, unsigned bodies stay small, entry pages are bounded in bytes, and bad
// encodings are 400 problems with UTF-8 answers. Against a real rxledgerd on 127.0.0.1.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include "ledger/core/bytes.hpp"
#include "ledger/core/limits.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/epcis_builder.hpp"
#include "server/http/message.hpp"
#include "tests/support/test_node.hpp"

namespace json = boost::json;
using namespace rxl;
using namespace std::chrono_literals;
using rxl::test::TestNode;
using SteadyClock = std::chrono::steady_clock;

namespace {

std::string problem_type(const std::string& body) {
    return std::string(json::parse(body).as_object().at("type").as_string());
}

std::string a_signature() { return to_base64(as_bytes(std::string(64, 's'))); }

}  // namespace

TEST_CASE("a signed write with an unknown key or a malformed signature is refused before its body is read") {
    TestNode node;
    node.start();
    const auto started = SteadyClock::now();
    for (const auto& [key_id, signature, code] : {std::tuple{std::string("nobody"), a_signature(), std::string("unknown-key")},
                                                  std::tuple{std::string("acme-pharma-1"), std::string("not base64!"), std::string("bad-signature")}}) {
        CAPTURE(code);
        test::TlsConnection connection(node.port());
        REQUIRE(connection.handshake_ok());
        // 5 MB announced, none of it sent: the answer cannot have waited for it (request timeout: 15 s).
        REQUIRE(connection.send(fmt::format("POST /v1/capture HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                            "Rxl-Key-Id: {}\r\nRxl-Signature: {}\r\nContent-Length: 5000000\r\n\r\n",
                                            key_id, signature)));
        const auto read = connection.read_until_closed(5s);
        CHECK(read.data.rfind("HTTP/1.1 401", 0) == 0);
        CHECK(read.data.find("https://rxledger.org/problems/" + code) != std::string::npos);
    }
    CHECK(SteadyClock::now() - started < 10s);

    // A body for a route that checks no signature (verification) is held to unsigned_body_bytes_max.
    auto client = node.client();
    const auto big_verify = client.request("POST", "/v1/verify", std::string(limits::http_unsigned_body_bytes_max + 1, ' '),
                                           {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + node.token("corner-pharmacy")}});
    REQUIRE(big_verify.ok());
    CHECK(big_verify->status == 413);
    CHECK(problem_type(big_verify->body) == "https://rxledger.org/problems/body-too-large");
}

TEST_CASE("GET /v1/ledger/entries pages by bytes as well as by count, and its next link follows on") {
    TestNode node;
    node.start();
    auto client = node.client();
    auto maker = node.key("acme-pharma");
    const std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 12);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    // Two documents of 10,000 units: about 0.7 MB of base64 each, so two do not fit in one 1 MiB page.
    for (int d = 0; d < 2; ++d) {
        auto body = cli::commission_document(cli::make_units(gtin, fmt::format("B{}x", d), 10'000), "LOT-B", "2030-02-28",
                                             node.gln("acme-pharma"), now + d);
        REQUIRE(body.size() * 4 / 3 > limits::ledger_entries_page_bytes_max / 2);
        REQUIRE(body.size() * 4 / 3 < limits::ledger_entries_page_bytes_max * 7 / 8);
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, maker, 1);
        REQUIRE(response.ok());
        REQUIRE_MESSAGE(response->status == 201, response->body);
    }
    const http::Header reader{"Authorization", "Bearer " + node.token("health-authority")};
    std::uint64_t from = 0;
    std::vector<std::size_t> counts;
    while (counts.size() < 5) {
        const auto page = client.request("GET", fmt::format("/v1/ledger/entries?from={}", from), {}, {reader});
        REQUIRE(page.ok());
        REQUIRE(page->status == 200);
        const auto body = json::parse(page->body).as_object();
        const auto count = body.at("entries").as_array().size();
        CHECK(body.at("from").to_number<std::uint64_t>() == from);
        CHECK(body.at("to").to_number<std::uint64_t>() == from + count);
        CHECK((count == 1 || page->body.size() <= limits::ledger_entries_page_bytes_max + 200));
        counts.push_back(count);
        from += count;
        const auto link = page->header("Link");
        if (!link) break;
        CHECK(*link == fmt::format("</v1/ledger/entries?from={}>; rel=\"next\"", from));
    }
    // The genesis and the first document fill the first page; the second document is the next one.
    CHECK(counts == std::vector<std::size_t>{2, 1});
}

TEST_CASE("bad encodings are 400 problems, and answers that quote input stay UTF-8") {
    TestNode node;
    node.start();
    auto client = node.client();
    const std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 13);
    for (const std::string& target : {std::string("/web/%FF"), "/01/" + gtin + "/21/S1?17=%FF", std::string("/v1/verify?code=%C3%28"),
                                      std::string("/v1/events?EQ_bizStep=ship%00ping"), std::string("/web/a%00b")}) {
        CAPTURE(target);
        const auto got = client.request("GET", target, {}, {{"Authorization", "Bearer " + node.token("corner-pharmacy")}});
        REQUIRE(got.ok());
        CHECK(got->status == 400);
        CHECK(http::is_valid_utf8(got->body));
        CHECK(problem_type(got->body) == "https://rxledger.org/problems/bad-encoding");
    }
    const auto head = client.request("HEAD", "/healthz");
    REQUIRE(head.ok());
    CHECK(head->status == 200);
    CHECK(head->body.empty());
    const auto after = client.request("GET", "/healthz");  // the same connection is still in step
    REQUIRE(after.ok());
    CHECK(after->status == 200);
    CHECK_FALSE(after->body.empty());
}
