// The DSCSA VRS face (ledger/verify/vrs.hpp): the answer for every verification code, the answer document,
// and the checks of the request's own parameters.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "ledger/verify/vrs.hpp"
#include "tests/unit/verify_world.hpp"

using namespace rxl;
using namespace rxl::test;
using verify::Code;
using verify::VrsAnswer;

namespace {

// The VRS answer of verifying `scan` against `facts`, asking as pharmacy B (a wholesaler taking a return
// would be just as much a stranger to the unit's custody).
VrsAnswer vrs_of(const verify::VerifyFacts& facts, const gs1::Scan& scan = pack_scan(),
                 Code expected_code = Code::ok) {
    const auto verification = verify::verify(scan, facts, pharmacy_b, today);
    REQUIRE(verification.code == expected_code);
    return verify::vrs_answer(verification);
}

verify::VrsRequest valid_request() {
    return {"9506000134352", "L1", "S1", "270531", "verificationService", "dscsaSaleableReturn", gln_pharmacy_b,
            "5c2e6a8e-0f8e-4c3b-9f1d-2a7b9c0d1e2f"};
}

// The pointer of a refused request; fails the test if the request was accepted.
std::string refused_at(const verify::VrsRequest& request) {
    auto result = verify::check_vrs_request(request);
    if (result.ok()) FAIL("accepted");
    CHECK(result.error().kind == ErrorKind::invalid_input);
    CHECK(result.error().code == "bad-vrs-request");
    CHECK_FALSE(result.error().detail.empty());
    return result.error().pointer;
}

}  // namespace

// ---- the answer for every code ------------------------------------------------------------------------------

TEST_CASE("verify VRS: a matching pack is verified with nothing to add, whoever holds it") {
    CHECK(vrs_of(genuine_facts(), pack_scan(), Code::not_in_custody) == VrsAnswer{true, {}, {}});
    // Shipped to the requestor and not yet received: the product is verified; the receipt is no VRS question.
    UnitState shipped = pack_unit();
    shipped.status = UnitStatus::in_transit;
    shipped.destination = "pharmacy-b";
    CHECK(vrs_of(facts_with(shipped), pack_scan(), Code::not_received) == VrsAnswer{true, {}, {}});
    const auto ok = verify::verify(pack_scan(), genuine_facts(), pharmacy_a, today);
    REQUIRE(ok.code == Code::ok);
    CHECK(verify::vrs_answer(ok) == VrsAnswer{true, {}, {}});
}

TEST_CASE("verify VRS: recalled and withdrawn packs are verified with additionalInfo Recalled") {
    auto recalled = genuine_facts();
    recalled.lot_recall = class_one_recall();
    CHECK(vrs_of(recalled, pack_scan(), Code::recalled) == VrsAnswer{true, {}, "Recalled"});
    auto withdrawn = genuine_facts();
    withdrawn.withdrawal = class_one_recall();
    CHECK(vrs_of(withdrawn, pack_scan(), Code::withdrawn) == VrsAnswer{true, {}, "Recalled"});
}

TEST_CASE("verify VRS: an expired pack is verified with additionalInfo Expired") {
    UnitState unit = pack_unit();
    unit.expiry = "2025-12-31";
    CHECK(vrs_of(facts_with(unit), pack_scan("S1", "L1", "251231"), Code::expired) == VrsAnswer{true, {}, "Expired"});
}

TEST_CASE("verify VRS: locked and already decommissioned packs are Suspect, not for re-distribution") {
    CHECK(vrs_of(facts_with(decommissioned_unit(UnitStatus::locked)), pack_scan(), Code::locked) ==
          VrsAnswer{false, "Not_for_re-distribution", "Suspect"});
    CHECK(vrs_of(facts_with(decommissioned_unit(UnitStatus::dispensed)), pack_scan(), Code::already_decommissioned) ==
          VrsAnswer{false, "Not_for_re-distribution", "Suspect"});
}

TEST_CASE("verify VRS: a stolen pack is Illegitimate, not for re-distribution") {
    CHECK(vrs_of(facts_with(decommissioned_unit(UnitStatus::stolen)), pack_scan(), Code::stolen) ==
          VrsAnswer{false, "Not_for_re-distribution", "Illegitimate"});
}

TEST_CASE("verify VRS: a lot mismatch names the lot, and the expiry when it differs too") {
    CHECK(vrs_of(genuine_facts(), pack_scan("S1", "L2"), Code::lot_mismatch) ==
          VrsAnswer{false, "No_match_GTIN_Serial_Lot", {}});
    CHECK(vrs_of(genuine_facts(), pack_scan("S1", "L2", "270600"), Code::lot_mismatch) ==
          VrsAnswer{false, "No_match_GTIN_Serial_Lot_Expiry", {}});
}

TEST_CASE("verify VRS: an expiry mismatch") {
    CHECK(vrs_of(genuine_facts(), pack_scan("S1", "L1", "270600"), Code::expiry_mismatch) ==
          VrsAnswer{false, "No_match_GTIN_Serial_Expiry", {}});
}

TEST_CASE("verify VRS: an unknown serial, lot or product does not match GTIN and serial") {
    const VrsAnswer no_match{false, "No_match_GTIN_Serial", {}};
    CHECK(vrs_of(facts_without_unit(true), pack_scan("FAKE9"), Code::unknown_serial) == no_match);
    CHECK(vrs_of(facts_without_unit(false), pack_scan("FAKE9", "LX"), Code::unknown_lot) == no_match);
    CHECK(vrs_of(verify::VerifyFacts{}, pack_scan(), Code::unknown_product) == no_match);
}

TEST_CASE("verify VRS: a bad scan gives no reason") {
    const auto bad = verify::bad_scan_verification(make_error(ErrorKind::invalid_input, "bad-scan", "x"));
    CHECK(verify::vrs_answer(bad) == VrsAnswer{false, "No_reason_provided", {}});
}

// ---- the answer document ------------------------------------------------------------------------------------

TEST_CASE("verify VRS document: a verified pack leaves out the reason and the additional information") {
    const auto verification = verify::verify(pack_scan(), genuine_facts(), pharmacy_a, today);
    const auto document = verify::to_vrs_json(verification, valid_request(),
                                              {"0614141000005", march_first_2025_1402_ms});
    const boost::json::object expected{
        {"verificationTimestamp", "2025-03-01T14:02:03.123Z"},
        {"responderGLN", "0614141000005"},
        {"data", {{"verified", true}}},
        {"corrUUID", "5c2e6a8e-0f8e-4c3b-9f1d-2a7b9c0d1e2f"},
    };
    CHECK(boost::json::serialize(document) == boost::json::serialize(expected));
}

TEST_CASE("verify VRS document: a failed verification carries its reason and information") {
    const auto verification =
        verify::verify(pack_scan(), facts_with(decommissioned_unit(UnitStatus::stolen)), pharmacy_b, today);
    const auto document = verify::to_vrs_json(verification, valid_request(), {"0614141000005", 0});
    const auto& data = document.at("data").as_object();
    CHECK(data.at("verified") == false);
    CHECK(data.at("verificationFailureReason") == "Not_for_re-distribution");
    CHECK(data.at("additionalInfo") == "Illegitimate");
    CHECK(document.at("verificationTimestamp") == "1970-01-01T00:00:00.000Z");
}

// ---- the request ----------------------------------------------------------------------------------------------

TEST_CASE("verify VRS request: a valid request gives the scan to verify, the GTIN padded to 14 digits") {
    auto scan = verify::check_vrs_request(valid_request());
    REQUIRE(scan.ok());
    CHECK(scan->gtin == pack_gtin);
    CHECK(scan->lot == "L1");
    CHECK(scan->serial == "S1");
    CHECK(scan->expiry == "270531");
    CHECK(scan->expiry_date == "2027-05-31");
}

TEST_CASE("verify VRS request: optional parameters and their other spellings") {
    auto request = valid_request();
    SUBCASE("no linkType and no context") {
        request.link_type.clear();
        request.context.clear();
    }
    SUBCASE("linkType as a compact URI") { request.link_type = "gs1:verificationService"; }
    SUBCASE("linkType as a full URI") { request.link_type = "https://gs1.org/voc/verificationService"; }
    SUBCASE("corrUUID in upper case") { request.corr_uuid = "5C2E6A8E-0F8E-4C3B-9F1D-2A7B9C0D1E2F"; }
    SUBCASE("exp with day 00: the end of the month") { request.exp = "270500"; }
    CHECK(verify::check_vrs_request(request).ok());
}

TEST_CASE("verify VRS request: each bad parameter is named") {
    auto request = valid_request();
    SUBCASE("exp missing") {
        request.exp.clear();
        CHECK(refused_at(request) == "/exp");
    }
    SUBCASE("exp not YYMMDD") {
        request.exp = "2027-05-31";
        CHECK(refused_at(request) == "/exp");
    }
    SUBCASE("exp not a date") {
        request.exp = "271301";
        CHECK(refused_at(request) == "/exp");
    }
    SUBCASE("linkType another link type") {
        request.link_type = "pip";
        CHECK(refused_at(request) == "/linkType");
    }
    SUBCASE("context unknown") {
        request.context = "dscsaSaleable";
        CHECK(refused_at(request) == "/context");
    }
    SUBCASE("reqGLN missing") {
        request.req_gln.clear();
        CHECK(refused_at(request) == "/reqGLN");
    }
    SUBCASE("reqGLN with a wrong check digit") {
        request.req_gln.back() = request.req_gln.back() == '9' ? '0' : static_cast<char>(request.req_gln.back() + 1);
        CHECK(refused_at(request) == "/reqGLN");
    }
    SUBCASE("reqGLN of 12 digits") {
        request.req_gln = "409876500001";
        CHECK(refused_at(request) == "/reqGLN");
    }
    SUBCASE("corrUUID missing") {
        request.corr_uuid.clear();
        CHECK(refused_at(request) == "/corrUUID");
    }
    SUBCASE("corrUUID without hyphens") {
        request.corr_uuid = "5c2e6a8e0f8e4c3b9f1d2a7b9c0d1e2f";
        CHECK(refused_at(request) == "/corrUUID");
    }
    SUBCASE("corrUUID with a letter that is not hexadecimal") {
        request.corr_uuid = "5c2e6a8e-0f8e-4c3b-9f1d-2a7b9c0d1e2g";
        CHECK(refused_at(request) == "/corrUUID");
    }
    SUBCASE("gtin with a wrong check digit") {
        request.gtin = "9506000134353";
        CHECK(refused_at(request) == "/gtin");
    }
    SUBCASE("gtin of 11 digits") {
        request.gtin = "95060001343";
        CHECK(refused_at(request) == "/gtin");
    }
    SUBCASE("lot missing") {
        request.lot.clear();
        CHECK(refused_at(request) == "/lot");
    }
    SUBCASE("serial with a character outside CSET 82") {
        request.serial = "S 1";
        CHECK(refused_at(request) == "/serial");
    }
    SUBCASE("serial longer than 20 characters") {
        request.serial = std::string(21, 'A');
        CHECK(refused_at(request) == "/serial");
    }
}
