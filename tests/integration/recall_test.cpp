// Recalls, their reach and affected units, and alerts, over HTTPS against a real rxledgerd and PostgreSQL.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <set>
#include <sstream>

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

bool has_problem(const http::ClientResponse& response, std::string_view code) {
    auto body = body_of(response);
    return body.contains("type") && std::string_view(body.at("type").as_string()).ends_with(code);
}

std::uint64_t count(const json::object& counts, std::string_view name) {
    const json::value* value = counts.if_contains(name);
    return value == nullptr ? 0 : value->to_number<std::uint64_t>();
}

std::vector<std::string> links(const std::vector<cli::Unit>& units, std::size_t first, std::size_t count_of) {
    std::vector<std::string> out;
    for (std::size_t i = first; i < first + count_of; ++i) out.push_back(cli::sgtin_link(units[i]));
    return out;
}

// The target of a Link header's rel="next", or "" when there is none.
std::string next_link(const http::ClientResponse& response) {
    auto link = response.header("Link");
    if (!link || link->find("rel=\"next\"") == std::string_view::npos) return {};
    auto open = link->find('<');
    auto close = link->find('>');
    REQUIRE(open != std::string_view::npos);
    REQUIRE(close != std::string_view::npos);
    return std::string(link->substr(open + 1, close - open - 1));
}

struct Chain {
    TestNode& node;
    http::HttpsClient client;
    std::int64_t t = now_ms();

    http::ClientResponse post(const std::string& who, const std::string& target, SubmissionKind kind, const std::string& body) {
        auto response = cli::post_signed(client, target, kind, body, node.key(who), 1);
        REQUIRE_MESSAGE(response.ok(), (response.ok() ? "" : response.error().detail));
        return *response;
    }
    void capture(const std::string& who, const std::string& body) {
        auto response = post(who, "/v1/capture", SubmissionKind::epcis, body);
        REQUIRE_MESSAGE(response.status == 201, response.body);
    }
    http::ClientResponse recall(const std::string& who, const std::string& gtin, const std::vector<std::string>& lots) {
        json::array lot_items;
        for (const auto& lot : lots) lot_items.emplace_back(lot);
        json::object body{{"gtin", gtin}, {"class", "II"}, {"reason", "out-of-specification dissolution"}};
        if (!lots.empty()) body["lots"] = std::move(lot_items);
        return post(who, "/v1/recalls", SubmissionKind::recall, json::serialize(body));
    }
    http::ClientResponse get(const std::string& who, const std::string& target, const std::string& accept = {}) {
        std::vector<http::Header> headers;
        if (!who.empty()) headers.push_back({"Authorization", "Bearer " + node.token(who)});
        if (!accept.empty()) headers.push_back({"Accept", accept});
        auto response = client.request("GET", target, {}, headers);
        REQUIRE(response.ok());
        return *response;
    }
    json::object get_json(const std::string& who, const std::string& target, unsigned status = 200) {
        auto response = get(who, target);
        REQUIRE_MESSAGE(response.status == status, target << " → " << response.body);
        return body_of(response);
    }
};

// Every serial of a recall's unit list, following Link rel="next" from page to page.
std::vector<std::string> all_pages(Chain& chain, const std::string& who, std::string target, std::size_t& pages) {
    std::vector<std::string> serials;
    pages = 0;
    while (!target.empty()) {
        auto response = chain.get(who, target);
        REQUIRE_MESSAGE(response.status == 200, response.body);
        ++pages;
        auto body = body_of(response);
        for (const auto& unit : body.at("units").as_array()) serials.emplace_back(unit.at("serial").as_string());
        target = next_link(response);
        REQUIRE(pages < 100);
    }
    return serials;
}

}  // namespace

TEST_CASE("a recall's reach counts loose, dispensed, cased and in-transit pallet units, and pages through them") {
    TestNode node;
    node.start();
    Chain chain{node, node.client()};
    std::string prefix = node.company_prefix("acme-pharma");
    std::string maker_site = node.gln("acme-pharma");
    std::string wholesale_site = node.gln("medi-wholesale");
    std::string pharmacy_site = node.gln("corner-pharmacy");
    std::string gtin = cli::make_gtin(prefix, 21);
    auto units = cli::make_units(gtin, "A", 30);
    auto lot_b = cli::make_units(gtin, "B", 5);
    std::string case_1 = cli::make_sscc(prefix, 301), case_2 = cli::make_sscc(prefix, 302);
    std::string case_3 = cli::make_sscc(prefix, 303), pallet = cli::make_sscc(prefix, 304);
    std::int64_t& t = chain.t;

    chain.capture("acme-pharma", cli::commission_document(units, "LOT-A", "2030-06-30", maker_site, t++));
    chain.capture("acme-pharma", cli::commission_document(lot_b, "LOT-B", "2030-06-30", maker_site, t++));
    // A1..A4 loose to the pharmacy, received; A1 dispensed.
    chain.capture("acme-pharma", cli::ship_document(links(units, 0, 4), maker_site, pharmacy_site, t++));
    chain.capture("corner-pharmacy", cli::receive_document(links(units, 0, 4), pharmacy_site, t++));
    chain.capture("corner-pharmacy", cli::dispense_document(links(units, 0, 1), pharmacy_site, t++));
    // A5..A10 in a case, shipped to the wholesaler and received there.
    chain.capture("acme-pharma", cli::pack_document(case_1, links(units, 4, 6), maker_site, t++));
    chain.capture("acme-pharma", cli::ship_document({cli::sscc_link(case_1)}, maker_site, wholesale_site, t++));
    chain.capture("medi-wholesale", cli::receive_document({cli::sscc_link(case_1)}, wholesale_site, t++));
    // A11..A25 in two cases on a pallet, shipped to the wholesaler, not yet received. A26..A30 stay home.
    chain.capture("acme-pharma", cli::pack_document(case_2, links(units, 10, 10), maker_site, t++));
    chain.capture("acme-pharma", cli::pack_document(case_3, links(units, 20, 5), maker_site, t++));
    chain.capture("acme-pharma", cli::pack_document(pallet, {cli::sscc_link(case_2), cli::sscc_link(case_3)}, maker_site, t++));
    chain.capture("acme-pharma", cli::ship_document({cli::sscc_link(pallet)}, maker_site, wholesale_site, t++));

    // Who may recall, and what.
    auto by_wholesaler = chain.recall("medi-wholesale", gtin, {"LOT-A"});
    CHECK(by_wholesaler.status == 422);
    CHECK(has_problem(by_wholesaler, "not-manufacturer-or-regulator"));
    auto unknown_lot = chain.recall("acme-pharma", gtin, {"LOT-Z"});
    CHECK(unknown_lot.status == 422);
    CHECK(has_problem(unknown_lot, "unknown-lot"));
    auto recalled = chain.recall("acme-pharma", gtin, {"LOT-A"});
    REQUIRE_MESSAGE(recalled.status == 201, recalled.body);
    std::uint64_t recall_id = body_of(recalled).at("recall_id").to_number<std::uint64_t>();
    auto again = chain.recall("health-authority", gtin, {"LOT-A"});
    CHECK(again.status == 409);
    CHECK(has_problem(again, "already-recalled"));
    auto by_regulator = chain.recall("health-authority", gtin, {"LOT-B"});
    REQUIRE_MESSAGE(by_regulator.status == 201, by_regulator.body);

    // The whole reach, for the manufacturer and the regulator alike.
    std::string recall_path = fmt::format("/v1/recalls/{}", recall_id);
    for (const std::string who : {"acme-pharma", "health-authority"}) {
        auto recall = chain.get_json(who, recall_path);
        CHECK(recall.at("gtin").as_string() == gtin);
        CHECK(recall.at("withdrawal").as_bool() == false);
        CHECK(recall.at("class").as_string() == "II");
        const auto& reach = recall.at("reach").as_object();
        CHECK(reach.at("scope").as_string() == "all");
        CHECK(reach.at("units").to_number<std::uint64_t>() == 30);
        CHECK(reach.at("in_containers").to_number<std::uint64_t>() == 21);
        const auto& by_status = reach.at("by_status").as_object();
        CHECK(count(by_status, "dispensed") == 1);
        CHECK(count(by_status, "active") == 14);
        CHECK(count(by_status, "in_transit") == 15);
        const auto& by_custodian = reach.at("by_custodian").as_object();
        CHECK(count(by_custodian, "corner-pharmacy") == 4);
        CHECK(count(by_custodian, "medi-wholesale") == 6);
        CHECK(count(by_custodian, "acme-pharma") == 20);
        CHECK(count(reach.at("in_transit_to").as_object(), "medi-wholesale") == 15);
        const auto& by_location = reach.at("by_location").as_object();
        CHECK(count(by_location, wholesale_site) == 6);
        CHECK(count(by_location, pharmacy_site) == 4);
        CHECK(count(by_location, maker_site) == 20);
    }
    // Others see the recall, and the reach of their own units only.
    auto pharmacy_view = chain.get_json("corner-pharmacy", recall_path);
    CHECK(pharmacy_view.at("reason").as_string() == "out-of-specification dissolution");
    const auto& own = pharmacy_view.at("reach").as_object();
    CHECK(own.at("scope").as_string() == "own");
    CHECK(own.at("units").to_number<std::uint64_t>() == 4);
    CHECK(count(own.at("by_status").as_object(), "dispensed") == 1);
    CHECK(count(own.at("by_status").as_object(), "active") == 3);
    CHECK(own.at("by_custodian").as_object().size() == 1);
    auto wholesaler_view = chain.get_json("medi-wholesale", recall_path).at("reach").as_object();
    CHECK(wholesaler_view.at("units").to_number<std::uint64_t>() == 21);  // its case and the pallet shipped to it
    CHECK(count(wholesaler_view.at("by_status").as_object(), "in_transit") == 15);

    // The unit list pages by Link rel="next": every unit once, none missing.
    std::size_t pages = 0;
    auto serials = all_pages(chain, "acme-pharma", recall_path + "/units?perPage=7", pages);
    CHECK(pages == 5);
    CHECK(serials.size() == 30);
    std::set<std::string> distinct(serials.begin(), serials.end());
    CHECK(distinct.size() == 30);
    for (const auto& unit : units) CHECK(distinct.contains(unit.serial));
    auto pharmacy_serials = all_pages(chain, "corner-pharmacy", recall_path + "/units", pages);
    CHECK(std::set<std::string>(pharmacy_serials.begin(), pharmacy_serials.end()) ==
          std::set<std::string>{units[0].serial, units[1].serial, units[2].serial, units[3].serial});
    auto first_page = chain.get_json("health-authority", recall_path + "/units?perPage=1");
    const auto& first_unit = first_page.at("units").as_array().at(0).as_object();
    CHECK(first_unit.at("lot").as_string() == "LOT-A");
    CHECK(first_unit.contains("custodian"));
    CHECK(chain.get("acme-pharma", recall_path + "/units?perPage=1001").status == 400);
    CHECK(chain.get("acme-pharma", recall_path + "/units?next=zz").status == 400);

    // The CSV export: a header and every unit.
    auto csv = chain.get("acme-pharma", recall_path + "/units", "text/csv");
    REQUIRE(csv.status == 200);
    CHECK(csv.header("Content-Type").value_or("").starts_with("text/csv"));
    std::istringstream lines(csv.body);
    std::string line;
    std::getline(lines, line);
    CHECK(line == "gtin,serial,lot,expiry,status,custodian,location,destination,parent\r");
    std::set<std::string> csv_serials;
    while (std::getline(lines, line)) {
        if (line.empty()) continue;
        auto first_comma = line.find(',');
        csv_serials.insert(line.substr(first_comma + 1, line.find(',', first_comma + 1) - first_comma - 1));
    }
    CHECK(csv_serials == distinct);

    // Not found, not signed in, and the list everyone may read.
    CHECK(chain.get("acme-pharma", "/v1/recalls/99999").status == 404);
    CHECK(chain.get("acme-pharma", "/v1/recalls/1").status == 404);  // an entry, but not a recall
    CHECK(chain.get("", recall_path).status == 401);
    auto listed = chain.get("corner-pharmacy", "/v1/recalls?perPage=1");
    REQUIRE(listed.status == 200);
    CHECK(body_of(listed).at("recalls").as_array().size() == 1);
    std::string next = next_link(listed);
    REQUIRE_FALSE(next.empty());
    auto second = chain.get_json("corner-pharmacy", next);
    CHECK(second.at("recalls").as_array().at(0).at("lots").as_array().at(0).as_string() == "LOT-B");
}

TEST_CASE("a withdrawal covers every lot of the GTIN") {
    TestNode node;
    node.start();
    Chain chain{node, node.client()};
    std::string prefix = node.company_prefix("acme-pharma");
    std::string site = node.gln("acme-pharma");
    std::string gtin = cli::make_gtin(prefix, 22);
    chain.capture("acme-pharma", cli::commission_document(cli::make_units(gtin, "W", 3), "LOT-1", "2030-01-31", site, chain.t++));
    chain.capture("acme-pharma", cli::commission_document(cli::make_units(gtin, "X", 4), "LOT-2", "2030-01-31", site, chain.t++));
    auto unknown = chain.recall("acme-pharma", cli::make_gtin(prefix, 23), {});
    CHECK(unknown.status == 422);
    CHECK(has_problem(unknown, "unknown-product"));
    auto withdrawn = chain.recall("acme-pharma", gtin, {});
    REQUIRE_MESSAGE(withdrawn.status == 201, withdrawn.body);
    auto answer = body_of(withdrawn);
    CHECK(answer.at("withdrawal").as_bool());
    auto recall = chain.get_json("health-authority", fmt::format("/v1/recalls/{}", answer.at("recall_id").to_number<std::uint64_t>()));
    CHECK(recall.at("withdrawal").as_bool());
    CHECK(recall.at("reach").at("units").to_number<std::uint64_t>() == 7);
    CHECK(count(recall.at("reach").at("by_status").as_object(), "active") == 7);
    auto twice = chain.recall("health-authority", gtin, {});
    CHECK(twice.status == 409);
    CHECK(has_problem(twice, "already-withdrawn"));

    // The same through the command-line tool: a lot recall, then its reach printed.
    std::string rxledger = std::string(RXL_BINARY_DIR) + "/server/rxledger";
    std::string connection = fmt::format("--node https://localhost:{} --ca {}", node.port(), node.client_options().ca_file);
    std::string other = cli::make_gtin(prefix, 25);
    chain.capture("acme-pharma", cli::commission_document(cli::make_units(other, "C", 2), "LOT-C", "2030-01-31", site, chain.t++));
    std::string posted = rxl::test::run_command(fmt::format("{} recall {} --key {} --gtin {} --lot LOT-C --class I --reason 'label error'",
                                                            rxledger, connection, (node.dir() / "keys" / "acme-pharma.key").string(), other));
    CHECK(posted.starts_with("201 "));
    auto id = json::parse(posted.substr(4)).at("recall_id").to_number<std::uint64_t>();
    std::string printed = rxl::test::run_command(fmt::format("{} reach {} {} --token {}", rxledger, id, connection, node.token("health-authority")));
    CHECK(printed.find("units: 2 (0 inside cases or pallets; scope all)") != std::string::npos);
    CHECK(printed.find("active") != std::string::npos);
    CHECK_THROWS(rxl::test::run_command(fmt::format("{} reach 99999 {} --token {}", rxledger, connection, node.token("health-authority"))));
}

// No endpoint raises an alert yet (verification will); this checks the access rule and the filters'
// validation on an empty list.
TEST_CASE("alerts are read by regulators and manufacturers only, filters are checked") {
    TestNode node;
    node.start();
    Chain chain{node, node.client()};
    std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 24);
    CHECK(chain.get("", "/v1/alerts").status == 401);
    CHECK(chain.get("corner-pharmacy", "/v1/alerts").status == 404);
    CHECK(has_problem(chain.get("medi-wholesale", "/v1/alerts"), "alerts-not-found"));
    CHECK(chain.get_json("health-authority", "/v1/alerts").at("alerts").as_array().empty());
    auto filtered = chain.get_json("acme-pharma", fmt::format("/v1/alerts?gtin={}&lot=L1&code=UNKNOWN_SERIAL"
                                                              "&from=2025-01-01T00:00:00Z&to=1900000000000&perPage=10", gtin));
    CHECK(filtered.at("alerts").as_array().empty());
    CHECK(chain.get("health-authority", "/v1/alerts?from=yesterday").status == 400);
    CHECK(chain.get("health-authority", "/v1/alerts?gtin=12345").status == 400);
    CHECK(chain.get("health-authority", "/v1/alerts?perPage=0").status == 400);
}
