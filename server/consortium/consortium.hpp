// A consortium node's replication: the etcd orderer, checkpoint cosigning and finality, liveness,
// compaction, and catch-up from peers (DESIGN.md section 5, docs/consortium.md).
//
// Keys under the consortium's prefix P in etcd:
//   P/log/<hex submission id>        a submission (etcd_orderer.cpp's value format); etcd's revision orders them
//   P/cosig/<20-digit size>/<node>   a node's signed checkpoint at a cosigned size, with its orderer position
//   P/nodes/<node>                   a node's applied size, cursor and root, under a short lease (liveness)
//
// Threads: the orderer's watch thread (receives ordered submissions, catches up from peers) and the
// monitor thread here (liveness, finality, disagreement alarms, compaction). Neither ever writes the
// node's database: everything goes through the ledger service's one apply thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ledger/apply/registry.hpp"
#include "ledger/merkle/checkpoint.hpp"
#include "ledger/orderer/orderer.hpp"
#include "server/consortium/etcd_client.hpp"

namespace rxl {
class LedgerService;
}

namespace rxl::consortium {

struct ConsortiumConfig {
    std::string etcd_url;                  // this node's etcd member, https://127.0.0.1:2379
    std::string etcd_ca_file;              // CA of the etcd members' certificates
    std::string etcd_client_certificate;   // this node's client certificate for etcd (mutual TLS)
    std::string etcd_client_key;
    std::string prefix;                    // key prefix; default "/rxledger/<consortium>"
    std::uint32_t etcd_timeout_ms = 3000;  // an append not ordered within this is answered 503
    std::string peer_ca_file;              // CA of the peers' HTTPS certificates (catch-up)
    std::string peer_client_certificate;   // this node's client certificate towards peers
    std::string peer_client_key;
    std::uint64_t cosign_every_entries = 100;
    std::uint32_t status_every_ms = 1000;  // liveness record and finality check
    std::uint32_t node_ttl_s = 5;          // a node silent this long is not live
    std::uint32_t compact_every_ms = 60'000;  // 0: never compact
};

// A checkpoint signed by a quorum of nodes.
struct FinalCheckpoint {
    std::uint64_t size = 0;
    Hash root{};
    std::uint64_t cursor = 0;           // orderer position of entry size-1
    std::string note;                   // the checkpoint text with every agreeing node's signature
    std::vector<std::string> signers;   // node ids
};

// What /readyz and /metrics show.
struct ConsortiumStatus {
    bool etcd_reachable = false;
    std::string etcd_detail;
    std::int64_t etcd_revision = 0;
    std::uint64_t final_size = 0;
    std::vector<std::string> live_nodes;
    std::map<std::string, std::uint64_t> disagreeing;  // node → size at which it signed another root
    std::int64_t compacted_revision = 0;
    bool catching_up = false;
};

class EtcdOrderer;

class Consortium {
public:
    Consortium(ConsortiumConfig config, std::string node_id, const Genesis& genesis);
    ~Consortium();

    // The ledger service's orderer factory (LedgerServiceConfig::make_orderer).
    std::unique_ptr<Orderer> make_orderer(const OrdererStart& start);
    // Starts the monitor thread; the service must outlive stop().
    void start(LedgerService& ledger);
    void stop();

    ConsortiumStatus status() const;
    std::optional<FinalCheckpoint> latest_final() const;
    const ConsortiumConfig& config() const { return config_; }
    const std::string& node_id() const { return node_id_; }
    const std::string& prefix() const { return config_.prefix; }
    EtcdClient& etcd() { return *etcd_; }
    LedgerService* ledger() const { return ledger_; }
    // Peers (every other node of the genesis) by id, with their URLs.
    const std::vector<NodeInfo>& peers() const { return peers_; }

    // From the orderer's committed(): publishes the node's signed checkpoints (apply thread).
    void publish(const CommittedBatch& batch);
    // Reads every cosignature from etcd and updates the final checkpoints and the disagreement alarms.
    Status refresh_finality();
    void set_catching_up(bool catching_up);

private:
    void monitor_loop();
    void publish_liveness();
    void check_own_root(const FinalCheckpoint& final_checkpoint);
    // Lists the live nodes into the status; returns the smallest size one of them applied (0 if none).
    std::uint64_t read_live_nodes();
    void compact_if_due(std::uint64_t lowest_live_size);

    ConsortiumConfig config_;
    std::string node_id_;
    std::string consortium_;
    std::vector<merkle::VerifierKey> node_keys_;  // every node's checkpoint key, named <consortium>/<node>
    std::vector<std::string> node_ids_;           // parallel to node_keys_
    std::vector<NodeInfo> peers_;
    std::size_t quorum_ = 1;
    std::unique_ptr<EtcdClient> etcd_;
    LedgerService* ledger_ = nullptr;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    ConsortiumStatus status_;
    std::optional<FinalCheckpoint> final_;
    std::uint64_t own_root_checked_size_ = 0;
    std::uint64_t applied_size_ = 0;
    std::uint64_t applied_cursor_ = 0;
    Hash applied_root_{};
    std::chrono::steady_clock::time_point last_compaction_{};
    std::thread monitor_;
};

}  // namespace rxl::consortium
