// Alert aggregation (DESIGN.md section 10, rule 3): the node's window (ledger/service/alert_window.hpp)
// folds duplicates, limits each participant, counts what a full window drops, and hands over one batch;
// the batch body (ledger/apply/alert_body.hpp, version 2) applies as ONE entry whose alerts are rows of
// their own; the version-1 body of entries already on ledgers still applies; a bad batch is refused whole.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "ledger/apply/alert_body.hpp"
#include "ledger/service/alert_window.hpp"
#include "tests/unit/ledger_world.hpp"

using namespace rxl;
using namespace rxl::test;

namespace {

constexpr std::int64_t window_start_ms = 1'750'000'000'000;

AlertItem unknown_serial(const std::string& serial, const std::string& participant = "pharma", const std::string& location = "") {
    return AlertItem{"UNKNOWN_SERIAL", "A3", acme_gtin(), serial, "LOT-1", "270531", participant, location,
                     window_start_ms + 10, "serial not found", 1};
}

std::size_t count_rows(const World& world, std::uint64_t seq) {
    std::size_t rows = 0;
    for (const auto& alert : world.node.store.alerts()) rows += alert.seq == seq ? 1U : 0U;
    return rows;
}

std::size_t alert_entries(const World& world) {
    std::size_t entries = 0;
    for (const auto& entry : world.node.store.entries()) entries += entry.header.kind == "alert" ? 1U : 0U;
    return entries;
}

}  // namespace

TEST_CASE("alert window: thousands of scans make one batch, one entry, one row per distinct alert") {
    World world;
    const std::string pharmacy_gln = world.people.pharma.gln();
    AlertWindow window(window_start_ms, 256, 20);
    std::vector<AlertWindow::Added> added;
    // The same pack scanned 1,000 times: one alert whose scans say 1,000.
    for (int i = 0; i < 1000; ++i) added.push_back(window.add(unknown_serial("SAME", "pharma", pharmacy_gln)));
    CHECK(std::count(added.begin(), added.end(), AlertWindow::Added::kept) == 1);
    CHECK(std::count(added.begin(), added.end(), AlertWindow::Added::duplicate) == 999);
    // 5,000 distinct unknown serials by the same token: 19 more kept (20 a participant), the rest suppressed.
    std::size_t suppressed = 0;
    for (int i = 0; i < 5000; ++i) {
        suppressed += window.add(unknown_serial(fmt::format("X{}", i), "pharma", pharmacy_gln)) == AlertWindow::Added::suppressed ? 1U : 0U;
    }
    CHECK(suppressed == 4981);
    // Another participant's alert still gets through the flood.
    CHECK(window.add(unknown_serial("HONEST", "distrib")) == AlertWindow::Added::kept);
    CHECK(window.size() == 21);

    AlertBatch batch = window.take(window_start_ms + 1000);
    CHECK(window.empty());
    CHECK(batch.window_start_ms == window_start_ms);
    CHECK(batch.window_end_ms == window_start_ms + 1000);
    REQUIRE(batch.alerts.size() == 21);
    CHECK(batch.alerts.front().serial == "SAME");
    CHECK(batch.alerts.front().scans == 1000);
    CHECK(batch.duplicates() == 999);
    REQUIRE(batch.suppressed.size() == 1);
    CHECK(batch.suppressed.front() == SuppressedAlerts{"pharma", 4981});
    CHECK(batch.dropped == 0);
    // Every scan is accounted for: kept, folded or suppressed.
    CHECK(batch.alerts.size() + batch.duplicates() + batch.suppressed_total() == 6001);

    // The body round-trips, and applies as one entry holding the 21 alerts as rows.
    const std::string body = alert_batch_body(batch);
    auto parsed = parse_alert_body(body);
    REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().detail));
    CHECK(*parsed == batch);
    const std::size_t entries_before = world.node.store.entries().size();
    SubmissionAnswer answer = world.accept(world.people.sign_alert(body));
    CHECK(world.node.store.entries().size() == entries_before + 1);
    CHECK(alert_entries(world) == 1);
    CHECK(count_rows(world, answer.seq) == 21);
    const AlertRow& first = world.node.store.alerts().front();
    CHECK(first.item == 0);
    CHECK(first.scans == 1000);
    CHECK(first.node == "node-1");
    CHECK(first.location == pharmacy_gln);
    CHECK(world.node.store.alerts().back().item == 20);
    CHECK(world.node.store.alerts().back().participant == "distrib");
    auto detail = boost::json::parse(answer.detail_json).as_object();
    CHECK(detail.at("alerts").as_int64() == 21);
    CHECK(detail.at("scans").as_int64() == 1020);
    CHECK(detail.at("duplicates").as_int64() == 999);
    CHECK(detail.at("suppressed").as_int64() == 4981);
    CHECK(detail.at("dropped").as_int64() == 0);
}

TEST_CASE("alert window: a full window counts what it drops, and the next batch carries the unrecorded") {
    AlertWindow window(window_start_ms, 3, 20);
    std::size_t dropped = 0;
    for (int i = 0; i < 10; ++i) {
        dropped += window.add(unknown_serial(fmt::format("F{}", i), fmt::format("p{}", i % 5))) == AlertWindow::Added::dropped ? 1U : 0U;
    }
    CHECK(dropped == 7);
    CHECK(window.size() == 3);
    // A duplicate of a kept alert is folded even when the window is full.
    CHECK(window.add(unknown_serial("F0", "p0")) == AlertWindow::Added::duplicate);
    AlertBatch full = window.take(window_start_ms + 1000);
    CHECK(full.alerts.size() == 3);
    CHECK(full.dropped == 7);

    // The entry of that batch did not reach the ledger: the next batch says so, even with no alert.
    CHECK(window.empty());
    window.add_unrecorded(full.alerts.size());
    CHECK_FALSE(window.empty());
    AlertBatch next = window.take(window_start_ms + 2000);
    CHECK(next.window_start_ms == window_start_ms + 1000);
    CHECK(next.alerts.empty());
    CHECK(next.unrecorded == 3);
    CHECK(parse_alert_body(alert_batch_body(next)).ok());
}

TEST_CASE("alert window: duplicates are per unit, code and participant") {
    AlertWindow window(window_start_ms, 256, 20);
    CHECK(window.add(unknown_serial("S1", "pharma")) == AlertWindow::Added::kept);
    CHECK(window.add(unknown_serial("S1", "distrib")) == AlertWindow::Added::kept);  // another participant
    AlertItem lot = unknown_serial("S1", "pharma");
    lot.code = "LOT_MISMATCH";
    CHECK(window.add(lot) == AlertWindow::Added::kept);                             // another reason
    AlertItem other_lot = unknown_serial("S1", "pharma");
    other_lot.lot = "LOT-9";
    CHECK(window.add(other_lot) == AlertWindow::Added::duplicate);                  // same unit, reason, participant
    CHECK(window.size() == 3);
}

TEST_CASE("an alert batch is validated whole: every alert, every count, every text") {
    World world;
    AlertBatch good;
    good.window_start_ms = window_start_ms;
    good.window_end_ms = window_start_ms + 1000;
    good.alerts = {unknown_serial("A1"), unknown_serial("A2")};
    auto refused = [&](const AlertBatch& batch, const std::string& code, const std::string& pointer) {
        SubmissionAnswer answer = world.submit(world.people.sign_alert(alert_batch_body(batch)));
        INFO("detail: ", answer.detail_json);
        CHECK(answer.outcome == code);
        CHECK(rejection_pointer(answer.detail_json) == pointer);
        CHECK(world.node.store.alerts().empty());
    };
    SUBCASE("a NUL or broken UTF-8 in a message") {
        AlertBatch batch = good;
        batch.alerts[1].message = std::string("bad\0text", 8);
        refused(batch, "nul-character", "");  // the strict JSON parser refuses it before the alert rules
        batch.alerts[1].message = "cut \xE2\x82";
        auto answer = world.submit(world.people.sign_alert(alert_batch_body(batch)));
        CHECK(answer.outcome != "accepted");  // the JSON parser or the text check refuses it
        CHECK(world.node.store.alerts().empty());
    }
    SUBCASE("a message too long, a bad serial, no scans") {
        AlertBatch batch = good;
        batch.alerts[0].message = std::string(limits::alert_message_chars_max + 1, 'm');
        refused(batch, "bad-body", "/alerts/0/message");
        batch = good;
        batch.alerts[1].serial = "not cset82 \x7f";
        refused(batch, "bad-body", "/alerts/1/serial");
        batch = good;
        batch.alerts[0].scans = 0;
        refused(batch, "bad-body", "/alerts/0/scans");
    }
    SUBCASE("an unregistered participant, in an alert or a suppressed count") {
        AlertBatch batch = good;
        batch.alerts[1].participant = "nobody";
        refused(batch, "unknown-participant", "/alerts/1/participant");
        batch = good;
        batch.suppressed = {{"nobody", 3}};
        refused(batch, "unknown-participant", "/suppressed/0/participant");
    }
    SUBCASE("suppressed counts out of order or repeated") {
        AlertBatch batch = good;
        batch.suppressed = {{"pharma", 3}, {"distrib", 1}};
        refused(batch, "bad-body", "/suppressed/1/participant");
    }
    SUBCASE("more alerts than one entry may carry") {
        AlertBatch batch = good;
        batch.alerts.assign(limits::alert_batch_alerts_max + 1, unknown_serial("MANY"));
        refused(batch, "bad-body", "/alerts");
    }
    SUBCASE("a location that is another participant's") {
        AlertBatch batch = good;
        batch.alerts[0].location = world.people.acme.gln();
        refused(batch, "not-participants-location", "/alerts/0/location");
    }
    SUBCASE("the good batch is accepted, its alerts rows 0 and 1") {
        SubmissionAnswer answer = world.accept(world.people.sign_alert(alert_batch_body(good)));
        REQUIRE(world.node.store.alerts().size() == 2);
        CHECK(world.node.store.alerts()[0].seq == answer.seq);
        CHECK(world.node.store.alerts()[1].item == 1);
        CHECK(world.node.store.alerts()[1].serial == "A2");
    }
}

TEST_CASE("a version-1 alert body, as entries already on a ledger hold, still applies as one alert") {
    World world;
    // Version 1 predates the location rule: an old entry naming another participant's GLN replays as it applied.
    AlertItem old = unknown_serial("OLD", "pharma", world.people.acme.gln());
    SubmissionAnswer answer = world.accept(world.people.sign_alert(single_alert_body(old)));
    REQUIRE(world.node.store.alerts().size() == 1);
    CHECK(world.node.store.alerts()[0].item == 0);
    CHECK(world.node.store.alerts()[0].scans == 1);
    CHECK(boost::json::parse(answer.detail_json) == boost::json::parse(fmt::format(R"({{"alert_id":{}}})", answer.seq)));
    // A version-1 body may not borrow version-2 members.
    boost::json::object mixed = boost::json::parse(single_alert_body(old)).as_object();
    mixed["scans"] = 2;
    CHECK(world.submit(world.people.sign_alert(boost::json::serialize(mixed))).outcome == "bad-body");
}
