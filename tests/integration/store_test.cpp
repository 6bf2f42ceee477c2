// The PostgreSQL store against its in-memory twin: the same pack, recall and alert submissions applied
// through the store and through MemoryState must leave the same units, recalls and alerts, answer the
// same StateReader questions, and pass the audit (which replays the database through MemoryState).
// Needs RXL_TEST_DATABASE (a PostgreSQL superuser connection string), as the other integration tests.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "ledger/service/audit.hpp"
#include "ledger/store/store.hpp"
#include "ledger/store/verify_index.hpp"
#include "server/cli/epcis_builder.hpp"
#include "tests/support/test_node.hpp"
#include "tests/unit/ledger_world.hpp"

using namespace rxl;
using namespace rxl::test;

namespace {

// One node on PostgreSQL: registry, applier, store; started from the genesis file.
struct StoreNode {
    TestDatabase database;
    std::unique_ptr<store::Store> store;
    Registry registry;
    Applier applier{registry, merkle::TreeAppender{}};

    explicit StoreNode(const std::string& genesis_json) {
        auto connected = store::Store::connect(database.conninfo());
        REQUIRE(connected.ok());
        store = std::move(connected).value();
        REQUIRE(store->migrate().ok());
        auto genesis = applier.apply_genesis(genesis_json);
        REQUIRE(genesis.ok());
        store->write_batch(*genesis);
        store->write_nodes(registry);
    }
    BatchResult apply(const std::vector<OrderedSubmission>& batch) {
        BatchResult result = applier.apply(batch, *store);
        store->write_batch(result);
        return result;
    }
};

std::string describe(const RecallRow& recall) {
    std::string out = std::to_string(recall.seq) + " " + recall.gtin + (recall.withdrawal ? " withdrawal" : " lots");
    for (const auto& lot : recall.lots) out += " " + lot;
    return out + " " + recall.recall_class + " " + recall.reason + " " + recall.submitter + " " +
           std::to_string(recall.ordered_at_ms);
}

std::string describe(const AlertRow& alert) {
    return std::to_string(alert.seq) + " " + alert.code + " " + alert.emvs + " " + alert.gtin + " " + alert.serial + " " +
           alert.lot + " " + alert.expiry + " " + alert.participant + " " + alert.location + " " + alert.node + " " +
           std::to_string(alert.verified_at_ms) + " " + std::to_string(alert.ordered_at_ms) + " " + alert.message;
}

}  // namespace

TEST_CASE("pack, recall and alert entries leave the same state in PostgreSQL as in memory") {
    Consortium people;
    const std::string pharma_gln = people.pharma.gln();
    // Real EPCIS bodies, not hand-built documents: the audit below parses every body again.
    const std::vector<cli::Unit> units{{acme_gtin(), "S1"}, {acme_gtin(), "S2"}, {acme_gtin(), "S3"}};
    const std::vector<std::string> links{cli::sgtin_link(units[0]), cli::sgtin_link(units[1]), cli::sgtin_link(units[2])};
    const std::int64_t event_time_ms = 1'759'000'000'000;
    auto epcis = [](const Actor& actor, std::string body) {
        return Consortium::sign(actor, SubmissionKind::epcis, std::move(body));
    };
    std::vector<Submission> day;
    day.push_back(epcis(people.acme, cli::commission_document({units[0], units[1]}, "LOT-1", "2027-05-31",
                                                              people.acme.gln(), event_time_ms)));
    day.push_back(epcis(people.acme, cli::commission_document({units[2]}, "LOT-2", "2027-05-31", people.acme.gln(),
                                                              event_time_ms + 1)));
    day.push_back(epcis(people.acme, cli::ship_document(links, people.acme.gln(), pharma_gln, event_time_ms + 2)));
    day.push_back(epcis(people.pharma, cli::receive_document(links, pharma_gln, event_time_ms + 3)));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S1", "dispensed", pharma_gln)));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, undo_body("S1", pharma_gln)));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S2", "locked", pharma_gln)));
    day.push_back(people.sign_alert(boost::json::serialize(alert_object("LOCKED"))));
    day.push_back(Consortium::sign(people.acme, SubmissionKind::recall, recall_body({"LOT-1"}, acme_gtin(), "I")));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, undo_body("S2", pharma_gln)));  // lot-recalled
    day.push_back(Consortium::sign(people.agency, SubmissionKind::recall, recall_body({"LOT-1"})));       // already-recalled
    day.push_back(Consortium::sign(people.agency, SubmissionKind::recall, recall_body({})));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S3", "dispensed", pharma_gln)));
    day.push_back(Consortium::sign(people.pharma, SubmissionKind::pack, decommission_body("S3", "destroyed", pharma_gln)));
    const std::vector<std::string> expected{"accepted", "accepted",         "accepted",     "accepted", "accepted",
                                            "accepted", "accepted",         "accepted",     "accepted", "lot-recalled",
                                            "already-recalled", "accepted", "gtin-withdrawn", "accepted"};

    StoreNode database_node(people.genesis_json());
    Node memory_node(people.genesis_json());
    std::int64_t ordered_at_ms = 1'760'000'000'000;
    // Two submissions per batch, so that some rules read the batch's own changes and some the database.
    for (std::size_t start = 0; start < day.size(); start += 2) {
        std::vector<OrderedSubmission> batch;
        for (std::size_t i = start; i < std::min(day.size(), start + 2); ++i) {
            batch.push_back(OrderedSubmission{day[i], ordered_at_ms += 1000, i + 1});
        }
        BatchResult in_database = database_node.apply(batch);
        BatchResult in_memory = memory_node.apply(batch);
        REQUIRE(in_database.answers.size() == batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) {
            INFO("submission ", start + i, ": ", in_database.answers[i].detail_json);
            CHECK(in_database.answers[i].outcome == expected[start + i]);
            CHECK(in_database.answers[i].leaf_hash == in_memory.answers[i].leaf_hash);
        }
        CHECK(in_database.root == in_memory.root);
    }
    store::Store& store = *database_node.store;

    for (const auto& [key, unit] : memory_node.store.units()) {
        auto stored = store.unit(key);
        REQUIRE(stored.has_value());
        CHECK(test::describe(*stored) == test::describe(unit));
    }
    CHECK(store.unit(UnitKey{acme_gtin(), "S1"})->status == UnitStatus::active);
    CHECK(store.unit(UnitKey{acme_gtin(), "S2"})->status == UnitStatus::locked);

    // The StateReader questions apply asks.
    CHECK(store.product_exists(acme_gtin()));
    CHECK_FALSE(store.product_exists(foreign_gtin()));
    CHECK(store.lot_exists(acme_gtin(), "LOT-2"));
    CHECK_FALSE(store.lot_exists(acme_gtin(), "LOT-9"));
    CHECK(store.lot_recall(acme_gtin(), "LOT-1") == memory_node.store.lot_recall(acme_gtin(), "LOT-1"));
    CHECK(store.lot_recall(acme_gtin(), "LOT-1").has_value());
    CHECK_FALSE(store.lot_recall(acme_gtin(), "LOT-2").has_value());
    CHECK(store.gtin_withdrawal(acme_gtin()) == memory_node.store.gtin_withdrawal(acme_gtin()));
    CHECK(store.gtin_withdrawal(acme_gtin()).has_value());

    // Recalls and alerts, as handlers read them.
    std::vector<RecallRow> recalls = store.recalls("", 0, 100);
    REQUIRE(recalls.size() == memory_node.store.recalls().size());
    auto memory_recall = memory_node.store.recalls().begin();
    for (const auto& recall : recalls) CHECK(describe(recall) == describe((memory_recall++)->second));
    REQUIRE(store.recall(recalls.front().seq).has_value());
    CHECK(describe(*store.recall(recalls.front().seq)) == describe(recalls.front()));
    CHECK_FALSE(store.recall(1).has_value());  // entry 1 is not a recall
    CHECK(store.recalls(acme_gtin(), recalls.front().seq, 100).size() == 1);
    CHECK(store.recalls(foreign_gtin(), 0, 100).empty());

    std::vector<AlertRow> alerts = store.alerts(store::AlertFilter{});
    REQUIRE(alerts.size() == 1);
    CHECK(describe(alerts.front()) == describe(memory_node.store.alerts().front()));
    store::AlertFilter by_code;
    by_code.code = "LOCKED";
    by_code.gtin = acme_gtin();
    CHECK(store.alerts(by_code).size() == 1);
    by_code.code = "STOLEN";
    CHECK(store.alerts(by_code).empty());
    store::AlertFilter later;
    later.from_ms = alerts.front().ordered_at_ms + 1;
    CHECK(store.alerts(later).empty());

    // The verify index answers as the tables do: the one every Store of the database shares (kept up to
    // date by write_batch since the genesis) and one loaded from the tables now.
    store::VerifyIndex loaded(database_node.database.conninfo());
    loaded.start_loading();
    auto shared = store.verify_index();
    for (auto* index : {shared.get(), &loaded}) {
        for (int attempt = 0; attempt < 250 && !index->product_facts(acme_gtin(), "S1", "LOT-1"); ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        for (const auto& [serial, lot] : std::vector<std::pair<std::string, std::string>>{
                 {"S1", "LOT-1"}, {"S2", "LOT-1"}, {"S3", "LOT-2"}, {"S9", "LOT-1"}, {"S1", "LOT-9"}}) {
            INFO("serial ", serial, " lot ", lot);
            auto facts = index->product_facts(acme_gtin(), serial, lot);
            REQUIRE(facts.has_value());
            CHECK(facts->gtin_known);
            CHECK(facts->manufacturer == "acme");
            CHECK(facts->lot_known == (lot != "LOT-9"));
            CHECK(index->contains_unit(UnitKey{acme_gtin(), serial}) == (serial != "S9"));
            const auto& memory_units = memory_node.store.units();
            auto in_memory = memory_units.find(UnitKey{acme_gtin(), serial});
            REQUIRE(facts->unit.has_value() == (in_memory != memory_units.end()));
            if (facts->unit) {
                UnitState expected_unit = in_memory->second;  // without what verification does not read
                expected_unit.parent.clear();
                expected_unit.commissioned_seq = expected_unit.updated_seq = 0;
                expected_unit.chain_link = Hash{};
                CHECK(test::describe(*facts->unit) == test::describe(expected_unit));
            }
            const std::string& decisive_lot = facts->unit ? facts->unit->lot : lot;
            auto recall = memory_node.store.lot_recall(acme_gtin(), decisive_lot);
            CHECK(facts->lot_recall.has_value() == recall.has_value());
            if (recall) CHECK(facts->lot_recall->recall_seq == *recall);
            REQUIRE(facts->withdrawal.has_value());
            CHECK(facts->withdrawal->recall_seq == *memory_node.store.gtin_withdrawal(acme_gtin()));
        }
    }
    CHECK_FALSE(shared->product_facts(foreign_gtin(), "S1", "LOT-1")->gtin_known);

    // Recalls and alerts are append-only, like the entries they come from.
    CHECK_THROWS(database_node.database.sql("DELETE FROM recalls"));
    CHECK_THROWS(database_node.database.sql("UPDATE alerts SET code = 'STOLEN'"));

    AuditReport report = audit_ledger(store);
    std::string findings;
    for (const auto& finding : report.findings) findings += finding.where + ": " + finding.what + "\n";
    CHECK(findings == "");
    CHECK(report.entries_checked == day.size() + 1);

    // A lot un-recalled behind the server's back is named by the audit.
    database_node.database.sql("ALTER TABLE recalled_lots DISABLE TRIGGER USER; DELETE FROM recalled_lots");
    AuditReport tampered = audit_ledger(store);
    REQUIRE(tampered.findings.size() == 1);
    CHECK(tampered.findings.front().where == "recalled_lots (gtin=" + acme_gtin() + ", lot=LOT-1)");
    CHECK(tampered.findings.front().what == "is missing from the database");
}
