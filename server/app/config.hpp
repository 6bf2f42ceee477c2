// rxledgerd's configuration: a JSON file (docs/configuration.md) with command-line flags on top.
#pragma once

#include <string>

#include "ledger/core/result.hpp"
#include "server/consortium/consortium.hpp"
#include "server/http/server.hpp"

namespace rxl::app {

struct NodeConfig {
    http::ServerConfig http;       // listen address and port, TLS files, threads, limits
    std::string database;          // libpq connection string
    std::string genesis_file;      // the consortium's genesis file
    std::string tokens_file;       // read tokens: {"tokens":[{"participant":…,"sha256":hex}]}
    std::uint32_t token_cache_ms = limits::api_token_cache_ms;  // how long database token answers are remembered
    std::string node_id;           // this node's id in the genesis file's "nodes"
    std::string node_key_file;     // PEM Ed25519 private key whose public key the genesis lists for node_id
    std::string access_log = "-";  // file path, "-" for standard output, "" for none
    std::size_t read_connections = 4;
    std::uint32_t commit_wait_timeout_ms = limits::commit_wait_timeout_ms;
    // "full" (replay every entry), "checkpoint" (latest checkpoint only), or "auto": full up to
    // startup_audit_full_max_units units, checkpoint above (the replay holds every unit in memory).
    std::string startup_audit = "auto";
    std::uint64_t startup_audit_full_max_units = 1'000'000;
    std::uint64_t checkpoint_every_entries = 1000;  // store a signed checkpoint at every multiple of this size
    std::uint32_t checkpoint_every_ms = 10'000;     // and at least this often while writes flow
    std::int64_t clock_offset_ms = 0;               // moves the ordering clock forward: tests and drills only
    std::string orderer = "local";                  // "local" (in-process, single node) or "etcd" (consortium)
    consortium::ConsortiumConfig consortium;        // the etcd_*, peer_*, cosign_*, … options
};

// Reads the file (if `path` is not empty); fields it does not name keep their defaults. Unknown fields
// are an error, so a misspelt option is never silently ignored.
Result<NodeConfig> load_config(const std::string& path);
// Applies one "name=value" override as given on the command line with --set name=value.
Status apply_override(NodeConfig& config, const std::string& name, const std::string& value);

// Checks the values that cannot work together or at all (zero threads or connections).
Status check_config(const NodeConfig& config);

std::string read_text_file(const std::string& path, bool& ok);

}  // namespace rxl::app
