// Recalls and withdrawals (ledger/apply/recall_rules.hpp) and falsification alerts
// (ledger/apply/alert_rules.hpp) through Applier + MemoryState; and determinism of a day that mixes
// every kind of submission, whatever the batch sizes.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/ledger_world.hpp"

using namespace rxl;
using namespace rxl::test;

namespace {

// Lots LOT-1 (S1, S2) and LOT-2 (S3) of Acme's GTIN are commissioned.
struct RecallScene {
    World world;
    const Actor& acme = world.people.acme;
    const Actor& distrib = world.people.distrib;
    const Actor& pharma = world.people.pharma;
    const Actor& agency = world.people.agency;

    RecallScene() {
        world.accept(acme, {commissioning({acme_unit("S1"), acme_unit("S2")}, "LOT-1"),
                            commissioning({acme_unit("S3")}, "LOT-2", "2028-02-29")});
    }
};

// Checks a submission was refused with `code` and changed no state: no unit, recall or alert.
SubmissionAnswer check_refused(World& world, Submission submission, const std::string& code) {
    const std::string before = describe(world.node.store);
    const std::size_t recalls_before = world.node.store.recalls().size();
    const std::size_t alerts_before = world.node.store.alerts().size();
    SubmissionAnswer answer = world.submit(std::move(submission));
    INFO("detail: ", answer.detail_json);
    CHECK(answer.outcome == code);
    CHECK(world.entry(answer.seq).header.outcome == code);
    CHECK(describe(world.node.store) == before);
    CHECK(world.node.store.recalls().size() == recalls_before);
    CHECK(world.node.store.alerts().size() == alerts_before);
    return answer;
}

}  // namespace

// ---- recalls ----------------------------------------------------------------------------------------------

TEST_CASE("the GTIN's manufacturer recalls lots") {
    RecallScene scene;
    World& world = scene.world;
    const std::string units_before = describe(world.node.store);
    SubmissionAnswer answer = world.accept(scene.acme, SubmissionKind::recall, recall_body({"LOT-1", "LOT-2"}, acme_gtin(), "I"));

    REQUIRE(world.node.store.recalls().contains(answer.seq));
    const RecallRow& recall = world.node.store.recalls().at(answer.seq);
    CHECK(recall.seq == answer.seq);
    CHECK(recall.gtin == acme_gtin());
    CHECK(recall.lots == std::vector<std::string>{"LOT-1", "LOT-2"});
    CHECK_FALSE(recall.withdrawal);
    CHECK(recall.recall_class == "I");
    CHECK(recall.reason == "contamination found");
    CHECK(recall.submitter == "acme");
    CHECK(recall.ordered_at_ms == world.entry(answer.seq).header.ordered_at_ms);
    CHECK(world.node.store.lot_recall(acme_gtin(), "LOT-1") == answer.seq);
    CHECK(world.node.store.lot_recall(acme_gtin(), "LOT-2") == answer.seq);
    CHECK_FALSE(world.node.store.gtin_withdrawal(acme_gtin()).has_value());

    boost::json::value detail = boost::json::parse(answer.detail_json);
    CHECK(detail.at("recall_id") == answer.seq);
    CHECK(detail.at("withdrawal") == false);
    CHECK(detail.at("lots") == boost::json::array{"LOT-1", "LOT-2"});
    // A recall changes no unit, and extends no chain.
    CHECK(describe(world.node.store) == units_before);

    SUBCASE("a lot already recalled is a conflict, named by its pointer") {
        SubmissionAnswer again = check_refused(world, Consortium::sign(scene.agency, SubmissionKind::recall,
                                                                        recall_body({"LOT-2"})), "already-recalled");
        CHECK(rejection_kind(again.detail_json) == "conflict");
        CHECK(rejection_pointer(again.detail_json) == "/lots/0");
    }
    SUBCASE("a withdrawal may follow a lot recall") {
        SubmissionAnswer withdrawal = world.accept(scene.agency, SubmissionKind::recall, recall_body({}));
        CHECK(world.node.store.gtin_withdrawal(acme_gtin()) == withdrawal.seq);
        CHECK(world.node.store.lot_recall(acme_gtin(), "LOT-1") == answer.seq);  // the first recall stays
    }
}

TEST_CASE("a regulator recalls a lot") {
    RecallScene scene;
    SubmissionAnswer answer = scene.world.accept(scene.agency, SubmissionKind::recall, recall_body({"LOT-2"}));
    CHECK(scene.world.node.store.recalls().at(answer.seq).submitter == "agency");
    CHECK(scene.world.node.store.lot_recall(acme_gtin(), "LOT-2") == answer.seq);
    CHECK_FALSE(scene.world.node.store.lot_recall(acme_gtin(), "LOT-1").has_value());
}

TEST_CASE("a recall without lots withdraws the whole GTIN") {
    RecallScene scene;
    World& world = scene.world;
    std::string body;
    SUBCASE("lots empty") { body = recall_body({}); }
    SUBCASE("lots absent") {
        body = R"({"gtin":")" + acme_gtin() + R"(","class":"III","reason":"discontinued"})";
    }
    SubmissionAnswer answer = world.accept(scene.acme, SubmissionKind::recall, body);
    const RecallRow& recall = world.node.store.recalls().at(answer.seq);
    CHECK(recall.withdrawal);
    CHECK(recall.lots.empty());
    CHECK(world.node.store.gtin_withdrawal(acme_gtin()) == answer.seq);
    CHECK(boost::json::parse(answer.detail_json).at("withdrawal") == true);

    SubmissionAnswer again = check_refused(world, Consortium::sign(scene.agency, SubmissionKind::recall, recall_body({"LOT-1"})),
                                           "already-withdrawn");
    CHECK(rejection_kind(again.detail_json) == "conflict");
    check_refused(world, Consortium::sign(scene.agency, SubmissionKind::recall, recall_body({})), "already-withdrawn");
}

TEST_CASE("a recall is refused") {
    RecallScene scene;
    World& world = scene.world;

    SUBCASE("from a wholesaler or a pharmacy") {
        SubmissionAnswer answer = check_refused(world, Consortium::sign(scene.distrib, SubmissionKind::recall,
                                                                         recall_body({"LOT-1"})),
                                                "not-manufacturer-or-regulator");
        CHECK(rejection_kind(answer.detail_json) == "rule_violation");
        check_refused(world, Consortium::sign(scene.pharma, SubmissionKind::recall, recall_body({})),
                      "not-manufacturer-or-regulator");
    }
    SUBCASE("from a manufacturer of another GTIN") {
        // A GTIN under the wholesaler's company prefix is not Acme's, whoever commissioned what.
        check_refused(world, Consortium::sign(scene.acme, SubmissionKind::recall,
                                              recall_body({"LOT-1"}, with_check_digit("0401234512345"))),
                      "not-manufacturer-or-regulator");
    }
    SUBCASE("for a lot never commissioned for the GTIN") {
        SubmissionAnswer answer = check_refused(world, Consortium::sign(scene.acme, SubmissionKind::recall,
                                                                         recall_body({"LOT-1", "LOT-9"})),
                                                "unknown-lot");
        CHECK(rejection_pointer(answer.detail_json) == "/lots/1");
        std::string detail(boost::json::parse(answer.detail_json).at("detail").as_string());
        CHECK(detail.find("LOT-9") != std::string::npos);
        CHECK_FALSE(world.node.store.lot_recall(acme_gtin(), "LOT-1").has_value());
    }
    SUBCASE("for a GTIN never commissioned") {
        SubmissionAnswer answer = check_refused(
            world, Consortium::sign(scene.agency, SubmissionKind::recall, recall_body({}, foreign_gtin())),
            "unknown-product");
        CHECK(rejection_pointer(answer.detail_json) == "/gtin");
        check_refused(world, Consortium::sign(scene.acme, SubmissionKind::recall,
                                              recall_body({"LOT-1"}, with_check_digit("0061414199999"))),
                      "unknown-product");
    }
    SUBCASE("with a malformed body") {
        const std::string gtin = acme_gtin();
        struct Case {
            std::string body;
            std::string pointer;
        };
        const std::vector<Case> cases{
            {"{", ""},
            {R"({"gtin":")" + gtin + R"(","lot":"LOT-1","class":"I","reason":"r"})", "/lot"},  // not "lots"
            {R"({"gtin":")" + gtin + R"(","lots":["LOT-1"],"class":"IV","reason":"r"})", "/class"},
            {R"({"gtin":")" + gtin + R"(","lots":["LOT-1"],"class":"I"})", "/reason"},
            {R"({"gtin":")" + gtin + R"(","lots":["LOT-1"],"class":"I","reason":""})", "/reason"},
            {R"({"gtin":")" + gtin + R"(","lots":"LOT-1","class":"I","reason":"r"})", "/lots"},
            {R"({"gtin":")" + gtin + R"(","lots":["LOT-1",""],"class":"I","reason":"r"})", "/lots/1"},
            {R"({"gtin":")" + gtin + R"(","lots":["LOT-1","LOT-1"],"class":"I","reason":"r"})", "/lots/1"},
            {R"({"gtin":"123","lots":["LOT-1"],"class":"I","reason":"r"})", "/gtin"},
            {R"({"lots":["LOT-1"],"class":"I","reason":"r"})", "/gtin"},
        };
        for (const auto& item : cases) {
            CAPTURE(item.body);
            SubmissionAnswer answer = check_refused(world, Consortium::sign(scene.acme, SubmissionKind::recall, item.body),
                                                    "bad-body");
            CHECK(rejection_pointer(answer.detail_json) == item.pointer);
            CHECK(rejection_kind(answer.detail_json) == "invalid_input");
        }
    }
}

TEST_CASE("a recall sees lots commissioned, and an undo sees recalls made, earlier in the same batch") {
    Consortium people;
    Node node(people.genesis_json());
    const std::string pharma_gln = people.pharma.gln();
    std::vector<OrderedSubmission> batch;
    std::int64_t ordered_at_ms = 1'760'000'000'000;
    auto add = [&](Submission submission) { batch.push_back(OrderedSubmission{std::move(submission), ordered_at_ms += 1000, 0}); };
    add(people.sign(people.acme, {commissioning({acme_unit("S1")}, "LOT-7")}));
    add(people.sign(people.acme, {shipping({acme_unit("S1")}, {owning_party(pharma_gln)})}));
    add(people.sign(people.pharma, {receiving({acme_unit("S1")})}));
    add(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S1", "dispensed", pharma_gln)));
    add(Consortium::sign(people.acme, SubmissionKind::recall, recall_body({"LOT-7"})));
    add(Consortium::sign(people.agency, SubmissionKind::recall, recall_body({"LOT-7"})));
    add(Consortium::sign(people.pharma, SubmissionKind::pack, undo_body("S1", pharma_gln)));
    BatchResult result = node.apply(batch);
    std::vector<std::string> outcomes;
    for (const auto& answer : result.answers) outcomes.push_back(answer.outcome);
    CHECK(outcomes == std::vector<std::string>{"accepted", "accepted", "accepted", "accepted", "accepted",
                                               "already-recalled", "lot-recalled"});
    CHECK(node.store.lot_recall(acme_gtin(), "LOT-7") == result.answers[4].seq);
    CHECK(node.store.units().at(UnitKey{acme_gtin(), "S1"}).status == UnitStatus::dispensed);
}

// ---- alerts -----------------------------------------------------------------------------------------------

TEST_CASE("a node raises an alert") {
    World world;
    world.accept(world.people.acme, {commissioning({acme_unit("S1")})});
    const std::string before = describe(world.node.store);
    SubmissionAnswer answer = world.accept(world.people.sign_alert(boost::json::serialize(alert_object())));

    REQUIRE(world.node.store.alerts().size() == 1);
    const AlertRow& alert = world.node.store.alerts().front();
    CHECK(alert.seq == answer.seq);
    CHECK(alert.code == "UNKNOWN_SERIAL");
    CHECK(alert.emvs == "A3");
    CHECK(alert.gtin == acme_gtin());
    CHECK(alert.serial == "S404");
    CHECK(alert.lot == "LOT-1");
    CHECK(alert.expiry == "270531");
    CHECK(alert.participant == "pharma");
    CHECK(alert.location == world.people.pharma.gln());
    CHECK(alert.node == "node-1");
    CHECK(alert.verified_at_ms == 1'750'000'000'500);
    CHECK(alert.ordered_at_ms == world.entry(answer.seq).header.ordered_at_ms);
    CHECK(alert.message == "serial not found");
    CHECK(boost::json::parse(answer.detail_json) == boost::json::parse(R"({"alert_id":)" + std::to_string(answer.seq) + "}"));
    const EntryRecord& entry = world.entry(answer.seq);
    CHECK(entry.header.kind == "alert");
    CHECK(entry.header.submitter == "node-1");
    CHECK(entry.header.key_id == "node-1");
    // An alert changes no unit.
    CHECK(describe(world.node.store) == before);

    SUBCASE("with only the members it needs") {
        boost::json::object minimal = alert_object("STOLEN");
        for (const char* optional : {"emvs", "serial", "lot", "expiry", "location", "message"}) minimal.erase(optional);
        world.accept(world.people.sign_alert(boost::json::serialize(minimal)));
        REQUIRE(world.node.store.alerts().size() == 2);
        CHECK(world.node.store.alerts().back().code == "STOLEN");
        CHECK(world.node.store.alerts().back().serial.empty());
    }
}

TEST_CASE("an alert is refused") {
    World world;
    const Consortium& people = world.people;
    const std::string body = boost::json::serialize(alert_object());

    SUBCASE("when a participant signs it with its own key") {
        SubmissionAnswer answer = check_refused(world, Consortium::sign(people.agency, SubmissionKind::alert, body), "not-a-node");
        CHECK(rejection_kind(answer.detail_json) == "unauthenticated");
    }
    SUBCASE("when the key id is the node's but the submitter is not") {
        check_refused(world, sign_submission(SubmissionKind::alert, "agency", people.node.id, body, people.node.key),
                      "key-not-submitters");
    }
    SUBCASE("when another key signed it under the node's id") {
        check_refused(world, sign_submission(SubmissionKind::alert, people.node.id, people.node.id, body, people.agency.key),
                      "bad-signature");
    }
    SUBCASE("when a node signs another kind") {
        check_refused(world, sign_submission(SubmissionKind::recall, people.node.id, people.node.id,
                                             recall_body({}), people.node.key),
                      "unknown-key");
    }
    SUBCASE("with an unknown code") {
        SubmissionAnswer answer = check_refused(
            world, people.sign_alert(boost::json::serialize(alert_object("COUNTERFEIT"))), "bad-body");
        CHECK(rejection_pointer(answer.detail_json) == "/code");
    }
    SUBCASE("when the participant is not registered") {
        boost::json::object object = alert_object();
        object["participant"] = "nobody";
        SubmissionAnswer answer = check_refused(world, people.sign_alert(boost::json::serialize(object)),
                                                "unknown-participant");
        CHECK(rejection_pointer(answer.detail_json) == "/participant");
        CHECK(rejection_kind(answer.detail_json) == "rule_violation");
    }
    SUBCASE("with a malformed member") {
        struct Case {
            const char* member;
            boost::json::value value;
        };
        const std::vector<Case> cases{
            {"expiry", "2705"},        {"expiry", "27-05-31"},   {"emvs", "A 3"},
            {"gtin", "00614141123450"}, {"location", "123"},     {"verified_at_ms", "now"},
            {"verified_at_ms", 1.5},   {"serial", 7},             {"unexpected", true},
        };
        for (const auto& item : cases) {
            CAPTURE(item.member);
            boost::json::object object = alert_object();
            object[item.member] = item.value;
            SubmissionAnswer answer = check_refused(world, people.sign_alert(boost::json::serialize(object)), "bad-body");
            CHECK(rejection_pointer(answer.detail_json) == "/" + std::string(item.member));
        }
        boost::json::object without_time = alert_object();
        without_time.erase("verified_at_ms");
        check_refused(world, people.sign_alert(boost::json::serialize(without_time)), "bad-body");
    }
}

// ---- determinism ------------------------------------------------------------------------------------------

namespace {

std::string describe_domain(const MemoryState& store) {
    std::string out = describe(store);
    for (const auto& [seq, recall] : store.recalls()) {
        out += "recall " + std::to_string(seq) + " " + recall.gtin + " " + (recall.withdrawal ? "withdrawal" : "lots");
        for (const auto& lot : recall.lots) out += " " + lot;
        out += " " + recall.recall_class + " " + recall.submitter + " " + std::to_string(recall.ordered_at_ms) + "\n";
    }
    for (const auto& alert : store.alerts()) {
        out += "alert " + std::to_string(alert.seq) + " " + alert.code + " " + alert.node + " " +
               std::to_string(alert.ordered_at_ms) + "\n";
    }
    for (const auto& entry : store.entries()) out += to_hex(entry.leaf_hash) + " " + entry.detail_json + "\n";
    for (const auto& row : store.unit_events()) {
        out += row.key.serial + " " + std::to_string(row.seq) + ":" + std::to_string(row.event_index) + " " + to_hex(row.link) + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("a day of pack, recall and alert submissions applies the same in any batch sizes") {
    Consortium people;
    const std::string pharma_gln = people.pharma.gln();
    std::vector<Submission> day;
    day.push_back(people.sign(people.acme, {commissioning({acme_unit("S1"), acme_unit("S2")}, "LOT-1"),
                                            commissioning({acme_unit("S3")}, "LOT-2")}));
    day.push_back(people.sign(people.acme, {shipping({acme_unit("S1"), acme_unit("S2"), acme_unit("S3")},
                                                     {owning_party(pharma_gln)})}));
    day.push_back(people.sign(people.pharma, {receiving({acme_unit("S1"), acme_unit("S2"), acme_unit("S3")})}));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S1", "dispensed", pharma_gln)));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S1", "dispensed", pharma_gln)));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, undo_body("S1", pharma_gln)));
    day.push_back(people.sign_alert(boost::json::serialize(alert_object("ALREADY_DECOMMISSIONED"))));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S2", "locked", pharma_gln)));
    day.push_back(Consortium::sign(people.acme, SubmissionKind::recall, recall_body({"LOT-1"})));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, undo_body("S2", pharma_gln)));
    day.push_back(Consortium::sign(people.distrib, SubmissionKind::recall, recall_body({"LOT-2"})));
    day.push_back(Consortium::sign(people.agency, SubmissionKind::recall, recall_body({})));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S3", "dispensed", pharma_gln)));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S3", "destroyed", pharma_gln)));
    const std::vector<std::string> expected{"accepted", "accepted", "accepted", "accepted", "already-decommissioned",
                                            "accepted", "accepted", "accepted", "accepted", "lot-recalled",
                                            "not-manufacturer-or-regulator", "accepted", "gtin-withdrawn", "accepted"};
    std::vector<OrderedSubmission> ordered;
    std::int64_t ordered_at_ms = 1'760'000'000'000;
    for (auto& submission : day) ordered.push_back(OrderedSubmission{std::move(submission), ordered_at_ms += 500, 0});

    std::string reference;
    for (std::size_t batch_size : {std::size_t{1}, std::size_t{2}, std::size_t{5}, ordered.size()}) {
        CAPTURE(batch_size);
        Node node(people.genesis_json());
        std::vector<std::string> outcomes;
        for (std::size_t start = 0; start < ordered.size(); start += batch_size) {
            std::size_t end = std::min(ordered.size(), start + batch_size);
            BatchResult result = node.apply({ordered.begin() + static_cast<std::ptrdiff_t>(start),
                                             ordered.begin() + static_cast<std::ptrdiff_t>(end)});
            for (const auto& answer : result.answers) outcomes.push_back(answer.outcome);
        }
        CHECK(outcomes == expected);
        CHECK(node.store.recalls().size() == 2);
        CHECK(node.store.alerts().size() == 1);
        if (reference.empty()) reference = describe_domain(node.store);
        CHECK(describe_domain(node.store) == reference);
    }
}
