// The consortium, for real: three etcd members with mutual TLS, three PostgreSQL databases and three
// rxledgerd processes on loopback ports (scripts/cluster), and the failures DESIGN.md section 5 promises
// to survive.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "ledger/apply/submission.hpp"
#include "ledger/core/bytes.hpp"
#include "server/consortium/etcd_orderer.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/epcis_builder.hpp"
#include "server/http/message.hpp"
#include "tests/support/test_cluster.hpp"
#include "tests/support/responses.hpp"

namespace json = boost::json;
using namespace rxl;
using rxl::test::TestCluster;

using rxl::test::body_of;
using rxl::test::now_ms;

namespace {

struct Maker {
    cli::KeyFile key;
    std::string gln;
    std::string gtin;
};

Maker maker(const TestCluster& cluster) {
    return {cluster.key("acme-pharma"), cluster.gln("acme-pharma"), cli::make_gtin("4012345", 77)};
}

std::string commission(const Maker& who, const std::string& serial_prefix, std::size_t units = 10) {
    return cli::commission_document(cli::make_units(who.gtin, serial_prefix, units), "LOT-" + serial_prefix, "2030-01-31",
                                    who.gln, now_ms());
}

// Posts as the manufacturer; `attempts` > 1 retries the same bytes on 503 and on no answer.
Result<http::ClientResponse> post(const TestCluster& cluster, int node, const Maker& who, const std::string& body, int attempts = 1) {
    auto client = cluster.client(node);
    return cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, who.key, attempts);
}

std::uint64_t size_of(const TestCluster& cluster, int node) {
    auto ready = cluster.readyz(node);
    return ready.contains("ledger_size") ? ready.at("ledger_size").to_number<std::uint64_t>() : 0;
}

// Every entry of node i's ledger, in order.
std::vector<json::object> entries(const TestCluster& cluster, int node) {
    std::vector<json::object> all;
    auto client = cluster.client(node);
    const std::string token = cluster.token("health-authority");
    for (std::uint64_t from = 0;;) {
        auto response = client.request("GET", fmt::format("/v1/ledger/entries?from={}", from), {}, {{"Authorization", "Bearer " + token}});
        REQUIRE(response.ok());
        REQUIRE(response->status == 200);
        auto page = body_of(*response);
        const auto& items = page.at("entries").as_array();
        for (const auto& item : items) all.push_back(item.as_object());
        if (items.empty() || all.size() >= page.at("ledger_size").to_number<std::uint64_t>()) break;
        from = all.size();
    }
    return all;
}

std::set<std::string> distinct_submissions(const std::vector<json::object>& list) {
    std::set<std::string> ids;
    for (const auto& entry : list) ids.insert(std::string(entry.at("submission_id").as_string()));
    return ids;
}

}  // namespace

TEST_CASE("a capture on node 1 is verified on node 3, the same bytes on two nodes make one entry, and a tampered node is found out") {
    TestCluster cluster(3, {"cosign_every_entries=2", "status_every_ms=200"});
    const Maker who = maker(cluster);

    auto captured = post(cluster, 1, who, commission(who, "A"));
    REQUIRE_MESSAGE(captured.ok(), (captured.ok() ? "" : captured.error().detail));
    REQUIRE(captured->status == 201);
    REQUIRE(cluster.wait_converged(2));

    // Node 3 knows the pack node 1 recorded.
    std::string code = fmt::format("(01){}(17)300131(10)LOT-A(21)A1", who.gtin);
    auto verifier = cluster.client(3);
    auto verified = verifier.request("GET", "/v1/verify?code=" + http::percent_encode(code), {},
                                     {{"Authorization", "Bearer " + cluster.token("corner-pharmacy")}});
    REQUIRE(verified.ok());
    CHECK(verified->status == 200);
    auto verdict = body_of(*verified);
    CHECK(verdict.at("genuine").as_bool());
    CHECK(verdict.at("product").at("lot").as_string() == "LOT-A");

    // The same signed bytes to nodes 1 and 2 at once: both are answered with the one entry.
    const std::uint64_t before = size_of(cluster, 1);
    const std::string twice = commission(who, "B");
    Result<http::ClientResponse> first = make_error(ErrorKind::internal, "unset", ""), second = first;
    std::thread one([&] { first = post(cluster, 1, who, twice); });
    std::thread two([&] { second = post(cluster, 2, who, twice); });
    one.join();
    two.join();
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK((first->status == 201 || first->status == 200));
    CHECK((second->status == 201 || second->status == 200));
    CHECK(body_of(*first).at("seq") == body_of(*second).at("seq"));
    REQUIRE(cluster.wait_converged(before + 1));
    CHECK(size_of(cluster, 3) == before + 1);

    // Behind node 3's back, a unit disappears from its database. The ship that the others accept is
    // rejected there; its root forks, and the next final checkpoint tells everyone.
    cluster.sql(3, "SET session_replication_role = replica; DELETE FROM units WHERE serial = 'A2'");
    const std::string ship = cli::ship_document({cli::sgtin_link({who.gtin, "A2"})}, who.gln, cluster.gln("medi-wholesale"), now_ms());
    auto shipped = post(cluster, 1, who, ship);
    REQUIRE(shipped.ok());
    CHECK(body_of(*shipped).at("outcome") == "accepted");
    for (const char* prefix : {"C", "D", "E"}) REQUIRE(post(cluster, 2, who, commission(who, prefix)).ok());
    CHECK(TestCluster::wait_until([&] {
        auto ready = cluster.readyz(1);
        if (!ready.contains("disagreeing_nodes")) return false;
        for (const auto& item : ready.at("disagreeing_nodes").as_array()) {
            if (item.at("node") == "node-3") return true;
        }
        return false;
    }, 20'000));
    CHECK(TestCluster::wait_until([&] { return cluster.readyz(3)["writes"] == "refused"; }, 20'000));
    auto alarm = cluster.readyz(3);
    CHECK(std::string(alarm["alarm"].as_string()).find("final checkpoint") != std::string::npos);
    // Node 3 refuses writes; nodes 1 and 2 still take them.
    auto refused = post(cluster, 3, who, commission(who, "F"));
    REQUIRE(refused.ok());
    CHECK(refused->status == 503);
    auto taken = post(cluster, 1, who, commission(who, "G"));
    REQUIRE(taken.ok());
    CHECK(taken->status == 201);
    // The final checkpoint carries the signatures of the agreeing quorum.
    auto checkpoint = cluster.client(1).request("GET", "/v1/ledger/checkpoint", {}, {{"Authorization", "Bearer " + cluster.token("health-authority")}});
    REQUIRE(checkpoint.ok());
    CHECK(checkpoint->header("RXL-Checkpoint") == std::optional<std::string_view>("final"));
    CHECK(checkpoint->body.find("dev.rxledger.localhost/node-1") != std::string::npos);
    CHECK(checkpoint->body.find("dev.rxledger.localhost/node-2") != std::string::npos);
    CHECK(checkpoint->body.find("dev.rxledger.localhost/node-3") == std::string::npos);
}

TEST_CASE("kill -9 of a node during a stream of captures, then of an etcd member: nothing acknowledged is lost, nothing applied twice") {
    TestCluster cluster(3);
    const Maker who = maker(cluster);
    REQUIRE(cluster.wait_converged(1));

    std::vector<std::pair<std::uint64_t, std::string>> acknowledged;  // seq, submission id
    std::atomic<int> done{0};
    std::thread stream([&] {
        for (int i = 0; i < 30; ++i) {
            auto answer = post(cluster, 1 + i % 2, who, commission(who, fmt::format("S{}-", i), 5), 10);
            if (answer.ok() && (answer->status == 201 || answer->status == 200)) {
                auto body = body_of(*answer);
                acknowledged.emplace_back(body.at("seq").to_number<std::uint64_t>(), std::string(body.at("submission_id").as_string()));
            }
            done = i + 1;
        }
    });
    REQUIRE(TestCluster::wait_until([&] { return done.load() >= 5; }, 60'000));
    cluster.control("kill node 3");
    std::this_thread::sleep_for(std::chrono::seconds(2));
    cluster.control("start node 3");
    stream.join();
    CHECK(acknowledged.size() == 30);
    REQUIRE(cluster.wait_converged(31));
    auto on_node_3 = entries(cluster, 3);
    CHECK(on_node_3.size() == 31);  // genesis + 30 commissions
    CHECK(distinct_submissions(on_node_3).size() == on_node_3.size());
    for (const auto& [seq, id] : acknowledged) {
        REQUIRE(seq < on_node_3.size());
        CHECK(on_node_3[seq].at("submission_id").as_string() == id);
    }

    // One etcd member down: the other two are a quorum, writes go on; its node still reads.
    cluster.control("kill etcd 3");
    auto during = post(cluster, 1, who, commission(who, "K"), 3);
    REQUIRE(during.ok());
    CHECK(during->status == 201);
    CHECK(cluster.readyz(3).contains("ledger_size"));
    cluster.control("start etcd 3");
    CHECK(cluster.wait_converged(32));
}

TEST_CASE("two of three etcd members stopped: writes are refused within seconds, reads go on, and nothing is lost after") {
    TestCluster cluster(3);
    const Maker who = maker(cluster);
    REQUIRE(post(cluster, 1, who, commission(who, "Q"))->status == 201);
    REQUIRE(cluster.wait_converged(2));

    cluster.control("stop etcd 2");
    cluster.control("stop etcd 3");
    const std::string body = commission(who, "R");
    auto started = std::chrono::steady_clock::now();
    auto refused = post(cluster, 1, who, body);
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    REQUIRE(refused.ok());
    CHECK(refused->status == 503);
    CHECK(body_of(*refused).at("type").as_string().find("orderer-unavailable") != json::string::npos);
    CHECK(waited < 10'000);
    // Reads still answer, saying the size they reflect.
    auto reader = cluster.client(1);
    auto unit = reader.request("GET", fmt::format("/v1/units/{}/Q1", who.gtin), {}, {{"Authorization", "Bearer " + cluster.token("health-authority")}});
    REQUIRE(unit.ok());
    CHECK(unit->status == 200);
    CHECK(TestCluster::wait_until([&] { return cluster.readyz(1)["etcd"] == "unreachable"; }, 10'000));

    cluster.control("start etcd 2");
    cluster.control("start etcd 3");
    // The client retries the same bytes: one entry, whether or not the refused attempt was ordered after all.
    auto retried = post(cluster, 1, who, body, 20);
    REQUIRE(retried.ok());
    CHECK((retried->status == 201 || retried->status == 200));
    REQUIRE(cluster.wait_converged(3));
    auto all = entries(cluster, 2);
    CHECK(all.size() == 3);
    CHECK(distinct_submissions(all).size() == 3);
}

TEST_CASE("etcd compacted past a stopped node's cursor: the node catches up from a peer and checks what it fetched") {
    TestCluster cluster(3, {"cosign_every_entries=4", "compact_every_ms=300", "node_ttl_s=2", "status_every_ms=200"});
    const Maker who = maker(cluster);
    for (int i = 0; i < 3; ++i) REQUIRE(post(cluster, 1, who, commission(who, fmt::format("P{}-", i)))->status == 201);
    REQUIRE(cluster.wait_converged(4));
    const auto cursor = cluster.readyz(3).at("cursor").to_number<std::int64_t>();
    cluster.control("stop node 3");

    for (int i = 0; i < 10; ++i) REQUIRE(post(cluster, 1 + i % 2, who, commission(who, fmt::format("M{}-", i)))->status == 201);
    REQUIRE(TestCluster::wait_until([&] {
        auto ready = cluster.readyz(1);
        auto other = cluster.readyz(2);
        auto compacted = [](const json::object& r) { return r.contains("compacted_revision") ? r.at("compacted_revision").to_number<std::int64_t>() : 0; };
        return compacted(ready) > cursor + 1 || compacted(other) > cursor + 1;
    }, 30'000));

    cluster.control("start node 3");
    REQUIRE(cluster.wait_converged(14));
    CHECK(cluster.log(3).find("catching up entries") != std::string::npos);
    auto after = post(cluster, 3, who, commission(who, "Z"), 5);
    REQUIRE(after.ok());
    CHECK(after->status == 201);
    CHECK(cluster.wait_converged(15));
}

TEST_CASE("a poison document put straight into etcd, as a hostile member's node would, leaves all three nodes up, "
          "agreeing, with the entry rejected on each, also after a restart") {
    TestCluster cluster(3);
    const Maker who = maker(cluster);
    REQUIRE(post(cluster, 1, who, commission(who, "H"))->status == 201);
    REQUIRE(cluster.wait_converged(2));

    // Signed by the manufacturer (a member may sign anything), ordered without the server's checks: a NUL
    // in the ILMD lot, which PostgreSQL's text cannot hold.
    const std::string poison = cli::commission_document(cli::make_units(who.gtin, "N", 1), std::string("LOT\0N", 5),
                                                        "2030-01-31", who.gln, now_ms());
    const Submission submission =
        sign_submission(SubmissionKind::epcis, who.key.participant, who.key.key_id, poison, who.key.key);
    const std::string key = cluster.etcd_prefix() + "/log/" + to_hex(submission_id(submission));
    auto created = cluster.etcd_create(2, key, consortium::encode_log_value(submission, now_ms()));
    REQUIRE_MESSAGE(created.ok(), (created.ok() ? "" : created.error().detail));

    REQUIRE(cluster.wait_converged(3, 30'000));
    for (int node = 1; node <= 3; ++node) {
        CAPTURE(node);
        auto ready = cluster.readyz(node);
        CHECK(ready["writes"] == "open");
        auto all = entries(cluster, node);
        REQUIRE(all.size() == 3);
        CHECK(all[2].at("submission_id").as_string() == to_hex(submission_id(submission)));
        CHECK(all[2].at("outcome").as_string() == "nul-character");
    }
    // Writes go on, on every node.
    REQUIRE(post(cluster, 3, who, commission(who, "I"))->status == 201);
    REQUIRE(cluster.wait_converged(4));

    // The poison entry is replayed at start (the start-up audit): the node comes back and takes writes.
    cluster.control("stop node 2");
    cluster.control("start node 2");
    CHECK(TestCluster::wait_until([&] { return cluster.readyz(2)["writes"] == "open"; }, 30'000));
    auto after = post(cluster, 2, who, commission(who, "J"), 5);
    REQUIRE(after.ok());
    CHECK(after->status == 201);
    CHECK(cluster.wait_converged(5));
}
