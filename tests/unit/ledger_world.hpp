// A small consortium for the ledger-core tests: four participants with fresh keys, their genesis file,
// a node (Registry + Applier + MemoryState, the in-memory twin of the store), and builders for the EPCIS
// events the custody rules read.
//
// Submissions carry a hand-built epcis::Document in `parsed_document`, so these tests never depend on the
// EPCIS parser; each body is a distinct JSON string, so that every submission has its own id.
#pragma once

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ledger/apply/applier.hpp"
#include "ledger/apply/entry.hpp"
#include "ledger/apply/memory_state.hpp"
#include "ledger/apply/registry.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/apply/submission.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/crypto/ed25519.hpp"
#include "ledger/crypto/sha256.hpp"
#include "ledger/epcis/document.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "ledger/merkle/merkle.hpp"

namespace rxl::test {

// ---- GS1 keys with valid check digits -----------------------------------------------------------------

inline std::string with_check_digit(std::string digits) {
    digits.push_back(gs1::check_digit(digits));
    return digits;
}

// GTIN-14: indicator 0, Acme's company prefix 0614141, item reference 12345.
inline std::string acme_gtin() { return with_check_digit("0061414112345"); }
// A GTIN under company prefix 0999999, which nobody holds.
inline std::string foreign_gtin() { return with_check_digit("0099999912345"); }
// SSCC-18: extension digit 0, the company prefix, a 9-digit serial reference.
inline std::string acme_sscc(int serial_reference) {
    std::string reference = std::to_string(serial_reference);
    return with_check_digit("00614141" + std::string(9 - reference.size(), '0') + reference);
}
inline std::string distrib_sscc(int serial_reference) {
    std::string reference = std::to_string(serial_reference);
    return with_check_digit("04012345" + std::string(9 - reference.size(), '0') + reference);
}
// A valid GLN that no participant registered.
inline std::string stranger_gln() { return with_check_digit("999999900001"); }

inline gs1::Identifier unit_id(const std::string& gtin, const std::string& serial) {
    return gs1::Identifier{gs1::Sgtin{gtin, serial}};
}
inline gs1::Identifier acme_unit(const std::string& serial) { return unit_id(acme_gtin(), serial); }
inline gs1::Identifier container_id(const std::string& sscc) { return gs1::Identifier{gs1::Sscc{sscc}}; }
inline gs1::Identifier location_id(const std::string& gln) { return gs1::Identifier{gs1::Sgln{gln, ""}}; }
inline gs1::Identifier party_id(const std::string& gln) { return gs1::Identifier{gs1::Pgln{gln}}; }

// ---- events -----------------------------------------------------------------------------------------

// A fresh event hash id, different from every other one in the test binary.
inline std::string next_hash_id() {
    static int counter = 0;
    ++counter;
    return "ni:///sha-256;" + to_hex(sha256("test-event-" + std::to_string(counter))) + "?ver=CBV2.0";
}

inline epcis::Event object_event(epcis::Action action, std::string biz_step, std::vector<gs1::Identifier> epcs) {
    epcis::Event event;
    event.type = epcis::EventType::object;
    event.hash_id = next_hash_id();
    event.event_id = event.hash_id;
    event.event_time_ms = 1'700'000'000'000;
    event.event_time_zone_offset = "+00:00";
    event.action = action;
    event.biz_step = std::move(biz_step);
    event.epc_list = std::move(epcs);
    return event;
}

inline epcis::Event commissioning(std::vector<gs1::Identifier> epcs, std::optional<std::string> lot = "LOT-1",
                                  std::optional<std::string> expiry = "2027-05-31") {
    epcis::Event event = object_event(epcis::Action::add, "commissioning", std::move(epcs));
    event.disposition = "active";
    event.has_ilmd = lot.has_value() || expiry.has_value();
    event.lot_number = std::move(lot);
    event.item_expiration = std::move(expiry);
    return event;
}

inline epcis::Event aggregation(epcis::Action action, const std::string& parent_sscc,
                                std::vector<gs1::Identifier> children) {
    epcis::Event event = object_event(action, action == epcis::Action::remove ? "unpacking" : "packing", {});
    event.type = epcis::EventType::aggregation;
    event.parent_id = container_id(parent_sscc);
    event.child_epcs = std::move(children);
    return event;
}

inline epcis::Event shipping(std::vector<gs1::Identifier> epcs, std::vector<epcis::Party> destinations) {
    epcis::Event event = object_event(epcis::Action::observe, "shipping", std::move(epcs));
    event.disposition = "in_transit";
    event.destinations = std::move(destinations);
    return event;
}

inline epcis::Party owning_party(const std::string& gln) { return epcis::Party{"owning_party", party_id(gln)}; }

inline epcis::Event receiving(std::vector<gs1::Identifier> epcs, std::optional<std::string> biz_location_gln = {}) {
    epcis::Event event = object_event(epcis::Action::observe, "receiving", std::move(epcs));
    event.disposition = "active";
    if (biz_location_gln) event.biz_location = location_id(*biz_location_gln);
    return event;
}

inline epcis::Event decommissioning(std::string biz_step, std::string disposition, std::vector<gs1::Identifier> epcs) {
    epcis::Event event = object_event(epcis::Action::observe, std::move(biz_step), std::move(epcs));
    event.disposition = std::move(disposition);
    return event;
}

inline epcis::Document document(std::vector<epcis::Event> events) {
    epcis::Document out;
    out.schema_version = "2.0";
    for (std::size_t i = 0; i < events.size(); ++i) events[i].index = i;
    out.events = std::move(events);
    return out;
}

// ---- participants -----------------------------------------------------------------------------------

struct Actor {
    std::string id;
    Role role = Role::manufacturer;
    std::vector<std::string> company_prefixes;
    std::vector<std::string> glns;
    std::string key_id;
    PrivateKey key;

    // The first GLN: where the participant's events happen when they name no location.
    const std::string& gln() const { return glns.front(); }
};

// A consortium node: it signs alerts with its node key, under its node id as key id.
struct NodeActor {
    std::string id;
    std::string participant;
    PrivateKey key;
};

inline boost::json::object participant_json(const Actor& actor) {
    boost::json::array prefixes, glns;
    for (const auto& prefix : actor.company_prefixes) prefixes.emplace_back(prefix);
    for (const auto& gln : actor.glns) glns.emplace_back(gln);
    PublicKey public_key = actor.key.public_key();
    return boost::json::object{
        {"id", actor.id},
        {"name", actor.id + " Ltd"},
        {"role", to_string(actor.role)},
        {"company_prefixes", std::move(prefixes)},
        {"glns", std::move(glns)},
        {"keys", boost::json::array{boost::json::object{{"id", actor.key_id}, {"public_key", to_base64(public_key)}}}},
    };
}

// Acme makes the medicine, Distrib is the wholesaler, Pharma dispenses, Agency regulates.
class Consortium {
public:
    Actor acme{"acme", Role::manufacturer, {"0614141"},
               {with_check_digit("061414100001"), with_check_digit("061414100002")}, "acme-key-1",
               PrivateKey::generate()};
    Actor distrib{"distrib", Role::wholesaler, {"4012345"},
                  {with_check_digit("401234500001"), with_check_digit("401234500002")}, "distrib-key-1",
                  PrivateKey::generate()};
    Actor pharma{"pharma", Role::pharmacy, {}, {with_check_digit("501234500001")}, "pharma-key-1",
                 PrivateKey::generate()};
    Actor agency{"agency", Role::regulator, {}, {with_check_digit("700000000001")}, "agency-key-1",
                 PrivateKey::generate()};
    NodeActor node{"node-1", "agency", PrivateKey::generate()};

    boost::json::object genesis_object() const {
        return boost::json::object{
            {"format", "rxledger-genesis/v1"},
            {"consortium", "test-consortium"},
            {"participants", boost::json::array{participant_json(acme), participant_json(distrib),
                                                participant_json(pharma), participant_json(agency)}},
            {"nodes", boost::json::array{boost::json::object{{"id", node.id},
                                                             {"participant", node.participant},
                                                             {"public_key", to_base64(node.key.public_key())},
                                                             {"url", "https://node-1.test:8443"}}}},
        };
    }
    std::string genesis_json() const { return boost::json::serialize(genesis_object()); }

    // A signed epcis submission carrying `events` as its parsed document; its body is unique.
    Submission sign(const Actor& actor, std::vector<epcis::Event> events) {
        ++bodies_;
        std::string body = R"({"type":"EPCISDocument","test_body":)" + std::to_string(bodies_) + "}";
        Submission submission = sign_submission(SubmissionKind::epcis, actor.id, actor.key_id, std::move(body), actor.key);
        submission.parsed_document = std::make_shared<const epcis::Document>(document(std::move(events)));
        return submission;
    }

    // A signed submission of another kind, with exactly this body.
    static Submission sign(const Actor& actor, SubmissionKind kind, std::string body) {
        return sign_submission(kind, actor.id, actor.key_id, std::move(body), actor.key);
    }
    // An alert, signed by the node as nodes sign them: submitter and key id are the node id.
    Submission sign_alert(std::string body) const {
        return sign_submission(SubmissionKind::alert, node.id, node.id, std::move(body), node.key);
    }

private:
    int bodies_ = 0;
};

// ---- bodies of pack, recall and alert submissions ---------------------------------------------------

// A fresh request id, so that a repeated operation (dispense, undo, dispense again) is not a retry.
inline std::string next_request_id() {
    static int counter = 0;
    return "request-" + std::to_string(++counter);
}

inline std::string decommission_body(const std::string& serial, const std::string& state, const std::string& location,
                                     const std::string& gtin = acme_gtin()) {
    return boost::json::serialize(boost::json::object{{"op", "decommission"}, {"gtin", gtin}, {"serial", serial},
                                                      {"state", state}, {"location", location},
                                                      {"request_id", next_request_id()}});
}

inline std::string undo_body(const std::string& serial, const std::string& location, const std::string& gtin = acme_gtin()) {
    return boost::json::serialize(boost::json::object{{"op", "undo"}, {"gtin", gtin}, {"serial", serial},
                                                      {"location", location}, {"request_id", next_request_id()}});
}

inline std::string recall_body(const std::vector<std::string>& lots, const std::string& gtin = acme_gtin(),
                               const std::string& recall_class = "II") {
    boost::json::array lot_list;
    for (const auto& lot : lots) lot_list.emplace_back(lot);
    return boost::json::serialize(boost::json::object{{"gtin", gtin}, {"lots", std::move(lot_list)},
                                                      {"class", recall_class}, {"reason", "contamination found"},
                                                      {"request_id", next_request_id()}});
}

// An alert body as a node raises one; `change` may alter or remove members before it is serialised.
inline boost::json::object alert_object(const std::string& code = "UNKNOWN_SERIAL") {
    return boost::json::object{{"code", code},           {"emvs", "A3"},
                               {"gtin", acme_gtin()},    {"serial", "S404"},
                               {"lot", "LOT-1"},         {"expiry", "270531"},
                               {"participant", "pharma"}, {"location", with_check_digit("501234500001")},
                               {"verified_at_ms", 1'750'000'000'500}, {"message", "serial not found"}};
}

// One node: the registry, the applier and the in-memory store, started from a genesis file.
class Node {
public:
    explicit Node(const std::string& genesis_json) {
        auto genesis = applier.apply_genesis(genesis_json);
        REQUIRE(genesis.ok());
        store.write(*genesis);
    }

    // Applies one batch and writes it, as the node's apply loop does.
    BatchResult apply(const std::vector<OrderedSubmission>& batch) {
        BatchResult result = applier.apply(batch, store);
        store.write(result);
        return result;
    }

    Registry registry;
    Applier applier{registry, merkle::TreeAppender{}};
    MemoryState store;
};

// A consortium, one node, and an orderer's clock: submit one submission per batch.
class World {
public:
    Consortium people;
    Node node{people.genesis_json()};
    std::int64_t last_ordered_at_ms = 1'750'000'000'000;

    SubmissionAnswer submit(Submission submission) {
        last_ordered_at_ms += 1000;
        BatchResult result = node.apply({OrderedSubmission{std::move(submission), last_ordered_at_ms, 0}});
        REQUIRE(result.answers.size() == 1);
        return result.answers.front();
    }
    SubmissionAnswer submit(const Actor& actor, SubmissionKind kind, std::string body) {
        return submit(Consortium::sign(actor, kind, std::move(body)));
    }
    // Submits a pack, recall or alert for a set-up step, and requires acceptance.
    SubmissionAnswer accept(Submission submission) {
        SubmissionAnswer answer = submit(std::move(submission));
        INFO("set-up step rejected: ", answer.detail_json);
        REQUIRE(answer.outcome == "accepted");
        return answer;
    }
    SubmissionAnswer accept(const Actor& actor, SubmissionKind kind, std::string body) {
        return accept(Consortium::sign(actor, kind, std::move(body)));
    }
    SubmissionAnswer submit(const Actor& actor, std::vector<epcis::Event> events) {
        return submit(people.sign(actor, std::move(events)));
    }
    // Submits and requires acceptance: for the steps that set a scene up.
    SubmissionAnswer accept(const Actor& actor, std::vector<epcis::Event> events) {
        SubmissionAnswer answer = submit(actor, std::move(events));
        INFO("set-up step rejected: ", answer.detail_json);
        REQUIRE(answer.outcome == "accepted");
        return answer;
    }

    std::optional<UnitState> unit(const std::string& serial) const { return unit(acme_gtin(), serial); }
    std::optional<UnitState> unit(const std::string& gtin, const std::string& serial) const {
        auto it = node.store.units().find(UnitKey{gtin, serial});
        return it == node.store.units().end() ? std::nullopt : std::optional<UnitState>(it->second);
    }
    std::optional<ContainerState> container(const std::string& sscc) const {
        auto it = node.store.containers().find(sscc);
        return it == node.store.containers().end() ? std::nullopt : std::optional<ContainerState>(it->second);
    }
    const EntryRecord& entry(std::uint64_t seq) const {
        REQUIRE(seq < node.store.entries().size());
        return node.store.entries()[seq];
    }
};

// ---- comparing state --------------------------------------------------------------------------------

// Every field of a unit, as one line, so that two states compare (and print) in one CHECK.
inline std::string describe(const UnitState& unit) {
    return unit.key.gtin + "/" + unit.key.serial + " lot=" + unit.lot + " exp=" + unit.expiry +
           " status=" + std::string(to_string(unit.status)) + " owner=" + unit.owner + " custodian=" + unit.custodian +
           " location=" + unit.location + " parent=" + unit.parent + " destination=" + unit.destination +
           " commissioned=" + std::to_string(unit.commissioned_seq) + " updated=" + std::to_string(unit.updated_seq) +
           " decommissioned_at=" + std::to_string(unit.decommissioned_at_ms) + " at=" + unit.decommissioned_location +
           " by=" + unit.decommissioned_by + " link=" + to_hex(unit.chain_link);
}

inline std::string describe(const ContainerState& container) {
    return container.sscc + " status=" + std::string(to_string(container.status)) + " owner=" + container.owner +
           " custodian=" + container.custodian + " location=" + container.location + " parent=" + container.parent +
           " destination=" + container.destination + " commissioned=" + std::to_string(container.commissioned_seq) +
           " updated=" + std::to_string(container.updated_seq);
}

inline std::string describe(const MemoryState& store) {
    std::string out;
    for (const auto& [key, unit] : store.units()) out += describe(unit) + "\n";
    for (const auto& [sscc, container] : store.containers()) out += describe(container) + "\n";
    return out;
}

// The per-event results an accepted entry reports ("applied" / "recorded"), in document order.
inline std::vector<std::string> event_results(const std::string& detail_json) {
    std::vector<std::string> out;
    boost::json::value detail = boost::json::parse(detail_json);
    for (const auto& event : detail.at("events").as_array()) out.emplace_back(event.at("result").as_string());
    return out;
}

// The error kind a rejection records ("rule_violation", "conflict", …).
inline std::string rejection_kind(const std::string& detail_json) {
    return std::string(boost::json::parse(detail_json).at("kind").as_string());
}

// The JSON pointer a rejection names.
inline std::string rejection_pointer(const std::string& detail_json) {
    boost::json::value detail = boost::json::parse(detail_json);
    const boost::json::value* pointer = detail.as_object().if_contains("pointer");
    return pointer == nullptr ? std::string() : std::string(pointer->as_string());
}

}  // namespace rxl::test
