#include "tests/support/test_node.hpp"

#include "tests/support/tls.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rxl::test {

namespace fs = std::filesystem;

std::string run_command(const std::string& command) {
    std::string output;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    int status = pclose(pipe);
    if (status != 0) throw std::runtime_error(fmt::format("command failed ({}): {}\n{}", status, command, output));
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    return output;
}

std::string admin_conninfo() {
    const char* value = std::getenv("RXL_TEST_DATABASE");
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error("RXL_TEST_DATABASE is not set: run the tests through ./scripts/test, which starts "
                                 "PostgreSQL and names it");
    }
    return value;
}

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += "'\\''";
        else out.push_back(c);
    }
    return out + "'";
}

namespace {

std::string quote(const std::string& text) { return shell_quote(text); }

// A port nobody listens on right now: bind port 0 on loopback, read it, close.
std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

std::atomic<int> database_counter{0};

fs::path binary(const char* name) { return fs::path(RXL_BINARY_DIR) / "server" / name; }

}  // namespace

TestDatabase::TestDatabase()
    : name_(fmt::format("rxl_test_{}_{}_{}", ::getpid(), database_counter++,
                        std::chrono::steady_clock::now().time_since_epoch().count() % 100000)) {
    std::string admin = admin_conninfo();
    run_command(fmt::format("psql -X -q {} -c {}", quote(admin), quote("CREATE DATABASE " + name_)));
    // The same server and user as the admin connection string, this database.
    conninfo_ = admin + " dbname=" + name_;
}

TestDatabase::~TestDatabase() {
    try {
        run_command(fmt::format("psql -X -q {} -c {}", quote(admin_conninfo()), quote("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)")));
    } catch (const std::exception&) {
        // Leaving a test database behind is harmless; the cluster is private to this checkout.
    }
}

std::string TestDatabase::sql(const std::string& statement) const {
    return run_command(fmt::format("psql -X -qtA {} -c {}", quote(conninfo_), quote(statement)));
}

TestNode::TestNode(std::vector<std::string> settings) : settings_(std::move(settings)) {
    char pattern[] = "/tmp/rxl-node-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = made;
    port_ = free_port();
    run_command(fmt::format("{} dev-consortium --dir {} --node-url https://127.0.0.1:{}", binary("rxledger").string(),
                            dir_.string(), port_));
    fs::create_directories(dir_ / "tls");
    certificate_ = make_self_signed_certificate(dir_ / "tls", "localhost");
}

TestNode::~TestNode() {
    if (running()) stop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

void TestNode::start(bool wait_for_writes) {
    if (running()) throw std::logic_error("the test node is already running");
    std::vector<std::string> arguments = {
        binary("rxledgerd").string(),
        "--set", "listen_address=127.0.0.1",
        "--set", fmt::format("port={}", port_),
        "--set", "tls_certificate=" + certificate_.certificate_file.string(),
        "--set", "tls_private_key=" + certificate_.private_key_file.string(),
        "--set", "database=" + database_.conninfo(),
        "--set", "genesis=" + (dir_ / "consortium.json").string(),
        "--set", "tokens=" + (dir_ / "token-hashes.json").string(),
        "--set", "node_id=node-1",
        "--set", "node_key=" + (dir_ / "keys/node-1.pem").string(),
        "--set", "access_log=" + (dir_ / "access.jsonl").string(),
        "--set", "worker_threads=8"};
    for (const auto& setting : settings_) {
        arguments.push_back("--set");
        arguments.push_back(setting);
    }
    std::string log = (dir_ / "rxledgerd.log").string();
    std::fflush(stdout);  // or the child would write the parent's buffered output a second time
    std::fflush(stderr);
    pid_ = ::fork();
    if (pid_ == 0) {
        // If the test process dies (a crash, a killed ctest), its server dies with it: no orphans.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        std::freopen(log.c_str(), "a", stderr);
        std::freopen(log.c_str(), "a", stdout);
        std::vector<char*> argv;
        for (auto& argument : arguments) argv.push_back(argument.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        std::_Exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            std::ifstream in(log);
            std::stringstream text;
            text << in.rdbuf();
            throw std::runtime_error("rxledgerd exited at start:\n" + text.str());
        }
        auto probe = client(1000).request("GET", wait_for_writes ? "/readyz" : "/healthz");
        if (probe && probe->status == 200) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill9();
    throw std::runtime_error("rxledgerd did not become ready within 20 s");
}

std::string TestNode::cli_node_options() const {
    return fmt::format("--node https://127.0.0.1:{} --ca '{}'", port_, certificate_.certificate_file.string());
}

void TestNode::set(const std::string& setting) {
    std::string name = setting.substr(0, setting.find('=') + 1);
    std::erase_if(settings_, [&](const std::string& existing) { return existing.rfind(name, 0) == 0; });
    settings_.push_back(setting);
}

void TestNode::stop() {
    if (!running()) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void TestNode::kill9() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

http::HttpsClient TestNode::client(std::uint32_t timeout_ms) const { return client(client_options(timeout_ms)); }

http::ClientOptions TestNode::client_options(std::uint32_t timeout_ms) const {
    http::ClientOptions options;
    options.ca_file = certificate_.certificate_file.string();
    options.timeout_ms = timeout_ms;
    return options;
}

http::HttpsClient TestNode::client(const http::ClientOptions& options) const {
    return http::HttpsClient("127.0.0.1", port_, options);
}

cli::CertificateFiles TestNode::client_ca() const { return {dir_ / "client-ca" / "ca.crt", dir_ / "client-ca" / "ca.key"}; }

cli::CertificateFiles TestNode::client_certificate(const std::string& participant) const {
    return {dir_ / "client-certs" / (participant + ".crt"), dir_ / "client-certs" / (participant + ".key")};
}

cli::KeyFile dev_key(const fs::path& dir, const std::string& participant) {
    auto key = cli::read_key_file((dir / "keys" / (participant + ".key")).string());
    if (!key) throw std::runtime_error(key.error().detail);
    return std::move(key).value();
}

std::string dev_token(const fs::path& dir, const std::string& participant) {
    std::ifstream in(dir / "tokens" / (participant + ".token"));
    std::string token;
    in >> token;
    return token;
}

cli::KeyFile TestNode::key(const std::string& participant) const { return dev_key(dir_, participant); }

std::string TestNode::token(const std::string& participant) const { return dev_token(dir_, participant); }

namespace {
boost::json::object participant_entry(const fs::path& dir, const std::string& participant) {
    std::ifstream in(dir / "consortium.json");
    std::stringstream text;
    text << in.rdbuf();
    auto genesis = boost::json::parse(text.str());
    for (const auto& item : genesis.at("participants").as_array()) {
        if (item.at("id").as_string() == participant) return item.as_object();
    }
    throw std::runtime_error("no participant " + participant + " in the genesis");
}
}  // namespace

std::string dev_gln(const fs::path& dir, const std::string& participant) {
    return std::string(participant_entry(dir, participant).at("glns").as_array().at(0).as_string());
}

std::string TestNode::gln(const std::string& participant) const { return dev_gln(dir_, participant); }

std::string TestNode::company_prefix(const std::string& participant) const {
    return std::string(participant_entry(dir_, participant).at("company_prefixes").as_array().at(0).as_string());
}

}  // namespace rxl::test
