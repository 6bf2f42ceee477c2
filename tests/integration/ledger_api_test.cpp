// The tamper-evidence surface over HTTPS: a client checks the node's answers with nothing but the
// published verifier key and the Merkle verification code.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "ledger/apply/entry.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/merkle/checkpoint.hpp"
#include "ledger/merkle/merkle.hpp"
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

std::string rxledger_command() { return std::string(RXL_BINARY_DIR) + "/server/rxledger"; }

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

TEST_CASE("a receipt from a running node verifies offline with the verifier key alone, and any changed byte does not") {
    TestNode node;
    node.start();
    auto client = node.client();
    auto maker = node.key("acme-pharma");
    std::string prefix = node.company_prefix("acme-pharma");
    std::string gtin = cli::make_gtin(prefix, 13);
    std::string site = node.gln("acme-pharma");
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto units = cli::make_units(gtin, "R", 3);
    std::vector<std::string> links;
    for (const auto& unit : units) links.push_back(cli::sgtin_link(unit));
    std::string sscc = cli::make_sscc(prefix, 77);
    // Other traffic in between, so that the unit's entries are not the last leaves of the tree.
    for (const auto& body : {cli::commission_document(units, "LOT-R", "2031-01-31", site, now),
                             cli::commission_document(cli::make_units(gtin, "S", 2), "LOT-S", "2031-01-31", site, now + 1),
                             cli::pack_document(sscc, links, site, now + 2),
                             cli::commission_document(cli::make_units(gtin, "U", 2), "LOT-S", "2031-01-31", site, now + 3),
                             cli::ship_document({cli::sscc_link(sscc)}, site, node.gln("medi-wholesale"), now + 4)}) {
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, maker, 1);
        REQUIRE(response.ok());
        REQUIRE_MESSAGE(response->status == 201, response->body);
    }
    // The case's contents tree, for those in its chain only.
    auto as = [&](const std::string& participant, const std::string& path) {
        auto response = client.request("GET", path, {}, {{"Authorization", "Bearer " + node.token(participant)}});
        REQUIRE(response.ok());
        return *response;
    };
    auto tree = as("medi-wholesale", "/v1/containers/" + sscc);
    REQUIRE_MESSAGE(tree.status == 200, tree.body);
    auto contents = json::parse(tree.body).as_object();
    CHECK(contents.at("status").as_string() == "in_transit");
    CHECK(contents.at("destination").as_string() == "medi-wholesale");
    REQUIRE(contents.at("units").as_array().size() == 3);
    CHECK(contents.at("units").as_array().at(0).at("lot").as_string() == "LOT-R");
    CHECK(as("corner-pharmacy", "/v1/containers/" + sscc).status == 404);
    CHECK(as("medi-wholesale", "/v1/containers/" + cli::make_sscc(prefix, 78)).status == 404);

    std::string target = fmt::format("/v1/units/{}/R2/history?receipt=1", gtin);
    auto history = client.request("GET", target, {}, {{"Authorization", "Bearer " + node.token("acme-pharma")}});
    REQUIRE(history.ok());
    REQUIRE_MESSAGE(history->status == 200, history->body);
    auto answer = json::parse(history->body).as_object();
    const auto& events = answer.at("events").as_array();
    REQUIRE(events.size() == 3);  // commissioned, packed, shipped (with its case)
    CHECK(events.at(0).at("event").at("biz_step").as_string() == "commissioning");
    CHECK(events.at(2).at("event").at("biz_step").as_string() == "shipping");
    CHECK(events.at(2).at("signer").as_string() == "acme-pharma");
    CHECK(answer.at("chain_link") == events.at(2).at("unit_link"));
    std::string verifier = std::string(get_json(client, node, "/v1/ledger/keys").at("nodes").as_array().at(0).at("verifier_key").as_string());
    // The pharmacist's copy is checked with no server running.
    node.stop();

    auto receipt_file = node.dir() / "receipt.json";
    write_file(receipt_file, history->body);
    std::string verify = rxledger_command() + " receipt verify '" + receipt_file.string() + "' --key '" + verifier + "'";
    std::string output = rxl::test::run_command(verify);
    CHECK(output.find("the receipt verifies") != std::string::npos);
    CHECK(output.find("the chain of 3 links recomputes") != std::string::npos);

    const auto& receipt = answer.at("receipt").as_object();
    auto changed = [&](const std::function<void(json::object&)>& edit) {
        json::object copy = receipt;
        edit(copy);
        write_file(receipt_file, json::serialize(copy));
        return failing_command(verify);
    };
    auto flip_base64 = [](json::value& value) {
        std::string text(value.as_string());
        auto bytes = from_base64(text);
        REQUIRE(bytes.has_value());
        (*bytes)[bytes->size() / 2] ^= 0x01;
        value = to_base64(*bytes);
    };
    CHECK(changed([&](json::object& r) { flip_base64(r["entries"].as_array()[1].as_object()["leaf_data"]); })
              .find("FAILED: entry") != std::string::npos);
    CHECK(changed([&](json::object& r) { flip_base64(r["entries"].as_array()[0].as_object()["inclusion_proof"].as_array()[0]); })
              .find("the inclusion proof does not lead to the checkpoint's root") != std::string::npos);
    CHECK(changed([&](json::object& r) {
              std::string note(r["checkpoint"].as_string());
              auto at = note.find('\n', note.find('\n') + 1) + 1;  // the root line
              note[at + 5] = note[at + 5] == 'A' ? 'B' : 'A';
              r["checkpoint"] = note;
          }).find("FAILED: checkpoint") != std::string::npos);
    CHECK(changed([&](json::object& r) {
              std::string link(r["subject"].as_object()["chain_link"].as_string());
              link[0] = link[0] == '0' ? '1' : '0';
              r["subject"].as_object()["chain_link"] = link;
          }).find("is not where the receipt's entries lead") != std::string::npos);
    CHECK(changed([&](json::object& r) { r["entries"].as_array().erase(r["entries"].as_array().begin()); })
              .find("the unit link recomputed from the chain") != std::string::npos);
    // Another key — a stranger's node — is not trusted.
    auto stranger = merkle::make_verifier_key("dev.rxledger.localhost/node-1", PrivateKey::generate().public_key());
    REQUIRE(stranger.ok());
    write_file(receipt_file, history->body);
    CHECK(failing_command(rxledger_command() + " receipt verify '" + receipt_file.string() + "' --key '" +
                          merkle::format_verifier_key(*stranger) + "'")
              .find("FAILED: checkpoint") != std::string::npos);
}

TEST_CASE("every edit behind the server's back is named by rxledger audit, and the node refuses writes after it") {
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
    // The root at size 6, which a careful attacker rolling history back would restore.
    std::string note_at_6 = get_text(client, node, "/v1/ledger/checkpoint?size=6");
    auto root_line_start = note_at_6.find('\n', note_at_6.find('\n') + 1) + 1;
    auto root_at_6 = from_base64(note_at_6.substr(root_line_start, note_at_6.find('\n', root_line_start) - root_line_start));
    REQUIRE(root_at_6.has_value());
    node.stop();  // 9 entries; the node signs a checkpoint at size 9 as it stops
    std::string audit = rxledger_command() + " audit --database '" + node.database().conninfo() + "'";
    CHECK(rxl::test::run_command(audit).find("clean") != std::string::npos);

    const auto& db = node.database();
    // The append-only triggers stop an ordinary UPDATE…
    CHECK_THROWS(db.sql("UPDATE entries SET outcome = 'accepted' WHERE seq = 3"));
    // …so the attacker, as superuser, switches them off first.
    db.sql("ALTER TABLE entries DISABLE TRIGGER USER");
    std::string expected;
    SUBCASE("an outcome") {
        db.sql("UPDATE entries SET outcome = 'not-custodian' WHERE seq = 3");
        expected = "entry 3: the ledger says 'not-custodian' but replaying it gives 'accepted'";
    }
    SUBCASE("a byte of a stored body") {
        db.sql("UPDATE entries SET body = overlay(body placing '\\x20'::bytea from 40 for 1) WHERE seq = 5");
        expected = "entry 5: its stored leaf hash does not match";
    }
    SUBCASE("a unit's lot") {
        db.sql(fmt::format("UPDATE units SET lot = 'FORGED' WHERE gtin = '{}' AND serial = 'T1x1'", gtin));
        expected = fmt::format("unit (01){}(21)T1x1: lot is 'FORGED' in the database, 'LOT-T' by replay", gtin);
    }
    SUBCASE("a deleted row") {
        db.sql("DELETE FROM events WHERE seq = 7; DELETE FROM entries WHERE seq = 7");
        expected = "entry 7: is missing";
    }
    SUBCASE("history rolled back to size 6 with a consistent tree and head") {
        db.sql("ALTER TABLE merkle_nodes DISABLE TRIGGER USER");
        db.sql("DELETE FROM unit_events WHERE seq >= 6; DELETE FROM events WHERE seq >= 6; "
               "DELETE FROM units WHERE commissioned_seq >= 6; DELETE FROM entries WHERE seq >= 6; "
               "DELETE FROM merkle_nodes WHERE (idx + 1) * (1::bigint << level) > 6");
        db.sql(fmt::format("UPDATE ledger_head SET size = 6, root = decode('{}', 'hex')", to_hex(*root_at_6)));
        expected = "checkpoint 9: was signed at size 9, but the ledger head says 6";
    }
    std::string findings = failing_command(audit);
    MESSAGE(findings);
    CHECK(findings.find(expected) != std::string::npos);

    // Restarted on the tampered database, the node serves reads and refuses writes, saying why.
    node.start(false);
    auto ready = readyz_when_checked(client);
    CHECK(ready.at("writes").as_string() == "refused");
    CHECK(ready.at("status").as_string() == "not-ready");
    CHECK(ready.at("startup_audit").as_string() == "full");  // 16 units: far below startup_audit_full_max_units
    auto body = cli::commission_document(cli::make_units(gtin, "After", 1), "LOT-T", "2030-03-31", node.gln("acme-pharma"), now + 9);
    auto refused = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, maker, 1);
    REQUIRE(refused.ok());
    CHECK(refused->status == 503);
    CHECK(refused->body.find("writes-refused") != std::string::npos);
    CHECK(!get_text(client, node, "/v1/ledger/checkpoint").empty());
}

TEST_CASE("a ledger with more units than startup_audit_full_max_units is checked against its checkpoint at start, "
          "not replayed, and a changed head still stops writes") {
    TestNode node;
    node.start();
    auto client = node.client();
    auto maker = node.key("acme-pharma");
    std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 13);
    auto body = cli::commission_document(cli::make_units(gtin, "Big", 12), "LOT-B", "2030-03-31", node.gln("acme-pharma"),
                                         rxl::test::now_ms());
    REQUIRE(cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, maker, 1)->status == 201);
    node.stop();

    node.set("startup_audit_full_max_units=11");  // 12 units
    node.start();
    auto ready = readyz_when_checked(client);
    CHECK(ready.at("startup_audit").as_string() == "checkpoint");
    CHECK(ready.at("writes").as_string() == "open");
    node.stop();

    node.set("startup_audit_full_max_units=12");
    node.start();
    CHECK(readyz_when_checked(client).at("startup_audit").as_string() == "full");
    node.stop();

    // The cheap checks still run above the limit: a head whose root is not the stored tree's is refused.
    node.set("startup_audit_full_max_units=11");
    node.database().sql("UPDATE ledger_head SET root = decode(repeat('ab', 32), 'hex')");
    node.start(false);
    ready = readyz_when_checked(client);
    CHECK(ready.at("startup_audit").as_string() == "checkpoint");
    CHECK(ready.at("writes").as_string() == "refused");
    CHECK(std::string(ready.at("alarm").as_string()).find("Merkle root") != std::string::npos);
}

// ---- content no node can store, and a database that goes away (DESIGN.md section 10, rules 1 and 5) ----

namespace {

// A capture document with its one event changed by `change`.
std::string with_event(const std::string& document, const std::function<void(json::object&)>& change) {
    json::value parsed = json::parse(document);
    change(parsed.at("epcisBody").at("eventList").as_array().at(0).as_object());
    return json::serialize(parsed);
}

std::string problem_type(const http::ClientResponse& response) {
    boost::system::error_code error;
    json::value body = json::parse(response.body, error);
    if (error || !body.is_object() || !body.as_object().contains("type")) return {};
    return std::string(body.at("type").as_string());
}

// Runs SQL as the cluster's superuser in its maintenance database (not the node's own).
void admin_sql(const std::string& statement) {
    rxl::test::run_command("psql -X -qtA " + rxl::test::shell_quote(rxl::test::admin_conninfo()) + " -c " +
                           rxl::test::shell_quote(statement));
}

std::string database_name(const TestNode& node) {
    const std::string& conninfo = node.database().conninfo();
    return conninfo.substr(conninfo.rfind("dbname=") + 7);
}

}  // namespace

TEST_CASE("no capture or recall a node could not store is ordered: each is refused with its type, and the node, "
          "restarted, takes writes and audits clean") {
    TestNode node;
    node.start();
    auto client = node.client();
    auto maker = node.key("acme-pharma");
    const std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 21);
    const std::string site = node.gln("acme-pharma");
    const auto now = rxl::test::now_ms();
    int serial = 0;
    auto commission = [&](const std::string& lot, const std::string& expiry) {
        ++serial;
        return cli::commission_document(cli::make_units(gtin, fmt::format("C{}x", serial), 1), lot, expiry, site,
                                        now + serial);
    };
    auto post = [&](const std::string& target, SubmissionKind kind, const std::string& body) {
        auto response = cli::post_signed(client, target, kind, body, maker, 1);
        REQUIRE(response.ok());
        return *response;
    };
    const std::string good = commission("LOT-G", "2030-12-31");
    struct Poison {
        const char* name;
        std::string body;
        const char* type;
    };
    const std::vector<Poison> poisons{
        {"a NUL in the ILMD lot", commission(std::string("LOT\0X", 5), "2030-12-31"), "nul-character"},
        {"expiry not-a-date", commission("LOT-G", "not-a-date"), "invalid-epcis"},
        {"expiry 2030-02-30", commission("LOT-G", "2030-02-30"), "invalid-epcis"},
        {"expiry 12/31/2030", commission("LOT-G", "12/31/2030"), "invalid-epcis"},
        {"expiry 2030-12-31T00:00:00Z", commission("LOT-G", "2030-12-31T00:00:00Z"), "invalid-epcis"},
        {"a 10 KiB lot", commission(std::string(10 * 1024, 'L'), "2030-12-31"), "invalid-epcis"},
        {"a NUL in eventID",
         with_event(commission("LOT-G", "2030-12-31"), [](json::object& event) { event["eventID"] = std::string("urn:uuid:x\0", 11); }),
         "nul-character"},
        {"a NUL in a non-CBV bizStep",
         with_event(commission("LOT-G", "2030-12-31"),
                    [](json::object& event) { event["bizStep"] = std::string("urn:example:step\0", 17); }),
         "nul-character"},
        {"quantity 1e999",
         [&] {
             std::string body = with_event(commission("LOT-G", "2030-12-31"), [](json::object& event) {
                 event["quantityList"] = json::array{json::object{{"epcClass", "urn:epc:class:lgtin:0614141.012345.L1"},
                                                                  {"quantity", 1}}};
             });
             body.replace(body.find("\"quantity\":1"), 12, "\"quantity\":1e999");
             return body;
         }(),
         "number-out-of-range"},
        {"a member named twice",
         [&] {
             std::string body = commission("LOT-G", "2030-12-31");
             body.replace(body.find("\"action\":\"ADD\""), 14, "\"action\":\"ADD\",\"action\":\"OBSERVE\"");
             return body;
         }(),
         "duplicate-json-key"},
    };
    REQUIRE(post("/v1/capture", SubmissionKind::epcis, good).status == 201);
    for (const auto& poison : poisons) {
        CAPTURE(poison.name);
        auto refused = post("/v1/capture", SubmissionKind::epcis, poison.body);
        CHECK(refused.status == 400);
        CHECK(problem_type(refused).ends_with(poison.type));
        // The node still takes writes.
        CHECK(post("/v1/capture", SubmissionKind::epcis, commission("LOT-G", "2030-12-31")).status == 201);
    }
    // A recall whose reason PostgreSQL would cut at the NUL is refused too, before ordering.
    const std::string recall = json::serialize(json::object{
        {"gtin", gtin}, {"lots", json::array{"LOT-G"}}, {"class", "II"}, {"reason", std::string("contami\0nation", 14)}});
    auto refused_recall = post("/v1/recalls", SubmissionKind::recall, recall);
    CHECK(refused_recall.status == 400);
    CHECK(problem_type(refused_recall).ends_with("nul-character"));
    // An expiry with a time zone is a valid xsd:date, stored as the day PostgreSQL gives back.
    CHECK(post("/v1/capture", SubmissionKind::epcis, commission("LOT-Z", "2031-01-31Z")).status == 201);

    node.stop();
    std::string audit = rxledger_command() + " audit --database '" + node.database().conninfo() + "'";
    CHECK(rxl::test::run_command(audit).find("clean") != std::string::npos);
    node.start();
    CHECK(readyz_when_checked(client).at("writes").as_string() == "open");
    CHECK(post("/v1/capture", SubmissionKind::epcis, commission("LOT-G", "2030-12-31")).status == 201);
}

TEST_CASE("a database that goes away is answered with 503 database-unavailable, and writes come back without a "
          "restart") {
    TestNode node;
    node.start();
    auto client = node.client();
    auto maker = node.key("acme-pharma");
    const std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 22);
    const auto now = rxl::test::now_ms();
    int serial = 0;
    auto capture = [&] {
        ++serial;
        auto body = cli::commission_document(cli::make_units(gtin, fmt::format("D{}x", serial), 1), "LOT-D", "2030-12-31",
                                             node.gln("acme-pharma"), now + serial);
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, maker, 1);
        REQUIRE(response.ok());
        return *response;
    };
    REQUIRE(capture().status == 201);
    const std::string name = database_name(node);
    const std::string terminate =
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + name + "'";

    SUBCASE("its connections are killed") {
        admin_sql(terminate);
    }
    SUBCASE("it refuses connections for a while") {
        admin_sql("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false");
        admin_sql(terminate);
        auto write = capture();
        CHECK(write.status == 503);
        CHECK(problem_type(write).ends_with("database-unavailable"));
        auto read = client.request("GET", "/v1/ledger/checkpoint", {},
                                   {{"Authorization", "Bearer " + node.token("corner-pharmacy")}});
        REQUIRE(read.ok());
        CHECK(read->status == 503);
        admin_sql("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true");
    }
    // Writes come back, without a restart: a request may still meet a connection that was lost (503),
    // never a 500, and the process stays up.
    unsigned status = 0;
    for (int attempt = 0; attempt < 30 && status != 201; ++attempt) {
        auto write = capture();
        status = write.status;
        CHECK_MESSAGE((status == 201 || status == 503), write.body);
        if (status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    CHECK(status == 201);
    CHECK(get_text(client, node, "/v1/ledger/checkpoint").size() > 0);
}

TEST_CASE("an entry whose effects PostgreSQL refuses all the same is recorded as unstorable, and apply goes on") {
    TestNode node;
    node.start();
    auto maker = node.key("acme-pharma");
    const std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 23);
    const auto now = rxl::test::now_ms();
    // What no validation foresaw, played by a constraint the store does not know of: PostgreSQL refuses
    // the lot row of this one capture (SQLSTATE 23514, a data error).
    node.database().sql("ALTER TABLE lots ADD CONSTRAINT refuse_one_lot CHECK (lot <> 'LOT-REFUSED')");
    auto commission = [&](const std::string& prefix, const std::string& lot) {
        return cli::commission_document(cli::make_units(gtin, prefix, 2), lot, "2030-12-31", node.gln("acme-pharma"), now);
    };
    const std::vector<std::string> bodies{commission("U1x", "LOT-U"), commission("U2x", "LOT-REFUSED"),
                                          commission("U3x", "LOT-U")};
    // Sent at once, so that they are likely ordered in one batch: the batch is written entry by entry.
    std::vector<http::ClientResponse> answers(bodies.size());
    std::vector<std::thread> senders;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        senders.emplace_back([&, i] {
            auto client = node.client();
            auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, bodies[i], maker, 1);
            if (response.ok()) answers[i] = *response;
        });
    }
    for (auto& sender : senders) sender.join();
    CHECK(answers[0].status == 201);
    CHECK(answers[1].status == 400);
    CHECK(problem_type(answers[1]).ends_with("unstorable"));
    CHECK(answers[2].status == 201);
    auto client = node.client();
    const auto refused_seq = json::parse(answers[1].body).at("entry").at("seq").to_number<std::uint64_t>();
    auto entry = get_json(client, node, fmt::format("/v1/ledger/entries/{}", refused_seq));
    CHECK(entry.at("outcome").as_string() == "unstorable");
    CHECK(readyz_when_checked(client).at("writes").as_string() == "open");
    CHECK(cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, commission("U4x", "LOT-U"), maker, 1)->status == 201);

    // The audit replays the unstorable entry as the ledger recorded it, and a restart takes writes.
    node.stop();
    std::string audit = rxledger_command() + " audit --database '" + node.database().conninfo() + "'";
    CHECK(rxl::test::run_command(audit).find("clean") != std::string::npos);
    node.start();
    CHECK(readyz_when_checked(client).at("writes").as_string() == "open");
}
