// LedgerService: one node's ledger. It owns the write path (verify → order → apply → commit → answer)
// and hands out read connections.
//
// Write path: submit() checks the signature against the current registry (so bad requests never reach
// the ledger), answers a repeated submission from the ledger, queues the rest with the orderer, and
// waits until the apply thread has committed the entry: a client is answered only once its entry and
// all its effects are durable. The apply thread pulls batches from the orderer and commits each batch
// in one PostgreSQL transaction (group commit).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/apply/applier.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/orderer/orderer.hpp"
#include "ledger/store/store.hpp"

namespace rxl {

// What the node checks before it takes writes.
enum class StartupAudit {
    full,        // replay every entry (rxledger audit) before taking writes; reads are served meanwhile
    checkpoint,  // only the latest signed checkpoint against the stored tree (for very large ledgers)
    automatic,   // full up to startup_audit_full_max_units units, checkpoint above
};

struct LedgerServiceConfig {
    std::string database;        // libpq connection string
    std::string genesis_json;    // the consortium's genesis file, byte-exact
    std::string node_id;         // this node, as the genesis lists it
    std::shared_ptr<const PrivateKey> node_key;  // the key the genesis lists for node_id; signs checkpoints
    StartupAudit startup_audit = StartupAudit::full;
    // With StartupAudit::automatic: the largest ledger (in units) replayed in full at start. The replay
    // holds every unit's state in memory (about 0.5 KB per unit), so a larger ledger would take the node
    // past its memory budget; it gets the checkpoint check, and `rxledger audit` is run beside it.
    std::uint64_t startup_audit_full_max_units = 1'000'000;
    // A signed checkpoint is stored with the batch that crosses a multiple of this size, and with any
    // batch that comes this long after the last one stored.
    std::uint64_t checkpoint_every_entries = 1000;
    std::chrono::milliseconds checkpoint_every{10'000};
    std::int64_t clock_offset_ms = 0;  // added to the ordering clock (InProcessOrderer); tests and drills only
    // Consortium: builds the orderer (etcd); empty for the single node's in-process orderer.
    std::function<std::unique_ptr<Orderer>(const OrdererStart&)> make_orderer;
    // Consortium: the node signs a checkpoint at every size that is a multiple of this and hands it to
    // the orderer to publish (Orderer::committed); 0: never.
    std::uint64_t cosign_every_entries = 0;
    std::size_t read_connections = 4;
    std::size_t batch_submissions_max = limits::apply_batch_submissions_max;
    std::size_t queue_submissions_max = limits::orderer_queue_submissions_max;
};

// Counters the metrics endpoint reads; written by the apply thread only.
struct ApplyStats {
    std::atomic<std::uint64_t> entries_applied{0};
    std::atomic<std::uint64_t> batches_applied{0};
    std::atomic<std::uint64_t> last_batch_size{0};
    std::atomic<std::uint64_t> largest_batch_size{0};
};

// Whether the node takes writes, and why not.
enum class WriteState {
    checking,  // the start-up audit is running
    open,
    refused,   // the database does not match the ledger's own proofs: writes would build on tampered state
};
std::string_view to_string(WriteState state);

struct Integrity {
    WriteState state = WriteState::checking;
    std::string reason;            // why writes are refused, a sentence; empty otherwise
    std::string startup_audit;     // what the start-up check did: "full" or "checkpoint"; empty while deciding
};

class LedgerService {
public:
    // Connects, migrates, records the genesis as entry 0 on an empty ledger (or checks that entry 0 is
    // this genesis file), and loads the registry and Merkle frontier. Does not start applying yet.
    static Result<std::unique_ptr<LedgerService>> open(LedgerServiceConfig config);
    ~LedgerService();

    // Starts the apply thread with the in-process orderer, after the start-up audit (config.startup_audit).
    void start();
    // Stops taking submissions, applies what is queued, and joins the apply thread.
    void stop();

    // Checks the submission's key and signature against the current registry and fills in its
    // submitter. Cheap enough to run before parsing the body, so unsigned garbage is never parsed.
    Status authenticate(Submission& submission) const;
    // The rest of the write path for an authenticated submission: answers a repeat from the ledger, or
    // orders it and blocks the calling (worker) thread until it is committed, up to timeout.
    Result<SubmissionAnswer> submit(Submission submission, std::chrono::milliseconds timeout);

    // A submission signed by this node (kind alert): the node is the submitter and its id the key id. Runs
    // the same write path as submit(); blocks like it.
    Result<SubmissionAnswer> submit_as_node(SubmissionKind kind, std::string body, std::chrono::milliseconds timeout);

    // The registry as of the last committed batch.
    std::shared_ptr<const Registry> registry() const;
    // Ledger size and root as of the last committed batch.
    std::uint64_t size() const { return size_.load(); }
    Hash root() const;
    const std::string& consortium() const { return consortium_; }
    const std::string& node_id() const { return config_.node_id; }
    // "<consortium>/<node id>": the name in this node's checkpoint signatures.
    std::string key_name() const { return consortium_ + "/" + config_.node_id; }
    // A checkpoint over (size, root) as a signed note, signed with the node key.
    Result<std::string> sign_checkpoint(std::uint64_t size, const Hash& root) const;
    Integrity integrity() const;
    // Stops taking writes for good (until an operator restarts the node): the alarm of the start-up
    // check, and of a consortium node whose root disagrees with a final checkpoint.
    void refuse_writes(std::string reason);
    std::size_t queued() const { return orderer_ ? orderer_->queued() : 0; }
    // The orderer position stored with the last committed batch (the etcd revision in a consortium).
    std::uint64_t cursor() const { return cursor_.load(); }
    OrdererHealth orderer_health() const { return orderer_ ? orderer_->health() : OrdererHealth{}; }
    const ApplyStats& stats() const { return stats_; }

    // Runs `work` with a read connection from the pool (waits for a free one). A database failure
    // leaves as rxl::DatabaseError (ledger/core/database_error.hpp), whatever the store threw; a
    // connection it lost is made again by the next borrower.
    template <class Work>
    auto with_store(Work&& work) {
        auto lease = borrow();
        try {
            return work(*lease.store);
        } catch (...) {
            lease.store->rethrow_as_database_error();
        }
    }

private:
    struct Lease {
        LedgerService* owner;
        std::unique_ptr<store::Store> store;
        Lease(LedgerService* owner_, std::unique_ptr<store::Store> store_) : owner(owner_), store(std::move(store_)) {}
        Lease(Lease&&) = default;
        ~Lease();
    };
    struct Waiter;

    explicit LedgerService(LedgerServiceConfig config);
    Status open_ledger();
    // open_ledger() on a database that holds a ledger already: the registry and the tree from it.
    Status open_existing_ledger(const store::Head& head);
    Lease borrow();
    void apply_loop();
    // The write path of one batch, in the apply thread (ledger_service.cpp says how failures are met).
    enum class Recovered { committed, retry, stopped, refused };
    bool commit_with_retries(std::vector<OrderedSubmission> batch);
    void apply_and_write(const std::vector<OrderedSubmission>& batch, BatchResult& result);
    void publish(const std::vector<OrderedSubmission>& batch, const BatchResult& result, std::uint64_t previous_size);
    Recovered recover(const std::vector<OrderedSubmission>& batch, const BatchResult& result, const merkle::TreeAppender& committed_tree);
    // Latest stored checkpoint against the stored tree; a failure refuses writes.
    void check_latest_checkpoint();
    void run_startup_audit();
    // Checkpoints at the multiples of cosign_every_entries that `result` reached, signed (apply thread).
    std::vector<SignedCheckpoint> cosign(std::uint64_t previous_size, const BatchResult& result);
    // The checkpoint to store with a batch that reaches `size`, if the policy asks for one now.
    std::optional<store::StoredCheckpoint> due_checkpoint(const BatchResult& result);
    void answer_waiters(const std::vector<OrderedSubmission>& batch, const BatchResult& result);

    LedgerServiceConfig config_;
    std::string consortium_;
    std::unique_ptr<store::Store> apply_store_;
    Registry registry_;  // the apply thread's own, mutable
    std::unique_ptr<Applier> applier_;
    std::unique_ptr<Orderer> orderer_;
    std::thread apply_thread_;
    std::atomic<bool> stopping_{false};
    ApplyStats stats_;
    std::atomic<std::uint64_t> size_{0};
    std::atomic<std::uint64_t> cursor_{0};
    std::uint64_t last_checkpoint_size_ = 0;  // apply thread only
    std::chrono::steady_clock::time_point last_checkpoint_time_{};

    mutable std::mutex integrity_mutex_;
    Integrity integrity_;

    mutable std::mutex snapshot_mutex_;
    std::shared_ptr<const Registry> registry_snapshot_;
    Hash root_{};

    std::mutex waiters_mutex_;
    std::multimap<Hash, std::shared_ptr<Waiter>> waiters_;

    std::mutex pool_mutex_;
    std::condition_variable pool_ready_;
    std::vector<std::unique_ptr<store::Store>> pool_;
};

}  // namespace rxl
