// The rxledger command-line tool's commands. Each returns the process exit code.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "ledger/apply/submission.hpp"
#include "server/cli/key_file.hpp"
#include "server/http/client.hpp"

namespace rxl::cli {

using Arguments = std::vector<std::string>;

int keygen(const Arguments& arguments);
int sign(const Arguments& arguments);
int capture(const Arguments& arguments);
int status(const Arguments& arguments);
int dev_consortium(const Arguments& arguments);
int dev_cluster(const Arguments& arguments);  // dev_cluster.cpp
// A development consortium in `dir` whose genesis lists one node per URL (node-1, node-2, …); keeps one
// that exists. The participant that runs node i (from 0): its client certificate is the node's credential.
Status create_dev_consortium(const std::filesystem::path& dir, const std::vector<std::string>& node_urls);
std::string dev_node_operator(std::size_t index);
int demo(const Arguments& arguments);
int audit(const Arguments& arguments);
int receipt(const Arguments& arguments);
// pharmacy_command.cpp
int verify_code(const Arguments& arguments);
int decommission(const Arguments& arguments);
int undo(const Arguments& arguments);
int trace(const Arguments& arguments);
int token(const Arguments& arguments);
int recall(const Arguments& arguments);  // recall_command.cpp
int reach(const Arguments& arguments);
int bench_load(const Arguments& arguments);  // bench_command.cpp, for scripts/bench
int bench_stream(const Arguments& arguments);
int bench_reach(const Arguments& arguments);

// The two signature headers for a body.
std::vector<http::Header> signature_headers(const Submission& submission);

// Posts a signed body; retries the same bytes when the node is unreachable, times out or answers 503,
// so a retry can never make a second entry. Up to `attempts` tries with a growing pause.
Result<http::ClientResponse> post_signed(http::HttpsClient& client, const std::string& target, SubmissionKind kind,
                                         const std::string& body, const KeyFile& key, int attempts = 5);

// A node URL and TLS options from common flags (--node URL, --ca FILE).
Result<http::HttpsClient> connect_node(const std::string& node_url, const std::string& ca_file);

}  // namespace rxl::cli
