// The database is not trusted more than the ledger (DESIGN.md section 10, rule 4): rows changed as a
// PostgreSQL superuser would change them — the registry, lots, events, unit chains, withdrawals — are
// named by `rxledger audit`, make a restarted node refuse writes, and never grant what they forge; a
// missing row is a read error a reader gets as problem+json, not the end of the process.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "ledger/core/bytes.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/epcis_builder.hpp"
#include "tests/support/responses.hpp"
#include "tests/support/test_node.hpp"

namespace json = boost::json;
using namespace rxl;
using rxl::test::TestNode;
using rxl::test::failing_command;
using rxl::test::readyz_when_checked;

namespace {

std::string rxledger_command() { return std::string(RXL_BINARY_DIR) + "/server/rxledger"; }

std::string audit_command(const TestNode& node) {
    return rxledger_command() + " audit --database " + rxl::test::shell_quote(node.database().conninfo());
}

std::string alarm_of(const json::object& ready) {
    const json::value* alarm = ready.if_contains("alarm");
    return alarm != nullptr && alarm->is_string() ? std::string(alarm->as_string()) : std::string();
}

bool is_problem(const http::ClientResponse& response, unsigned status, std::string_view code) {
    auto type = response.header("Content-Type");
    if (response.status != status || !type || type->find("application/problem+json") == std::string_view::npos) return false;
    auto body = rxl::test::body_of(response);
    return body.contains("type") && std::string_view(body.at("type").as_string()).ends_with(code);
}

// A small ledger: two lots of acme-pharma's units commissioned (entries 1 and 2), the second lot recalled
// (entry 3), two lots of another GTIN (entries 4 and 5).
struct SmallLedger {
    TestNode node;
    http::HttpsClient client;
    std::string gtin;
    std::string other_gtin;  // acme-pharma's too, never withdrawn
    std::int64_t t = rxl::test::now_ms();

    SmallLedger() : client((node.start(), node.client())) {
        gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 31);
        other_gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 32);
        capture(cli::commission_document(cli::make_units(gtin, "A", 3), "LOT-A", "2030-03-31", node.gln("acme-pharma"), t));
        capture(cli::commission_document(cli::make_units(gtin, "B", 2), "LOT-B", "2030-04-30", node.gln("acme-pharma"), t + 1));
        json::object recall{{"gtin", gtin}, {"class", "II"}, {"lots", json::array{"LOT-B"}}, {"reason", "dissolution"}};
        auto recalled = cli::post_signed(client, "/v1/recalls", SubmissionKind::recall, json::serialize(recall),
                                         node.key("acme-pharma"), 1);
        REQUIRE(recalled.ok());
        REQUIRE_MESSAGE(recalled->status == 201, recalled->body);
        // Lots whose bytewise order is not a case-insensitive collation's, for the audit's merge in key order.
        capture(cli::commission_document(cli::make_units(other_gtin, "c", 1), "lot-c", "2030-06-30", node.gln("acme-pharma"), t + 2));
        capture(cli::commission_document(cli::make_units(other_gtin, "D", 1), "Lot_D", "2030-06-30", node.gln("acme-pharma"), t + 3));
    }
    void capture(const std::string& body) {
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, node.key("acme-pharma"), 1);
        REQUIRE(response.ok());
        REQUIRE_MESSAGE(response->status == 201, response->body);
    }
    http::ClientResponse capture_with(const cli::KeyFile& key, const std::string& serial_prefix) {
        auto body = cli::commission_document(cli::make_units(gtin, serial_prefix, 1), "LOT-C", "2030-05-31",
                                             node.gln("acme-pharma"), t + 10);
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, key, 1);
        REQUIRE(response.ok());
        return *response;
    }
    http::ClientResponse get(const std::string& who, const std::string& target) {
        auto response = client.request("GET", target, {}, {{"Authorization", "Bearer " + node.token(who)}});
        REQUIRE(response.ok());
        return *response;
    }
};

}  // namespace

TEST_CASE("each table apply derives is checked against the ledger: a tampered row is named by rxledger audit, "
          "and a restarted node refuses writes and grants nothing the row forges") {
    SmallLedger ledger;
    TestNode& node = ledger.node;
    // The forged key: a manufacturer's signing key only the database knows of.
    PrivateKey forged_private = PrivateKey::generate();
    const PublicKey forged_public = forged_private.public_key();
    const cli::KeyFile forged{"acme-pharma", "acme-pharma-forged", std::move(forged_private)};
    // Before any tampering, the role and the key are what the genesis says.
    CHECK(ledger.get("corner-pharmacy", "/v1/alerts").status == 404);
    CHECK(ledger.capture_with(forged, "F").status == 401);
    node.stop();
    CHECK(rxl::test::run_command(audit_command(node)).find("clean") != std::string::npos);

    const auto& db = node.database();
    std::string expected;  // what the audit must say
    std::string alarm;     // what /readyz must say, in part
    bool role_changed = false, key_added = false;
    SUBCASE("a pharmacy's role changed to regulator") {
        db.sql("UPDATE participants SET role = 'regulator' WHERE id = 'corner-pharmacy'");
        expected = "participants (id=corner-pharmacy): role is 'regulator' in the database, 'pharmacy' by replay";
        alarm = "participants (id=corner-pharmacy)";
        role_changed = true;
    }
    SUBCASE("a signing key added to a manufacturer") {
        db.sql(fmt::format("INSERT INTO participant_keys (key_id, participant_id, public_key, since_seq) "
                           "VALUES ('acme-pharma-forged', 'acme-pharma', decode('{}', 'hex'), 0)",
                           to_hex(forged_public)));
        expected = "participant_keys (key_id=acme-pharma-forged): is in the database, but no entry makes it";
        alarm = "participant_keys (key_id=acme-pharma-forged)";
        key_added = true;
    }
    SUBCASE("an extra withdrawn_gtins row") {
        db.sql(fmt::format("INSERT INTO withdrawn_gtins (gtin, recall_seq) VALUES ('{}', 3)", ledger.other_gtin));
        expected = fmt::format("withdrawn_gtins (gtin={}): is in the database, but no entry makes it", ledger.other_gtin);
        alarm = "withdrawn_gtins";
    }
    SUBCASE("a deleted lots row") {
        db.sql("DELETE FROM lots WHERE lot = 'LOT-A'");
        expected = fmt::format("lots (gtin={}, lot=LOT-A, expiry=2030-03-31): is missing from the database", ledger.gtin);
        alarm = "lots (gtin=";
    }
    SUBCASE("a rewritten events row") {
        db.sql("UPDATE events SET biz_location = 'https://id.gs1.org/414/0000000000000' WHERE seq = 1");
        expected = "events (seq=1, event_index=0): biz_location is 'https://id.gs1.org/414/0000000000000' in the database";
        alarm = "events (seq=1, event_index=0)";
    }
    SUBCASE("a changed unit_events link") {
        db.sql(fmt::format("UPDATE unit_events SET link = decode(repeat('ab', 32), 'hex') WHERE gtin = '{}' AND serial = 'A2'",
                           ledger.gtin));
        expected = fmt::format("unit_events (unit (01){}(21)A2, seq=1, event_index=0): is not the next link of the unit's chain",
                               ledger.gtin);
        alarm = "unit_events";
    }
    SUBCASE("a rewritten Merkle node above the leaves (proofs are made of them; the root does not read it)") {
        db.sql("ALTER TABLE merkle_nodes DISABLE TRIGGER USER; "
               "UPDATE merkle_nodes SET hash = decode(repeat('cd', 32), 'hex') WHERE level = 1 AND idx = 0");
        expected = "merkle_nodes (level=1, idx=0): is not the hash of its two children";
        alarm = "merkle_nodes (level=1, idx=0)";
    }
    std::string findings = failing_command(audit_command(node));
    MESSAGE(findings);
    CHECK(findings.find(expected) != std::string::npos);

    node.start(false);
    auto ready = readyz_when_checked(ledger.client);
    CHECK(ready.at("writes").as_string() == "refused");
    CHECK_MESSAGE(alarm_of(ready).find(alarm) != std::string::npos, alarm_of(ready));
    auto refused = ledger.capture_with(node.key("acme-pharma"), "G");
    CHECK(is_problem(refused, 503, "writes-refused"));
    // The node's registry is the ledger's: the forged role and key grant nothing.
    if (role_changed) CHECK(ledger.get("corner-pharmacy", "/v1/alerts").status == 404);
    if (key_added) CHECK(is_problem(ledger.capture_with(forged, "H"), 401, "unknown-key"));
    // Reads are still served.
    CHECK(ledger.get("health-authority", "/v1/ledger/entries/1").status == 200);
}

TEST_CASE("with the checkpoint start-up audit (no replay) the node still takes its registry from the ledger and "
          "refuses writes on tampered registry tables") {
    SmallLedger ledger;
    TestNode& node = ledger.node;
    PrivateKey forged_private = PrivateKey::generate();
    const PublicKey forged_public = forged_private.public_key();
    const cli::KeyFile forged{"acme-pharma", "acme-pharma-forged", std::move(forged_private)};
    node.stop();
    const auto& db = node.database();
    db.sql("UPDATE participants SET role = 'regulator' WHERE id = 'corner-pharmacy'");
    db.sql(fmt::format("INSERT INTO participant_keys (key_id, participant_id, public_key, since_seq) "
                       "VALUES ('acme-pharma-forged', 'acme-pharma', decode('{}', 'hex'), 0)",
                       to_hex(forged_public)));
    node.set("startup_audit=checkpoint");
    node.start(false);
    auto ready = readyz_when_checked(ledger.client);
    CHECK(ready.at("startup_audit").as_string() == "checkpoint");
    CHECK(ready.at("writes").as_string() == "refused");
    CHECK_MESSAGE(alarm_of(ready).find("registry tables differ") != std::string::npos, alarm_of(ready));
    CHECK(ledger.get("corner-pharmacy", "/v1/alerts").status == 404);
    CHECK(is_problem(ledger.capture_with(forged, "H"), 401, "unknown-key"));
    std::string findings = failing_command(audit_command(node));
    CHECK(findings.find("participants (id=corner-pharmacy): role is 'regulator'") != std::string::npos);
    CHECK(findings.find("participant_keys (key_id=acme-pharma-forged)") != std::string::npos);
}

TEST_CASE("a missing entry, chain entry or Merkle node is a read error answered as problem+json, and the node "
          "goes on serving") {
    SmallLedger ledger;
    TestNode& node = ledger.node;
    const auto& db = node.database();
    // Behind the running node's back: entry 2 (the second commissioning) and a leaf of the tree go.
    db.sql("ALTER TABLE entries DISABLE TRIGGER USER; ALTER TABLE merkle_nodes DISABLE TRIGGER USER");
    db.sql("DELETE FROM events WHERE seq = 2; DELETE FROM entries WHERE seq = 2");
    db.sql("DELETE FROM merkle_nodes WHERE level = 0 AND idx = 1");

    CHECK(is_problem(ledger.get("health-authority", "/v1/ledger/entries?from=0"), 500, "ledger-inconsistent"));
    CHECK(is_problem(ledger.get("health-authority", "/v1/ledger/entries/2"), 500, "ledger-inconsistent"));
    CHECK(is_problem(ledger.get("health-authority", fmt::format("/v1/units/{}/B1/history", ledger.gtin)), 500,
                     "ledger-inconsistent"));
    CHECK(is_problem(ledger.get("health-authority", "/v1/ledger/proof/inclusion?seq=0&size=4"), 500, "ledger-inconsistent"));
    // Still alive and serving: the rest of the ledger, and the health probe.
    CHECK(ledger.get("health-authority", "/v1/ledger/entries/1").status == 200);
    CHECK(ledger.get("health-authority", "/v1/ledger/entries?from=3").status == 200);
    auto health = ledger.client.request("GET", "/healthz");
    REQUIRE(health.ok());
    CHECK(health->status == 200);
    node.stop();
    std::string findings = failing_command(audit_command(node));
    CHECK(findings.find("entry 2: is missing") != std::string::npos);
}
