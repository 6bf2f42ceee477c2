// `rxledger dev-cluster`: everything a development consortium of N nodes needs, in one folder.
//
//   DIR/consortium.json, keys/, tokens/, client-ca/, client-certs/   as dev-consortium, with N nodes
//   DIR/cluster-ca/ca.crt, ca.key       the CA of the consortium's infrastructure (etcd members, node HTTPS)
//   DIR/etcd/etcd-I.crt, .key           member I's certificate: serves clients and peers, is a peer's client
//   DIR/nodes/node-I.crt, .key          node I's HTTPS certificate (peers verify it against cluster-ca)
//   DIR/nodes/node-I-etcd.crt, .key     node I's client certificate towards its etcd member
//   DIR/nodes/node-I.json               node I's rxledgerd configuration
//   DIR/cluster.env                     the topology as shell variables, for scripts/cluster
//
// Loopback mode (the default) puts every process on 127.0.0.1 with consecutive ports; --compose names
// hosts as docker-compose.yml does (node-I, etcd-I, postgres-I) and writes paths as mounted at --root.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "server/cli/commands.hpp"
#include "server/cli/dev_certificates.hpp"
#include "server/cli/options.hpp"

namespace rxl::cli {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

struct Topology {
    bool compose = false;
    int nodes = 3;
    int https_port = 9441;  // node I: https_port + I - 1 (compose: 8443 on every host)
    int etcd_port = 23791;  // member I: client etcd_port + 2(I-1), peer one above (compose: 2379, 2380)
    std::string database = "host=127.0.0.1 port=5433 user=rxledger dbname=rxledger_node{}";  // {} = I
    std::string root;       // where DIR is seen by the nodes

    std::string node_host(int i) const { return compose ? fmt::format("node-{}", i) : "127.0.0.1"; }
    std::string etcd_host(int i) const { return compose ? fmt::format("etcd-{}", i) : "127.0.0.1"; }
    int node_port(int i) const { return compose ? 8443 : https_port + i - 1; }
    int etcd_client_port(int i) const { return compose ? 2379 : etcd_port + 2 * (i - 1); }
    int etcd_peer_port(int i) const { return compose ? 2380 : etcd_port + 2 * (i - 1) + 1; }
    std::string node_url(int i) const { return fmt::format("https://{}:{}", node_host(i), node_port(i)); }
    std::string etcd_client_url(int i) const { return fmt::format("https://{}:{}", etcd_host(i), etcd_client_port(i)); }
    std::string etcd_peer_url(int i) const { return fmt::format("https://{}:{}", etcd_host(i), etcd_peer_port(i)); }
    std::string node_database(int i) const {
        return compose ? fmt::format("host=postgres-{} port=5432 user=rxledger dbname=rxledger", i)
                       : fmt::format(fmt::runtime(database), i);
    }
};

int fail(const std::string& message) {
    std::cerr << "rxledger dev-cluster: " << message << "\n";
    return 1;
}

bool write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

Status make_certificates(const fs::path& dir, const Topology& topology) {
    const CertificateFiles authority{dir / "cluster-ca" / "ca.crt", dir / "cluster-ca" / "ca.key"};
    if (fs::exists(authority.certificate)) return ok_status();
    fs::create_directories(dir / "cluster-ca");
    fs::create_directories(dir / "etcd");
    fs::create_directories(dir / "nodes");
    if (auto made = make_certificate_authority(authority, "rxledger development cluster CA"); !made) return made;
    for (int i = 1; i <= topology.nodes; ++i) {
        const std::string etcd = fmt::format("etcd-{}", i);
        const std::string node = fmt::format("node-{}", i);
        if (auto made = make_server_certificate(authority, {dir / "etcd" / (etcd + ".crt"), dir / "etcd" / (etcd + ".key")}, etcd,
                                                {"localhost", etcd});
            !made) {
            return made;
        }
        if (auto made = make_server_certificate(authority, {dir / "nodes" / (node + ".crt"), dir / "nodes" / (node + ".key")}, node,
                                                {"localhost", node});
            !made) {
            return made;
        }
        if (auto made = make_client_certificate(authority, {dir / "nodes" / (node + "-etcd.crt"), dir / "nodes" / (node + "-etcd.key")}, node);
            !made) {
            return made;
        }
    }
    return ok_status();
}

std::string node_config(const Topology& topology, int i) {
    const std::string root = topology.root;
    const std::string node = fmt::format("node-{}", i);
    const std::string operator_id = dev_node_operator(static_cast<std::size_t>(i - 1));
    json::object config{
        {"listen_address", topology.compose ? "0.0.0.0" : "127.0.0.1"},
        {"port", topology.node_port(i)},
        {"tls_certificate", root + "/nodes/" + node + ".crt"},
        {"tls_private_key", root + "/nodes/" + node + ".key"},
        {"tls_client_ca", root + "/client-ca/ca.crt"},
        {"database", topology.node_database(i)},
        {"genesis", root + "/consortium.json"},
        {"tokens", root + "/token-hashes.json"},
        {"node_id", node},
        {"node_key", root + "/keys/" + node + ".pem"},
        {"access_log", ""},
        {"orderer", "etcd"},
        {"etcd_url", topology.etcd_client_url(i)},
        {"etcd_ca", root + "/cluster-ca/ca.crt"},
        {"etcd_client_certificate", root + "/nodes/" + node + "-etcd.crt"},
        {"etcd_client_key", root + "/nodes/" + node + "-etcd.key"},
        {"peer_ca", root + "/cluster-ca/ca.crt"},
        {"peer_client_certificate", root + "/client-certs/" + operator_id + ".crt"},
        {"peer_client_key", root + "/client-certs/" + operator_id + ".key"}};
    return json::serialize(config) + "\n";
}

std::string cluster_env(const Topology& topology) {
    std::string initial_cluster;
    std::string text = fmt::format("# written by rxledger dev-cluster; sourced by scripts/cluster\nNODE_COUNT={}\n", topology.nodes);
    for (int i = 1; i <= topology.nodes; ++i) {
        if (!initial_cluster.empty()) initial_cluster += ",";
        initial_cluster += fmt::format("etcd-{}={}", i, topology.etcd_peer_url(i));
        text += fmt::format("NODE_URL_{0}='{1}'\nNODE_PORT_{0}={2}\nETCD_CLIENT_URL_{0}='{3}'\nETCD_PEER_URL_{0}='{4}'\nDATABASE_{0}='{5}'\n",
                            i, topology.node_url(i), topology.node_port(i), topology.etcd_client_url(i),
                            topology.etcd_peer_url(i), topology.node_database(i));
    }
    text += fmt::format("ETCD_INITIAL_CLUSTER='{}'\n", initial_cluster);
    return text;
}

}  // namespace

int dev_cluster(const Arguments& arguments) {
    Options options = parse_options(arguments, {"compose"});
    if (!options.error.empty() || !options.has("dir")) {
        return fail("usage: rxledger dev-cluster --dir DIR [--nodes 3] [--https-port 9441] [--etcd-port 23791] "
                    "[--database CONNINFO_WITH_{}] [--compose [--root /etc/rxledger]]");
    }
    Topology topology;
    topology.compose = options.has("compose");
    try {
        topology.nodes = std::stoi(options.get("nodes", "3"));
        topology.https_port = std::stoi(options.get("https-port", "9441"));
        topology.etcd_port = std::stoi(options.get("etcd-port", "23791"));
    } catch (const std::exception&) {
        return fail("--nodes, --https-port and --etcd-port take numbers");
    }
    if (topology.nodes < 1 || topology.nodes > 7) return fail("--nodes must be 1 to 7 (etcd voters)");
    topology.database = options.get("database", topology.database);
    const fs::path dir = fs::absolute(options.get("dir"));
    topology.root = options.get("root", topology.compose ? "/etc/rxledger" : dir.string());

    std::vector<std::string> urls;
    for (int i = 1; i <= topology.nodes; ++i) urls.push_back(topology.node_url(i));
    if (auto made = create_dev_consortium(dir, urls); !made) return fail(made.error().detail);
    if (auto made = make_certificates(dir, topology); !made) return fail(made.error().detail);
    for (int i = 1; i <= topology.nodes; ++i) {
        if (!write_file(dir / "nodes" / fmt::format("node-{}.json", i), node_config(topology, i))) return fail("cannot write the node configurations");
    }
    if (!write_file(dir / "cluster.env", cluster_env(topology))) return fail("cannot write cluster.env");
    std::cout << "development cluster of " << topology.nodes << " nodes in " << dir.string() << "\n";
    return 0;
}

}  // namespace rxl::cli
