// Read authentication on a real node over HTTPS: API tokens issued and revoked with the `rxledger`
// binary against the node's database, and TLS client certificates from the development consortium's CA.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "ledger/core/bytes.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/crypto/sha256.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/dev_certificates.hpp"
#include "server/cli/epcis_builder.hpp"
#include "tests/support/test_node.hpp"

using namespace rxl;
using namespace std::chrono_literals;
using rxl::test::TestNode;

namespace {

// The documented bound on a revocation: token_cache_ms's default (docs/configuration.md).
constexpr auto revocation_bound = std::chrono::milliseconds(limits::api_token_cache_ms);
// Slack for the request and the command themselves on a loaded 2-core machine.
constexpr auto revocation_slack = 2000ms;

const std::string read_target = "/v1/ledger/checkpoint";

std::string quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct CommandOutput {
    int status = -1;
    std::string out;  // standard output, trailing newline removed
    std::string err;
};

// Runs `rxledger token ACTION --database <the node's database> ARGUMENTS…`.
CommandOutput token_command(const TestNode& node, const std::string& action, const std::string& arguments = {}) {
    test::TemporaryDirectory scratch;
    const auto err_file = scratch.path() / "stderr";
    const std::string command = fmt::format("{}/server/rxledger token {} --database {} {} 2>{}", RXL_BINARY_DIR, action,
                                            quote(node.database().conninfo()), arguments, quote(err_file.string()));
    CommandOutput output;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output.out += buffer;
    const int status = pclose(pipe);
    output.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    while (!output.out.empty() && output.out.back() == '\n') output.out.pop_back();
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    output.err = text.str();
    return output;
}

std::string issue(const TestNode& node, const std::string& participant, const std::string& label) {
    auto issued = token_command(node, "issue", "--participant " + participant + " --label " + quote(label));
    REQUIRE_MESSAGE(issued.status == 0, issued.err);
    return issued.out;
}

std::vector<http::Header> bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// The status and, for a problem, its code.
std::string answer(const Result<http::ClientResponse>& response) {
    REQUIRE_MESSAGE(response.ok(), (response.ok() ? "" : response.error().detail));
    if (response->status < 400) return std::to_string(response->status);
    auto body = boost::json::parse(response->body).as_object();
    std::string type(body.at("type").as_string());
    return fmt::format("{} {}", response->status, type.substr(type.rfind('/') + 1));
}

http::HttpsClient client_with(const TestNode& node, const cli::CertificateFiles& certificate) {
    auto options = node.client_options();
    options.client_certificate_file = certificate.certificate.string();
    options.client_private_key_file = certificate.private_key.string();
    return node.client(options);
}

// Commissions one unit as acme-pharma; its path under /v1/units.
std::string commission_unit(const TestNode& node) {
    auto client = node.client();
    const std::string gtin = cli::make_gtin(node.company_prefix("acme-pharma"), 21);
    auto units = cli::make_units(gtin, "AUTH", 1);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto body = cli::commission_document(units, "LOT-A", "2030-01-31", node.gln("acme-pharma"), now);
    auto response = cli::post_signed(client, "/v1/capture", SubmissionKind::epcis, body, node.key("acme-pharma"), 1);
    REQUIRE(response.ok());
    REQUIRE(response->status == 201);
    return fmt::format("/v1/units/{}/{}", units[0].gtin, units[0].serial);
}

}  // namespace

TEST_CASE("a token issued with the CLI reads at once, and a revoked one is refused within the cache time") {
    TestNode node;
    node.start();
    const std::string token = issue(node, "corner-pharmacy", "scanner-1");
    CHECK(token.size() == 68);
    CHECK(token.starts_with("rxl_"));

    // Only the hash is stored, and listing never shows the token.
    CHECK(node.database().sql("SELECT participant || '/' || label FROM api_tokens WHERE sha256 = decode('" +
                              to_hex(sha256(token)) + "', 'hex')") == "corner-pharmacy/scanner-1");
    auto listed = token_command(node, "list");
    REQUIRE(listed.status == 0);
    CHECK(listed.out.find(to_hex(sha256(token)).substr(0, 12)) != std::string::npos);
    CHECK(listed.out.find("corner-pharmacy") != std::string::npos);
    CHECK(listed.out.find(token.substr(4)) == std::string::npos);

    auto client = node.client();
    CHECK(answer(client.request("GET", read_target, {}, bearer(token))) == "200");

    auto revoked = token_command(node, "revoke", "scanner-1");
    REQUIRE_MESSAGE(revoked.status == 0, revoked.err);
    const auto revoked_at = std::chrono::steady_clock::now();
    std::string last;
    while (std::chrono::steady_clock::now() - revoked_at < revocation_bound + revocation_slack) {
        last = answer(client.request("GET", read_target, {}, bearer(token)));
        if (last != "200") break;
        std::this_thread::sleep_for(100ms);
    }
    CHECK(last == "401 bad-token");
    CHECK(std::chrono::steady_clock::now() - revoked_at <= revocation_bound + revocation_slack);
    CHECK(answer(client.request("GET", read_target, {}, bearer(token))) == "401 bad-token");

    // Revoking it again is refused, and a label can be reused once its token is revoked.
    CHECK(token_command(node, "revoke", "scanner-1").status == 1);
    CHECK(token_command(node, "revoke", quote(token)).status == 1);
    const std::string second = issue(node, "corner-pharmacy", "scanner-1");
    CHECK(answer(client.request("GET", read_target, {}, bearer(second))) == "200");
    // Revoked by its id this time, as `token list` prints it.
    CHECK(token_command(node, "revoke", to_hex(sha256(second)).substr(0, 12)).status == 0);
}

TEST_CASE("issuing refuses an unknown participant, and missing or bad tokens get 401 with their code") {
    TestNode node;
    node.start();
    auto refused = token_command(node, "issue", "--participant mallory");
    CHECK(refused.status == 1);
    CHECK(refused.out.empty());
    CHECK(refused.err.find("not a participant") != std::string::npos);
    CHECK(node.database().sql("SELECT count(*) FROM api_tokens") == "0");
    CHECK(token_command(node, "issue", "--participant acme-pharma --label 0123456789ab").status == 1);

    auto client = node.client();
    CHECK(answer(client.request("GET", read_target)) == "401 missing-token");
    CHECK(answer(client.request("GET", read_target, {}, bearer("rxl_" + std::string(64, '0')))) == "401 bad-token");
    CHECK(answer(client.request("GET", read_target, {}, bearer("not a token at all"))) == "401 bad-token");
    CHECK(answer(client.request("GET", read_target, {}, {{"Authorization", "Basic YWNtZTpzZWNyZXQ="}})) == "401 missing-token");
    // The development consortium's file tokens keep working next to database tokens.
    CHECK(answer(client.request("GET", read_target, {}, bearer(node.token("acme-pharma")))) == "200");
}

TEST_CASE("client certificates from the consortium CA authenticate as the participant their CN names") {
    TestNode node;
    node.set("tls_client_ca=" + node.client_ca().certificate.string());
    node.start();
    const std::string unit = commission_unit(node);

    // The CN decides who reads: the regulator and the owner see the unit, a pharmacy that never held it does not.
    CHECK(answer(client_with(node, node.client_certificate("health-authority")).request("GET", unit)) == "200");
    CHECK(answer(client_with(node, node.client_certificate("acme-pharma")).request("GET", unit)) == "200");
    CHECK(answer(client_with(node, node.client_certificate("corner-pharmacy")).request("GET", unit)) == "404 unit-not-found");

    // Certificates are asked for, not required: a client without one still reads with a token.
    auto plain = node.client();
    CHECK(answer(plain.request("GET", unit, {}, bearer(node.token("health-authority")))) == "200");
    CHECK(answer(plain.request("GET", unit)) == "401 missing-token");

    // Token and certificate together must name the same participant, and each must be valid.
    auto regulator = client_with(node, node.client_certificate("health-authority"));
    CHECK(answer(regulator.request("GET", unit, {}, bearer(node.token("health-authority")))) == "200");
    CHECK(answer(regulator.request("GET", unit, {}, bearer(node.token("acme-pharma")))) == "401 credentials-disagree");
    CHECK(answer(regulator.request("GET", unit, {}, bearer("rxl_" + std::string(64, '0')))) == "401 bad-token");

    // Signed by the consortium CA, but the CN is no participant.
    test::TemporaryDirectory scratch;
    const cli::CertificateFiles stranger{scratch.path() / "mallory.crt", scratch.path() / "mallory.key"};
    REQUIRE(cli::make_client_certificate(node.client_ca(), stranger, "mallory").ok());
    CHECK(answer(client_with(node, stranger).request("GET", unit)) == "401 certificate-not-participant");

    // A participant's CN from another CA: the handshake fails (or, should a client carry on, no read).
    const cli::CertificateFiles other_ca{scratch.path() / "other-ca.crt", scratch.path() / "other-ca.key"};
    const cli::CertificateFiles forged{scratch.path() / "forged.crt", scratch.path() / "forged.key"};
    REQUIRE(cli::make_certificate_authority(other_ca, "another CA").ok());
    REQUIRE(cli::make_client_certificate(other_ca, forged, "health-authority").ok());
    auto forged_answer = client_with(node, forged).request("GET", unit);
    CHECK((!forged_answer.ok() || forged_answer->status == 401));
}
