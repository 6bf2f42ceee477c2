// The apply step as a whole: exactly-once submissions, signatures, duplicate events, what a rejection
// leaves behind, unit chains, and determinism across nodes and batch sizes.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "tests/unit/ledger_world.hpp"

using namespace rxl;
using namespace rxl::test;
using epcis::Action;

// ---- duplicates and repeats -----------------------------------------------------------------------------

TEST_CASE("an event hash already on the ledger is refused as duplicate-event") {
    World world;
    const Actor& acme = world.people.acme;
    epcis::Event commissioned = commissioning({acme_unit("S1")});
    world.accept(acme, {commissioned});

    SUBCASE("in a later submission") {
        const std::string before = describe(world.node.store);
        // Same hash id, different body: a different submission carrying an event already recorded.
        epcis::Event again = object_event(Action::observe, "inspecting", {acme_unit("S1")});
        again.hash_id = commissioned.hash_id;
        SubmissionAnswer answer = world.submit(acme, {object_event(Action::observe, "inspecting", {}), again});
        CHECK(answer.outcome == "duplicate-event");
        CHECK(answer.seq == 2);
        CHECK(rejection_pointer(answer.detail_json) == "/epcisBody/eventList/1");
        CHECK(world.entry(2).header.outcome == "duplicate-event");
        CHECK(describe(world.node.store) == before);
    }
    SUBCASE("twice in one document") {
        epcis::Event first = commissioning({acme_unit("S2")});
        epcis::Event second = object_event(Action::observe, "inspecting", {acme_unit("S2")});
        second.hash_id = first.hash_id;
        SubmissionAnswer answer = world.submit(acme, {first, second});
        CHECK(answer.outcome == "duplicate-event");
        CHECK_FALSE(world.unit("S2").has_value());
    }
    SUBCASE("but an error declaration may repeat the hash it corrects") {
        epcis::Event declaration = commissioned;
        declaration.is_error_declaration = true;
        SubmissionAnswer answer = world.accept(acme, {declaration});
        CHECK(event_results(answer.detail_json) == std::vector<std::string>{"recorded"});
    }
    SUBCASE("the events of a rejected document leave no trace: their hashes may come again") {
        epcis::Event refused = commissioning({acme_unit("S3")});
        CHECK(world.submit(world.people.distrib, {refused}).outcome == "not-a-manufacturer");
        SubmissionAnswer answer = world.submit(acme, {refused});
        CHECK(answer.outcome == "accepted");
        CHECK(world.unit("S3").has_value());
    }
}

TEST_CASE("an event hash repeated by a later submission of the same batch is refused") {
    World world;
    Consortium& people = world.people;
    epcis::Event commissioned = commissioning({acme_unit("S1")});
    epcis::Event echo = object_event(Action::observe, "inspecting", {acme_unit("S1")});
    echo.hash_id = commissioned.hash_id;
    BatchResult result = world.node.apply({OrderedSubmission{people.sign(people.acme, {commissioned}), 1'760'000'000'000, 0},
                                           OrderedSubmission{people.sign(people.pharma, {echo}), 1'760'000'000'001, 0}});
    REQUIRE(result.answers.size() == 2);
    CHECK(result.answers[0].outcome == "accepted");
    CHECK(result.answers[1].outcome == "duplicate-event");
    CHECK(result.entries.size() == 2);
}

TEST_CASE("a body is parsed when no parsed document comes with it") {
    World world;
    const Actor& acme = world.people.acme;
    Submission submission = sign_submission(SubmissionKind::epcis, acme.id, acme.key_id, "this is not JSON", acme.key);
    SubmissionAnswer answer = world.submit(submission);
    CHECK(answer.outcome == "invalid-json");
    CHECK(world.entry(answer.seq).header.outcome == "invalid-json");
    CHECK(world.node.store.units().empty());
}

TEST_CASE("the same submission twice makes one entry") {
    World world;
    Submission submission = world.people.sign(world.people.acme, {commissioning({acme_unit("S1")})});

    SUBCASE("in two batches") {
        SubmissionAnswer first = world.submit(submission);
        const std::string after_first = describe(world.node.store);
        SubmissionAnswer second = world.submit(submission);
        CHECK(first.outcome == "accepted");
        CHECK_FALSE(first.repeated);
        CHECK(second.repeated);
        CHECK(second.seq == first.seq);
        CHECK(second.outcome == first.outcome);
        CHECK(second.leaf_hash == first.leaf_hash);
        CHECK(second.detail_json == first.detail_json);
        CHECK(second.submission_id == submission_id(submission));
        CHECK(world.node.store.entries().size() == 2);
        CHECK(world.node.applier.size() == 2);
        CHECK(describe(world.node.store) == after_first);
    }
    SUBCASE("in one batch") {
        OrderedSubmission ordered{submission, 1'760'000'000'000, 7};
        OrderedSubmission again{submission, 1'760'000'000'001, 8};
        BatchResult result = world.node.apply({ordered, again});
        REQUIRE(result.answers.size() == 2);
        CHECK(result.entries.size() == 1);
        CHECK_FALSE(result.answers[0].repeated);
        CHECK(result.answers[1].repeated);
        CHECK(result.answers[1].seq == result.answers[0].seq);
        CHECK(result.answers[1].outcome == "accepted");
        CHECK(result.answers[1].leaf_hash == result.answers[0].leaf_hash);
        CHECK(result.size == 2);
        CHECK(result.cursor == 8);
        CHECK(world.entry(1).header.ordered_at_ms == 1'760'000'000'000);  // the first ordering counts
    }
    SUBCASE("a rejected submission repeated gets its rejection again") {
        Submission refused = world.people.sign(world.people.pharma, {commissioning({acme_unit("S1")})});
        SubmissionAnswer first = world.submit(refused);
        SubmissionAnswer second = world.submit(refused);
        CHECK(first.outcome == "not-a-manufacturer");
        CHECK(second.repeated);
        CHECK(second.outcome == "not-a-manufacturer");
        CHECK(second.seq == first.seq);
        CHECK(world.node.store.entries().size() == 2);
    }
}

// ---- signatures -------------------------------------------------------------------------------------------

TEST_CASE("a submission that does not authenticate is refused and changes nothing") {
    World world;
    const Actor& acme = world.people.acme;
    Submission submission = world.people.sign(acme, {commissioning({acme_unit("S1")})});
    std::string expected_code;

    SUBCASE("a flipped signature bit") {
        submission.signature[10] = static_cast<std::uint8_t>(submission.signature[10] ^ 0x20);
        expected_code = "bad-signature";
    }
    SUBCASE("a changed body") {
        submission.body += " ";
        expected_code = "bad-signature";
    }
    SUBCASE("signed with another key under the submitter's key id") {
        submission = sign_submission(SubmissionKind::epcis, "acme", acme.key_id, submission.body, PrivateKey::generate());
        submission.parsed_document = std::make_shared<const epcis::Document>(document({commissioning({acme_unit("S1")})}));
        expected_code = "bad-signature";
    }
    SUBCASE("an unregistered key id") {
        submission = sign_submission(SubmissionKind::epcis, "acme", "acme-key-9", submission.body, acme.key);
        submission.parsed_document = std::make_shared<const epcis::Document>(document({commissioning({acme_unit("S1")})}));
        expected_code = "unknown-key";
    }
    SUBCASE("another participant's key") {
        const Actor& distrib = world.people.distrib;
        submission = sign_submission(SubmissionKind::epcis, "acme", distrib.key_id, submission.body, distrib.key);
        submission.parsed_document = std::make_shared<const epcis::Document>(document({commissioning({acme_unit("S1")})}));
        expected_code = "key-not-submitters";
    }

    SubmissionAnswer answer = world.submit(submission);
    CHECK(answer.outcome == expected_code);
    CHECK(world.node.store.units().empty());
    CHECK(world.node.store.unit_events().empty());
    // The refusal itself is on the ledger, with the bytes that were sent.
    const EntryRecord& entry = world.entry(answer.seq);
    CHECK(entry.header.outcome == expected_code);
    CHECK(entry.header.submitter == "acme");
    CHECK(entry.header.key_id == submission.key_id);
    CHECK(entry.header.signature == Bytes(submission.signature.begin(), submission.signature.end()));
    CHECK(entry.header.body_sha256 == sha256(submission.body));
    CHECK(entry.body == submission.body);
    CHECK(entry.leaf_hash == entry_leaf_hash(entry.header));
}

TEST_CASE("governance submissions after the genesis are not accepted yet") {
    World world;
    const Actor& agency = world.people.agency;
    SubmissionAnswer answer = world.submit(agency, SubmissionKind::governance, R"({"add":"participant"})");
    CHECK(answer.outcome == "unsupported-kind");
    CHECK(world.entry(answer.seq).header.kind == "governance");
}

// ---- what a rejection leaves ------------------------------------------------------------------------------

TEST_CASE("a rejected document changes nothing, but its entry is on the ledger") {
    World world;
    const Actor& acme = world.people.acme;
    world.accept(acme, {commissioning({acme_unit("S1")})});
    const std::string before = describe(world.node.store);
    const Hash root_before = world.node.applier.root();

    // Event 0 alone would be accepted; event 1 names a unit nobody commissioned.
    Submission submission = world.people.sign(
        acme, {shipping({acme_unit("S1")}, {owning_party(world.people.distrib.gln())}),
               shipping({acme_unit("S404")}, {owning_party(world.people.distrib.gln())})});
    SubmissionAnswer answer = world.submit(submission);
    CHECK(answer.outcome == "not-commissioned");
    CHECK(rejection_pointer(answer.detail_json) == "/epcisBody/eventList/1");
    CHECK(describe(world.node.store) == before);
    CHECK(world.unit("S1")->status == UnitStatus::active);
    CHECK(world.node.store.unit_events().size() == 1);  // the commissioning only

    REQUIRE(world.node.store.entries().size() == 3);
    const EntryRecord& entry = world.entry(2);
    CHECK(entry.header.seq == 2);
    CHECK(entry.header.outcome == "not-commissioned");
    CHECK(entry.header.submission_id == submission_id(submission));
    CHECK(entry.header.ordered_at_ms == world.last_ordered_at_ms);
    CHECK(entry.leaf_hash == entry_leaf_hash(entry.header));
    CHECK(entry.leaf_hash == answer.leaf_hash);
    CHECK(world.node.applier.size() == 3);
    CHECK(world.node.applier.root() != root_before);

    // The same events, without the bad one, are accepted afterwards: nothing of the first try remained.
    world.accept(acme, {submission.parsed_document->events[0]});
    CHECK(world.unit("S1")->status == UnitStatus::in_transit);
}

// ---- unit chains ----------------------------------------------------------------------------------------

namespace {

// Folds next_unit_link over a unit's rows in unit_events, from 32 zero bytes, recomputing each entry's
// leaf hash from its header; checks every stored link on the way. Returns the last link.
Hash fold_chain(const World& world, const UnitKey& key, std::vector<std::uint64_t>* seqs = nullptr) {
    Hash link = zero_link;
    for (const auto& row : world.node.store.unit_events()) {
        if (row.key != key) continue;
        REQUIRE(row.seq < world.node.store.entries().size());
        const EntryRecord& entry = world.node.store.entries()[row.seq];
        link = next_unit_link(link, entry_leaf_hash(entry.header), row.event_index);
        CHECK(row.link == link);
        if (seqs != nullptr) seqs->push_back(row.seq);
    }
    return link;
}

}  // namespace

TEST_CASE("a unit's chain link is the fold of its events") {
    World world;
    const Consortium& people = world.people;
    const UnitKey s1{acme_gtin(), "S1"};

    // Commissioning is event 1 of its document, so the event index is visible in the link.
    SubmissionAnswer commissioned = world.accept(
        people.acme, {object_event(Action::observe, "inspecting", {}), commissioning({acme_unit("S1"), acme_unit("S2")})});
    CHECK(world.unit("S1")->chain_link == next_unit_link(zero_link, commissioned.leaf_hash, 1));
    SubmissionAnswer shipped = world.accept(people.acme, {shipping({acme_unit("S1")}, {owning_party(people.pharma.gln())})});
    SubmissionAnswer received = world.accept(people.pharma, {receiving({acme_unit("S1")})});

    std::vector<std::uint64_t> seqs;
    Hash folded = fold_chain(world, s1, &seqs);
    CHECK(seqs == std::vector<std::uint64_t>{commissioned.seq, shipped.seq, received.seq});
    CHECK(world.unit("S1")->chain_link == folded);
    Hash by_hand = next_unit_link(next_unit_link(next_unit_link(zero_link, commissioned.leaf_hash, 1), shipped.leaf_hash, 0),
                                  received.leaf_hash, 0);
    CHECK(folded == by_hand);

    // S2 was only commissioned: its chain has one link, and S1's events are not in it.
    std::vector<std::uint64_t> s2_seqs;
    CHECK(world.unit("S2")->chain_link == fold_chain(world, UnitKey{acme_gtin(), "S2"}, &s2_seqs));
    CHECK(s2_seqs == std::vector<std::uint64_t>{commissioned.seq});

    SUBCASE("recorded events and rejections do not extend it") {
        world.accept(people.pharma, {object_event(Action::observe, "inspecting", {acme_unit("S1")})});
        world.submit(people.distrib, {decommissioning("destroying", "destroyed", {acme_unit("S1")})});
        CHECK(world.unit("S1")->chain_link == folded);
    }
    SUBCASE("events on a container extend the chains of the units inside") {
        const std::string case_sscc = acme_sscc(1);
        SubmissionAnswer packed = world.accept(people.acme, {aggregation(Action::add, case_sscc, {acme_unit("S2")})});
        SubmissionAnswer case_shipped =
            world.accept(people.acme, {shipping({container_id(case_sscc)}, {owning_party(people.distrib.gln())})});
        std::vector<std::uint64_t> chained;
        CHECK(world.unit("S2")->chain_link == fold_chain(world, UnitKey{acme_gtin(), "S2"}, &chained));
        CHECK(chained == std::vector<std::uint64_t>{commissioned.seq, packed.seq, case_shipped.seq});
    }
    SUBCASE("two events of one document on a unit make two links") {
        SubmissionAnswer answer = world.accept(people.acme, {commissioning({acme_unit("S3")}),
                                                             aggregation(Action::add, acme_sscc(2), {acme_unit("S3")})});
        Hash expected = next_unit_link(next_unit_link(zero_link, answer.leaf_hash, 0), answer.leaf_hash, 1);
        CHECK(world.unit("S3")->chain_link == expected);
        CHECK(fold_chain(world, UnitKey{acme_gtin(), "S3"}) == expected);
    }
}

namespace {

// The store's unit_events table has PRIMARY KEY (gtin, serial, seq, event_index)
// (schemas/sql/001_ledger.sql): apply must never produce two rows with the same key.
void check_unit_event_keys_unique(const MemoryState& store) {
    std::set<std::tuple<std::string, std::string, std::uint64_t, std::uint32_t>> keys;
    for (const auto& row : store.unit_events()) {
        INFO("unit_events row ", row.key.gtin, "/", row.key.serial, " seq ", row.seq, " event ", row.event_index);
        CHECK(keys.emplace(row.key.gtin, row.key.serial, row.seq, row.event_index).second);
    }
}

}  // namespace

TEST_CASE("a unit named twice in one packing event makes no duplicate unit_events row") {
    World world;
    const Actor& acme = world.people.acme;
    world.accept(acme, {commissioning({acme_unit("S1"), acme_unit("S2")})});
    // Either refusing the event or counting the unit once is right; two rows for (S1, seq, 0) are not,
    // because the PostgreSQL store would fail the whole batch on its primary key, every time it retries.
    SubmissionAnswer answer = world.submit(acme, {aggregation(Action::add, acme_sscc(1), {acme_unit("S1"), acme_unit("S2"), acme_unit("S1")})});
    INFO("outcome ", answer.outcome);
    check_unit_event_keys_unique(world.node.store);
    CHECK(world.unit("S1")->chain_link == fold_chain(world, UnitKey{acme_gtin(), "S1"}));
}

// ---- determinism -----------------------------------------------------------------------------------------

namespace {

// A day on the ledger, as the orderer would hand it over: commissioning, packing, shipping, receiving,
// unpacking, dispensing, a recorded event, a refused document, a bad signature and a repeat.
std::vector<OrderedSubmission> a_day(Consortium& people, std::vector<std::string>& expected_outcomes) {
    const std::string case_sscc = acme_sscc(1);
    const std::string pallet_sscc = acme_sscc(2);
    std::vector<Submission> day;
    day.push_back(people.sign(people.acme, {commissioning({acme_unit("S1"), acme_unit("S2"), acme_unit("S3")}),
                                            commissioning({acme_unit("S4")}, "LOT-2", "2029-12-31")}));
    day.push_back(people.sign(people.acme, {aggregation(Action::add, case_sscc, {acme_unit("S1"), acme_unit("S2")})}));
    day.push_back(people.sign(people.acme, {aggregation(Action::add, pallet_sscc, {container_id(case_sscc), acme_unit("S3")})}));
    day.push_back(people.sign(people.distrib, {commissioning({acme_unit("S9")})}));  // refused
    day.push_back(people.sign(people.acme, {shipping({container_id(pallet_sscc)}, {owning_party(people.distrib.gln())})}));
    day.push_back(people.sign(people.distrib, {receiving({container_id(pallet_sscc)}, people.distrib.glns[1])}));
    day.push_back(people.sign(people.distrib, {aggregation(Action::remove, pallet_sscc, {})}));
    day.push_back(people.sign(people.distrib, {shipping({container_id(case_sscc)}, {owning_party(people.pharma.gln())})}));
    Submission repeat = day.back();
    day.push_back(repeat);  // the same bytes again
    day.push_back(people.sign(people.pharma, {receiving({container_id(case_sscc)})}));
    Submission forged = people.sign(people.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S3")})});
    forged.signature[0] = static_cast<std::uint8_t>(forged.signature[0] ^ 0x01);
    day.push_back(forged);
    day.push_back(people.sign(people.pharma, {aggregation(Action::remove, case_sscc, {acme_unit("S1")}),
                                              decommissioning("dispensing", "dispensed", {acme_unit("S1")})}));
    day.push_back(people.sign(people.agency, {object_event(Action::observe, "inspecting", {acme_unit("S2")})}));
    day.push_back(people.sign(people.pharma, {decommissioning("dispensing", "dispensed", {acme_unit("S1")})}));  // again
    expected_outcomes = {"accepted", "accepted", "accepted", "not-a-manufacturer", "accepted", "accepted", "accepted",
                         "accepted", "accepted", "accepted", "bad-signature", "accepted", "accepted", "not-active"};

    std::vector<OrderedSubmission> ordered;
    std::int64_t ordered_at_ms = 1'760'000'000'000;
    std::uint64_t cursor = 100;
    for (auto& submission : day) {
        ordered_at_ms += 250;
        cursor += 3;
        ordered.push_back(OrderedSubmission{std::move(submission), ordered_at_ms, cursor});
    }
    return ordered;
}

// Applies `submissions` to `node` in batches of `batch_size`, and returns every answer in order.
std::vector<SubmissionAnswer> apply_in_batches(Node& node, const std::vector<OrderedSubmission>& submissions,
                                               std::size_t batch_size) {
    std::vector<SubmissionAnswer> answers;
    for (std::size_t start = 0; start < submissions.size(); start += batch_size) {
        std::size_t end = std::min(submissions.size(), start + batch_size);
        std::vector<OrderedSubmission> batch(submissions.begin() + static_cast<std::ptrdiff_t>(start),
                                             submissions.begin() + static_cast<std::ptrdiff_t>(end));
        BatchResult result = node.apply(batch);
        CHECK(result.size == node.store.entries().size());
        CHECK(result.root == node.applier.root());
        CHECK(result.cursor == batch.back().cursor);
        answers.insert(answers.end(), result.answers.begin(), result.answers.end());
    }
    return answers;
}

std::string describe(const std::vector<SubmissionAnswer>& answers) {
    std::string out;
    for (const auto& answer : answers) {
        out += std::to_string(answer.seq) + " " + answer.outcome + (answer.repeated ? " repeated " : " ") +
               to_hex(answer.leaf_hash) + "\n";
    }
    return out;
}

std::string describe_entries(const MemoryState& store) {
    std::string out;
    for (const auto& entry : store.entries()) out += to_hex(encode_entry(entry.header)) + " " + to_hex(entry.leaf_hash) + "\n";
    return out;
}

std::string describe_unit_events(const MemoryState& store) {
    std::string out;
    for (const auto& row : store.unit_events()) {
        out += row.key.gtin + "/" + row.key.serial + " " + std::to_string(row.seq) + ":" +
               std::to_string(row.event_index) + " " + to_hex(row.link) + "\n";
    }
    return out;
}

}  // namespace

TEST_CASE("two nodes applying the same submissions agree, whatever the batch sizes") {
    Consortium people;
    std::vector<std::string> expected_outcomes;
    const std::vector<OrderedSubmission> day = a_day(people, expected_outcomes);
    const std::string genesis_json = people.genesis_json();

    Node reference(genesis_json);
    std::vector<SubmissionAnswer> reference_answers = apply_in_batches(reference, day, 1);

    // The scene played out as written, so agreement below is agreement on something.
    REQUIRE(reference_answers.size() == expected_outcomes.size());
    for (std::size_t i = 0; i < expected_outcomes.size(); ++i) {
        INFO("submission ", i, ": ", reference_answers[i].detail_json);
        CHECK(reference_answers[i].outcome == expected_outcomes[i]);
    }
    CHECK(reference_answers[8].repeated);
    CHECK(reference.store.entries().size() == 1 + day.size() - 1);  // genesis, and one entry per distinct submission
    const auto& units = reference.store.units();
    REQUIRE(units.size() == 4);
    CHECK(units.at(UnitKey{acme_gtin(), "S1"}).status == UnitStatus::dispensed);
    CHECK(units.at(UnitKey{acme_gtin(), "S1"}).parent.empty());
    CHECK(units.at(UnitKey{acme_gtin(), "S2"}).custodian == "pharma");
    CHECK(units.at(UnitKey{acme_gtin(), "S2"}).parent == acme_sscc(1));
    CHECK(units.at(UnitKey{acme_gtin(), "S3"}).custodian == "distrib");
    CHECK(units.at(UnitKey{acme_gtin(), "S3"}).location == people.distrib.glns[1]);
    CHECK(units.at(UnitKey{acme_gtin(), "S4"}).custodian == "acme");

    // The Merkle root is the RFC 9162 root over the leaf hashes recomputed from the stored entries.
    merkle::MemoryTree tree;
    for (const auto& entry : reference.store.entries()) tree.append(entry_leaf_hash(entry.header));
    CHECK(tree.root() == reference.applier.root());

    for (std::size_t batch_size : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}, day.size()}) {
        CAPTURE(batch_size);
        Node node(genesis_json);
        std::vector<SubmissionAnswer> answers = apply_in_batches(node, day, batch_size);
        CHECK(describe(answers) == describe(reference_answers));
        CHECK(describe_entries(node.store) == describe_entries(reference.store));
        CHECK(describe(node.store) == describe(reference.store));
        CHECK(describe_unit_events(node.store) == describe_unit_events(reference.store));
        CHECK(node.applier.size() == reference.applier.size());
        CHECK(node.applier.root() == reference.applier.root());
        check_unit_event_keys_unique(node.store);
    }
}

TEST_CASE("a node started from a different genesis file disagrees at entry 0") {
    Consortium people;
    Node first(people.genesis_json());
    auto other = people.genesis_object();
    other["consortium"] = "another-consortium";
    Node second(boost::json::serialize(other));
    CHECK(first.store.entries()[0].leaf_hash != second.store.entries()[0].leaf_hash);
    CHECK(first.applier.root() != second.applier.root());
}

TEST_CASE("the genesis entry") {
    Consortium people;
    const std::string genesis_json = people.genesis_json();
    Node node(genesis_json);
    REQUIRE(node.store.entries().size() == 1);
    const EntryRecord& entry = node.store.entries()[0];
    CHECK(entry.header.seq == 0);
    CHECK(entry.header.ordered_at_ms == 0);
    CHECK(entry.header.kind == "governance");
    CHECK(entry.header.submitter == "genesis");
    CHECK(entry.header.key_id.empty());
    CHECK(entry.header.signature.empty());
    CHECK(entry.header.outcome == "accepted");
    CHECK(entry.header.body_sha256 == sha256(genesis_json));
    CHECK(entry.body == genesis_json);
    CHECK(entry.leaf_hash == entry_leaf_hash(entry.header));
    CHECK(node.applier.size() == 1);
    CHECK(node.applier.root() == entry.leaf_hash);  // a one-leaf tree's root is its leaf
    REQUIRE(node.registry.find("pharma") != nullptr);
    CHECK(node.registry.find("pharma")->role == Role::pharmacy);

    Registry registry;
    Applier applier(registry, merkle::TreeAppender{});
    auto refused = applier.apply_genesis(R"({"format":"rxledger-genesis/v0"})");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "invalid-genesis");
    CHECK(applier.size() == 0);
    CHECK(registry.participants().empty());
}
