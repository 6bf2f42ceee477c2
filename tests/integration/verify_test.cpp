// Verification and pack operations over HTTPS against a real node and PostgreSQL: a pharmacist's scan in
// every accepted form, every reason code the ledger can produce here, alerts as ledger entries, the VRS
// face, receipts, the verification log, dispense and undo with the 10-day window by ordering time.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "ledger/apply/alert_body.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/merkle/checkpoint.hpp"
#include "ledger/service/receipt.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/epcis_builder.hpp"
#include "tests/support/test_node.hpp"
#include "tests/support/responses.hpp"

namespace json = boost::json;
using namespace rxl;
using rxl::test::TestNode;

using rxl::test::body_of;
using rxl::test::now_ms;

namespace {

constexpr std::int64_t day_ms = 24LL * 60 * 60 * 1000;
const std::string lot = "LOT-V1";
const std::string expiry = "2030-06-30";
const std::string expiry_yymmdd = "300630";

// What a GS1 DataMatrix scanner types: symbology identifier, GS after the variable-length lot.
std::string datamatrix(const std::string& gtin, const std::string& serial, const std::string& lot_text = lot,
                       const std::string& expiry_text = expiry_yymmdd) {
    return "]d2" "01" + gtin + "17" + expiry_text + "10" + lot_text + "\x1d" "21" + serial;
}

struct Pharmacy {
    TestNode& node;
    http::HttpsClient client;
    std::string gtin;

    http::ClientResponse get(const std::string& target, const std::string& participant = "corner-pharmacy") {
        auto response = client.request("GET", target, {}, {{"Authorization", "Bearer " + node.token(participant)}});
        REQUIRE(response.ok());
        return *response;
    }
    json::object verify(const std::string& scan, unsigned status = 200, const std::string& participant = "corner-pharmacy") {
        auto response = get("/v1/verify?code=" + http::percent_encode(scan) + "&location=" + node.gln(participant), participant);
        CHECK_MESSAGE(response.status == status, response.body);
        return json::parse(response.body).as_object();
    }
    http::ClientResponse pack(const std::string& op, const std::string& serial, const std::string& participant,
                              const std::string& request_id, const std::string& state = "dispensed") {
        json::object body{{"op", op}, {"gtin", gtin}, {"serial", serial}, {"location", node.gln(participant)}, {"request_id", request_id}};
        if (op == "decommission") body["state"] = state;
        auto response = cli::post_signed(client, fmt::format("/v1/units/{}/{}/{}", gtin, serial, op), SubmissionKind::pack,
                                         json::serialize(body), node.key(participant), 1);
        REQUIRE(response.ok());
        return *response;
    }
    // Captures an EPCIS document signed by `participant`, which must be accepted.
    void post(const std::string& participant, const std::string& body) {
        auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, node.key(participant), 1);
        REQUIRE(response.ok());
        REQUIRE_MESSAGE(response->status == 201, response->body);
    }
};

// Commissions packs V1..V6 at the manufacturer and ships them to the pharmacy, which receives them.
void stock_pharmacy(TestNode& node, Pharmacy& pharmacy) {
    auto units = cli::make_units(pharmacy.gtin, "V", 6);
    std::vector<std::string> links;
    for (const auto& unit : units) links.push_back(cli::sgtin_link(unit));
    auto now = now_ms();
    pharmacy.post("acme-pharma", cli::commission_document(units, lot, expiry, node.gln("acme-pharma"), now));
    pharmacy.post("acme-pharma", cli::ship_document(links, node.gln("acme-pharma"), node.gln("corner-pharmacy"), now + 1));
    pharmacy.post("corner-pharmacy", cli::receive_document(links, node.gln("corner-pharmacy"), now + 2));
}

// Waits until the ledger holds an entry of `kind` at or after `from`; returns it.
json::object wait_for_entry(Pharmacy& pharmacy, std::uint64_t from, const std::string& kind) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        for (std::uint64_t seq = from;; ++seq) {
            auto response = pharmacy.get(fmt::format("/v1/ledger/entries/{}", seq), "health-authority");
            if (response.status != 200) break;
            auto entry = json::parse(response.body).as_object();
            if (entry.at("kind").as_string() == kind) return entry;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("no " << kind << " entry appeared");
    return {};
}

std::uint64_t ledger_size(Pharmacy& pharmacy) {
    auto response = pharmacy.get("/readyz");
    return json::parse(response.body).at("ledger_size").to_number<std::uint64_t>();
}

}  // namespace

// No ';' in a test name: ctest splits the name there into tests that run nothing (STYLE.md).
TEST_CASE("a pharmacist's scan in every form gives one answer, each reason code, alerts on the ledger, receipts, the log") {
    TestNode node;
    node.start();
    Pharmacy pharmacy{node, node.client(), cli::make_gtin(node.company_prefix("acme-pharma"), 21)};
    stock_pharmacy(node, pharmacy);
    const std::string& gtin = pharmacy.gtin;

    // The scanner string, the bracketed element string and the Digital Link agree.
    auto scanned = pharmacy.verify(datamatrix(gtin, "V1"));
    CHECK(scanned.at("code").as_string() == "OK");
    CHECK(scanned.at("genuine").as_bool());
    CHECK(scanned.at("dispensable").as_bool());
    CHECK(scanned.at("product").at("manufacturer").as_string() == "acme-pharma");
    CHECK(scanned.at("custodian").as_string() == "corner-pharmacy");
    auto bracketed = pharmacy.verify(fmt::format("(01){}(17){}(10){}(21)V1", gtin, expiry_yymmdd, lot));
    auto link = pharmacy.get(fmt::format("/01/{}/21/V1?17={}&10={}", gtin, expiry_yymmdd, lot));
    REQUIRE_MESSAGE(link.status == 200, link.body);
    auto linked = json::parse(link.body).as_object();
    for (const auto* other : {&bracketed, &linked}) {
        CHECK(other->at("code") == scanned.at("code"));
        CHECK(other->at("genuine") == scanned.at("genuine"));
        CHECK(other->at("dispensable") == scanned.at("dispensable"));
        CHECK(other->at("product") == scanned.at("product"));
    }
    // POST with separate fields.
    auto posted = pharmacy.client.request("POST", "/v1/verify",
                                          json::serialize(json::object{{"gtin", gtin}, {"serial", "V2"}, {"lot", lot}, {"expiry", expiry_yymmdd}}),
                                          {{"Authorization", "Bearer " + node.token("corner-pharmacy")}, {"Content-Type", "application/json"}});
    REQUIRE(posted.ok());
    CHECK(json::parse(posted->body).at("code").as_string() == "OK");

    // Held by the pharmacy, not by the wholesaler: genuine but not the wholesaler's to dispense.
    auto elsewhere = pharmacy.verify(datamatrix(gtin, "V1"), 200, "medi-wholesale");
    CHECK(elsewhere.at("genuine").as_bool());
    CHECK(!elsewhere.at("dispensable").as_bool());
    CHECK(elsewhere.at("code").as_string() == "NOT_IN_CUSTODY");

    // Falsification signals: each raises a node-signed alert entry.
    std::uint64_t before = ledger_size(pharmacy);
    auto unknown = pharmacy.verify(datamatrix(gtin, "NOPE9"));
    CHECK(unknown.at("code").as_string() == "UNKNOWN_SERIAL");
    CHECK(!unknown.at("genuine").as_bool());
    CHECK(unknown.at("alert").at("emvs").as_string() == "A3");
    auto alert = wait_for_entry(pharmacy, before, "alert");
    CHECK(alert.at("submitter").as_string() == "node-1");
    CHECK(alert.at("outcome").as_string() == "accepted");
    CHECK(pharmacy.verify(datamatrix(gtin, "V3", "LOT-FAKE")).at("code").as_string() == "LOT_MISMATCH");
    CHECK(pharmacy.verify(datamatrix(gtin, "V3", lot, "300631"), 400).at("code").as_string() == "BAD_SCAN");  // no 31 June
    CHECK(pharmacy.verify(datamatrix(gtin, "V3", lot, "300531")).at("code").as_string() == "EXPIRY_MISMATCH");
    CHECK(pharmacy.verify(datamatrix(cli::make_gtin(node.company_prefix("acme-pharma"), 99), "V3")).at("code").as_string() ==
          "UNKNOWN_PRODUCT");

    // Garbage is a bad scan: a 400 problem that still answers like a verification, and raises nothing.
    auto garbage = pharmacy.verify("]d2hello world", 400);
    CHECK(garbage.at("type").as_string() == "https://rxledger.org/problems/bad-scan");
    CHECK(garbage.at("code").as_string() == "BAD_SCAN");
    CHECK(!garbage.at("genuine").as_bool());
    // A German keyboard layout swapped Y and Z in the symbology identifier: a hint, not an alert.
    CHECK(pharmacy.verify("+d2" + datamatrix(gtin, "V1").substr(3), 400).at("code").as_string() == "BAD_SCAN");
    CHECK(pharmacy.get("/v1/verify?code=" + http::percent_encode(datamatrix(gtin, "V1")), "nobody").status == 401);

    // A receipt with the answer verifies offline against the node's key.
    auto with_receipt = pharmacy.get("/v1/verify?receipt=1&code=" + http::percent_encode(datamatrix(gtin, "V4")));
    REQUIRE(with_receipt.status == 200);
    auto keys = json::parse(pharmacy.get("/v1/ledger/keys").body).as_object();
    auto verifier = merkle::parse_verifier_key(std::string(keys.at("nodes").as_array().at(0).at("verifier_key").as_string()));
    REQUIRE(verifier.ok());
    auto check = verify_receipt(with_receipt.body, std::span<const merkle::VerifierKey>(&*verifier, 1));
    CHECK_MESSAGE(check.ok, check.failure);
    CHECK(check.checked.size() == 5);  // checkpoint, three entries (commission, ship, receive), the chain

    // The DSCSA VRS face.
    std::string uuid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    auto vrs = pharmacy.get(fmt::format("/01/{}/10/{}/21/V1?exp={}&linkType=verificationService&context=dscsaSaleableReturn"
                                        "&reqGLN={}&corrUUID={}", gtin, lot, expiry_yymmdd, node.gln("medi-wholesale"), uuid),
                            "medi-wholesale");
    REQUIRE_MESSAGE(vrs.status == 200, vrs.body);
    auto vrs_answer = json::parse(vrs.body).as_object();
    CHECK(vrs_answer.at("corrUUID").as_string() == uuid);
    CHECK(vrs_answer.at("data").at("verified").as_bool());
    CHECK(vrs_answer.at("responderGLN").as_string() == node.gln("acme-pharma"));  // node-1's operator (dev-consortium)
    auto vrs_mismatch = pharmacy.get(fmt::format("/01/{}/10/OTHER/21/V1?exp={}&linkType=verificationService&reqGLN={}&corrUUID={}",
                                                 gtin, expiry_yymmdd, node.gln("medi-wholesale"), uuid), "medi-wholesale");
    REQUIRE(vrs_mismatch.status == 200);
    auto mismatch_data = json::parse(vrs_mismatch.body).at("data").as_object();
    CHECK(!mismatch_data.at("verified").as_bool());
    CHECK(mismatch_data.at("verificationFailureReason").as_string() == "No_match_GTIN_Serial_Lot");
    CHECK(pharmacy.get(fmt::format("/01/{}/10/{}/21/V1?exp=991399&corrUUID={}&reqGLN={}", gtin, lot, uuid, node.gln("medi-wholesale")),
                       "medi-wholesale").status == 400);

    // The alert raised above is listed for the regulator and the GTIN's manufacturer, not for the pharmacy.
    auto alerts = json::parse(pharmacy.get("/v1/alerts?code=UNKNOWN_SERIAL&gtin=" + gtin, "health-authority").body).as_object();
    REQUIRE(alerts.at("alerts").as_array().size() == 1);
    CHECK(alerts.at("alerts").as_array().at(0).at("serial").as_string() == "NOPE9");
    CHECK(alerts.at("alerts").as_array().at(0).at("participant").as_string() == "corner-pharmacy");
    CHECK(json::parse(pharmacy.get("/v1/alerts?gtin=" + gtin, "acme-pharma").body).at("alerts").as_array().size() >= 1);
    CHECK(pharmacy.get("/v1/alerts", "corner-pharmacy").status == 404);

    // A recall shows in verification as soon as its entry is applied.
    auto recalled = cli::post_signed(pharmacy.client, "/v1/recalls", SubmissionKind::recall,
                                     json::serialize(json::object{{"gtin", gtin}, {"lots", json::array{lot}}, {"class", "II"},
                                                                  {"reason", "label misprint"}}),
                                     node.key("acme-pharma"), 1);
    REQUIRE(recalled.ok());
    REQUIRE_MESSAGE(recalled->status == 201, recalled->body);
    auto after_recall = pharmacy.verify(datamatrix(gtin, "V5"));
    CHECK(after_recall.at("code").as_string() == "RECALLED");
    CHECK(after_recall.at("genuine").as_bool());
    CHECK(!after_recall.at("dispensable").as_bool());

    // Every verification is in the node's log, written off the request path.
    std::string logged;
    // Twelve by the pharmacy through /v1/verify (the unauthenticated one is not a verification).
    for (int attempt = 0; attempt < 50 && logged != "12"; ++attempt) {
        logged = node.database().sql("SELECT count(*) FROM verifications WHERE participant = 'corner-pharmacy' AND channel = 'verify'");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(logged == "12");
}

TEST_CASE("dispense and undo: the same state through the endpoint, the 10-day window by ordering time, only by the dispenser") {
    TestNode node;
    node.start();
    Pharmacy pharmacy{node, node.client(), cli::make_gtin(node.company_prefix("acme-pharma"), 22)};
    stock_pharmacy(node, pharmacy);
    const std::string& gtin = pharmacy.gtin;

    auto dispensed = pharmacy.pack("decommission", "V1", "corner-pharmacy", "d1");
    REQUIRE_MESSAGE(dispensed.status == 201, dispensed.body);
    auto again = pharmacy.verify(datamatrix(gtin, "V1"));
    CHECK(again.at("code").as_string() == "ALREADY_DECOMMISSIONED");
    CHECK(again.at("decommissioned").at("state").as_string() == "dispensed");
    CHECK(again.at("alert").is_null());  // scanned where it was dispensed
    CHECK(pharmacy.pack("decommission", "V1", "corner-pharmacy", "d1b").status == 422);
    // Only the participant that dispensed may undo.
    auto foreign = pharmacy.pack("undo", "V1", "medi-wholesale", "u0");
    CHECK(foreign.status == 422);
    // A body that names another unit than its URL is refused before it reaches the ledger.
    json::object wrong{{"op", "undo"}, {"gtin", gtin}, {"serial", "V2"}, {"location", node.gln("corner-pharmacy")}};
    auto mismatched = cli::post_signed(pharmacy.client, fmt::format("/v1/units/{}/V1/undo", gtin), SubmissionKind::pack,
                                       json::serialize(wrong), node.key("corner-pharmacy"), 1);
    REQUIRE(mismatched.ok());
    CHECK(mismatched->status == 400);
    auto undone = pharmacy.pack("undo", "V1", "corner-pharmacy", "u1");
    CHECK_MESSAGE(undone.status == 201, undone.body);
    CHECK(pharmacy.verify(datamatrix(gtin, "V1")).at("code").as_string() == "OK");

    // Dispense V2 and V3 now; nine days on, V2's undo is inside the window; eleven days on, V3's is not.
    REQUIRE(pharmacy.pack("decommission", "V2", "corner-pharmacy", "d2").status == 201);
    REQUIRE(pharmacy.pack("decommission", "V3", "corner-pharmacy", "d3").status == 201);
    node.stop();
    node.set(fmt::format("clock_offset_ms={}", 9 * day_ms));
    node.start();
    auto nine_days = pharmacy.pack("undo", "V2", "corner-pharmacy", "u2");
    CHECK_MESSAGE(nine_days.status == 201, nine_days.body);
    node.stop();
    node.set(fmt::format("clock_offset_ms={}", 11 * day_ms));
    node.start();
    auto eleven_days = pharmacy.pack("undo", "V3", "corner-pharmacy", "u3");
    CHECK(eleven_days.status == 422);
    CHECK(eleven_days.body.find("undo-window-closed") != std::string::npos);
    CHECK(pharmacy.verify(datamatrix(gtin, "V3")).at("code").as_string() == "ALREADY_DECOMMISSIONED");
    CHECK(pharmacy.verify(datamatrix(gtin, "V2")).at("code").as_string() == "OK");

    // The same through the command-line tool.
    std::string rxledger = std::string(RXL_BINARY_DIR) + "/server/rxledger " ;
    std::string pharmacist = node.cli_node_options() + " --key '" + (node.dir() / "keys/corner-pharmacy.key").string() + "'";
    std::string unit = fmt::format(" --gtin {} --serial V4 --location {}", gtin, node.gln("corner-pharmacy"));
    CHECK(rxl::test::run_command(rxledger + "decommission " + pharmacist + unit + " --state dispensed").find("\"status\":\"dispensed\"") !=
          std::string::npos);
    std::string reader = node.cli_node_options() + " --token " + node.token("corner-pharmacy");
    std::string answer = rxl::test::run_command(rxledger + "verify '" + fmt::format("]d2" "01{}17{}10{}\\x1d21V4", gtin, expiry_yymmdd, lot) +
                                                "' " + reader);
    CHECK(answer.find("ALREADY_DECOMMISSIONED") != std::string::npos);
    CHECK(rxl::test::run_command(rxledger + "undo " + pharmacist + unit).find("\"status\":\"active\"") != std::string::npos);
    std::string chain = rxl::test::run_command(rxledger + "trace " + reader + fmt::format(" --gtin {} --serial V4", gtin));
    CHECK(chain.find("\"biz_step\":\"receiving\"") != std::string::npos);
    CHECK(chain.find("\"kind\":\"pack\"") != std::string::npos);
}

TEST_CASE("GET /v1/events: the EPCIS query subset, own events only for participants, paged with Link") {
    TestNode node;
    node.start();
    Pharmacy pharmacy{node, node.client(), cli::make_gtin(node.company_prefix("acme-pharma"), 23)};
    stock_pharmacy(node, pharmacy);
    std::string v1 = cli::sgtin_link(cli::make_units(pharmacy.gtin, "V", 1).at(0));
    auto events_of = [&](const std::string& query, const std::string& participant) {
        auto response = pharmacy.get("/v1/events?" + query, participant);
        REQUIRE_MESSAGE(response.status == 200, response.body);
        auto document = json::parse(response.body).as_object();
        CHECK(document.at("type").as_string() == "EPCISQueryDocument");
        return std::make_pair(document.at("epcisBody").at("queryResults").at("resultsBody").at("eventList").as_array(), response);
    };
    auto [all, unused] = events_of("MATCH_epc=" + http::percent_encode(v1), "health-authority");
    CHECK(all.size() == 3);  // commissioned, shipped, received
    auto [shipping, unused2] = events_of("eventType=ObjectEvent&EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping", "acme-pharma");
    REQUIRE(shipping.size() == 1);
    CHECK(shipping.at(0).at("bizStep").as_string().find("shipping") != std::string::npos);
    auto [own, unused3] = events_of("MATCH_epc=" + http::percent_encode(v1), "corner-pharmacy");
    CHECK(own.size() == 1);  // only the receiving it recorded itself
    CHECK(events_of("EQ_ILMD_cbvmda:lotNumber=" + lot, "health-authority").first.size() == 1);
    CHECK(events_of("EQ_ILMD_cbvmda:lotNumber=NOSUCH", "health-authority").first.empty());

    // Paging one event at a time reaches every event once.
    std::string target = "/v1/events?perPage=1&MATCH_epc=" + http::percent_encode(v1);
    std::set<std::string> seen;
    for (int page = 0; page < 5 && !target.empty(); ++page) {
        auto response = pharmacy.get(target, "health-authority");
        REQUIRE(response.status == 200);
        auto list = json::parse(response.body).at("epcisBody").at("queryResults").at("resultsBody").at("eventList").as_array();
        for (const auto& event : list) CHECK(seen.insert(json::serialize(event)).second);
        target.clear();
        for (const auto& header : response.headers) {
            if (header.name == "Link") target = header.value.substr(1, header.value.find('>') - 1);
        }
    }
    CHECK(seen.size() == 3);
    CHECK(pharmacy.get("/v1/events?EQ_color=red", "health-authority").status == 400);
    CHECK(pharmacy.get("/v1/events?GE_eventTime=yesterday", "health-authority").status == 400);
    CHECK(pharmacy.get("/v1/events", "nobody").status == 401);
}

TEST_CASE("the remaining reason codes over HTTPS: UNKNOWN_LOT, STOLEN, LOCKED, WITHDRAWN, EXPIRED") {
    TestNode node;
    node.start();
    Pharmacy pharmacy{node, node.client(), cli::make_gtin(node.company_prefix("acme-pharma"), 24)};
    stock_pharmacy(node, pharmacy);
    const std::string& gtin = pharmacy.gtin;
    CHECK(pharmacy.verify(datamatrix(gtin, "NEW1", "LOT-NEVER")).at("code").as_string() == "UNKNOWN_LOT");
    REQUIRE(pharmacy.pack("decommission", "V1", "corner-pharmacy", "s1", "stolen").status == 201);
    CHECK(pharmacy.verify(datamatrix(gtin, "V1")).at("code").as_string() == "STOLEN");
    REQUIRE(pharmacy.pack("decommission", "V2", "corner-pharmacy", "l1", "locked").status == 201);
    CHECK(pharmacy.verify(datamatrix(gtin, "V2")).at("code").as_string() == "LOCKED");

    // Another product, expired on the shelf; then a third, withdrawn as a whole by the regulator.
    auto now = now_ms();
    std::string old_gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 25);
    auto old_units = cli::make_units(old_gtin, "E", 1);
    auto post = [&](const std::string& participant, SubmissionKind kind, const std::string& body) {
        auto response = cli::post_signed(pharmacy.client, kind == SubmissionKind::epcis ? "/v1/capture" : "/v1/recalls", kind, body,
                                         node.key(participant), 1);
        REQUIRE(response.ok());
        REQUIRE_MESSAGE(response->status == 201, response->body);
    };
    post("acme-pharma", SubmissionKind::epcis, cli::commission_document(old_units, "OLD-1", "2021-01-31", node.gln("acme-pharma"), now));
    auto expired = pharmacy.verify("]d2" "01" + old_gtin + "17210131" "10OLD-1" "\x1d" "21E1", 200, "acme-pharma");
    CHECK(expired.at("code").as_string() == "EXPIRED");
    CHECK(!expired.at("dispensable").as_bool());

    std::string gone_gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 26);
    post("acme-pharma", SubmissionKind::epcis,
         cli::commission_document(cli::make_units(gone_gtin, "W", 1), "W-1", expiry, node.gln("acme-pharma"), now + 1));
    post("health-authority", SubmissionKind::recall,
         json::serialize(json::object{{"gtin", gone_gtin}, {"class", "I"}, {"reason", "marketing authorisation withdrawn"}}));
    auto withdrawn = pharmacy.verify("]d2" "01" + gone_gtin + "17" + expiry_yymmdd + "10W-1" "\x1d" "21W1", 200, "acme-pharma");
    CHECK(withdrawn.at("code").as_string() == "WITHDRAWN");
    CHECK(withdrawn.at("genuine").as_bool());
}

namespace {

// The alert entries at or after `from`, their bodies parsed (ledger/apply/alert_body.hpp).
std::vector<AlertBatch> alert_entries(Pharmacy& pharmacy, std::uint64_t from) {
    std::vector<AlertBatch> batches;
    for (std::uint64_t seq = from;; ++seq) {
        auto response = pharmacy.get(fmt::format("/v1/ledger/entries/{}", seq), "health-authority");
        if (response.status != 200) break;
        auto entry = json::parse(response.body).as_object();
        if (entry.at("kind").as_string() != "alert") continue;
        CHECK(entry.at("outcome").as_string() == "accepted");
        auto body = from_base64(std::string(entry.at("body").as_string()));
        REQUIRE(body.has_value());
        auto batch = parse_alert_body(std::string(body->begin(), body->end()));
        REQUIRE(batch.ok());
        batches.push_back(std::move(batch).value());
    }
    return batches;
}

// Every alert listed for the regulator (all pages), optionally of one GTIN.
json::array all_alerts(Pharmacy& pharmacy, const std::string& gtin) {
    json::array out;
    std::string target = "/v1/alerts?perPage=1000&gtin=" + gtin;
    for (int page = 0; page < 100 && !target.empty(); ++page) {
        auto response = pharmacy.get(target, "health-authority");
        REQUIRE_MESSAGE(response.status == 200, response.body);
        json::value page_body = json::parse(response.body);  // kept alive: the loop reads into it
        for (const auto& alert : page_body.at("alerts").as_array()) out.push_back(alert);
        target.clear();
        for (const auto& header : response.headers) {
            if (header.name == "Link") target = header.value.substr(1, header.value.find('>') - 1);
        }
    }
    return out;
}

// Verifies each scan (as one participant, at its own GLN) from `threads` connections at once; returns
// how many were answered 200 with code UNKNOWN_SERIAL.
std::size_t scan_all(TestNode& node, const std::vector<std::string>& scans, const std::string& participant, std::size_t threads) {
    std::atomic<std::size_t> next{0}, unknown{0};
    std::vector<std::thread> workers;
    const std::string token = node.token(participant), gln = node.gln(participant);
    for (std::size_t t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            auto client = node.client();
            for (std::size_t i = next++; i < scans.size(); i = next++) {
                auto response = client.request("GET", "/v1/verify?code=" + http::percent_encode(scans[i]) + "&location=" + gln, {},
                                               {{"Authorization", "Bearer " + token}});
                if (response.ok() && response->status == 200 && response->body.find("\"UNKNOWN_SERIAL\"") != std::string::npos) ++unknown;
            }
        });
    }
    for (auto& worker : workers) worker.join();
    return unknown.load();
}

}  // namespace

TEST_CASE("a flood of unknown serials by one token adds a handful of alert entries, and every scan is counted") {
    TestNode node;
    node.start();
    Pharmacy pharmacy{node, node.client(), cli::make_gtin(node.company_prefix("acme-pharma"), 27)};
    stock_pharmacy(node, pharmacy);
    const std::string& gtin = pharmacy.gtin;
    const std::uint64_t before = ledger_size(pharmacy);

    // 1,000 scans of one unknown serial, then 3,000 distinct unknown serials, all with the pharmacy's token;
    // meanwhile one honest alert by the wholesaler.
    std::vector<std::string> flood(1000, datamatrix(gtin, "SAME1"));
    for (int i = 0; i < 3000; ++i) flood.push_back(datamatrix(gtin, fmt::format("FLOOD{}", i)));
    auto started = std::chrono::steady_clock::now();
    std::thread honest([&] { CHECK(scan_all(node, {datamatrix(gtin, "HONEST1")}, "medi-wholesale", 1) == 1); });
    std::size_t answered = scan_all(node, flood, "corner-pharmacy", 4);
    honest.join();
    double flood_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(answered == flood.size());  // every scan still gets its answer

    // Wait until the node's last window is on the ledger: every scan counted in some entry.
    const std::uint64_t scans = flood.size() + 1;
    std::vector<AlertBatch> batches;
    std::uint64_t counted = 0;
    for (int attempt = 0; attempt < 100 && counted < scans; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        batches = alert_entries(pharmacy, before);
        counted = 0;
        for (const auto& batch : batches) counted += batch.alerts.size() + batch.duplicates() + batch.suppressed_total() + batch.dropped;
    }
    INFO("flood took ", flood_seconds, " s, ", batches.size(), " alert entries");
    CHECK(counted == scans);  // none lost uncounted
    // At most one entry per 1 s window (limits::alert_window_ms), plus the window open when it started.
    CHECK(batches.size() >= 1);
    CHECK(static_cast<double>(batches.size()) <= flood_seconds + 2);
    std::uint64_t suppressed = 0, alerts = 0;
    for (const auto& batch : batches) {
        alerts += batch.alerts.size();
        suppressed += batch.suppressed_total();
        CHECK(batch.version == 2);
        for (const auto& count : batch.suppressed) CHECK(count.participant == "corner-pharmacy");
        CHECK(batch.dropped == 0);
        CHECK(batch.unrecorded == 0);
    }
    CHECK(suppressed > 0);
    // 20 distinct alerts per participant per window at most (limits::alert_window_participant_alerts_max).
    CHECK(alerts <= batches.size() * limits::alert_window_participant_alerts_max + 1);

    // GET /v1/alerts lists each stored alert once, with its scans; the wholesaler's honest alert is among them.
    json::array listed = all_alerts(pharmacy, gtin);
    CHECK(listed.size() == alerts);
    std::set<std::string> ids;
    std::uint64_t same_scans = 0;
    bool honest_listed = false;
    for (const auto& value : listed) {
        const auto& alert = value.as_object();
        CHECK(ids.insert(std::string(alert.at("alert_id").as_string())).second);
        if (alert.at("serial").as_string() == "SAME1") same_scans += alert.at("scans").to_number<std::uint64_t>();
        if (alert.at("serial").as_string() == "HONEST1") honest_listed = alert.at("participant").as_string() == "medi-wholesale";
    }
    CHECK(same_scans == 1000);  // 1,000 scans of one serial: a row per window, their scans adding up
    CHECK(honest_listed);
    // Paging by alert id reaches the same alerts.
    auto first_page = pharmacy.get("/v1/alerts?perPage=2&gtin=" + gtin, "health-authority");
    REQUIRE(first_page.status == 200);
    CHECK(json::parse(first_page.body).at("alerts").as_array().size() == 2);

    // The audit replays the batches into the same rows, and names a row whose scans were edited.
    node.stop();
    std::string audit = std::string(RXL_BINARY_DIR) + "/server/rxledger audit --database '" + node.database().conninfo() + "'";
    CHECK(rxl::test::run_command(audit).find("clean") != std::string::npos);
    node.database().sql("ALTER TABLE alerts DISABLE TRIGGER USER");
    node.database().sql("UPDATE alerts SET scans = scans + 1 WHERE serial = 'SAME1'");
    const std::string tampered = rxl::test::failing_command(audit);  // a finding makes the audit exit non-zero
    CHECK(tampered.find("in the database") != std::string::npos);
    CHECK(tampered.find("alerts") != std::string::npos);
    CHECK(tampered.find("scans is") != std::string::npos);  // the column, with both values
}

TEST_CASE("the verify location must be one of the caller's GLNs: no alert at someone else's site") {
    TestNode node;
    node.start();
    Pharmacy pharmacy{node, node.client(), cli::make_gtin(node.company_prefix("acme-pharma"), 28)};
    stock_pharmacy(node, pharmacy);
    const std::string& gtin = pharmacy.gtin;
    auto verify_at = [&](const std::string& scan, const std::string& gln, const std::string& participant) {
        return pharmacy.get("/v1/verify?code=" + http::percent_encode(scan) + "&location=" + gln, participant);
    };
    const std::uint64_t before = ledger_size(pharmacy);

    // A pharmacy scanning an unknown serial "at" the manufacturer's GLN is refused and raises nothing.
    auto foreign = verify_at(datamatrix(gtin, "GHOST1"), node.gln("acme-pharma"), "corner-pharmacy");
    CHECK(foreign.status == 403);
    CHECK(json::parse(foreign.body).at("type").as_string() == "https://rxledger.org/problems/not-callers-location");
    // The same through POST and through the Digital Link form.
    auto posted = pharmacy.client.request("POST", "/v1/verify",
                                          json::serialize(json::object{{"code", datamatrix(gtin, "GHOST2")}, {"location", node.gln("acme-pharma")}}),
                                          {{"Authorization", "Bearer " + node.token("corner-pharmacy")}, {"Content-Type", "application/json"}});
    REQUIRE(posted.ok());
    CHECK(posted->status == 403);
    CHECK(pharmacy.get(fmt::format("/01/{}/21/GHOST3?17={}&10={}&location={}", gtin, expiry_yymmdd, lot, node.gln("acme-pharma"))).status == 403);
    // The VRS requestor GLN likewise.
    CHECK(pharmacy.get(fmt::format("/01/{}/10/{}/21/GHOST4?exp={}&linkType=verificationService&reqGLN={}&corrUUID=3f2504e0-4f89-41d3-9a0c-0305e82c3302", gtin, lot,
                                   expiry_yymmdd, node.gln("acme-pharma")), "medi-wholesale").status == 403);
    // A bad check digit is still a 400 of its own.
    CHECK(verify_at(datamatrix(gtin, "GHOST5"), "1234567890123", "corner-pharmacy").status == 400);

    // Claiming the dispensing pharmacy's own GLN no longer hides a second scan of a dispensed pack (A24).
    REQUIRE(pharmacy.pack("decommission", "V1", "corner-pharmacy", "d1").status == 201);
    CHECK(verify_at(datamatrix(gtin, "V1"), node.gln("corner-pharmacy"), "medi-wholesale").status == 403);
    auto elsewhere = verify_at(datamatrix(gtin, "V1"), node.gln("medi-wholesale"), "medi-wholesale");
    REQUIRE(elsewhere.status == 200);
    CHECK(json::parse(elsewhere.body).at("alert").at("emvs").as_string() == "A24");

    // Only that A24 reaches the ledger: none of the refused scans raised an alert.
    std::vector<AlertBatch> batches;
    for (int attempt = 0; attempt < 50 && batches.empty(); ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        batches = alert_entries(pharmacy, before);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // one more window: nothing else comes
    batches = alert_entries(pharmacy, before);
    REQUIRE(batches.size() == 1);
    REQUIRE(batches[0].alerts.size() == 1);
    CHECK(batches[0].alerts[0].code == "ALREADY_DECOMMISSIONED");
    CHECK(batches[0].alerts[0].participant == "medi-wholesale");
    CHECK(batches[0].alerts[0].location == node.gln("medi-wholesale"));
    auto listed = json::parse(pharmacy.get("/v1/alerts?gtin=" + gtin, "health-authority").body).at("alerts").as_array();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].at("serial").as_string() == "V1");
}

TEST_CASE("a pack shipped to the pharmacy is NOT_RECEIVED until its receipt is recorded, then OK and dispensed") {
    TestNode node;
    node.start();
    Pharmacy pharmacy{node, node.client(), cli::make_gtin(node.company_prefix("acme-pharma"), 23)};
    const std::string& gtin = pharmacy.gtin;
    auto units = cli::make_units(gtin, "R", 1);
    const std::vector<std::string> links{cli::sgtin_link(units.front())};
    auto now = now_ms();
    pharmacy.post("acme-pharma", cli::commission_document(units, lot, expiry, node.gln("acme-pharma"), now));
    pharmacy.post("acme-pharma", cli::ship_document(links, node.gln("acme-pharma"), node.gln("corner-pharmacy"), now + 1));

    auto shipped = pharmacy.verify(datamatrix(gtin, "R1"));
    CHECK(shipped.at("code").as_string() == "NOT_RECEIVED");
    CHECK(shipped.at("genuine").as_bool());
    CHECK_FALSE(shipped.at("dispensable").as_bool());
    CHECK(shipped.at("alert").is_null());
    // What the verification did not offer, the pack endpoint refuses.
    CHECK(pharmacy.pack("decommission", "R1", "corner-pharmacy", "r-early").status == 422);

    pharmacy.post("corner-pharmacy", cli::receive_document(links, node.gln("corner-pharmacy"), now + 2));
    auto received = pharmacy.verify(datamatrix(gtin, "R1"));
    CHECK(received.at("code").as_string() == "OK");
    CHECK(received.at("dispensable").as_bool());
    auto dispensed = pharmacy.pack("decommission", "R1", "corner-pharmacy", "r-after");
    CHECK_MESSAGE(dispensed.status == 201, dispensed.body);
}
