// The tamper-evidence surface over HTTPS: a client checks the node's answers with nothing but the
// published verifier key and the Merkle verification code.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>

#include "ledger/apply/entry.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/merkle/checkpoint.hpp"
#include "ledger/merkle/merkle.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/epcis_builder.hpp"
#include "tests/support/test_node.hpp"

namespace json = boost::json;
using namespace rxl;
using rxl::test::TestNode;

namespace {

json::object get_json(http::HttpsClient& client, const TestNode& node, const std::string& target, unsigned status = 200) {
    auto response = client.request("GET", target, {}, {{"Authorization", "Bearer " + node.token("health-authority")}});
    REQUIRE(response.ok());
    CHECK_MESSAGE(response->status == status, target << " → " << response->body);
    auto value = json::parse(response->body);
    return value.as_object();
}

std::string get_text(http::HttpsClient& client, const TestNode& node, const std::string& target) {
    auto response = client.request("GET", target, {}, {{"Authorization", "Bearer " + node.token("corner-pharmacy")}});
    REQUIRE(response.ok());
    REQUIRE(response->status == 200);
    return response->body;
}

Hash decode_hash(const json::value& value) {
    auto bytes = from_base64(std::string(value.as_string()));
    REQUIRE(bytes.has_value());
    REQUIRE(bytes->size() == 32);
    Hash out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

std::vector<Hash> decode_proof(const json::object& body) {
    std::vector<Hash> proof;
    for (const auto& item : body.at("proof").as_array()) proof.push_back(decode_hash(item));
    return proof;
}

merkle::Checkpoint verified_checkpoint(const std::string& note, const merkle::VerifierKey& key) {
    auto verified = merkle::verify_checkpoint(note, std::span<const merkle::VerifierKey>(&key, 1));
    REQUIRE_MESSAGE(verified.ok(), (verified.ok() ? "" : verified.error().detail));
    return verified->checkpoint;
}

}  // namespace

TEST_CASE("checkpoints, entries and proofs verify offline against the node's published key") {
    TestNode node;
    node.start();
    auto client = node.client();
    auto maker = node.key("acme-pharma");
    std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 11);
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (int d = 0; d < 12; ++d) {
        auto units = cli::make_units(gtin, fmt::format("P{}x", d), 3);
        auto body = cli::commission_document(units, "LOT-P", "2030-02-28", node.gln("acme-pharma"), now + d);
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, maker, 1);
        REQUIRE(response.ok());
        REQUIRE(response->status == 201);
    }
    // 13 entries: the genesis and 12 documents.
    auto keys = get_json(client, node, "/v1/ledger/keys");
    CHECK(keys.at("origin").as_string() == "dev.rxledger.localhost/ledger");
    auto verifier = merkle::parse_verifier_key(std::string(keys.at("nodes").as_array().at(0).at("verifier_key").as_string()));
    REQUIRE(verifier.ok());

    auto latest = verified_checkpoint(get_text(client, node, "/v1/ledger/checkpoint"), *verifier);
    CHECK(latest.origin == "dev.rxledger.localhost/ledger");
    CHECK(latest.size == 13);
    auto older = verified_checkpoint(get_text(client, node, "/v1/ledger/checkpoint?size=5"), *verifier);
    CHECK(older.size == 5);
    CHECK(older.root != latest.root);

    // An entry's leaf data hashes to its leaf hash, and it is included under the signed root.
    auto entry = get_json(client, node, "/v1/ledger/entries/7");
    auto leaf_data = from_base64(std::string(entry.at("leaf_data").as_string()));
    REQUIRE(leaf_data.has_value());
    Hash leaf = merkle::leaf_hash(*leaf_data);
    CHECK(to_hex(leaf) == entry.at("leaf_hash").as_string());
    auto body = from_base64(std::string(entry.at("body").as_string()));
    REQUIRE(body.has_value());
    CHECK(to_hex(sha256(*body)) == entry.at("body_sha256").as_string());

    auto inclusion = get_json(client, node, "/v1/ledger/proof/inclusion?seq=7&size=13");
    CHECK(merkle::verify_inclusion(7, 13, leaf, decode_proof(inclusion), latest.root).ok());
    auto other_leaf = leaf;
    other_leaf[0] ^= 1;
    CHECK_FALSE(merkle::verify_inclusion(7, 13, other_leaf, decode_proof(inclusion), latest.root).ok());

    auto consistency = get_json(client, node, "/v1/ledger/proof/consistency?from=5&to=13");
    CHECK(merkle::verify_consistency(5, 13, older.root, latest.root, decode_proof(consistency)).ok());

    // A tampered note fails verification.
    std::string note = get_text(client, node, "/v1/ledger/checkpoint");
    note[note.find('\n') + 1] = note[note.find('\n') + 1] == '1' ? '2' : '1';
    CHECK_FALSE(merkle::verify_checkpoint(note, std::span<const merkle::VerifierKey>(&*verifier, 1)).ok());

    // The range form pages with a Link header; every entry's leaf hash matches its data.
    auto range = get_json(client, node, "/v1/ledger/entries?from=0&to=13");
    CHECK(range.at("entries").as_array().size() == 13);
    for (const auto& item : range.at("entries").as_array()) {
        auto data = from_base64(std::string(item.at("leaf_data").as_string()));
        REQUIRE(data.has_value());
        CHECK(to_hex(merkle::leaf_hash(*data)) == item.at("leaf_hash").as_string());
    }

    // Bad requests are named.
    get_json(client, node, "/v1/ledger/proof/inclusion?seq=13&size=13", 400);
    get_json(client, node, "/v1/ledger/proof/inclusion?seq=1&size=14", 400);
    get_json(client, node, "/v1/ledger/proof/consistency?from=0&to=5", 400);
    get_json(client, node, "/v1/ledger/proof/consistency?from=3&to=x", 400);
    get_json(client, node, "/v1/ledger/entries/13", 404);
    auto anonymous = client.request("GET", "/v1/ledger/checkpoint");
    REQUIRE(anonymous.ok());
    CHECK(anonymous->status == 401);
}

TEST_CASE("rxledger audit names every edit made behind the server's back") {
    TestNode node;
    node.start();
    auto client = node.client();
    auto maker = node.key("acme-pharma");
    std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 12);
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (int d = 0; d < 8; ++d) {
        auto units = cli::make_units(gtin, fmt::format("T{}x", d), 2);
        auto body = cli::commission_document(units, "LOT-T", "2030-03-31", node.gln("acme-pharma"), now + d);
        REQUIRE(cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, maker, 1)->status == 201);
    }
    node.stop();
    std::string rxledger = std::string(RXL_BINARY_DIR) + "/server/rxledger";
    std::string audit = rxledger + " audit --database '" + node.database().conninfo() + "'";
    CHECK(rxl::test::run_command(audit).find("clean") != std::string::npos);

    const auto& db = node.database();
    // The append-only triggers stop an ordinary UPDATE…
    CHECK_THROWS(db.sql("UPDATE entries SET outcome = 'accepted' WHERE seq = 3"));
    // …so the attacker, as superuser, switches them off first.
    db.sql("ALTER TABLE entries DISABLE TRIGGER USER");
    db.sql("UPDATE entries SET outcome = 'not-custodian' WHERE seq = 3");
    db.sql("UPDATE entries SET body = overlay(body placing '\\x20'::bytea from 40 for 1) WHERE seq = 5");
    db.sql(fmt::format("UPDATE units SET lot = 'FORGED' WHERE gtin = '{}' AND serial = 'T1x1'", gtin));
    db.sql("DELETE FROM events WHERE seq = 7; DELETE FROM entries WHERE seq = 7");

    std::string findings;
    try {
        rxl::test::run_command(audit);
        FAIL("audit reported a tampered database as clean");
    } catch (const std::exception& error) {
        findings = error.what();
    }
    MESSAGE(findings);
    CHECK(findings.find("entry 3: the ledger says 'not-custodian' but replaying it gives 'accepted'") != std::string::npos);
    CHECK(findings.find("entry 5: its stored leaf hash does not match") != std::string::npos);
    CHECK(findings.find("entry 7: is missing") != std::string::npos);
    CHECK(findings.find(fmt::format("unit (01){}(21)T1x1: lot is 'FORGED' in the database, 'LOT-T' by replay", gtin)) != std::string::npos);
}
