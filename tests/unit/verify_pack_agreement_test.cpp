// Verification agrees with the pack rules (DESIGN.md section 6: "What verification calls dispensable, a
// decommission by the same caller must accept"). A ledger (Applier + MemoryState) holds units in every
// state a pharmacy can meet: held, shipped to it and not yet received, held or shipped elsewhere, each
// decommissioned state, a recalled lot, a withdrawn GTIN, expired and expiring today. For each, the
// pharmacy verifies the pack from the ledger's own state, then submits a dispense: it must be accepted
// exactly when the verification said dispensable.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ledger/apply/rules.hpp"
#include "ledger/verify/verify.hpp"
#include "tests/unit/ledger_world.hpp"

using namespace rxl;
using namespace rxl::test;
using verify::Code;

namespace {

constexpr std::int64_t day_ms = 86'400'000;

// A second GTIN of Acme's, withdrawn in the scene.
std::string withdrawn_gtin() { return with_check_digit("0061414112346"); }

std::optional<verify::RecallMark> mark(std::optional<std::uint64_t> seq) {
    if (!seq) return std::nullopt;
    return verify::RecallMark{*seq, "II", 0};
}

// What a node's store would tell verification about the unit, read from the ledger's state.
verify::VerifyFacts facts_of(World& world, const UnitState& unit) {
    verify::VerifyFacts facts;
    facts.gtin_known = true;
    facts.manufacturer = "acme";
    facts.unit = unit;
    facts.scanned_lot_known = true;
    facts.lot_recall = mark(world.node.store.lot_recall(unit.key.gtin, unit.lot));
    facts.withdrawal = mark(world.node.store.gtin_withdrawal(unit.key.gtin));
    facts.ledger_size = world.node.store.entries().size();
    return facts;
}

// The pack as the pharmacy scans it: what was commissioned (expiry YYYY-MM-DD as YYMMDD).
gs1::Scan scan_of(const UnitState& unit) {
    const std::string yymmdd = unit.expiry.substr(2, 2) + unit.expiry.substr(5, 2) + unit.expiry.substr(8, 2);
    auto scan = gs1::scan_from_fields({unit.key.gtin, unit.key.serial, unit.lot, yymmdd});
    REQUIRE_MESSAGE(scan.ok(), (scan.ok() ? "" : scan.error().detail));
    return *scan;
}

struct Checked {
    Code code;
    bool dispensable;
    std::string outcome;  // of the dispense that followed
};

// Verifies the unit as `caller` would now (today is the date the next submission is ordered at), then
// submits the caller's dispense of it.
Checked verify_then_dispense(World& world, const Actor& caller, const std::string& gtin, const std::string& serial) {
    auto unit = world.unit(gtin, serial);
    REQUIRE(unit.has_value());
    const std::string today = utc_date(world.last_ordered_at_ms + 1000);  // World::submit adds 1000
    const auto answer = verify::verify(scan_of(*unit), facts_of(world, *unit), verify::Caller{caller.id, caller.gln()}, today);
    const auto dispensed = world.submit(caller, SubmissionKind::pack, decommission_body(serial, "dispensed", caller.gln(), gtin));
    INFO("serial ", serial, ": ", std::string(verify::to_string(answer.code)), ", dispense: ", dispensed.outcome, " ", dispensed.detail_json);
    CHECK(answer.genuine);
    CHECK(answer.dispensable == (dispensed.outcome == "accepted"));
    return {answer.code, answer.dispensable, dispensed.outcome};
}

}  // namespace

TEST_CASE("verify and the pack rules agree: a pack a pharmacy's verification calls dispensable is dispensed, no other") {
    World world;
    const Actor& acme = world.people.acme;
    const Actor& distrib = world.people.distrib;
    const Actor& pharma = world.people.pharma;
    const Actor& agency = world.people.agency;
    const std::string gtin = acme_gtin();
    const std::string expires_soon = utc_date(world.last_ordered_at_ms + 2 * day_ms);
    // Received by the pharmacy, then some of them decommissioned, recalled, expired or shipped away.
    const std::vector<std::string> held = {"HELD", "DISPENSED", "DESTROYED", "STOLEN", "LOCKED", "SHIPPED-AWAY",
                                           "RECALLED", "EXPIRED"};
    std::vector<gs1::Identifier> held_ids;
    for (const auto& serial : held) {
        if (serial != "EXPIRED" && serial != "RECALLED") held_ids.push_back(acme_unit(serial));
    }
    world.accept(acme, {commissioning(held_ids), commissioning({acme_unit("RECALLED")}, "LOT-R"),
                        commissioning({acme_unit("EXPIRED")}, "LOT-E", expires_soon),
                        commissioning({acme_unit("NOT-RECEIVED"), acme_unit("AT-DISTRIB"), acme_unit("TO-DISTRIB"),
                                       acme_unit("AT-ACME")}),
                        commissioning({unit_id(withdrawn_gtin(), "WITHDRAWN")})});
    std::vector<gs1::Identifier> to_pharma;
    for (const auto& serial : held) to_pharma.push_back(acme_unit(serial));
    to_pharma.push_back(unit_id(withdrawn_gtin(), "WITHDRAWN"));
    world.accept(acme, {shipping(to_pharma, {owning_party(pharma.gln())}),
                        shipping({acme_unit("AT-DISTRIB"), acme_unit("TO-DISTRIB")}, {owning_party(distrib.gln())})});
    world.accept(pharma, {receiving(to_pharma)});
    world.accept(distrib, {receiving({acme_unit("AT-DISTRIB")})});
    world.accept(acme, {shipping({acme_unit("NOT-RECEIVED")}, {owning_party(pharma.gln())})});
    world.accept(pharma, {shipping({acme_unit("SHIPPED-AWAY")}, {owning_party(distrib.gln())})});
    world.accept(pharma, SubmissionKind::pack, decommission_body("DISPENSED", "dispensed", pharma.gln()));
    world.accept(pharma, SubmissionKind::pack, decommission_body("DESTROYED", "destroyed", pharma.gln()));
    world.accept(pharma, SubmissionKind::pack, decommission_body("STOLEN", "stolen", pharma.gln()));
    world.accept(pharma, SubmissionKind::pack, decommission_body("LOCKED", "locked", pharma.gln()));
    world.accept(acme, SubmissionKind::recall, recall_body({"LOT-R"}));
    world.accept(agency, SubmissionKind::recall, recall_body({}, withdrawn_gtin()));
    // Three days on: LOT-E expired yesterday.
    world.last_ordered_at_ms += 3 * day_ms;

    CHECK(verify_then_dispense(world, pharma, gtin, "HELD").code == Code::ok);
    CHECK(verify_then_dispense(world, pharma, gtin, "NOT-RECEIVED").code == Code::not_received);
    CHECK(verify_then_dispense(world, pharma, gtin, "AT-DISTRIB").code == Code::not_in_custody);
    CHECK(verify_then_dispense(world, pharma, gtin, "TO-DISTRIB").code == Code::not_in_custody);
    CHECK(verify_then_dispense(world, pharma, gtin, "AT-ACME").code == Code::not_in_custody);
    CHECK(verify_then_dispense(world, pharma, gtin, "SHIPPED-AWAY").code == Code::not_in_custody);
    CHECK(verify_then_dispense(world, pharma, gtin, "DISPENSED").code == Code::already_decommissioned);
    CHECK(verify_then_dispense(world, pharma, gtin, "DESTROYED").code == Code::already_decommissioned);
    CHECK(verify_then_dispense(world, pharma, gtin, "STOLEN").code == Code::stolen);
    CHECK(verify_then_dispense(world, pharma, gtin, "LOCKED").code == Code::locked);
    CHECK(verify_then_dispense(world, pharma, gtin, "RECALLED").code == Code::recalled);
    CHECK(verify_then_dispense(world, pharma, withdrawn_gtin(), "WITHDRAWN").code == Code::withdrawn);
    CHECK(verify_then_dispense(world, pharma, gtin, "EXPIRED").code == Code::expired);

    SUBCASE("the expiry day itself is still good, for both") {
        // A lot that expires on the day the dispense is ordered (three set-up steps from now), held by the pharmacy.
        const std::string today = utc_date(world.last_ordered_at_ms + 4 * 1000);
        world.accept(acme, {commissioning({acme_unit("TODAY")}, "LOT-T", today)});
        world.accept(acme, {shipping({acme_unit("TODAY")}, {owning_party(pharma.gln())})});
        world.accept(pharma, {receiving({acme_unit("TODAY")})});
        const auto checked = verify_then_dispense(world, pharma, gtin, "TODAY");
        CHECK(checked.code == Code::ok);
        CHECK(checked.outcome == "accepted");
    }
    SUBCASE("once the receipt is recorded, the pack shipped to the pharmacy is OK and dispensed") {
        world.accept(pharma, {receiving({acme_unit("NOT-RECEIVED")})});
        const auto checked = verify_then_dispense(world, pharma, gtin, "NOT-RECEIVED");
        CHECK(checked.code == Code::ok);
        CHECK(checked.dispensable);
        CHECK(checked.outcome == "accepted");
    }
}
