#include "server/cli/commands.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "ledger/core/bytes.hpp"
#include "server/cli/options.hpp"

namespace rxl::cli {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

int fail(const std::string& message) {
    std::cerr << "rxledger: " << message << "\n";
    return 1;
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorKind::invalid_input, "unreadable", "cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

std::vector<http::Header> signature_headers(const Submission& submission) {
    return {{"Rxl-Key-Id", submission.key_id}, {"Rxl-Signature", to_base64(submission.signature)}};
}

Result<http::HttpsClient> connect_node(const std::string& node_url, const std::string& ca_file) {
    auto url = http::parse_node_url(node_url.empty() ? "https://localhost:8443" : node_url);
    if (!url) return url.error();
    http::ClientOptions options;
    options.ca_file = ca_file;
    return http::HttpsClient(url->host, url->port, options);
}

Result<http::ClientResponse> post_signed(http::HttpsClient& client, const std::string& target, SubmissionKind kind,
                                         const std::string& body, const KeyFile& key, int attempts) {
    Submission submission = sign_submission(kind, key.participant, key.key_id, body, key.key);
    std::vector<http::Header> headers = signature_headers(submission);
    headers.push_back({"Content-Type", "application/json"});
    Result<http::ClientResponse> response = make_error(ErrorKind::unavailable, "not-sent", "not sent");
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        response = client.request("POST", target, body, headers);
        bool retry = !response || response->status == 503;
        if (!retry) return response;
        // Same bytes again: the node answers a repeat with the first outcome, never a second entry.
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
    }
    return response;
}

int keygen(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty()) return fail(options.error);
    std::string participant = options.get("participant");
    std::string key_id = options.get("key-id", participant.empty() ? "" : participant + "-1");
    std::string out = options.get("out");
    if (participant.empty() || out.empty()) return fail("keygen needs --participant ID and --out FILE");
    PrivateKey key = PrivateKey::generate();
    if (auto written = write_key_file(out, participant, key_id, key); !written) return fail(written.error().detail);
    std::cout << to_base64(key.public_key()) << "\n";
    return 0;
}

int sign(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || options.positional.size() != 1 || !options.has("key")) {
        return fail("usage: rxledger sign --key FILE [--kind epcis] BODY_FILE");
    }
    auto key = read_key_file(options.get("key"));
    if (!key) return fail(key.error().detail);
    auto kind = parse_submission_kind(options.get("kind", "epcis"));
    if (!kind) return fail("unknown kind " + options.get("kind"));
    auto body = read_file(options.positional[0]);
    if (!body) return fail(body.error().detail);
    Submission submission = sign_submission(*kind, key->participant, key->key_id, *body, key->key);
    for (const auto& header : signature_headers(submission)) std::cout << header.name << ": " << header.value << "\n";
    return 0;
}

namespace {

std::vector<fs::path> capture_files(const std::string& target) {
    std::vector<fs::path> files;
    if (fs::is_directory(target)) {
        for (const auto& item : fs::directory_iterator(target)) {
            auto extension = item.path().extension();
            if (item.is_regular_file() && (extension == ".json" || extension == ".jsonld")) files.push_back(item.path());
        }
        std::sort(files.begin(), files.end());
    } else {
        files.emplace_back(target);
    }
    return files;
}

void progress(std::size_t done, std::size_t total, std::chrono::steady_clock::time_point start) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    constexpr std::size_t width = 30;
    std::size_t filled = total == 0 ? width : done * width / total;
    std::cerr << fmt::format("\r[{:<{}}] {}/{} documents, {:.1f}/s", std::string(filled, '#'), width, done, total,
                             seconds > 0 ? static_cast<double>(done) / seconds : 0.0)
              << std::flush;
}

}  // namespace

int capture(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || options.positional.size() != 1 || !options.has("key")) {
        return fail("usage: rxledger capture FILE|DIR --node URL --key FILE [--ca FILE]");
    }
    auto key = read_key_file(options.get("key"));
    if (!key) return fail(key.error().detail);
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    auto files = capture_files(options.positional[0]);
    bool show_progress = files.size() > 1;
    auto start = std::chrono::steady_clock::now();
    int failures = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        auto body = read_file(files[i].string());
        if (!body) return fail(body.error().detail);
        auto response = post_signed(*client, "/v1/capture", SubmissionKind::epcis, *body, *key);
        if (show_progress) progress(i + 1, files.size(), start);
        if (!response) {
            ++failures;
            std::cerr << "\n" << files[i].string() << ": " << response.error().detail << "\n";
            continue;
        }
        bool accepted = response->status == 200 || response->status == 201;
        if (!accepted) ++failures;
        if (!show_progress || !accepted) {
            std::cout << (show_progress ? "\n" : "") << files[i].string() << ": " << response->status << " " << response->body << "\n";
        }
    }
    if (show_progress) std::cerr << "\n";
    return failures == 0 ? 0 : 1;
}

int status(const Arguments& arguments) {
    Options options = parse_options(arguments);
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    auto response = client->request("GET", "/readyz");
    if (!response) return fail(response.error().detail);
    std::cout << response->body << "\n";
    return response->status == 200 ? 0 : 1;
}

}  // namespace rxl::cli
