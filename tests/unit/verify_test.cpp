// The verification decision (ledger/verify/verify.hpp): one test per code of DESIGN.md's table, one per
// precedence decision, the custody rule, and the /v1/verify JSON.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "ledger/core/time.hpp"
#include "ledger/verify/verify.hpp"
#include "ledger/verify/verify_json.hpp"
#include "tests/unit/verify_world.hpp"

using namespace rxl;
using namespace rxl::test;
using verify::Code;

namespace {

verify::Verification check(const verify::VerifyFacts& facts, const verify::Caller& caller = pharmacy_a,
                           const gs1::Scan& scan = pack_scan()) {
    return verify::verify(scan, facts, caller, today);
}

std::string alert_emvs(const verify::Verification& answer) { return answer.alert ? answer.alert->emvs : "none"; }

}  // namespace

// ---- one test per code ------------------------------------------------------------------------------------

TEST_CASE("verify: OK: a genuine active pack in the caller's custody may be dispensed") {
    const auto answer = check(genuine_facts());
    CHECK(answer.code == Code::ok);
    CHECK(answer.genuine);
    CHECK(answer.dispensable);
    CHECK(answer.status == "active");
    CHECK(answer.custodian == "pharmacy-a");
    CHECK(answer.location == gln_pharmacy_a);
    CHECK(answer.product.gtin == pack_gtin);
    CHECK(answer.product.lot == "L1");
    CHECK(answer.product.expiry == "2027-05-31");
    CHECK(answer.product.manufacturer == "acme");
    CHECK(answer.ledger_size == 42);
    CHECK_FALSE(answer.alert.has_value());
    CHECK_FALSE(answer.decommissioned.has_value());
    CHECK(contains(answer.message, "you may dispense it"));
}

TEST_CASE("verify: UNKNOWN_PRODUCT: a GTIN nobody commissioned, without an alert") {
    verify::VerifyFacts facts;
    facts.ledger_size = 7;
    const auto answer = check(facts);
    CHECK(answer.code == Code::unknown_product);
    CHECK_FALSE(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status.empty());
    CHECK(answer.product.gtin == pack_gtin);
    CHECK(answer.product.manufacturer.empty());
    CHECK(answer.ledger_size == 7);
    CHECK_FALSE(answer.alert.has_value());
    CHECK(contains(answer.message, std::string(pack_gtin)));
}

TEST_CASE("verify: UNKNOWN_SERIAL: a known GTIN and lot but an unknown serial raises A3") {
    const auto answer = check(facts_without_unit(true), pharmacy_a, pack_scan("FAKE9"));
    CHECK(answer.code == Code::unknown_serial);
    CHECK_FALSE(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status.empty());
    CHECK(answer.custodian.empty());
    CHECK(alert_emvs(answer) == "A3");
    CHECK(answer.alert->code == Code::unknown_serial);
    CHECK(contains(answer.message, "FAKE9"));
    CHECK(contains(answer.message, "Do not dispense"));
}

TEST_CASE("verify: UNKNOWN_LOT: a lot never commissioned for the GTIN raises A2") {
    const auto answer = check(facts_without_unit(false), pharmacy_a, pack_scan("FAKE9", "LX"));
    CHECK(answer.code == Code::unknown_lot);
    CHECK_FALSE(answer.genuine);
    CHECK(alert_emvs(answer) == "A2");
    CHECK(answer.product.lot == "LX");
    CHECK(contains(answer.message, "Lot LX"));
}

TEST_CASE("verify: LOT_MISMATCH: the serial exists in another lot, raises A68 and reveals nothing of the unit") {
    const auto answer = check(genuine_facts(), pharmacy_b, pack_scan("S1", "L2"));
    CHECK(answer.code == Code::lot_mismatch);
    CHECK_FALSE(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(alert_emvs(answer) == "A68");
    CHECK_FALSE(answer.lot_matches);
    CHECK(answer.expiry_matches);
    CHECK(answer.status.empty());
    CHECK(answer.custodian.empty());
    CHECK(answer.location.empty());
    CHECK(answer.product.lot == "L2");
    CHECK(contains(answer.message, "in lot L1, not in the scanned lot L2"));
}

TEST_CASE("verify: EXPIRY_MISMATCH: serial and lot match, the expiry does not, raises A52") {
    const auto answer = check(genuine_facts(), pharmacy_a, pack_scan("S1", "L1", "270600"));  // → 2027-06-30
    CHECK(answer.code == Code::expiry_mismatch);
    CHECK_FALSE(answer.genuine);
    CHECK(alert_emvs(answer) == "A52");
    CHECK(answer.lot_matches);
    CHECK_FALSE(answer.expiry_matches);
    CHECK(answer.product.expiry == "2027-06-30");
    CHECK(contains(answer.message, "2027-05-31"));
}

TEST_CASE("verify: ALREADY_DECOMMISSIONED: says what, when, where and by whom, and alerts A24 from elsewhere") {
    const auto answer = check(facts_with(decommissioned_unit(UnitStatus::dispensed)), pharmacy_b);
    CHECK(answer.code == Code::already_decommissioned);
    CHECK(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status == "dispensed");
    CHECK(alert_emvs(answer) == "A24");
    REQUIRE(answer.decommissioned.has_value());
    CHECK(answer.decommissioned->state == "dispensed");
    CHECK(answer.decommissioned->at_ms == march_first_2025_1402_ms);
    CHECK(answer.decommissioned->location == gln_pharmacy_a);
    CHECK(answer.decommissioned->by == "pharmacy-a");
    CHECK(contains(answer.message, "already dispensed on 2025-03-01 14:02 UTC at location " + gln_pharmacy_a +
                                       " by pharmacy-a"));
}

TEST_CASE("verify: ALREADY_DECOMMISSIONED raises no alert where the pack was decommissioned") {
    SUBCASE("the same location") {
        const auto answer = check(facts_with(decommissioned_unit(UnitStatus::dispensed)), pharmacy_a);
        CHECK(answer.code == Code::already_decommissioned);
        CHECK_FALSE(answer.alert.has_value());
        CHECK(contains(answer.message, "undo it"));
    }
    SUBCASE("no location named by the caller: the same participant") {
        const auto answer = check(facts_with(decommissioned_unit(UnitStatus::dispensed)), {"pharmacy-a", ""});
        CHECK_FALSE(answer.alert.has_value());
    }
    SUBCASE("no location named by the caller: another participant alerts") {
        const auto answer = check(facts_with(decommissioned_unit(UnitStatus::dispensed)), {"pharmacy-b", ""});
        CHECK(alert_emvs(answer) == "A24");
    }
    SUBCASE("no decommission location recorded: the same participant at another GLN") {
        const auto answer = check(facts_with(decommissioned_unit(UnitStatus::exported, "pharmacy-a", "")),
                                  {"pharmacy-a", gln_pharmacy_b});
        CHECK_FALSE(answer.alert.has_value());
        CHECK(contains(answer.message, "exported on 2025-03-01 14:02 UTC at an unrecorded location"));
    }
    SUBCASE("a destroyed pack cannot be undone, so the message does not offer it") {
        const auto answer = check(facts_with(decommissioned_unit(UnitStatus::destroyed)), pharmacy_a);
        CHECK(answer.status == "destroyed");
        CHECK_FALSE(contains(answer.message, "undo"));
    }
}

TEST_CASE("verify: RECALLED: genuine, not dispensable, says the class and date, no alert") {
    auto facts = genuine_facts();
    facts.lot_recall = class_one_recall();
    const auto answer = check(facts);
    CHECK(answer.code == Code::recalled);
    CHECK(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status == "recalled");
    CHECK_FALSE(answer.alert.has_value());
    CHECK(contains(answer.message, "Lot L1 of this product was recalled (class I) on 2025-03-01"));
}

TEST_CASE("verify: WITHDRAWN: the whole GTIN is withdrawn") {
    auto facts = genuine_facts();
    facts.withdrawal = verify::RecallMark{80, "", march_first_2025_1402_ms};
    const auto answer = check(facts);
    CHECK(answer.code == Code::withdrawn);
    CHECK(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status == "withdrawn");
    CHECK_FALSE(answer.alert.has_value());
    CHECK(contains(answer.message, "withdrawn from the market on 2025-03-01"));
}

TEST_CASE("verify: EXPIRED: the expiry date is before today, the expiry day itself is still good") {
    SUBCASE("expired yesterday") {
        UnitState unit = pack_unit();
        unit.expiry = "2026-01-14";
        const auto answer = check(facts_with(unit), pharmacy_a, pack_scan("S1", "L1", "260114"));
        CHECK(answer.code == Code::expired);
        CHECK(answer.genuine);
        CHECK_FALSE(answer.dispensable);
        CHECK(answer.status == "expired");
        CHECK_FALSE(answer.alert.has_value());
        CHECK(contains(answer.message, "expired on 2026-01-14"));
    }
    SUBCASE("expires today") {
        UnitState unit = pack_unit();
        unit.expiry = "2026-01-15";
        const auto answer = check(facts_with(unit), pharmacy_a, pack_scan("S1", "L1", "260115"));
        CHECK(answer.code == Code::ok);
        CHECK(answer.dispensable);
    }
}

TEST_CASE("verify: STOLEN: genuine, investigate, alert A24") {
    const auto answer = check(facts_with(decommissioned_unit(UnitStatus::stolen, "wholesaler-w", "")), pharmacy_a);
    CHECK(answer.code == Code::stolen);
    CHECK(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status == "stolen");
    CHECK(alert_emvs(answer) == "A24");
    CHECK(answer.alert->code == Code::stolen);
    REQUIRE(answer.decommissioned.has_value());
    CHECK(answer.decommissioned->by == "wholesaler-w");
    CHECK(contains(answer.message, "reported stolen on 2025-03-01 14:02 UTC"));
}

TEST_CASE("verify: LOCKED: genuine, quarantined, alert A24 even where it was locked") {
    const auto answer = check(facts_with(decommissioned_unit(UnitStatus::locked)), pharmacy_a);
    CHECK(answer.code == Code::locked);
    CHECK(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status == "locked");
    CHECK(alert_emvs(answer) == "A24");
    CHECK(answer.alert->code == Code::locked);
}

TEST_CASE("verify: BAD_SCAN: the parser's hint reaches the pharmacist, never an alert") {
    auto parsed = gs1::parse_scan("]d20109506000134353");
    REQUIRE_FALSE(parsed.ok());
    const auto answer = verify::bad_scan_verification(parsed.error());
    CHECK(answer.code == Code::bad_scan);
    CHECK_FALSE(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK_FALSE(answer.alert.has_value());
    CHECK(answer.message == parsed.error().detail);
    CHECK_FALSE(answer.message.empty());
    CHECK(answer.product.gtin.empty());
}

TEST_CASE("verify: BAD_SCAN: a scan without serial, lot or expiry cannot be verified") {
    SUBCASE("no serial (a linear barcode)") {
        const auto answer = check(facts_without_unit(true), pharmacy_a, pack_scan("", "L1"));
        CHECK(answer.code == Code::bad_scan);
        CHECK_FALSE(answer.alert.has_value());
        CHECK(contains(answer.message, "DataMatrix"));
    }
    SUBCASE("no lot") {
        CHECK(check(genuine_facts(), pharmacy_a, pack_scan("S1", "")).code == Code::bad_scan);
    }
    SUBCASE("no expiry") {
        CHECK(check(genuine_facts(), pharmacy_a, pack_scan("S1", "L1", "")).code == Code::bad_scan);
    }
}

TEST_CASE("verify: NOT_IN_CUSTODY: a genuine active pack held by someone else is genuine, not dispensable, no alert") {
    const auto answer = check(genuine_facts(), pharmacy_b);
    CHECK(answer.code == Code::not_in_custody);
    CHECK(answer.genuine);
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status == "active");
    CHECK(answer.custodian == "pharmacy-a");
    CHECK_FALSE(answer.alert.has_value());
    CHECK(contains(answer.message, "held by pharmacy-a, not with you"));
}

TEST_CASE("verify: NOT_RECEIVED: a genuine pack shipped to the caller, not yet received, waits for its receipt") {
    UnitState unit = pack_unit();
    unit.status = UnitStatus::in_transit;
    unit.custodian = "wholesaler-w";
    unit.location = gln("409876500009");
    unit.destination = "pharmacy-b";
    const auto answer = check(facts_with(unit), pharmacy_b);
    CHECK(answer.code == Code::not_received);
    CHECK(answer.genuine);
    // The pack rules refuse to dispense a pack the caller does not hold yet: verification must not offer it.
    CHECK_FALSE(answer.dispensable);
    CHECK(answer.status == "in_transit");
    CHECK(answer.custodian == "wholesaler-w");
    CHECK_FALSE(answer.alert.has_value());
    CHECK(contains(answer.message, "shipped to you by wholesaler-w"));
    CHECK(contains(answer.message, "Record the receipt"));
    CHECK_FALSE(contains(answer.message, "you may dispense"));
    CHECK(verify::to_json(answer).at("code").as_string() == "NOT_RECEIVED");

    SUBCASE("once received it is the caller's and OK") {
        unit.status = UnitStatus::active;
        unit.custodian = "pharmacy-b";
        unit.location = gln_pharmacy_b;
        const auto received = check(facts_with(unit), pharmacy_b);
        CHECK(received.code == Code::ok);
        CHECK(received.dispensable);
    }
    SUBCASE("recall, withdrawal and expiry still come first") {
        auto recalled = facts_with(unit);
        recalled.lot_recall = class_one_recall();
        CHECK(check(recalled, pharmacy_b).code == Code::recalled);
        unit.expiry = "2025-12-31";
        CHECK(check(facts_with(unit), pharmacy_b, pack_scan("S1", "L1", "251231")).code == Code::expired);
    }
}

TEST_CASE("verify: every code has its stable spelling") {
    CHECK(verify::to_string(Code::ok) == "OK");
    CHECK(verify::to_string(Code::unknown_product) == "UNKNOWN_PRODUCT");
    CHECK(verify::to_string(Code::unknown_serial) == "UNKNOWN_SERIAL");
    CHECK(verify::to_string(Code::unknown_lot) == "UNKNOWN_LOT");
    CHECK(verify::to_string(Code::lot_mismatch) == "LOT_MISMATCH");
    CHECK(verify::to_string(Code::expiry_mismatch) == "EXPIRY_MISMATCH");
    CHECK(verify::to_string(Code::already_decommissioned) == "ALREADY_DECOMMISSIONED");
    CHECK(verify::to_string(Code::recalled) == "RECALLED");
    CHECK(verify::to_string(Code::withdrawn) == "WITHDRAWN");
    CHECK(verify::to_string(Code::expired) == "EXPIRED");
    CHECK(verify::to_string(Code::stolen) == "STOLEN");
    CHECK(verify::to_string(Code::locked) == "LOCKED");
    CHECK(verify::to_string(Code::not_in_custody) == "NOT_IN_CUSTODY");
    CHECK(verify::to_string(Code::not_received) == "NOT_RECEIVED");
    CHECK(verify::to_string(Code::bad_scan) == "BAD_SCAN");
}

// ---- precedence -------------------------------------------------------------------------------------------

TEST_CASE("verify: precedence: UNKNOWN_PRODUCT before an incomplete scan") {
    verify::VerifyFacts facts;
    CHECK(check(facts, pharmacy_a, pack_scan("", "", "")).code == Code::unknown_product);
}

TEST_CASE("verify: precedence: an incomplete scan is BAD_SCAN, not UNKNOWN_SERIAL, so it raises no alert") {
    const auto answer = check(facts_without_unit(true), pharmacy_a, pack_scan("S1", "L1", ""));
    CHECK(answer.code == Code::bad_scan);
    CHECK_FALSE(answer.alert.has_value());
}

TEST_CASE("verify: precedence: UNKNOWN_LOT before UNKNOWN_SERIAL when neither exists") {
    CHECK(check(facts_without_unit(false)).code == Code::unknown_lot);
    CHECK(check(facts_without_unit(true)).code == Code::unknown_serial);
}

TEST_CASE("verify: precedence: LOT_MISMATCH even if the lot is recalled, and before EXPIRY_MISMATCH") {
    auto facts = genuine_facts();
    facts.lot_recall = class_one_recall();
    const auto answer = check(facts, pharmacy_a, pack_scan("S1", "L2", "270600"));
    CHECK(answer.code == Code::lot_mismatch);
    CHECK_FALSE(answer.lot_matches);
    CHECK_FALSE(answer.expiry_matches);
    CHECK(answer.status.empty());
}

TEST_CASE("verify: precedence: a serial that exists in another lot is LOT_MISMATCH even if the scanned lot is unknown") {
    auto facts = genuine_facts();
    facts.scanned_lot_known = false;
    CHECK(check(facts, pharmacy_a, pack_scan("S1", "LX")).code == Code::lot_mismatch);
}

TEST_CASE("verify: precedence: EXPIRY_MISMATCH before the unit's state (a stolen unit's twin is not STOLEN)") {
    const auto answer =
        check(facts_with(decommissioned_unit(UnitStatus::stolen)), pharmacy_a, pack_scan("S1", "L1", "270600"));
    CHECK(answer.code == Code::expiry_mismatch);
    CHECK_FALSE(answer.decommissioned.has_value());
}

TEST_CASE("verify: precedence: STOLEN beats recall, withdrawal and expiry") {
    UnitState unit = decommissioned_unit(UnitStatus::stolen);
    unit.expiry = "2025-12-31";
    auto facts = facts_with(unit);
    facts.lot_recall = class_one_recall();
    facts.withdrawal = class_one_recall();
    const auto answer = check(facts, pharmacy_b, pack_scan("S1", "L1", "251231"));
    CHECK(answer.code == Code::stolen);
    CHECK(answer.status == "stolen");
}

TEST_CASE("verify: precedence: LOCKED beats a recall") {
    auto facts = facts_with(decommissioned_unit(UnitStatus::locked));
    facts.lot_recall = class_one_recall();
    CHECK(check(facts).code == Code::locked);
}

TEST_CASE("verify: precedence: ALREADY_DECOMMISSIONED beats a recall, and keeps its alert") {
    auto facts = facts_with(decommissioned_unit(UnitStatus::dispensed));
    facts.lot_recall = class_one_recall();
    const auto answer = check(facts, pharmacy_b);
    CHECK(answer.code == Code::already_decommissioned);
    CHECK(answer.status == "dispensed");
    CHECK(alert_emvs(answer) == "A24");
}

TEST_CASE("verify: precedence: RECALLED beats WITHDRAWN and EXPIRED") {
    UnitState unit = pack_unit();
    unit.expiry = "2025-12-31";
    auto facts = facts_with(unit);
    facts.lot_recall = class_one_recall();
    facts.withdrawal = verify::RecallMark{80, "", march_first_2025_1402_ms};
    CHECK(check(facts, pharmacy_a, pack_scan("S1", "L1", "251231")).code == Code::recalled);
}

TEST_CASE("verify: precedence: WITHDRAWN beats EXPIRED") {
    UnitState unit = pack_unit();
    unit.expiry = "2025-12-31";
    auto facts = facts_with(unit);
    facts.withdrawal = verify::RecallMark{80, "", march_first_2025_1402_ms};
    CHECK(check(facts, pharmacy_a, pack_scan("S1", "L1", "251231")).code == Code::withdrawn);
}

TEST_CASE("verify: precedence: EXPIRED and RECALLED beat NOT_IN_CUSTODY") {
    UnitState unit = pack_unit();
    unit.expiry = "2025-12-31";
    CHECK(check(facts_with(unit), pharmacy_b, pack_scan("S1", "L1", "251231")).code == Code::expired);
    auto recalled = genuine_facts();
    recalled.lot_recall = class_one_recall();
    CHECK(check(recalled, pharmacy_b).code == Code::recalled);
}

// ---- custody ----------------------------------------------------------------------------------------------

TEST_CASE("verify: custody: dispensable only when held by the caller") {
    SUBCASE("in transit to the caller: not yet, the receipt comes first") {
        UnitState unit = pack_unit();
        unit.status = UnitStatus::in_transit;
        unit.custodian = "wholesaler-w";
        unit.destination = "pharmacy-b";
        const auto answer = check(facts_with(unit), pharmacy_b);
        CHECK(answer.code == Code::not_received);
        CHECK_FALSE(answer.dispensable);
        CHECK(answer.status == "in_transit");
    }
    SUBCASE("in transit to someone else") {
        UnitState unit = pack_unit();
        unit.status = UnitStatus::in_transit;
        unit.custodian = "wholesaler-w";
        unit.destination = "pharmacy-a";
        const auto answer = check(facts_with(unit), pharmacy_b);
        CHECK(answer.code == Code::not_in_custody);
        CHECK_FALSE(answer.dispensable);
        CHECK(contains(answer.message, "in transit from wholesaler-w"));
        CHECK_FALSE(contains(answer.message, "pharmacy-a"));  // does not tell a third party where it goes
    }
    SUBCASE("shipped away by the caller: no longer the caller's to dispense") {
        UnitState unit = pack_unit();
        unit.status = UnitStatus::in_transit;
        unit.destination = "pharmacy-b";
        const auto answer = check(facts_with(unit), pharmacy_a);
        CHECK(answer.code == Code::not_in_custody);
        CHECK(answer.genuine);
    }
    SUBCASE("the location does not matter, the participant does") {
        const auto answer = check(genuine_facts(), {"pharmacy-a", gln_pharmacy_b});
        CHECK(answer.code == Code::ok);
    }
}

TEST_CASE("verify: the manufacturer falls back to the unit's owner when no participant owns the prefix") {
    auto facts = genuine_facts();
    facts.manufacturer.clear();
    CHECK(check(facts).product.manufacturer == "acme");
}

// ---- time text and JSON ------------------------------------------------------------------------------------

TEST_CASE("verify: instants are spelled in UTC with milliseconds") {
    CHECK(iso8601_utc(march_first_2025_1402_ms) == "2025-03-01T14:02:03.123Z");
    CHECK(iso8601_utc(0) == "1970-01-01T00:00:00.000Z");
    CHECK(iso8601_utc(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(utc_minute_text(march_first_2025_1402_ms) == "2025-03-01 14:02 UTC");
    CHECK(utc_date_text(march_first_2025_1402_ms) == "2025-03-01");
}

TEST_CASE("verify: to_json: an ALREADY_DECOMMISSIONED answer, member by member") {
    const auto answer = check(facts_with(decommissioned_unit(UnitStatus::dispensed)), pharmacy_b);
    boost::json::object expected{
        {"genuine", true},
        {"dispensable", false},
        {"status", "dispensed"},
        {"code", "ALREADY_DECOMMISSIONED"},
        {"message", answer.message},
        {"product", {{"gtin", pack_gtin}, {"serial", "S1"}, {"lot", "L1"}, {"expiry", "2027-05-31"}, {"manufacturer", "acme"}}},
        {"custodian", "pharmacy-a"},
        {"location", gln_pharmacy_a},
        {"decommissioned",
         {{"state", "dispensed"}, {"at", "2025-03-01T14:02:03.123Z"}, {"location", gln_pharmacy_a}, {"by", "pharmacy-a"}}},
        {"alert", {{"code", "ALREADY_DECOMMISSIONED"}, {"emvs", "A24"}}},
        {"ledger_size", 42},
    };
    CHECK(boost::json::serialize(verify::to_json(answer)) == boost::json::serialize(expected));
}

TEST_CASE("verify: to_json: what a pack that is not genuine leaves null") {
    const auto json = verify::to_json(check(facts_without_unit(true), pharmacy_a, pack_scan("FAKE9")));
    CHECK(json.at("genuine") == false);
    CHECK(json.at("code") == "UNKNOWN_SERIAL");
    CHECK(json.at("status").is_null());
    CHECK(json.at("custodian").is_null());
    CHECK(json.at("location").is_null());
    CHECK(json.at("decommissioned").is_null());
    CHECK(json.at("alert").at("emvs") == "A3");
    CHECK(json.at("product").at("lot") == "L1");
    CHECK(json.at("ledger_size").to_number<std::uint64_t>() == 42);
}

TEST_CASE("verify: to_json: a BAD_SCAN has no product and no alert") {
    const auto json = verify::to_json(
        verify::bad_scan_verification(make_error(ErrorKind::invalid_input, "bad-scan", "Scan again.")));
    CHECK(json.at("code") == "BAD_SCAN");
    CHECK(json.at("message") == "Scan again.");
    CHECK(json.at("product").is_null());
    CHECK(json.at("alert").is_null());
    CHECK(json.at("dispensable") == false);
}
