#include "tests/support/test_cluster.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "server/consortium/etcd_client.hpp"
#include "tests/support/test_node.hpp"

namespace rxl::test {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string quote(const std::string& text) { return shell_quote(text); }

bool port_free(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return free;
}

// `count` consecutive free loopback ports, starting at a random place.
int free_ports(int count) {
    std::mt19937 random(static_cast<unsigned>(::getpid()) ^ static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::uniform_int_distribution<int> start(20'000, 30'000);
    for (int attempt = 0; attempt < 100; ++attempt) {
        int base = start(random);
        bool all = true;
        for (int port = base; all && port < base + count; ++port) all = port_free(port);
        if (all) return base;
    }
    throw std::runtime_error("no run of free loopback ports");
}

}  // namespace

TestCluster::TestCluster(int nodes, std::vector<std::string> settings) : nodes_(nodes) {
    char pattern[] = "/tmp/rxl-cluster-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = made;
    dev_dir_ = dir_ / "dev";
    https_port_ = free_ports(nodes);
    etcd_port_ = free_ports(2 * nodes);
    database_prefix_ = fmt::format("rxl_cluster_{}_{}", ::getpid(), https_port_);
    const std::string admin = admin_conninfo();
    for (int i = 1; i <= nodes; ++i) {
        run_command(fmt::format("psql -X -q {} -c {}", quote(admin), quote(fmt::format("CREATE DATABASE {}_{}", database_prefix_, i))));
    }
    std::string joined;
    for (const auto& setting : settings) joined += (joined.empty() ? "" : " ") + setting;
    environment_ = fmt::format("RXL_CLUSTER_DIR={} RXL_CLUSTER_HTTPS_PORT={} RXL_CLUSTER_ETCD_PORT={} RXL_CLUSTER_DATABASE={} "
                               "RXL_BIN={} RXL_CLUSTER_SET={}",
                               quote(dir_.string()), https_port_, etcd_port_, quote(admin + " dbname=" + database_prefix_ + "_{}"),
                               quote((fs::path(RXL_BINARY_DIR) / "server").string()), quote(joined));
    control(fmt::format("up -n {}", nodes));
}

TestCluster::~TestCluster() {
    try {
        control("down");
    } catch (const std::exception&) {
    }
    try {
        for (int i = 1; i <= nodes_; ++i) {
            run_command(fmt::format("psql -X -q {} -c {}", quote(admin_conninfo()),
                                    quote(fmt::format("DROP DATABASE IF EXISTS {}_{} WITH (FORCE)", database_prefix_, i))));
        }
    } catch (const std::exception&) {
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

std::string TestCluster::control(const std::string& arguments) const {
    return run_command(fmt::format("{} {}/scripts/cluster {}", environment_, RXL_SOURCE_DIR, arguments));
}

http::HttpsClient TestCluster::client(int node, std::uint32_t timeout_ms) const {
    http::ClientOptions options;
    options.ca_file = ca_file();
    options.timeout_ms = timeout_ms;
    return http::HttpsClient("127.0.0.1", port(node), options);
}

std::string TestCluster::url(int node) const { return fmt::format("https://127.0.0.1:{}", port(node)); }

cli::KeyFile TestCluster::key(const std::string& participant) const { return dev_key(dev_dir_, participant); }

std::string TestCluster::token(const std::string& participant) const { return dev_token(dev_dir_, participant); }

std::string TestCluster::gln(const std::string& participant) const { return dev_gln(dev_dir_, participant); }

std::string TestCluster::sql(int node, const std::string& statement) const {
    return run_command(fmt::format("psql -X -qtA {} -c {}", quote(fmt::format("{} dbname={}_{}", admin_conninfo(), database_prefix_, node)),
                                   quote(statement)));
}

json::object TestCluster::readyz(int node) const {
    auto connection = client(node, 5000);
    auto response = connection.request("GET", "/readyz");
    if (!response) return {};
    boost::system::error_code ec;
    auto value = json::parse(response->body, ec);
    return !ec && value.is_object() ? value.as_object() : json::object{};
}

std::string TestCluster::log(int node) const {
    std::ifstream in(dir_ / "logs" / fmt::format("node-{}.log", node));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

Status TestCluster::etcd_create(int member, const std::string& key, const std::string& value) const {
    http::ClientOptions tls;
    tls.ca_file = ca_file();
    tls.client_certificate_file = (dev_dir_ / "nodes" / fmt::format("node-{}-etcd.crt", member)).string();
    tls.client_private_key_file = (dev_dir_ / "nodes" / fmt::format("node-{}-etcd.key", member)).string();
    consortium::EtcdClient etcd(fmt::format("https://127.0.0.1:{}", etcd_port_ + 2 * (member - 1)), tls);
    auto created = etcd.create(key, value);
    if (!created) return created.error();
    if (!*created) return make_error(ErrorKind::conflict, "exists", key + " exists already");
    return ok_status();
}

bool TestCluster::wait_until(const std::function<bool()>& condition, std::uint32_t timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
}

bool TestCluster::wait_converged(std::uint64_t min_size, std::uint32_t timeout_ms) const {
    return wait_until([&] {
        std::string root;
        std::uint64_t size = 0;
        for (int i = 1; i <= nodes_; ++i) {
            auto ready = readyz(i);
            if (!ready.contains("ledger_size")) return false;
            auto node_size = ready.at("ledger_size").to_number<std::uint64_t>();
            std::string node_root(ready.at("root").as_string());
            if (node_size < min_size) return false;
            if (i == 1) {
                size = node_size;
                root = node_root;
            } else if (node_size != size || node_root != root) {
                return false;
            }
        }
        return true;
    }, timeout_ms);
}

}  // namespace rxl::test
