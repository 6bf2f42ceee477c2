// rxledgerd end to end: a real server over HTTPS on a real PostgreSQL, driven the way the CLI drives it.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <chrono>
#include <set>
#include <thread>

#include "ledger/core/bytes.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/epcis_builder.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/tls.hpp"
#include "tests/support/responses.hpp"

namespace json = boost::json;
using namespace rxl;
using rxl::test::TestNode;

using rxl::test::body_of;
using rxl::test::now_ms;

namespace {

struct Party {
    cli::KeyFile key;
    std::string gln;
};

Party party(const TestNode& node, const std::string& id) { return {node.key(id), node.gln(id)}; }

http::ClientResponse post(http::HttpsClient& client, const Party& who, const std::string& body) {
    auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, who.key, 1);
    REQUIRE_MESSAGE(response.ok(), (response.ok() ? "" : response.error().detail));
    return *response;
}

std::string problem_type(const http::ClientResponse& response) {
    auto body = body_of(response);
    return std::string(body.at("type").as_string());
}

json::object get_unit(http::HttpsClient& client, const TestNode& node, const std::string& reader, const cli::Unit& unit,
                      unsigned expected_status = 200) {
    auto response = client.request("GET", fmt::format("/v1/units/{}/{}", unit.gtin, unit.serial), {},
                                   {{"Authorization", "Bearer " + node.token(reader)}});
    REQUIRE(response.ok());
    CHECK(response->status == expected_status);
    return expected_status == 200 ? body_of(*response) : json::object{};
}

std::uint64_t ledger_size(http::HttpsClient& client) {
    auto response = client.request("GET", "/readyz");
    REQUIRE(response.ok());
    return body_of(*response).at("ledger_size").to_number<std::uint64_t>();
}

std::vector<std::string> links(const std::vector<cli::Unit>& units, std::size_t first, std::size_t count) {
    std::vector<std::string> out;
    for (std::size_t i = first; i < first + count; ++i) out.push_back(cli::sgtin_link(units[i]));
    return out;
}

}  // namespace

TEST_CASE("a whole supply chain: 1,000 units commissioned, packed, shipped, received, unpacked, shipped on, dispensed") {
    TestNode node;
    node.start();
    auto client = node.client();
    Party maker = party(node, "acme-pharma");
    Party wholesaler = party(node, "medi-wholesale");
    Party pharmacy = party(node, "corner-pharmacy");
    std::string prefix = node.company_prefix("acme-pharma");
    std::string gtin = cli::make_gtin(prefix, 7);
    auto units = cli::make_units(gtin, "SN", 1000);
    std::int64_t t = now_ms();

    auto commissioned = post(client, maker, cli::commission_document(units, "LOT-A1", "2029-01-31", maker.gln, t));
    REQUIRE(commissioned.status == 201);
    auto entry = body_of(commissioned);
    CHECK(entry.at("seq").to_number<std::uint64_t>() == 1);
    CHECK(entry.at("outcome").as_string() == "accepted");
    CHECK(entry.at("events").as_array().at(0).at("result").as_string() == "applied");
    CHECK(entry.at("events").as_array().at(0).at("event_hash_id").as_string().starts_with("ni:///sha-256;"));
    CHECK(entry.at("leaf_hash").as_string().size() == 64);

    std::vector<std::string> cases;
    for (std::uint64_t c = 0; c < 10; ++c) {
        cases.push_back(cli::make_sscc(prefix, 1000 + c));
        auto packed = post(client, maker, cli::pack_document(cases.back(), links(units, c * 100, 100), maker.gln, t + 1));
        REQUIRE(packed.status == 201);
    }
    std::string pallet = cli::make_sscc(prefix, 5000);
    std::vector<std::string> case_links;
    for (const auto& sscc : cases) case_links.push_back(cli::sscc_link(sscc));
    REQUIRE(post(client, maker, cli::pack_document(pallet, case_links, maker.gln, t + 2)).status == 201);

    auto unit = get_unit(client, node, "health-authority", units[250]);
    CHECK(unit.at("parent").as_string() == cases[2]);
    CHECK(unit.at("status").as_string() == "active");

    REQUIRE(post(client, maker, cli::ship_document({cli::sscc_link(pallet)}, maker.gln, wholesaler.gln, t + 3)).status == 201);
    unit = get_unit(client, node, "health-authority", units[999]);
    CHECK(unit.at("status").as_string() == "in_transit");
    CHECK(unit.at("destination").as_string() == "medi-wholesale");
    CHECK(unit.at("custodian").as_string() == "acme-pharma");

    REQUIRE(post(client, wholesaler, cli::receive_document({cli::sscc_link(pallet)}, wholesaler.gln, t + 4)).status == 201);
    unit = get_unit(client, node, "medi-wholesale", units[999]);
    CHECK(unit.at("status").as_string() == "active");
    CHECK(unit.at("custodian").as_string() == "medi-wholesale");
    CHECK(unit.at("location").as_string() == wholesaler.gln);

    REQUIRE(post(client, wholesaler, cli::unpack_document(pallet, case_links, wholesaler.gln, t + 5)).status == 201);
    REQUIRE(post(client, wholesaler, cli::ship_document({case_links[0]}, wholesaler.gln, pharmacy.gln, t + 6)).status == 201);
    REQUIRE(post(client, pharmacy, cli::receive_document({case_links[0]}, pharmacy.gln, t + 7)).status == 201);
    auto dispensed = post(client, pharmacy, cli::dispense_document({cli::sgtin_link(units[0])}, pharmacy.gln, t + 8));
    REQUIRE(dispensed.status == 201);

    unit = get_unit(client, node, "corner-pharmacy", units[0]);
    CHECK(unit.at("status").as_string() == "dispensed");
    CHECK(unit.at("parent").as_string() == "");
    CHECK(unit.at("decommissioned").at("by").as_string() == "corner-pharmacy");
    unit = get_unit(client, node, "corner-pharmacy", units[1]);
    CHECK(unit.at("status").as_string() == "active");
    CHECK(unit.at("custodian").as_string() == "corner-pharmacy");
    unit = get_unit(client, node, "medi-wholesale", units[150]);
    CHECK(unit.at("custodian").as_string() == "medi-wholesale");
    CHECK(unit.at("parent").as_string() == cases[1]);
    // The wholesaler no longer holds unit 0 and is not its manufacturer: it cannot see it.
    get_unit(client, node, "medi-wholesale", units[0], 404);

    // 1 genesis + 1 commission + 10 cases + 1 pallet + ship + receive + unpack + ship + receive + dispense
    CHECK(ledger_size(client) == 19);
    CHECK(node.database().sql("SELECT count(*) FROM units") == "1000");
    CHECK(node.database().sql("SELECT count(*) FROM entries WHERE outcome = 'accepted'") == "19");
    // Unit 0's chain: commission, pack, ship, receive, (unpack of the pallet does not touch it), ship, receive, dispense.
    CHECK(node.database().sql(fmt::format("SELECT count(*) FROM unit_events WHERE gtin = '{}' AND serial = 'SN1'", gtin)) == "7");
}

TEST_CASE("bad requests get a specific problem and change nothing on the ledger") {
    TestNode node({"body_bytes_max=65536", "request_timeout_ms=700"});
    node.start();
    auto client = node.client();
    Party maker = party(node, "acme-pharma");
    Party wholesaler = party(node, "medi-wholesale");
    Party pharmacy = party(node, "corner-pharmacy");
    std::string prefix = node.company_prefix("acme-pharma");
    auto units = cli::make_units(cli::make_gtin(prefix, 8), "NEG", 4);
    std::int64_t t = now_ms();
    std::string commission = cli::commission_document(units, "LOT-N", "2029-05-31", maker.gln, t);

    SUBCASE("signatures") {
        Submission forged = sign_submission(SubmissionKind::epcis, "acme-pharma", "acme-pharma-1", commission, wholesaler.key.key);
        auto headers = cli::signature_headers(forged);
        headers.push_back({"Content-Type", "application/json"});
        auto response = client.request("POST", "/v1/capture", commission, headers);
        REQUIRE(response.ok());
        CHECK(response->status == 401);
        CHECK(problem_type(*response).ends_with("/bad-signature"));
        CHECK(response->header("Content-Type").value_or("") == "application/problem+json");

        headers[0].value = "nobody-1";
        response = client.request("POST", "/v1/capture", commission, headers);
        CHECK(response->status == 401);
        CHECK(problem_type(*response).ends_with("/unknown-key"));

        response = client.request("POST", "/v1/capture", commission, {{"Content-Type", "application/json"}});
        CHECK(response->status == 401);
        CHECK(problem_type(*response).ends_with("/signature-required"));
        CHECK(ledger_size(client) == 1);
    }
    SUBCASE("malformed JSON, wrong media type, oversize body") {
        auto response = post(client, maker, "{\"type\": \"EPCISDocument\", ");
        CHECK(response.status == 400);
        CHECK(problem_type(response).ends_with("/invalid-json"));

        Submission signed_body = sign_submission(SubmissionKind::epcis, "acme-pharma", "acme-pharma-1", commission, maker.key.key);
        auto headers = cli::signature_headers(signed_body);
        headers.push_back({"Content-Type", "text/plain"});
        auto wrong_type = client.request("POST", "/v1/capture", commission, headers);
        REQUIRE(wrong_type.ok());
        CHECK(wrong_type->status == 415);

        std::string huge(70'000, ' ');
        auto too_large = client.request("POST", "/v1/capture", huge, {{"Content-Type", "application/json"}});
        REQUIRE(too_large.ok());
        CHECK(too_large->status == 413);
        CHECK(too_large->body.find("65536") != std::string::npos);

        auto options = node.client().request("OPTIONS", "/v1/capture");
        REQUIRE(options.ok());
        CHECK(options->header("GS1-EPCIS-Capture-File-Size-Limit").value_or("") == "65536");
        CHECK(options->header("GS1-EPCIS-Capture-Limit").value_or("") == "10000");
        auto fresh = node.client();
        CHECK(ledger_size(fresh) == 1);
    }
    SUBCASE("custody rules") {
        // A wholesaler commissioning the manufacturer's GTIN: rejected, and the rejection is on the ledger.
        auto response = post(client, wholesaler, commission);
        CHECK(response.status == 422);
        CHECK(problem_type(response).ends_with("/not-a-manufacturer"));
        CHECK(body_of(response).at("entry").at("outcome").as_string() == "not-a-manufacturer");
        CHECK(body_of(response).at("pointer").as_string() == "/epcisBody/eventList/0");
        CHECK(node.database().sql("SELECT count(*) FROM units") == "0");

        REQUIRE(post(client, maker, commission).status == 201);
        // Shipping what you do not hold.
        response = post(client, wholesaler, cli::ship_document(links(units, 0, 1), wholesaler.gln, pharmacy.gln, t + 1));
        CHECK(response.status == 422);
        CHECK(problem_type(response).ends_with("/not-custodian"));
        // Receiving a shipment meant for another.
        REQUIRE(post(client, maker, cli::ship_document(links(units, 0, 2), maker.gln, wholesaler.gln, t + 2)).status == 201);
        response = post(client, pharmacy, cli::receive_document(links(units, 0, 2), pharmacy.gln, t + 3));
        CHECK(response.status == 422);
        CHECK(problem_type(response).ends_with("/not-the-recipient"));
        auto unit = get_unit(client, node, "health-authority", units[0]);
        CHECK(unit.at("status").as_string() == "in_transit");
        CHECK(unit.at("custodian").as_string() == "acme-pharma");
        // genesis, rejected commission, commission, rejected ship, ship, rejected receive
        CHECK(ledger_size(client) == 6);
    }
    SUBCASE("duplicates: the same document answers the same; the same event in another document is 409") {
        auto first = post(client, maker, commission);
        REQUIRE(first.status == 201);
        auto again = post(client, maker, commission);
        CHECK(again.status == 200);
        CHECK(body_of(again).at("seq") == body_of(first).at("seq"));
        CHECK(body_of(again).at("repeated").as_bool());
        // Same event, another envelope (creationDate differs): a new submission with a known event hash.
        std::string rewrapped = commission;
        auto at = rewrapped.find("\"creationDate\":\"");
        REQUIRE(at != std::string::npos);
        rewrapped.replace(at + 16, 4, "2020");
        auto duplicate = post(client, maker, rewrapped);
        CHECK(duplicate.status == 409);
        CHECK(problem_type(duplicate).ends_with("/duplicate-event"));
        CHECK(ledger_size(client) == 3);
    }
    SUBCASE("a slow client is cut off, and others are served meanwhile") {
        // TLS is up, then half a request, then nothing: the request timeout (700 ms here) ends it.
        rxl::test::TlsConnection slow(node.port());
        REQUIRE(slow.handshake_ok());
        REQUIRE(slow.send("POST /v1/capture HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"type\""));
        CHECK(ledger_size(client) == 1);  // the node answers others while the slow one dangles
        auto result = slow.read_until_closed(std::chrono::seconds(5));
        CHECK(result.closed);
        CHECK(result.elapsed < std::chrono::seconds(3));
        auto another = node.client();
        CHECK(ledger_size(another) == 1);
    }
}

TEST_CASE("kill -9 during a stream of captures: every acknowledged submission is there exactly once") {
    TestNode node;
    node.start();
    Party maker = party(node, "acme-pharma");
    std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 9);
    constexpr std::size_t documents = 1500;  // the kill comes after the first 100 answers, far before the last
    constexpr std::size_t units_per_document = 5;
    std::vector<std::string> bodies;
    std::int64_t t = now_ms();
    for (std::size_t d = 0; d < documents; ++d) {
        auto units = cli::make_units(gtin, fmt::format("K{}x", d), units_per_document);
        bodies.push_back(cli::commission_document(units, "LOT-K", "2030-01-31", maker.gln, t + static_cast<std::int64_t>(d)));
    }
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::map<std::size_t, std::uint64_t> acknowledged;  // document → seq
    auto stream = [&](std::size_t first) {
        auto client = node.client(3000);
        for (std::size_t d = first; d < documents && !stop; d += 4) {
            auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, bodies[d], maker.key, 1);
            if (response && response->status == 201) {
                std::lock_guard lock(mutex);
                acknowledged[d] = json::parse(response->body).at("seq").to_number<std::uint64_t>();
            } else if (!response) {
                return;  // the node is gone
            }
        }
    };
    std::vector<std::thread> writers;
    for (std::size_t w = 0; w < 4; ++w) writers.emplace_back(stream, w);
    // Kill once some writes were answered, however fast the node is, so the kill lands mid-stream.
    for (int waited_ms = 0; waited_ms < 60'000; waited_ms += 5) {
        {
            std::lock_guard lock(mutex);
            if (acknowledged.size() >= 100) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    node.kill9();
    stop = true;
    for (auto& writer : writers) writer.join();
    std::size_t acknowledged_before = acknowledged.size();
    MESSAGE("acknowledged before kill -9: " << acknowledged_before << " of " << documents);
    CHECK(acknowledged_before > 0);
    CHECK(acknowledged_before < documents);

    node.start();
    auto client = node.client();
    // Every acknowledged submission survived, under the same sequence number.
    for (const auto& [d, seq] : acknowledged) {
        auto again = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, bodies[d], maker.key, 1);
        REQUIRE(again.ok());
        CHECK(again->status == 200);
        CHECK(json::parse(again->body).at("seq").to_number<std::uint64_t>() == seq);
    }
    // The rest go in now (some may have been committed without an answer: those answer 200 too).
    for (std::size_t d = 0; d < documents; ++d) {
        if (acknowledged.contains(d)) continue;
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, bodies[d], maker.key, 1);
        REQUIRE(response.ok());
        CHECK((response->status == 201 || response->status == 200));
    }
    // Exactly once: one entry per document, all accepted, one unit row per serial, dense sequence numbers.
    const auto& db = node.database();
    CHECK(db.sql("SELECT count(*) FROM entries") == std::to_string(documents + 1));
    CHECK(db.sql("SELECT count(*) FROM entries WHERE outcome = 'accepted'") == std::to_string(documents + 1));
    CHECK(db.sql("SELECT max(seq) FROM entries") == std::to_string(documents));
    CHECK(db.sql("SELECT count(*) FROM units") == std::to_string(documents * units_per_document));
    CHECK(db.sql("SELECT count(*) FROM units u LEFT JOIN entries e ON e.seq = u.commissioned_seq "
                 "WHERE e.outcome IS DISTINCT FROM 'accepted'") == "0");
    CHECK(db.sql("SELECT size FROM ledger_head") == std::to_string(documents + 1));
    CHECK(db.sql("SELECT count(*) FROM merkle_nodes WHERE level = 0") == std::to_string(documents + 1));
}

TEST_CASE("rxledgerd refuses to start on a newer schema, another consortium's database, or an impossible configuration") {
    TestNode node;
    node.start();
    node.stop();
    auto start_error = [&](TestNode& which) -> std::string {
        try {
            which.start();
        } catch (const std::exception& error) {
            return error.what();
        }
        which.stop();
        return "";
    };
    SUBCASE("a schema newer than the binary knows") {
        node.database().sql("INSERT INTO schema_migrations (version, name) VALUES (999, '999_from_the_future')");
        CHECK(start_error(node).find("newer than this server knows") != std::string::npos);
    }
    SUBCASE("entry 0 is another genesis file") {
        std::ofstream genesis(node.dir() / "consortium.json", std::ios::app);
        genesis << " ";  // one byte more: another file
        genesis.close();
        CHECK(start_error(node).find("not the configured genesis file") != std::string::npos);
    }
    SUBCASE("zero worker threads") {
        TestNode misconfigured({"worker_threads=0"});
        CHECK(start_error(misconfigured).find("at least 1") != std::string::npos);
    }
}
