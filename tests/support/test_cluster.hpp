// A real consortium for the cluster tests: `scripts/cluster` starts N etcd members (mutual TLS) and N
// rxledgerd nodes on free loopback ports, each node with its own database in the PostgreSQL cluster that
// scripts/test started (RXL_TEST_DATABASE). Stopped, and the databases dropped, when the object goes.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ledger/core/result.hpp"
#include "server/cli/key_file.hpp"
#include "server/http/client.hpp"

namespace rxl::test {

class TestCluster {
public:
    // `settings`: "name=value" options for every node (--set), e.g. "cosign_every_entries=5".
    explicit TestCluster(int nodes = 3, std::vector<std::string> settings = {});
    ~TestCluster();
    TestCluster(const TestCluster&) = delete;
    TestCluster& operator=(const TestCluster&) = delete;

    int nodes() const { return nodes_; }
    // Runs `scripts/cluster ARGS` for this cluster ("kill node 2", "start etcd 1", …); returns its output.
    std::string control(const std::string& arguments) const;

    // A client of node i (from 1) that trusts the cluster CA.
    http::HttpsClient client(int node, std::uint32_t timeout_ms = 30'000) const;
    std::string url(int node) const;
    std::uint16_t port(int node) const { return static_cast<std::uint16_t>(https_port_ + node - 1); }
    const std::filesystem::path& dev_dir() const { return dev_dir_; }
    std::string ca_file() const { return (dev_dir_ / "cluster-ca" / "ca.crt").string(); }
    cli::KeyFile key(const std::string& participant) const;
    std::string token(const std::string& participant) const;
    std::string gln(const std::string& participant) const;
    // psql as the superuser in node i's database; returns the trimmed output.
    std::string sql(int node, const std::string& statement) const;
    // Node i's /readyz (any status), or an empty object when it does not answer.
    boost::json::object readyz(int node) const;
    // The node's log so far.
    std::string log(int node) const;
    // Creates `key` in etcd through member i, with node i's client certificate: what a node's orderer
    // does, so a test can order what no honest node would (a hostile member's modified node).
    Status etcd_create(int member, const std::string& key, const std::string& value) const;
    // The consortium's etcd key prefix ("/rxledger/<consortium>").
    std::string etcd_prefix() const { return "/rxledger/dev.rxledger.localhost"; }

    // Polls `condition` every 100 ms until it holds or `timeout_ms` pass; returns whether it held.
    static bool wait_until(const std::function<bool()>& condition, std::uint32_t timeout_ms);
    // Waits until every running node reports the same ledger size and root, at least `min_size`.
    bool wait_converged(std::uint64_t min_size, std::uint32_t timeout_ms = 60'000) const;

private:
    int nodes_;
    std::filesystem::path dir_;
    std::filesystem::path dev_dir_;
    std::string database_prefix_;
    std::string environment_;
    int https_port_ = 0;
    int etcd_port_ = 0;
};

}  // namespace rxl::test
