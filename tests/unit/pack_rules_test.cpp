// Pharmacy pack operations (submission kind "pack", ledger/apply/pack_rules.hpp), rule by rule, through
// Applier + MemoryState: decommission and undo, their refusals, the undo window by ordering time, the
// lot-level overlays (recall, withdrawal, expiry), and agreement with decommissioning by EPCIS capture.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "ledger/core/limits.hpp"
#include "tests/unit/ledger_world.hpp"

using namespace rxl;
using namespace rxl::test;
using epcis::Action;

namespace {

constexpr std::int64_t day_ms = 86'400'000;

// S1 and S2 received by the pharmacy, S3 received by the wholesaler, S4 shipped to the pharmacy but not
// yet received; Acme still holds S5. S6 (lot LOT-6) expires soon after the scene starts, and is with
// the pharmacy.
struct PackScene {
    World world;
    const Actor& acme = world.people.acme;
    const Actor& distrib = world.people.distrib;
    const Actor& pharma = world.people.pharma;
    const Actor& agency = world.people.agency;
    const std::string expiry_of_s6 = utc_date(world.last_ordered_at_ms + 3 * day_ms);

    PackScene() {
        world.accept(acme, {commissioning({acme_unit("S1"), acme_unit("S2"), acme_unit("S3"), acme_unit("S4"),
                                           acme_unit("S5")}),
                            commissioning({acme_unit("S6")}, "LOT-6", expiry_of_s6)});
        world.accept(acme, {shipping({acme_unit("S1"), acme_unit("S2"), acme_unit("S6")}, {owning_party(pharma.gln())}),
                            shipping({acme_unit("S3")}, {owning_party(distrib.gln())})});
        world.accept(pharma, {receiving({acme_unit("S1"), acme_unit("S2"), acme_unit("S6")})});
        world.accept(distrib, {receiving({acme_unit("S3")})});
        world.accept(acme, {shipping({acme_unit("S4")}, {owning_party(pharma.gln())})});
    }

    SubmissionAnswer pack(const Actor& actor, std::string body) {
        return world.submit(actor, SubmissionKind::pack, std::move(body));
    }
    // Sets the orderer's clock so that the next submission is ordered `elapsed_ms` after `since_ms`.
    void next_ordered_at(std::int64_t since_ms, std::int64_t elapsed_ms) {
        world.last_ordered_at_ms = since_ms + elapsed_ms - 1000;  // World::submit adds 1000
    }
};

// Checks a pack submission was refused with `code`, left every unit as it was, and still made an entry
// that carries the code.
void check_refused(World& world, const Actor& actor, std::string body, const std::string& code,
                   const std::string& pointer = {}) {
    const std::string before = describe(world.node.store);
    const std::size_t unit_events_before = world.node.store.unit_events().size();
    const std::size_t entries_before = world.node.store.entries().size();
    SubmissionAnswer answer = world.submit(actor, SubmissionKind::pack, std::move(body));
    INFO("detail: ", answer.detail_json);
    CHECK(answer.outcome == code);
    CHECK(describe(world.node.store) == before);
    CHECK(world.node.store.unit_events().size() == unit_events_before);
    REQUIRE(world.node.store.entries().size() == entries_before + 1);
    CHECK(world.entry(answer.seq).header.outcome == code);
    CHECK(world.entry(answer.seq).header.kind == "pack");
    if (!pointer.empty()) CHECK(rejection_pointer(answer.detail_json) == pointer);
}

// The last link of a unit's chain, recomputed from its unit_events rows and the stored entries.
Hash fold_chain(const World& world, const UnitKey& key, std::vector<std::uint64_t>* seqs = nullptr) {
    Hash link = zero_link;
    for (const auto& row : world.node.store.unit_events()) {
        if (row.key != key) continue;
        const EntryRecord& entry = world.node.store.entries().at(row.seq);
        link = next_unit_link(link, entry_leaf_hash(entry.header), row.event_index);
        CHECK(row.link == link);
        if (seqs != nullptr) seqs->push_back(row.seq);
    }
    return link;
}

}  // namespace

// ---- decommission -----------------------------------------------------------------------------------------

TEST_CASE("pack decommission: the pharmacy dispenses at its location, at the ordering time") {
    PackScene scene;
    World& world = scene.world;
    const Hash link_before = world.unit("S1")->chain_link;

    SubmissionAnswer answer = world.accept(scene.pharma, SubmissionKind::pack,
                                           decommission_body("S1", "dispensed", scene.pharma.gln()));
    auto unit = world.unit("S1");
    REQUIRE(unit.has_value());
    CHECK(unit->status == UnitStatus::dispensed);
    CHECK(unit->decommissioned_at_ms == world.entry(answer.seq).header.ordered_at_ms);
    CHECK(unit->decommissioned_location == scene.pharma.gln());
    CHECK(unit->decommissioned_by == "pharma");
    CHECK(unit->updated_seq == answer.seq);
    CHECK(unit->custodian == "pharma");
    CHECK(world.unit("S2")->status == UnitStatus::active);
    CHECK(boost::json::parse(answer.detail_json) ==
          boost::json::parse(R"({"gtin":")" + acme_gtin() + R"(","serial":"S1","status":"dispensed"})"));

    // The chain has a link for the pack entry, event index 0.
    CHECK(unit->chain_link == next_unit_link(link_before, answer.leaf_hash, 0));
    std::vector<std::uint64_t> seqs;
    CHECK(fold_chain(world, UnitKey{acme_gtin(), "S1"}, &seqs) == unit->chain_link);
    CHECK(seqs.back() == answer.seq);
}

TEST_CASE("pack decommission: anyone holding a unit may put it in the other states") {
    PackScene scene;
    World& world = scene.world;
    for (const char* state : {"destroyed", "exported", "sample", "free_sample", "stolen", "locked", "checked_out"}) {
        CAPTURE(state);
        PackScene own;  // one scene per state: the wholesaler holds only S3
        own.world.accept(own.distrib, SubmissionKind::pack, decommission_body("S3", state, own.distrib.glns[1]));
        auto unit = own.world.unit("S3");
        REQUIRE(unit.has_value());
        CHECK(to_string(unit->status) == state);
        CHECK(unit->decommissioned_location == own.distrib.glns[1]);
        CHECK(unit->decommissioned_by == "distrib");
    }
    // The manufacturer, in its own warehouse.
    world.accept(scene.acme, SubmissionKind::pack, decommission_body("S5", "destroyed", scene.acme.glns[1]));
    CHECK(world.unit("S5")->status == UnitStatus::destroyed);
}

TEST_CASE("pack decommission is refused") {
    PackScene scene;
    World& world = scene.world;

    SUBCASE("by a participant that does not hold the unit") {
        check_refused(world, scene.pharma, decommission_body("S3", "dispensed", scene.pharma.gln()), "not-custodian");
        check_refused(world, scene.distrib, decommission_body("S1", "destroyed", scene.distrib.gln()), "not-custodian");
    }
    SUBCASE("twice: the second time says when and where it was decommissioned") {
        SubmissionAnswer first = world.accept(scene.pharma, SubmissionKind::pack,
                                              decommission_body("S1", "dispensed", scene.pharma.gln()));
        const std::int64_t at_ms = world.entry(first.seq).header.ordered_at_ms;
        check_refused(world, scene.pharma, decommission_body("S1", "dispensed", scene.pharma.gln()),
                      "already-decommissioned");
        SubmissionAnswer again = world.submit(scene.pharma, SubmissionKind::pack,
                                              decommission_body("S1", "destroyed", scene.pharma.gln()));
        CHECK(again.outcome == "already-decommissioned");
        std::string detail(boost::json::parse(again.detail_json).at("detail").as_string());
        CHECK(detail.find(utc_timestamp(at_ms)) != std::string::npos);
        CHECK(detail.find(scene.pharma.gln()) != std::string::npos);
        CHECK(detail.find("dispensed") != std::string::npos);
        CHECK(rejection_kind(again.detail_json) == "rule_violation");
    }
    SUBCASE("after an EPCIS decommission too") {
        world.accept(scene.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S2")})});
        check_refused(world, scene.pharma, decommission_body("S2", "locked", scene.pharma.gln()), "already-decommissioned");
    }
    SUBCASE("while in transit") {
        check_refused(world, scene.acme, decommission_body("S4", "destroyed", scene.acme.gln()), "not-active");
        check_refused(world, scene.pharma, decommission_body("S4", "dispensed", scene.pharma.gln()), "not-custodian");
    }
    SUBCASE("dispensed by anyone but a pharmacy") {
        check_refused(world, scene.distrib, decommission_body("S3", "dispensed", scene.distrib.gln()), "not-a-pharmacy",
                      "/state");
        check_refused(world, scene.acme, decommission_body("S5", "dispensed", scene.acme.gln()), "not-a-pharmacy");
    }
    SUBCASE("at a location that is not the submitter's") {
        check_refused(world, scene.pharma, decommission_body("S1", "dispensed", scene.distrib.gln()),
                      "not-submitters-location", "/location");
        check_refused(world, scene.pharma, decommission_body("S1", "dispensed", stranger_gln()), "not-submitters-location");
    }
    SUBCASE("for a unit never commissioned") {
        check_refused(world, scene.pharma, decommission_body("S404", "dispensed", scene.pharma.gln()), "not-commissioned");
    }
}

TEST_CASE("a recalled, withdrawn or expired unit is not dispensed, by pack or by EPCIS, but may be destroyed") {
    PackScene scene;
    World& world = scene.world;

    SUBCASE("its lot recalled") {
        world.accept(scene.acme, SubmissionKind::recall, recall_body({"LOT-1"}));
        check_refused(world, scene.pharma, decommission_body("S1", "dispensed", scene.pharma.gln()), "lot-recalled");
        SubmissionAnswer by_epcis = world.submit(scene.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S1")})});
        CHECK(by_epcis.outcome == "lot-recalled");
        CHECK(rejection_pointer(by_epcis.detail_json) == "/epcisBody/eventList/0");
        world.accept(scene.pharma, SubmissionKind::pack, decommission_body("S1", "destroyed", scene.pharma.gln()));
        CHECK(world.unit("S1")->status == UnitStatus::destroyed);
        world.accept(scene.pharma, {decommissioning("destroying", "destroyed", {acme_unit("S2")})});
        CHECK(world.unit("S2")->status == UnitStatus::destroyed);
    }
    SUBCASE("its GTIN withdrawn") {
        world.accept(scene.agency, SubmissionKind::recall, recall_body({}));
        check_refused(world, scene.pharma, decommission_body("S1", "dispensed", scene.pharma.gln()), "gtin-withdrawn");
        world.accept(scene.pharma, SubmissionKind::pack, decommission_body("S1", "locked", scene.pharma.gln()));
    }
    SUBCASE("expired") {
        scene.next_ordered_at(world.last_ordered_at_ms, 5 * day_ms);
        check_refused(world, scene.pharma, decommission_body("S6", "dispensed", scene.pharma.gln()), "expired");
        world.accept(scene.pharma, SubmissionKind::pack, decommission_body("S6", "destroyed", scene.pharma.gln()));
    }
}

TEST_CASE("a pack dispensed from its case leaves the case") {
    PackScene scene;
    World& world = scene.world;
    const std::string case_sscc = acme_sscc(3);
    world.accept(scene.acme, {aggregation(Action::add, case_sscc, {acme_unit("S5")})});
    world.accept(scene.acme, {shipping({container_id(case_sscc)}, {owning_party(scene.pharma.gln())})});
    world.accept(scene.pharma, {receiving({container_id(case_sscc)})});
    REQUIRE(world.unit("S5")->parent == case_sscc);
    world.accept(scene.pharma, SubmissionKind::pack, decommission_body("S5", "dispensed", scene.pharma.gln()));
    CHECK(world.unit("S5")->status == UnitStatus::dispensed);
    CHECK(world.unit("S5")->parent.empty());
    CHECK(world.container(case_sscc)->custodian == "pharma");
}

TEST_CASE("a malformed pack body is refused as bad-body, naming the member") {
    PackScene scene;
    World& world = scene.world;
    const std::string gln = scene.pharma.gln();
    const std::string gtin = acme_gtin();
    auto body = [&](boost::json::object object) { return boost::json::serialize(object); };
    struct Case {
        std::string body;
        std::string pointer;
    };
    const std::vector<Case> cases{
        {"not JSON", ""},
        {"[]", ""},
        {body({{"gtin", gtin}, {"serial", "S1"}, {"state", "dispensed"}, {"location", gln}}), "/op"},
        {body({{"op", "dispense"}, {"gtin", gtin}, {"serial", "S1"}, {"state", "dispensed"}, {"location", gln}}), "/op"},
        {body({{"op", "decommission"}, {"gtin", "00614141123450"}, {"serial", "S1"}, {"state", "dispensed"}, {"location", gln}}),
         "/gtin"},
        {body({{"op", "decommission"}, {"gtin", gtin}, {"serial", ""}, {"state", "dispensed"}, {"location", gln}}), "/serial"},
        {body({{"op", "decommission"}, {"gtin", gtin}, {"serial", "S1"}, {"location", gln}}), "/state"},
        {body({{"op", "decommission"}, {"gtin", gtin}, {"serial", "S1"}, {"state", "active"}, {"location", gln}}), "/state"},
        {body({{"op", "decommission"}, {"gtin", gtin}, {"serial", "S1"}, {"state", "dispensed"}, {"location", "5012345000019"}}),
         "/location"},
        {body({{"op", "decommission"}, {"gtin", gtin}, {"serial", "S1"}, {"state", "dispensed"}}), "/location"},
        {body({{"op", "decommission"}, {"gtin", gtin}, {"serial", "S1"}, {"state", "dispensed"}, {"location", gln},
               {"lot", "LOT-1"}}), "/lot"},
        {body({{"op", "undo"}, {"gtin", gtin}, {"serial", "S1"}, {"state", "dispensed"}, {"location", gln}}), "/state"},
        {body({{"op", "undo"}, {"gtin", gtin}, {"serial", 1}, {"location", gln}}), "/serial"},
    };
    REQUIRE(gln != "5012345000019");  // the GLN above has a wrong check digit
    for (const auto& item : cases) {
        CAPTURE(item.body);
        SubmissionAnswer answer = world.submit(scene.pharma, SubmissionKind::pack, item.body);
        CHECK(answer.outcome == "bad-body");
        CHECK(rejection_kind(answer.detail_json) == "invalid_input");
        CHECK(rejection_pointer(answer.detail_json) == item.pointer);
    }
    CHECK(world.unit("S1")->status == UnitStatus::active);
}

// ---- undo -------------------------------------------------------------------------------------------------

TEST_CASE("undo puts a decommissioned unit back, within 10 days by ordering time") {
    PackScene scene;
    World& world = scene.world;
    SubmissionAnswer dispensed = world.accept(scene.pharma, SubmissionKind::pack,
                                              decommission_body("S1", "dispensed", scene.pharma.gln()));
    const std::int64_t dispensed_at_ms = world.entry(dispensed.seq).header.ordered_at_ms;

    SUBCASE("after 9 days") {
        scene.next_ordered_at(dispensed_at_ms, 9 * day_ms);
        SubmissionAnswer undone = world.accept(scene.pharma, SubmissionKind::pack, undo_body("S1", scene.pharma.gln()));
        CHECK(world.entry(undone.seq).header.ordered_at_ms == dispensed_at_ms + 9 * day_ms);
        auto unit = world.unit("S1");
        REQUIRE(unit.has_value());
        CHECK(unit->status == UnitStatus::active);
        CHECK(unit->decommissioned_at_ms == 0);
        CHECK(unit->decommissioned_location.empty());
        CHECK(unit->decommissioned_by.empty());
        CHECK(unit->custodian == "pharma");
        CHECK(unit->updated_seq == undone.seq);
        CHECK(boost::json::parse(undone.detail_json).at("status") == "active");
        std::vector<std::uint64_t> seqs;
        CHECK(fold_chain(world, UnitKey{acme_gtin(), "S1"}, &seqs) == unit->chain_link);
        REQUIRE(seqs.size() >= 2);
        CHECK(seqs[seqs.size() - 2] == dispensed.seq);
        CHECK(seqs.back() == undone.seq);
        // And it can be dispensed again.
        world.accept(scene.pharma, SubmissionKind::pack, decommission_body("S1", "dispensed", scene.pharma.gln()));
        CHECK(world.unit("S1")->status == UnitStatus::dispensed);
    }
    SUBCASE("at exactly 10 days") {
        scene.next_ordered_at(dispensed_at_ms, limits::undo_window_ms);
        world.accept(scene.pharma, SubmissionKind::pack, undo_body("S1", scene.pharma.gln()));
        CHECK(world.unit("S1")->status == UnitStatus::active);
    }
    SUBCASE("not 1 ms past 10 days") {
        scene.next_ordered_at(dispensed_at_ms, limits::undo_window_ms + 1);
        check_refused(world, scene.pharma, undo_body("S1", scene.pharma.gln()), "undo-window-closed");
    }
    SUBCASE("not after 11 days") {
        scene.next_ordered_at(dispensed_at_ms, 11 * day_ms);
        check_refused(world, scene.pharma, undo_body("S1", scene.pharma.gln()), "undo-window-closed");
        CHECK(world.unit("S1")->status == UnitStatus::dispensed);
    }
}

TEST_CASE("undo is refused") {
    PackScene scene;
    World& world = scene.world;
    world.accept(scene.pharma, SubmissionKind::pack, decommission_body("S1", "dispensed", scene.pharma.gln()));

    SUBCASE("by another participant") {
        check_refused(world, scene.distrib, undo_body("S1", scene.distrib.gln()), "not-same-participant");
        check_refused(world, scene.acme, undo_body("S1", scene.acme.gln()), "not-same-participant");
    }
    SUBCASE("from another location of the same participant") {
        world.accept(scene.distrib, SubmissionKind::pack, decommission_body("S3", "checked_out", scene.distrib.glns[0]));
        check_refused(world, scene.distrib, undo_body("S3", scene.distrib.glns[1]), "not-same-location", "/location");
        world.accept(scene.distrib, SubmissionKind::pack, undo_body("S3", scene.distrib.glns[0]));
        CHECK(world.unit("S3")->status == UnitStatus::active);
    }
    SUBCASE("at a location that is not the submitter's") {
        check_refused(world, scene.pharma, undo_body("S1", scene.distrib.gln()), "not-submitters-location");
    }
    SUBCASE("from stolen or destroyed") {
        world.accept(scene.pharma, SubmissionKind::pack, decommission_body("S2", "stolen", scene.pharma.gln()));
        check_refused(world, scene.pharma, undo_body("S2", scene.pharma.gln()), "not-undoable");
        world.accept(scene.distrib, SubmissionKind::pack, decommission_body("S3", "destroyed", scene.distrib.gln()));
        check_refused(world, scene.distrib, undo_body("S3", scene.distrib.gln()), "not-undoable");
    }
    SUBCASE("for a unit that is not decommissioned") {
        check_refused(world, scene.pharma, undo_body("S2", scene.pharma.gln()), "not-decommissioned");
        check_refused(world, scene.acme, undo_body("S4", scene.acme.gln()), "not-decommissioned");  // in transit
    }
    SUBCASE("twice") {
        world.accept(scene.pharma, SubmissionKind::pack, undo_body("S1", scene.pharma.gln()));
        check_refused(world, scene.pharma, undo_body("S1", scene.pharma.gln()), "not-decommissioned");
    }
    SUBCASE("once its lot is recalled") {
        SubmissionAnswer recall = world.accept(scene.acme, SubmissionKind::recall, recall_body({"LOT-1"}));
        SubmissionAnswer refused = world.submit(scene.pharma, SubmissionKind::pack, undo_body("S1", scene.pharma.gln()));
        CHECK(refused.outcome == "lot-recalled");
        std::string detail(boost::json::parse(refused.detail_json).at("detail").as_string());
        CHECK(detail.find("recall " + std::to_string(recall.seq)) != std::string::npos);
        CHECK(world.unit("S1")->status == UnitStatus::dispensed);
    }
    SUBCASE("once its GTIN is withdrawn") {
        world.accept(scene.agency, SubmissionKind::recall, recall_body({}));
        check_refused(world, scene.pharma, undo_body("S1", scene.pharma.gln()), "gtin-withdrawn");
    }
    SUBCASE("but a recall of another lot does not matter") {
        world.accept(scene.acme, SubmissionKind::recall, recall_body({"LOT-6"}));
        world.accept(scene.pharma, SubmissionKind::pack, undo_body("S1", scene.pharma.gln()));
        CHECK(world.unit("S1")->status == UnitStatus::active);
    }
}

TEST_CASE("undo is refused once the unit is expired, by the UTC date of the ordering time") {
    PackScene scene;
    World& world = scene.world;
    SubmissionAnswer dispensed = world.accept(scene.pharma, SubmissionKind::pack,
                                              decommission_body("S6", "dispensed", scene.pharma.gln()));
    const std::int64_t dispensed_at_ms = world.entry(dispensed.seq).header.ordered_at_ms;

    SUBCASE("on its expiry day it may still be undone") {
        // The expiry date is 3 days after the scene's first ordering time; the last millisecond of that day:
        const std::int64_t end_of_expiry_day_ms = (dispensed_at_ms / day_ms + 4) * day_ms - 1;
        REQUIRE(utc_date(end_of_expiry_day_ms) == scene.expiry_of_s6);
        scene.next_ordered_at(end_of_expiry_day_ms, 0);
        world.accept(scene.pharma, SubmissionKind::pack, undo_body("S6", scene.pharma.gln()));
        CHECK(world.unit("S6")->status == UnitStatus::active);
    }
    SUBCASE("the day after it may not") {
        const std::int64_t day_after_expiry_ms = (dispensed_at_ms / day_ms + 4) * day_ms;
        REQUIRE(utc_date(day_after_expiry_ms) > scene.expiry_of_s6);
        scene.next_ordered_at(day_after_expiry_ms, 0);
        check_refused(world, scene.pharma, undo_body("S6", scene.pharma.gln()), "expired");
    }
}

TEST_CASE("a locked unit may be undone after any time") {
    PackScene scene;
    World& world = scene.world;
    SubmissionAnswer locked = world.accept(scene.pharma, SubmissionKind::pack,
                                           decommission_body("S2", "locked", scene.pharma.gln()));
    scene.next_ordered_at(world.entry(locked.seq).header.ordered_at_ms, 30 * day_ms);
    world.accept(scene.pharma, SubmissionKind::pack, undo_body("S2", scene.pharma.gln()));
    CHECK(world.unit("S2")->status == UnitStatus::active);

    SUBCASE("but not by someone else") {
        world.accept(scene.pharma, SubmissionKind::pack, decommission_body("S2", "locked", scene.pharma.gln()));
        check_refused(world, scene.distrib, undo_body("S2", scene.distrib.gln()), "not-same-participant");
    }
}

// ---- EPCIS and pack agree -----------------------------------------------------------------------------------

TEST_CASE("dispensing by EPCIS capture and by a pack operation reach the same unit state") {
    PackScene by_epcis;
    PackScene by_pack;
    epcis::Event dispensing = decommissioning("dispensing", "dispensed", {acme_unit("S1")});
    dispensing.biz_location = location_id(by_epcis.pharma.gln());
    SubmissionAnswer epcis_answer = by_epcis.world.accept(by_epcis.pharma, {dispensing});
    SubmissionAnswer pack_answer = by_pack.world.accept(by_pack.pharma, SubmissionKind::pack,
                                                        decommission_body("S1", "dispensed", by_pack.pharma.gln()));
    REQUIRE(epcis_answer.seq == pack_answer.seq);

    // Every field but the chain link, which hashes two different entries.
    auto without_link = [](UnitState unit) {
        unit.chain_link = zero_link;
        return describe(unit);
    };
    CHECK(without_link(*by_epcis.world.unit("S1")) == without_link(*by_pack.world.unit("S1")));
    CHECK(by_epcis.world.unit("S1")->status == UnitStatus::dispensed);

    // Either way the chain gets one link for the dispensing entry.
    for (PackScene* scene : {&by_epcis, &by_pack}) {
        std::vector<std::uint64_t> seqs;
        CHECK(fold_chain(scene->world, UnitKey{acme_gtin(), "S1"}, &seqs) == scene->world.unit("S1")->chain_link);
        CHECK(seqs.back() == epcis_answer.seq);
    }

    // And either way the pharmacy can undo it, to the same state again.
    by_epcis.world.accept(by_epcis.pharma, SubmissionKind::pack, undo_body("S1", by_epcis.pharma.gln()));
    by_pack.world.accept(by_pack.pharma, SubmissionKind::pack, undo_body("S1", by_pack.pharma.gln()));
    CHECK(by_epcis.world.unit("S1")->status == UnitStatus::active);
    CHECK(without_link(*by_epcis.world.unit("S1")) == without_link(*by_pack.world.unit("S1")));
}

TEST_CASE("an EPCIS dispense without a bizLocation is undone where the unit was") {
    PackScene scene;
    World& world = scene.world;
    world.accept(scene.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S2")})});
    CHECK(world.unit("S2")->decommissioned_location == scene.pharma.gln());  // received at its first GLN
    world.accept(scene.pharma, SubmissionKind::pack, undo_body("S2", scene.pharma.gln()));
    CHECK(world.unit("S2")->status == UnitStatus::active);
}

// ---- dates ------------------------------------------------------------------------------------------------

TEST_CASE("utc_date, utc_timestamp and is_expired") {
    CHECK(utc_date(0) == "1970-01-01");
    CHECK(utc_date(1'750'000'000'000) == "2025-06-15");
    CHECK(utc_date(-1) == "1969-12-31");
    CHECK(utc_timestamp(1'750'000'000'123) == "2025-06-15T15:06:40.123Z");
    CHECK(utc_timestamp(0) == "1970-01-01T00:00:00.000Z");
    CHECK_FALSE(is_expired("2025-06-15", 1'750'000'000'000));
    CHECK(is_expired("2025-06-14", 1'750'000'000'000));
    CHECK_FALSE(is_expired("2025-06-16", 1'750'000'000'000));
}
