// `rxledger dev-consortium` and `rxledger demo`: a development consortium and a demo supply chain.
#include <openssl/rand.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "ledger/core/bytes.hpp"
#include "ledger/crypto/sha256.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/dev_certificates.hpp"
#include "server/cli/epcis_builder.hpp"
#include "server/cli/options.hpp"

namespace rxl::cli {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

struct DevParticipant {
    const char* id;
    const char* name;
    const char* role;
    const char* company_prefix;
};

// Company prefixes in the 40–44 range (GS1 Germany) read as real ones, and none is a prefix of another.
constexpr DevParticipant dev_participants[] = {
    {"acme-pharma", "Acme Pharma GmbH (development)", "manufacturer", "4012345"},
    {"medi-wholesale", "Medi Wholesale AG (development)", "wholesaler", "4098765"},
    {"corner-pharmacy", "Corner Pharmacy (development)", "pharmacy", "4054321"},
    {"health-authority", "Health Authority (development)", "regulator", "4000001"},
};

std::string random_token() {
    std::array<unsigned char, 32> bytes{};
    RXL_ASSERT(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1);
    return "rxl_dev_" + to_hex(bytes);
}

int fail(const std::string& message) {
    std::cerr << "rxledger: " << message << "\n";
    return 1;
}

bool write_text(const fs::path& path, const std::string& text, bool secret) {
    std::ofstream out(path, std::ios::trunc);
    if (secret) fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    out << text;
    return static_cast<bool>(out);
}

// The consortium CA (client-ca/ca.crt, the node's tls_client_ca) and one client certificate per participant
// with CN = its id (client-certs/<id>.crt and .key). Made once; a folder made before they existed gets them
// on the next run.
Status make_dev_client_certificates(const fs::path& dir) {
    const CertificateFiles authority{dir / "client-ca" / "ca.crt", dir / "client-ca" / "ca.key"};
    if (fs::exists(authority.certificate)) return ok_status();
    fs::create_directories(dir / "client-ca");
    fs::create_directories(dir / "client-certs");
    if (auto made = make_certificate_authority(authority, "rxledger development consortium CA"); !made) return made;
    for (const auto& member : dev_participants) {
        const std::string id = member.id;
        auto made = make_client_certificate(authority, {dir / "client-certs" / (id + ".crt"), dir / "client-certs" / (id + ".key")}, id);
        if (!made) return made;
    }
    return ok_status();
}

}  // namespace

// Node i (from 1) is run by these participants in turn: its client certificate is the node's credential
// towards its peers.
constexpr const char* dev_node_operators[] = {"acme-pharma", "medi-wholesale", "health-authority", "corner-pharmacy"};

Status create_dev_consortium(const fs::path& dir, const std::vector<std::string>& node_urls) {
    RXL_ASSERT(!node_urls.empty());
    if (fs::exists(dir / "consortium.json")) return make_dev_client_certificates(dir);
    fs::create_directories(dir / "keys");
    fs::create_directories(dir / "tokens");
    auto write_failed = [](const fs::path& path) {
        return make_error(ErrorKind::internal, "write-failed", "cannot write " + path.string());
    };
    json::array participants;
    json::array token_hashes;
    for (const auto& member : dev_participants) {
        PrivateKey key = PrivateKey::generate();
        std::string key_id = std::string(member.id) + "-1";
        if (auto written = write_key_file((dir / "keys" / (std::string(member.id) + ".key")).string(), member.id, key_id, key);
            !written) {
            return written.error();
        }
        std::string token = random_token();
        if (!write_text(dir / "tokens" / (std::string(member.id) + ".token"), token + "\n", true)) {
            return write_failed(dir / "tokens");
        }
        token_hashes.push_back(json::object{{"participant", member.id}, {"sha256", to_hex(sha256(token))}});
        participants.push_back(json::object{
            {"id", member.id},
            {"name", member.name},
            {"role", member.role},
            {"company_prefixes", json::array{member.company_prefix}},
            {"glns", json::array{make_gln(member.company_prefix, 1)}},
            {"keys", json::array{json::object{{"id", key_id}, {"public_key", to_base64(key.public_key())}}}}});
    }
    json::array nodes;
    for (std::size_t i = 0; i < node_urls.size(); ++i) {
        const std::string id = fmt::format("node-{}", i + 1);
        PrivateKey node_key = PrivateKey::generate();
        if (!write_text(dir / "keys" / (id + ".pem"), node_key.to_pem(), true)) return write_failed(dir / "keys");
        nodes.push_back(json::object{{"id", id},
                                     {"participant", dev_node_operators[i % std::size(dev_node_operators)]},
                                     {"public_key", to_base64(node_key.public_key())},
                                     {"url", node_urls[i]}});
    }
    json::object genesis{{"format", "rxledger-genesis/v1"},
                         {"consortium", "dev.rxledger.localhost"},
                         {"participants", std::move(participants)},
                         {"nodes", std::move(nodes)}};
    if (!write_text(dir / "token-hashes.json", json::serialize(json::object{{"tokens", std::move(token_hashes)}}) + "\n", false) ||
        !write_text(dir / "consortium.json", json::serialize(genesis) + "\n", false)) {
        return write_failed(dir);
    }
    return make_dev_client_certificates(dir);
}

std::string dev_node_operator(std::size_t index) { return dev_node_operators[index % std::size(dev_node_operators)]; }

int dev_consortium(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || !options.has("dir")) return fail("usage: rxledger dev-consortium --dir DIR [--node-url URL]");
    fs::path dir = options.get("dir");
    const bool existed = fs::exists(dir / "consortium.json");
    if (auto made = create_dev_consortium(dir, {options.get("node-url", "https://localhost:8443")}); !made) {
        return fail(made.error().detail);
    }
    if (existed) std::cout << "development consortium exists: " << (dir / "consortium.json").string() << "\n";
    else std::cout << "created development consortium in " << dir.string() << "\n";
    return 0;
}

namespace {

struct DemoParty {
    KeyFile key;
    std::string gln;
};

Result<DemoParty> demo_party(const fs::path& dir, const DevParticipant& member) {
    auto key = read_key_file((dir / "keys" / (std::string(member.id) + ".key")).string());
    if (!key) return key.error();
    return DemoParty{std::move(key).value(), make_gln(member.company_prefix, 1)};
}

// Posts one step; "already-commissioned" on the first step means the demo was recorded before.
Result<unsigned> demo_step(http::HttpsClient& client, const DemoParty& party, const std::string& body, const char* what) {
    auto response = post_signed(client, "/v1/capture", SubmissionKind::epcis, body, party.key);
    if (!response) return response.error();
    std::cout << fmt::format("  {:<48} {}\n", what, response->status);
    return response->status;
}

std::string yymmdd(const std::string& date) { return date.substr(2, 2) + date.substr(5, 2) + date.substr(8, 2); }

}  // namespace

int demo(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || !options.has("dir")) return fail("usage: rxledger demo --dir DIR --node URL [--ca FILE]");
    fs::path dir = options.get("dir");
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    auto maker = demo_party(dir, dev_participants[0]);
    auto wholesaler = demo_party(dir, dev_participants[1]);
    auto pharmacy = demo_party(dir, dev_participants[2]);
    if (!maker || !wholesaler || !pharmacy) return fail("the development keys are missing; run rxledger dev-consortium first");
    const std::string gtin = make_gtin(dev_participants[0].company_prefix, 1);
    const std::string lot = "DEMO-LOT-1";
    const std::string expiry = "2028-06-30";
    auto units = make_units(gtin, "DEMO", 20);
    std::vector<std::string> case_a, case_b;
    for (std::size_t i = 0; i < units.size(); ++i) (i < 10 ? case_a : case_b).push_back(sgtin_link(units[i]));
    std::string sscc_a = make_sscc(dev_participants[0].company_prefix, 1);
    std::string sscc_b = make_sscc(dev_participants[0].company_prefix, 2);
    std::string pallet = make_sscc(dev_participants[0].company_prefix, 100);
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::cout << "Recording the demo supply chain through POST /v1/capture:\n";
    auto first = demo_step(*client, *maker, commission_document(units, lot, expiry, maker->gln, now), "acme-pharma commissions 20 packs");
    if (!first) return fail(first.error().detail);
    if (*first == 422) {
        std::cout << "  (the demo is already on this ledger)\n";
    } else {
        struct Step { const DemoParty* party; std::string body; const char* what; };
        std::vector<Step> steps = {
            {&*maker, pack_document(sscc_a, case_a, maker->gln, now + 1), "acme-pharma packs case A"},
            {&*maker, pack_document(sscc_b, case_b, maker->gln, now + 2), "acme-pharma packs case B"},
            {&*maker, pack_document(pallet, {sscc_link(sscc_a), sscc_link(sscc_b)}, maker->gln, now + 3), "acme-pharma packs both onto a pallet"},
            {&*maker, ship_document({sscc_link(pallet)}, maker->gln, wholesaler->gln, now + 4), "acme-pharma ships the pallet to medi-wholesale"},
            {&*wholesaler, receive_document({sscc_link(pallet)}, wholesaler->gln, now + 5), "medi-wholesale receives the pallet"},
            {&*wholesaler, unpack_document(pallet, {sscc_link(sscc_a), sscc_link(sscc_b)}, wholesaler->gln, now + 6), "medi-wholesale unpacks the pallet"},
            {&*wholesaler, ship_document({sscc_link(sscc_a)}, wholesaler->gln, pharmacy->gln, now + 7), "medi-wholesale ships case A to corner-pharmacy"},
            {&*pharmacy, receive_document({sscc_link(sscc_a)}, pharmacy->gln, now + 8), "corner-pharmacy receives case A"},
        };
        for (const auto& step : steps) {
            auto status = demo_step(*client, *step.party, step.body, step.what);
            if (!status) return fail(status.error().detail);
            if (*status != 201 && *status != 200) return fail(std::string("demo step failed: ") + step.what);
        }
    }
    const Unit& pack = units[0];
    std::cout << "\nA pack at corner-pharmacy (case A), as a scanner sends it (<GS> is ASCII 29):\n"
              << fmt::format("  ]d201{}17{}10{}<GS>21{}\n", pack.gtin, yymmdd(expiry), lot, pack.serial)
              << fmt::format("  (01){}(17){}(10){}(21){}\n", pack.gtin, yymmdd(expiry), lot, pack.serial)
              << "  " << sgtin_link(pack) << "?17=" << yymmdd(expiry) << "&10=" << lot << "\n"
              << "Verify it as the pharmacy (\\x1d stands for GS):\n"
              << fmt::format("  rxledger verify ']d201{}17{}10{}\\x1d21{}' --node {} --token $(cat {}/tokens/corner-pharmacy.token){}\n",
                             pack.gtin, yymmdd(expiry), lot, pack.serial, options.get("node"), dir.string(),
                             options.has("ca") ? " --ca " + options.get("ca") : std::string())
              << fmt::format("  or open {}/01/{}/21/{}?17={}&10={} with the token as a bearer header\n", options.get("node"),
                             pack.gtin, pack.serial, yymmdd(expiry), lot);
    return 0;
}

}  // namespace rxl::cli
