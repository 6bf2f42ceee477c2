// The custody rules of DESIGN.md section 6, rule by rule, through Applier + MemoryState: each test sets a
// scene up with accepted submissions, then checks that the next one is accepted with the documented effect
// or refused with the documented code and no effect.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/unit/ledger_world.hpp"

using namespace rxl;
using namespace rxl::test;
using epcis::Action;

namespace {

// Checks a submission was refused with `code`, left units and containers as they were, and still made
// an entry on the ledger that carries the code.
void check_refused(World& world, const Actor& actor, std::vector<epcis::Event> events, const std::string& code) {
    const std::string before = describe(world.node.store);
    const std::size_t entries_before = world.node.store.entries().size();
    const std::size_t unit_events_before = world.node.store.unit_events().size();
    SubmissionAnswer answer = world.submit(actor, std::move(events));
    INFO("detail: ", answer.detail_json);
    CHECK(answer.outcome == code);
    CHECK_FALSE(answer.repeated);
    CHECK(describe(world.node.store) == before);
    CHECK(world.node.store.unit_events().size() == unit_events_before);
    REQUIRE(world.node.store.entries().size() == entries_before + 1);
    CHECK(answer.seq == entries_before);
    CHECK(world.entry(answer.seq).header.outcome == code);
}

}  // namespace

// ---- commissioning ------------------------------------------------------------------------------------

TEST_CASE("commissioning units and a container") {
    World world;
    const Actor& acme = world.people.acme;
    SubmissionAnswer answer = world.accept(
        acme, {commissioning({acme_unit("S1"), acme_unit("S2")}, "LOT-7", "2028-01-31"),
               commissioning({container_id(acme_sscc(1))}, std::nullopt, std::nullopt)});
    CHECK(answer.seq == 1);
    CHECK(event_results(answer.detail_json) == std::vector<std::string>{"applied", "applied"});
    CHECK(world.node.store.units().size() == 2);

    auto unit = world.unit("S1");
    REQUIRE(unit.has_value());
    CHECK(unit->lot == "LOT-7");
    CHECK(unit->expiry == "2028-01-31");
    CHECK(unit->status == UnitStatus::active);
    CHECK(unit->owner == "acme");
    CHECK(unit->custodian == "acme");
    CHECK(unit->location == acme.gln());  // no bizLocation: the manufacturer's first GLN
    CHECK(unit->parent.empty());
    CHECK(unit->destination.empty());
    CHECK(unit->commissioned_seq == 1);
    CHECK(unit->updated_seq == 1);
    CHECK(unit->chain_link == next_unit_link(zero_link, answer.leaf_hash, 0));

    auto container = world.container(acme_sscc(1));
    REQUIRE(container.has_value());
    CHECK(container->status == UnitStatus::active);
    CHECK(container->owner == "acme");
    CHECK(container->custodian == "acme");
    CHECK(container->parent.empty());
    CHECK(container->commissioned_seq == 1);

    SUBCASE("at the bizLocation the event names") {
        epcis::Event event = commissioning({acme_unit("S3")});
        event.biz_location = location_id(acme.glns[1]);
        world.accept(acme, {event});
        REQUIRE(world.unit("S3").has_value());
        CHECK(world.unit("S3")->location == acme.glns[1]);
    }
}

TEST_CASE("commissioning is refused") {
    World world;
    const Consortium& people = world.people;

    SUBCASE("when the submitter is not a manufacturer") {
        check_refused(world, people.distrib, {commissioning({acme_unit("S1")})}, "not-a-manufacturer");
        check_refused(world, people.pharma, {commissioning({acme_unit("S1")})}, "not-a-manufacturer");
        check_refused(world, people.agency, {commissioning({acme_unit("S1")})}, "not-a-manufacturer");
    }
    SUBCASE("when the GTIN is not under the manufacturer's company prefix") {
        check_refused(world, people.acme, {commissioning({unit_id(foreign_gtin(), "S1")})}, "not-gtin-owner");
    }
    SUBCASE("when the SSCC is not under the manufacturer's company prefix") {
        check_refused(world, people.acme, {commissioning({container_id(distrib_sscc(1))})}, "not-sscc-owner");
    }
    SUBCASE("when the lot is missing") {
        check_refused(world, people.acme, {commissioning({acme_unit("S1")}, std::nullopt, "2027-05-31")},
                      "lot-and-expiry-required");
    }
    SUBCASE("when the expiry is missing") {
        check_refused(world, people.acme, {commissioning({acme_unit("S1")}, "LOT-1", std::nullopt)},
                      "lot-and-expiry-required");
    }
    SUBCASE("when the serial was commissioned by an earlier entry") {
        world.accept(people.acme, {commissioning({acme_unit("S1")}, "LOT-1")});
        check_refused(world, people.acme, {commissioning({acme_unit("S1")}, "LOT-2")}, "already-commissioned");
        CHECK(world.unit("S1")->lot == "LOT-1");
    }
    SUBCASE("when the serial is commissioned twice in one document") {
        check_refused(world, people.acme,
                      {commissioning({acme_unit("S1")}, "LOT-1"), commissioning({acme_unit("S1")}, "LOT-2")},
                      "already-commissioned");
        CHECK(rejection_pointer(world.entry(1).detail_json) == "/epcisBody/eventList/1");
        CHECK(world.node.store.units().empty());
    }
    SUBCASE("when the container was commissioned before") {
        world.accept(people.acme, {commissioning({container_id(acme_sscc(5))}, std::nullopt, std::nullopt)});
        check_refused(world, people.acme, {commissioning({container_id(acme_sscc(5))}, std::nullopt, std::nullopt)},
                      "already-commissioned");
    }
    SUBCASE("when the event names no EPCs") {
        check_refused(world, people.acme, {commissioning({})}, "nothing-to-commission");
    }
}

// ---- packing --------------------------------------------------------------------------------------------

TEST_CASE("packing units into a case and the case into a pallet") {
    World world;
    const Actor& acme = world.people.acme;
    const Actor& distrib = world.people.distrib;
    const std::string case_sscc = acme_sscc(10);
    const std::string pallet_sscc = acme_sscc(20);
    world.accept(acme, {commissioning({acme_unit("S1"), acme_unit("S2"), acme_unit("S3"), acme_unit("S4")})});

    // The case is not commissioned: packing into an SSCC under the packer's own prefix creates it.
    SubmissionAnswer packed = world.accept(acme, {aggregation(Action::add, case_sscc, {acme_unit("S1"), acme_unit("S2")})});
    CHECK(world.unit("S1")->parent == case_sscc);
    CHECK(world.unit("S2")->parent == case_sscc);
    CHECK(world.unit("S1")->updated_seq == packed.seq);
    CHECK(world.unit("S3")->parent.empty());
    auto created = world.container(case_sscc);
    REQUIRE(created.has_value());
    CHECK(created->custodian == "acme");
    CHECK(created->owner == "acme");
    CHECK(created->commissioned_seq == packed.seq);

    world.accept(acme, {aggregation(Action::add, pallet_sscc, {container_id(case_sscc), acme_unit("S3")})});
    CHECK(world.container(case_sscc)->parent == pallet_sscc);
    CHECK(world.unit("S3")->parent == pallet_sscc);
    CHECK(world.container(pallet_sscc)->parent.empty());
    CHECK(world.unit("S1")->parent == case_sscc);  // still in its case

    SUBCASE("a unit already packed elsewhere is refused") {
        check_refused(world, acme, {aggregation(Action::add, acme_sscc(11), {acme_unit("S4"), acme_unit("S1")})},
                      "already-packed");
        CHECK_FALSE(world.container(acme_sscc(11)).has_value());  // the new case went with the rejection
        CHECK(world.unit("S4")->parent.empty());
    }
    SUBCASE("a case already packed in a pallet is refused in another") {
        check_refused(world, acme, {aggregation(Action::add, acme_sscc(21), {container_id(case_sscc)})},
                      "already-packed");
    }
    SUBCASE("a cycle is refused") {
        check_refused(world, acme, {aggregation(Action::add, case_sscc, {container_id(pallet_sscc)})}, "packing-cycle");
        CHECK(world.container(pallet_sscc)->parent.empty());
    }
    SUBCASE("a container packed into itself is refused") {
        check_refused(world, acme, {aggregation(Action::add, pallet_sscc, {container_id(pallet_sscc)})},
                      "packing-cycle");
    }
    SUBCASE("packing units one does not hold is refused") {
        check_refused(world, distrib, {aggregation(Action::add, distrib_sscc(1), {acme_unit("S4")})}, "not-custodian");
        CHECK_FALSE(world.container(distrib_sscc(1)).has_value());
    }
    SUBCASE("packing into a container one does not hold is refused") {
        world.accept(acme, {shipping({acme_unit("S4")}, {owning_party(distrib.gln())})});
        world.accept(distrib, {receiving({acme_unit("S4")})});
        check_refused(world, distrib, {aggregation(Action::add, pallet_sscc, {acme_unit("S4")})}, "not-custodian");
    }
    SUBCASE("packing into an unknown SSCC of another company is refused") {
        check_refused(world, acme, {aggregation(Action::add, distrib_sscc(2), {acme_unit("S4")})}, "not-commissioned");
    }
    SUBCASE("packing a unit never commissioned is refused") {
        check_refused(world, acme, {aggregation(Action::add, case_sscc, {acme_unit("S99")})}, "not-commissioned");
    }
    SUBCASE("packing needs children") {
        check_refused(world, acme, {aggregation(Action::add, acme_sscc(12), {})}, "nothing-to-pack");
    }
}

// ---- shipping and receiving -----------------------------------------------------------------------------

namespace {

// Units S1, S2 in a case, the case and S3 on a pallet, S4 loose; all held by Acme.
struct PalletScene {
    World world;
    const Actor& acme = world.people.acme;
    const Actor& distrib = world.people.distrib;
    const Actor& pharma = world.people.pharma;
    const std::string case_sscc = acme_sscc(10);
    const std::string pallet_sscc = acme_sscc(20);

    PalletScene() {
        world.accept(acme, {commissioning({acme_unit("S1"), acme_unit("S2"), acme_unit("S3"), acme_unit("S4")})});
        world.accept(acme, {aggregation(Action::add, case_sscc, {acme_unit("S1"), acme_unit("S2")}),
                            aggregation(Action::add, pallet_sscc, {container_id(case_sscc), acme_unit("S3")})});
    }
    SubmissionAnswer ship_pallet_to(const Actor& to) {
        return world.accept(acme, {shipping({container_id(pallet_sscc)}, {owning_party(to.gln())})});
    }
};

}  // namespace

TEST_CASE("shipping") {
    PalletScene scene;
    World& world = scene.world;

    SUBCASE("a pallet moves every nested unit and container to in_transit with the destination") {
        SubmissionAnswer shipped = scene.ship_pallet_to(scene.distrib);
        for (const char* serial : {"S1", "S2", "S3"}) {
            auto unit = world.unit(serial);
            REQUIRE(unit.has_value());
            INFO(describe(*unit));
            CHECK(unit->status == UnitStatus::in_transit);
            CHECK(unit->destination == "distrib");
            CHECK(unit->custodian == "acme");  // custody moves on receipt, not on shipment
            CHECK(unit->updated_seq == shipped.seq);
        }
        CHECK(world.unit("S1")->parent == scene.case_sscc);  // shipping does not unpack
        for (const std::string& sscc : {scene.case_sscc, scene.pallet_sscc}) {
            auto container = world.container(sscc);
            REQUIRE(container.has_value());
            CHECK(container->status == UnitStatus::in_transit);
            CHECK(container->destination == "distrib");
        }
        CHECK(world.unit("S4")->status == UnitStatus::active);  // the loose unit stays
        CHECK(world.unit("S4")->destination.empty());
    }
    SUBCASE("a possessing_party or location destination names the participant too") {
        epcis::Party possessing{"possessing_party", party_id(scene.pharma.gln())};
        world.accept(scene.acme, {shipping({acme_unit("S4")}, {possessing})});
        CHECK(world.unit("S4")->destination == "pharma");
        epcis::Party location{"location", location_id(scene.distrib.glns[1])};
        world.accept(scene.acme, {shipping({container_id(scene.pallet_sscc)}, {location})});
        CHECK(world.unit("S1")->destination == "distrib");
    }
    SUBCASE("a unit inside a case is refused") {
        check_refused(world, scene.acme, {shipping({acme_unit("S1")}, {owning_party(scene.distrib.gln())})},
                      "packed-in-container");
    }
    SUBCASE("a case inside a pallet is refused") {
        check_refused(world, scene.acme, {shipping({container_id(scene.case_sscc)}, {owning_party(scene.distrib.gln())})},
                      "packed-in-container");
    }
    SUBCASE("without a destination it is refused") {
        check_refused(world, scene.acme, {shipping({acme_unit("S4")}, {})}, "destination-required");
        epcis::Party other_type{"https://example.com/custom-party", party_id(scene.distrib.gln())};
        check_refused(world, scene.acme, {shipping({acme_unit("S4")}, {other_type})}, "destination-required");
    }
    SUBCASE("to a GLN no participant registered it is refused") {
        check_refused(world, scene.acme, {shipping({acme_unit("S4")}, {owning_party(stranger_gln())})},
                      "unknown-destination");
    }
    SUBCASE("by someone who does not hold it it is refused") {
        check_refused(world, scene.distrib, {shipping({acme_unit("S4")}, {owning_party(scene.pharma.gln())})},
                      "not-custodian");
    }
    SUBCASE("what is already in transit is refused") {
        scene.ship_pallet_to(scene.distrib);
        check_refused(world, scene.acme, {shipping({container_id(scene.pallet_sscc)}, {owning_party(scene.pharma.gln())})},
                      "not-active");
    }
}

TEST_CASE("receiving") {
    PalletScene scene;
    World& world = scene.world;
    scene.ship_pallet_to(scene.distrib);
    const std::string warehouse = scene.distrib.glns[1];

    SUBCASE("by the party named moves custody of everything inside to it, at the bizLocation") {
        SubmissionAnswer received = world.accept(scene.distrib, {receiving({container_id(scene.pallet_sscc)}, warehouse)});
        for (const char* serial : {"S1", "S2", "S3"}) {
            auto unit = world.unit(serial);
            REQUIRE(unit.has_value());
            INFO(describe(*unit));
            CHECK(unit->status == UnitStatus::active);
            CHECK(unit->custodian == "distrib");
            CHECK(unit->owner == "acme");
            CHECK(unit->location == warehouse);
            CHECK(unit->destination.empty());
            CHECK(unit->updated_seq == received.seq);
        }
        CHECK(world.unit("S1")->parent == scene.case_sscc);
        for (const std::string& sscc : {scene.case_sscc, scene.pallet_sscc}) {
            auto container = world.container(sscc);
            REQUIRE(container.has_value());
            CHECK(container->status == UnitStatus::active);
            CHECK(container->custodian == "distrib");
            CHECK(container->location == warehouse);
            CHECK(container->destination.empty());
        }
        CHECK(world.unit("S4")->custodian == "acme");
        // The new custodian can now ship on.
        world.accept(scene.distrib, {shipping({container_id(scene.pallet_sscc)}, {owning_party(scene.pharma.gln())})});
        CHECK(world.unit("S2")->destination == "pharma");
    }
    SUBCASE("without a bizLocation the receiver's first GLN is the location") {
        world.accept(scene.distrib, {receiving({container_id(scene.pallet_sscc)})});
        CHECK(world.unit("S3")->location == scene.distrib.gln());
    }
    SUBCASE("by another party is refused") {
        check_refused(world, scene.pharma, {receiving({container_id(scene.pallet_sscc)})}, "not-the-recipient");
        check_refused(world, scene.acme, {receiving({container_id(scene.pallet_sscc)})}, "not-the-recipient");
    }
    SUBCASE("a unit travelling inside the pallet is refused") {
        check_refused(world, scene.distrib, {receiving({acme_unit("S3")})}, "packed-in-container");
    }
    SUBCASE("what was not shipped is refused") {
        check_refused(world, scene.distrib, {receiving({acme_unit("S4")})}, "not-in-transit");
    }
}

// ---- unpacking --------------------------------------------------------------------------------------------

TEST_CASE("unpacking") {
    PalletScene scene;
    World& world = scene.world;

    SUBCASE("DELETE with childEPCs takes out only those") {
        SubmissionAnswer unpacked = world.accept(scene.acme, {aggregation(Action::remove, scene.case_sscc, {acme_unit("S1")})});
        CHECK(world.unit("S1")->parent.empty());
        CHECK(world.unit("S1")->updated_seq == unpacked.seq);
        CHECK(world.unit("S2")->parent == scene.case_sscc);
        // A unit out of its case ships on its own; the rest of the case stays.
        world.accept(scene.acme, {shipping({acme_unit("S1")}, {owning_party(scene.pharma.gln())})});
        CHECK(world.unit("S1")->status == UnitStatus::in_transit);
        CHECK(world.unit("S2")->status == UnitStatus::active);
        // And shipping the pallet no longer carries the unpacked unit.
        world.accept(scene.acme, {shipping({container_id(scene.pallet_sscc)}, {owning_party(scene.distrib.gln())})});
        CHECK(world.unit("S1")->destination == "pharma");
        CHECK(world.unit("S2")->destination == "distrib");
    }
    SUBCASE("DELETE of a container takes it out of its pallet") {
        world.accept(scene.acme, {aggregation(Action::remove, scene.pallet_sscc, {container_id(scene.case_sscc)})});
        CHECK(world.container(scene.case_sscc)->parent.empty());
        CHECK(world.unit("S3")->parent == scene.pallet_sscc);
    }
    SUBCASE("DELETE without childEPCs empties the container, one level deep") {
        world.accept(scene.acme, {aggregation(Action::remove, scene.pallet_sscc, {})});
        CHECK(world.container(scene.case_sscc)->parent.empty());
        CHECK(world.unit("S3")->parent.empty());
        CHECK(world.unit("S1")->parent == scene.case_sscc);
        world.accept(scene.acme, {aggregation(Action::remove, scene.case_sscc, {})});
        CHECK(world.unit("S1")->parent.empty());
        CHECK(world.unit("S2")->parent.empty());
    }
    SUBCASE("a child not packed there is refused") {
        check_refused(world, scene.acme, {aggregation(Action::remove, scene.pallet_sscc, {acme_unit("S1")})},
                      "not-packed-here");
        check_refused(world, scene.acme, {aggregation(Action::remove, scene.case_sscc, {acme_unit("S4")})},
                      "not-packed-here");
    }
    SUBCASE("by someone who does not hold the container it is refused") {
        check_refused(world, scene.distrib, {aggregation(Action::remove, scene.case_sscc, {acme_unit("S1")})},
                      "not-custodian");
    }
    SUBCASE("an unknown container is refused") {
        check_refused(world, scene.acme, {aggregation(Action::remove, acme_sscc(99), {})}, "not-commissioned");
    }
}

// ---- decommissioning ----------------------------------------------------------------------------------------

namespace {

// S1 and S2 received by the pharmacy, S3 received by the wholesaler, S4 shipped to the pharmacy but not
// yet received; Acme still holds S5.
struct DispensingScene {
    World world;
    const Actor& acme = world.people.acme;
    const Actor& distrib = world.people.distrib;
    const Actor& pharma = world.people.pharma;

    DispensingScene() {
        world.accept(acme, {commissioning({acme_unit("S1"), acme_unit("S2"), acme_unit("S3"), acme_unit("S4"),
                                           acme_unit("S5")})});
        world.accept(acme, {shipping({acme_unit("S1"), acme_unit("S2")}, {owning_party(pharma.gln())}),
                            shipping({acme_unit("S3")}, {owning_party(distrib.gln())})});
        world.accept(pharma, {receiving({acme_unit("S1"), acme_unit("S2")})});
        world.accept(distrib, {receiving({acme_unit("S3")})});
        world.accept(acme, {shipping({acme_unit("S4")}, {owning_party(pharma.gln())})});
    }
};

}  // namespace

TEST_CASE("dispensing and decommissioning") {
    DispensingScene scene;
    World& world = scene.world;

    SUBCASE("the pharmacy dispenses: status dispensed at the ordering time") {
        SubmissionAnswer dispensed = world.accept(scene.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S1")})});
        const std::int64_t ordered_at_ms = world.last_ordered_at_ms;
        CHECK(world.entry(dispensed.seq).header.ordered_at_ms == ordered_at_ms);
        auto unit = world.unit("S1");
        REQUIRE(unit.has_value());
        CHECK(unit->status == UnitStatus::dispensed);
        CHECK(unit->decommissioned_at_ms == ordered_at_ms);
        CHECK(unit->decommissioned_by == "pharma");
        CHECK(unit->decommissioned_location == scene.pharma.gln());
        CHECK(unit->custodian == "pharma");
        CHECK(unit->updated_seq == dispensed.seq);
        CHECK(world.unit("S2")->status == UnitStatus::active);
        CHECK(is_decommissioned(unit->status));

        // Once dispensed it is not active: neither dispensed again nor destroyed.
        check_refused(world, scene.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S1")})}, "not-active");
        check_refused(world, scene.pharma, {decommissioning("destroying", "destroyed", {acme_unit("S1")})}, "not-active");
    }
    SUBCASE("bizStep decommissioning with disposition dispensed is dispensing too") {
        world.accept(scene.pharma, {decommissioning("decommissioning", "dispensed", {acme_unit("S2")})});
        CHECK(world.unit("S2")->status == UnitStatus::dispensed);
    }
    SUBCASE("a wholesaler may not dispense") {
        check_refused(world, scene.distrib, {decommissioning("dispensing", "dispensed", {acme_unit("S3")})},
                      "not-a-pharmacy");
        check_refused(world, scene.distrib, {decommissioning("decommissioning", "dispensed", {acme_unit("S3")})},
                      "not-a-pharmacy");
    }
    SUBCASE("a wholesaler may destroy what it holds, or report it stolen") {
        world.accept(scene.distrib, {decommissioning("destroying", "destroyed", {acme_unit("S3")})});
        CHECK(world.unit("S3")->status == UnitStatus::destroyed);
        CHECK(world.unit("S3")->decommissioned_by == "distrib");
        world.accept(scene.acme, {decommissioning("decommissioning", "stolen", {acme_unit("S5")})});
        CHECK(world.unit("S5")->status == UnitStatus::stolen);
    }
    SUBCASE("a unit in transit is not active and cannot be decommissioned") {
        check_refused(world, scene.acme, {decommissioning("destroying", "destroyed", {acme_unit("S4")})}, "not-active");
        check_refused(world, scene.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S4")})},
                      "not-custodian");
    }
    SUBCASE("a pharmacy cannot dispense what it does not hold") {
        check_refused(world, scene.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S5")})},
                      "not-custodian");
    }
    SUBCASE("an unknown disposition is refused") {
        check_refused(world, scene.pharma, {decommissioning("decommissioning", "recalled", {acme_unit("S1")})},
                      "unknown-decommission-disposition");
    }
    SUBCASE("containers are decommissioned unit by unit") {
        world.accept(scene.acme, {commissioning({container_id(acme_sscc(3))}, std::nullopt, std::nullopt)});
        check_refused(world, scene.acme, {decommissioning("destroying", "destroyed", {container_id(acme_sscc(3))})},
                      "units-only");
    }
    SUBCASE("a unit dispensed out of its case leaves the case") {
        const std::string case_sscc = acme_sscc(3);
        world.accept(scene.acme, {aggregation(Action::add, case_sscc, {acme_unit("S5")})});
        world.accept(scene.acme, {shipping({container_id(case_sscc)}, {owning_party(scene.pharma.gln())})});
        world.accept(scene.pharma, {receiving({container_id(case_sscc)})});
        REQUIRE(world.unit("S5")->parent == case_sscc);
        SubmissionAnswer dispensed = world.accept(scene.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S5")})});
        CHECK(world.unit("S5")->status == UnitStatus::dispensed);
        CHECK(world.unit("S5")->parent.empty());
        // Emptying the case later does not touch the dispensed unit.
        world.accept(scene.pharma, {aggregation(Action::remove, case_sscc, {})});
        CHECK(world.unit("S5")->updated_seq == dispensed.seq);
    }
}

// ---- events that change nothing ------------------------------------------------------------------------

TEST_CASE("other events are recorded and change no state") {
    World world;
    const Actor& acme = world.people.acme;
    epcis::Event commissioned = commissioning({acme_unit("S1")});
    world.accept(acme, {commissioned});
    const std::string before = describe(world.node.store);
    const std::size_t unit_events_before = world.node.store.unit_events().size();

    epcis::Event transaction = object_event(Action::add, "", {acme_unit("S1")});
    transaction.type = epcis::EventType::transaction;
    epcis::Event inspecting = object_event(Action::observe, "inspecting", {acme_unit("S1")});
    epcis::Event observe_aggregation = aggregation(Action::observe, acme_sscc(1), {acme_unit("S1")});
    epcis::Event transformation = object_event(Action::none, "", {});
    transformation.type = epcis::EventType::transformation;
    // Even a shipping bizStep changes nothing when the event is an error declaration (here of Acme's own
    // commissioning: only an event's submitter, or a regulator, may declare it an error).
    epcis::Event declared = shipping({acme_unit("S1")}, {owning_party(world.people.distrib.gln())});
    declared.hash_id = commissioned.hash_id;
    declared.is_error_declaration = true;

    SubmissionAnswer answer = world.accept(acme, {transaction, inspecting, observe_aggregation, transformation, declared});
    CHECK(event_results(answer.detail_json) ==
          std::vector<std::string>{"recorded", "recorded", "recorded", "recorded", "recorded"});
    CHECK(describe(world.node.store) == before);
    CHECK(world.node.store.unit_events().size() == unit_events_before);

    // Someone who holds nothing may record them too: no custody rule applies.
    SubmissionAnswer by_pharmacy =
        world.accept(world.people.pharma, {object_event(Action::observe, "inspecting", {acme_unit("S1")})});
    CHECK(event_results(by_pharmacy.detail_json) == std::vector<std::string>{"recorded"});
    CHECK(describe(world.node.store) == before);
}

// ---- error declarations --------------------------------------------------------------------------------

TEST_CASE("an error declaration is accepted only from the declared event's submitter or a regulator") {
    World world;
    const Actor& acme = world.people.acme;
    epcis::Event commissioned = commissioning({acme_unit("S1")});
    world.accept(acme, {commissioned});
    auto declaration_of = [](const epcis::Event& event) {
        epcis::Event declaration = event;
        declaration.is_error_declaration = true;
        return declaration;
    };
    const std::string before = describe(world.node.store);

    SUBCASE("a wholesaler with no part in the event may not") {
        SubmissionAnswer answer = world.submit(world.people.distrib, {declaration_of(commissioned)});
        CHECK(answer.outcome == "not-event-submitter");
        CHECK(rejection_pointer(answer.detail_json) == "/epcisBody/eventList/0");
        CHECK(describe(world.node.store) == before);
    }
    SUBCASE("a pharmacy may not") {
        CHECK(world.submit(world.people.pharma, {declaration_of(commissioned)}).outcome == "not-event-submitter");
    }
    SUBCASE("the submitter may") {
        SubmissionAnswer answer = world.accept(acme, {declaration_of(commissioned)});
        CHECK(event_results(answer.detail_json) == std::vector<std::string>{"recorded"});
    }
    SUBCASE("a regulator may") {
        world.accept(world.people.agency, {declaration_of(commissioned)});
    }
    SUBCASE("an event recorded earlier in the same batch counts") {
        epcis::Event second = commissioning({acme_unit("S2")});
        BatchResult result = world.node.apply({OrderedSubmission{world.people.sign(acme, {second}), 1'760'000'000'000, 0},
                                               OrderedSubmission{world.people.sign(world.people.distrib, {declaration_of(second)}),
                                                                 1'760'000'000'001, 0},
                                               OrderedSubmission{world.people.sign(acme, {declaration_of(second)}),
                                                                 1'760'000'000'002, 0}});
        REQUIRE(result.answers.size() == 3);
        CHECK(result.answers[0].outcome == "accepted");
        CHECK(result.answers[1].outcome == "not-event-submitter");
        CHECK(result.answers[2].outcome == "accepted");
    }
    SUBCASE("nobody but a regulator declares an event that is not on the ledger") {
        epcis::Event unknown = commissioning({acme_unit("S9")});
        CHECK(world.submit(acme, {declaration_of(unknown)}).outcome == "declared-event-unknown");
        world.accept(world.people.agency, {declaration_of(unknown)});
    }
}
