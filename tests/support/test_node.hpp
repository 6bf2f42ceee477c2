// A real rxledgerd for integration tests: its own development consortium and TLS certificate in a
// temporary folder, its own database in the PostgreSQL cluster that scripts/test started (named by the
// RXL_TEST_DATABASE connection string), listening on a free port on 127.0.0.1. Stopped and dropped
// again when the object goes away.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "server/cli/dev_certificates.hpp"
#include "server/cli/key_file.hpp"
#include "server/http/client.hpp"
#include "tests/support/tls.hpp"

namespace rxl::test {

class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;
    const std::string& conninfo() const { return conninfo_; }
    // Runs SQL as the cluster's superuser in this database; returns psql's trimmed output.
    std::string sql(const std::string& statement) const;

private:
    std::string name_;
    std::string conninfo_;
};

class TestNode {
public:
    // `settings`: extra "name=value" options for rxledgerd (--set).
    explicit TestNode(std::vector<std::string> settings = {});
    ~TestNode();
    TestNode(const TestNode&) = delete;
    TestNode& operator=(const TestNode&) = delete;

    // Spawns rxledgerd and waits until it takes writes (/readyz), or only until it answers (/healthz): a
    // node that refuses writes still serves reads.
    void start(bool wait_for_writes = true);
    // Sets an rxledgerd option ("name=value") for the next start, replacing an earlier value of it.
    void set(const std::string& setting);
    void stop();    // SIGTERM, then waits for the process
    void kill9();   // SIGKILL, then reaps it
    bool running() const { return pid_ > 0; }

    std::uint16_t port() const { return port_; }
    http::HttpsClient client(std::uint32_t timeout_ms = 30'000) const;
    // Options that trust this node's certificate, to add a client certificate to.
    http::ClientOptions client_options(std::uint32_t timeout_ms = 30'000) const;
    http::HttpsClient client(const http::ClientOptions& options) const;
    // The development consortium's client CA, and the client certificate it issued to a participant.
    cli::CertificateFiles client_ca() const;
    cli::CertificateFiles client_certificate(const std::string& participant) const;
    cli::KeyFile key(const std::string& participant) const;
    std::string token(const std::string& participant) const;
    // The first GLN the genesis gives the participant.
    std::string gln(const std::string& participant) const;
    std::string company_prefix(const std::string& participant) const;
    const TestDatabase& database() const { return database_; }
    const std::filesystem::path& dir() const { return dir_; }
    // "--node https://127.0.0.1:PORT --ca CERT": how the rxledger CLI reaches and trusts this node.
    std::string cli_node_options() const;

private:
    TestDatabase database_;
    std::filesystem::path dir_;
    TestCertificate certificate_;
    std::vector<std::string> settings_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

// Runs a shell command; throws with its output when it fails.
std::string run_command(const std::string& command);
// The text in single quotes for the shell.
std::string shell_quote(const std::string& text);
// RXL_TEST_DATABASE: the superuser connection string of the cluster scripts/test started; throws if unset.
std::string admin_conninfo();

// A development consortium folder's files (rxledger dev-consortium / dev-cluster): a participant's key,
// read token and first GLN.
cli::KeyFile dev_key(const std::filesystem::path& dir, const std::string& participant);
std::string dev_token(const std::filesystem::path& dir, const std::string& participant);
std::string dev_gln(const std::filesystem::path& dir, const std::string& participant);

}  // namespace rxl::test
