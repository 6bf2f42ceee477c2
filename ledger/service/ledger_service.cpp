#include "ledger/service/ledger_service.hpp"

#include <malloc.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <future>

#include "ledger/core/bytes.hpp"
#include "ledger/epcis/document.hpp"
#include "ledger/orderer/in_process_orderer.hpp"
#include "ledger/merkle/checkpoint.hpp"
#include "ledger/service/audit.hpp"

namespace rxl {

std::string_view to_string(WriteState state) {
    switch (state) {
        case WriteState::checking: return "checking";
        case WriteState::open: return "open";
        case WriteState::refused: return "refused";
    }
    return "unknown";
}

struct LedgerService::Waiter {
    std::promise<SubmissionAnswer> promise;
};

LedgerService::LedgerService(LedgerServiceConfig config) : config_(std::move(config)) {}

LedgerService::~LedgerService() { stop(); }

LedgerService::Lease::~Lease() {
    if (!store) return;
    {
        std::lock_guard lock(owner->pool_mutex_);
        owner->pool_.push_back(std::move(store));
    }
    owner->pool_ready_.notify_one();
}

LedgerService::Lease LedgerService::borrow() {
    std::unique_lock lock(pool_mutex_);
    pool_ready_.wait(lock, [&] { return !pool_.empty(); });
    auto store = std::move(pool_.back());
    pool_.pop_back();
    lock.unlock();
    Lease lease(this, std::move(store));
    if (lease.store->broken() && !lease.store->reconnect()) {
        throw DatabaseError(DatabaseFailure::connection, "", "the database cannot be reached");
    }
    return lease;
}

Result<std::unique_ptr<LedgerService>> LedgerService::open(LedgerServiceConfig config) {
    std::unique_ptr<LedgerService> service(new LedgerService(std::move(config)));
    try {
        if (auto status = service->open_ledger(); !status) return status.error();
    } catch (const std::exception& error) {
        return make_error(ErrorKind::unavailable, "database-unavailable", fmt::format("opening the ledger: {}", error.what()));
    }
    return service;
}

Status LedgerService::open_ledger() {
    auto genesis = parse_genesis(config_.genesis_json);
    if (!genesis) return genesis.error();
    consortium_ = genesis->consortium;
    RXL_ASSERT_MSG(config_.node_key != nullptr, "a ledger service needs its node key");
    auto listed = std::find_if(genesis->nodes.begin(), genesis->nodes.end(), [&](const NodeInfo& node) { return node.id == config_.node_id; });
    if (listed == genesis->nodes.end() || listed->public_key != config_.node_key->public_key()) {
        return make_error(ErrorKind::invalid_input, "unknown-node",
                          "node " + config_.node_id + " is not in the genesis file with this node key's public key");
    }
    auto store = store::Store::connect(config_.database);
    if (!store) return store.error();
    apply_store_ = std::move(store).value();
    if (auto migrated = apply_store_->migrate(); !migrated) return migrated;
    for (std::size_t i = 0; i < config_.read_connections; ++i) {
        auto reader = store::Store::connect(config_.database);
        if (!reader) return reader.error();
        pool_.push_back(std::move(reader).value());
    }
    store::Head head = apply_store_->head();
    if (head.size == 0) {
        applier_ = std::make_unique<Applier>(registry_, merkle::TreeAppender());
        auto first = applier_->apply_genesis(config_.genesis_json);
        if (!first) return first.error();
        auto note = sign_checkpoint(first->size, first->root);
        if (!note) return note.error();
        store::StoredCheckpoint checkpoint{first->size, first->root, std::move(note).value()};
        apply_store_->write_batch(*first, &checkpoint);
        last_checkpoint_size_ = first->size;
        apply_store_->write_nodes(registry_);
    } else if (auto opened = open_existing_ledger(head); !opened) {
        return opened;
    }
    head = apply_store_->head();
    cursor_ = head.orderer_cursor;
    if (config_.make_orderer) {
        orderer_ = config_.make_orderer(
            {head.last_ordered_at_ms, head.orderer_cursor, config_.clock_offset_ms, config_.queue_submissions_max});
    } else {
        orderer_ = std::make_unique<InProcessOrderer>(config_.queue_submissions_max, head.last_ordered_at_ms, config_.clock_offset_ms);
    }
    size_ = applier_ ? applier_->size() : head.size;
    root_ = applier_ ? applier_->root() : head.root;
    registry_snapshot_ = std::make_shared<const Registry>(registry_);
    return ok_status();
}

// The registry comes from the ledger, never from the tables: entry 0 is the configured genesis file, and
// the registry is what applying it gives (ledger_registry). The tables are then checked against it, at
// every start and whatever the start-up audit, so that a role, key, GLN, prefix or node changed in the
// database is named in /readyz and refuses writes before the node signs anything.
Status LedgerService::open_existing_ledger(const store::Head& head) {
    auto entry0 = apply_store_->entry(0);
    if (entry0 && entry0->body != config_.genesis_json) {
        return make_error(ErrorKind::internal, "genesis-mismatch",
                          "entry 0 of this database is not the configured genesis file: wrong database or wrong file");
    }
    if (!entry0) refuse_writes("entry 0 (the genesis) is missing from the database; run `rxledger audit`");
    auto registry = ledger_registry(config_.genesis_json);
    if (!registry) return registry.error();
    registry_ = std::move(registry).value();
    if (auto findings = check_registry(*apply_store_, registry_); !findings.empty()) {
        refuse_writes(fmt::format("the registry tables differ from the ledger's registry in {} row(s); first: {} {}; run "
                                  "`rxledger audit`", findings.size(), findings.front().where, findings.front().what));
    }
    try {
        merkle::TreeAppender tree(head.size, [&](merkle::NodeId node) { return apply_store_->read_node(node); });
        if (tree.root() != head.root) {
            refuse_writes("the Merkle root recomputed from stored nodes differs from the stored head: the database "
                          "was changed behind the server's back; run `rxledger audit`");
        }
        applier_ = std::make_unique<Applier>(registry_, std::move(tree));
        check_latest_checkpoint();
    } catch (const store::Inconsistent& error) {
        // No applier: the node serves reads at the stored head and never takes a write (refused below).
        refuse_writes(fmt::format("the stored Merkle tree cannot be read: {}; run `rxledger audit`", error.what()));
    }
    return ok_status();
}

void LedgerService::start() {
    RXL_ASSERT(!apply_thread_.joinable());
    apply_thread_ = std::thread([this] {
        bool full = config_.startup_audit == StartupAudit::full;
        if (config_.startup_audit == StartupAudit::automatic) {
            std::uint64_t units = apply_store_->count_units();
            full = units <= config_.startup_audit_full_max_units;
            if (!full) {
                std::fprintf(stderr,
                             "rxledgerd: start-up audit: %llu units is more than startup_audit_full_max_units (%llu); "
                             "checked the latest signed checkpoint against the stored tree, not a full replay. Run "
                             "`rxledger audit` beside the node for that.\n",
                             static_cast<unsigned long long>(units),
                             static_cast<unsigned long long>(config_.startup_audit_full_max_units));
                std::fflush(stderr);
            }
        }
        {
            std::lock_guard lock(integrity_mutex_);
            integrity_.startup_audit = full ? "full" : "checkpoint";
        }
        if (full) {
            run_startup_audit();
            malloc_trim(0);  // the replay's memory goes back to the system, not only to the allocator
        }
        {
            std::lock_guard lock(integrity_mutex_);
            if (integrity_.state == WriteState::refused) return;  // reads only, until an operator steps in
            integrity_.state = WriteState::open;
        }
        orderer_->start();
        apply_loop();
    });
}

void LedgerService::stop() {
    if (stopping_.exchange(true)) return;
    if (orderer_) orderer_->close();
    if (apply_thread_.joinable()) apply_thread_.join();
    // Leave a signed checkpoint at the size the node stops at, so the next start checks all of it.
    if (integrity().state == WriteState::open && applier_ && applier_->size() > last_checkpoint_size_) {
        try {
            if (auto note = sign_checkpoint(applier_->size(), applier_->root())) {
                apply_store_->write_checkpoint({applier_->size(), applier_->root(), std::move(note).value()});
            }
        } catch (const std::exception& error) {
            std::fprintf(stderr, "rxledgerd: could not store the final checkpoint: %s\n", error.what());
        }
    }
}

Result<std::string> LedgerService::sign_checkpoint(std::uint64_t size, const Hash& root) const {
    return merkle::sign_checkpoint({consortium_ + "/ledger", size, root, {}}, key_name(), *config_.node_key);
}

Integrity LedgerService::integrity() const {
    std::lock_guard lock(integrity_mutex_);
    return integrity_;
}

void LedgerService::refuse_writes(std::string reason) {
    std::fprintf(stderr, "rxledgerd: ALARM: writes refused: %s\n", reason.c_str());
    std::fflush(stderr);
    std::lock_guard lock(integrity_mutex_);
    if (integrity_.state == WriteState::refused) return;  // keep the first reason
    integrity_.state = WriteState::refused;
    integrity_.reason = std::move(reason);
}

void LedgerService::check_latest_checkpoint() {
    auto latest = apply_store_->latest_checkpoint();
    if (!latest) return;  // a ledger from before checkpoints were stored
    last_checkpoint_size_ = latest->size;
    store::Head head = apply_store_->head();
    auto keys = node_verifier_keys(registry_, consortium_);
    if (auto checked = check_stored_checkpoint(*latest, keys, consortium_, head.size); !checked) {
        refuse_writes(fmt::format("checkpoint {}: {}; run `rxledger audit`", latest->size, checked.error().detail));
        return;
    }
    Hash stored = merkle::root_at(latest->size, [&](merkle::NodeId node) { return apply_store_->read_node(node); });
    if (stored != latest->root) {
        refuse_writes(fmt::format("the stored Merkle tree gives another root at size {} than the node signed: the "
                                  "database was changed behind the server's back; run `rxledger audit`", latest->size));
    }
}

void LedgerService::run_startup_audit() {
    try {
        auto auditor = store::Store::connect(config_.database);
        if (!auditor) {
            refuse_writes("the start-up audit cannot connect to the database: " + auditor.error().detail);
            return;
        }
        AuditReport report = audit_ledger(**auditor);
        if (!report.clean()) {
            const auto& first = report.findings.front();
            refuse_writes(fmt::format("the start-up audit found {} mismatch(es); first: {} {}; run `rxledger audit`",
                                      report.findings_total, first.where, first.what));
        }
    } catch (const std::exception& error) {
        refuse_writes(fmt::format("the start-up audit failed: {}", error.what()));
    }
}

std::optional<store::StoredCheckpoint> LedgerService::due_checkpoint(const BatchResult& result) {
    auto now = std::chrono::steady_clock::now();
    bool crossed = config_.checkpoint_every_entries > 0 &&
                   result.size / config_.checkpoint_every_entries > last_checkpoint_size_ / config_.checkpoint_every_entries;
    if (!crossed && now - last_checkpoint_time_ < config_.checkpoint_every) return std::nullopt;
    auto note = sign_checkpoint(result.size, result.root);
    RXL_ASSERT_MSG(static_cast<bool>(note), "the node cannot sign its own checkpoint");
    last_checkpoint_size_ = result.size;
    last_checkpoint_time_ = now;
    return store::StoredCheckpoint{result.size, result.root, std::move(note).value()};
}

std::vector<SignedCheckpoint> LedgerService::cosign(std::uint64_t previous_size, const BatchResult& result) {
    std::vector<SignedCheckpoint> signed_checkpoints;
    const std::uint64_t every = config_.cosign_every_entries;
    if (every == 0 || result.entries.empty()) return signed_checkpoints;
    const std::uint64_t first_seq = result.entries.front().header.seq;
    for (std::uint64_t size = (previous_size / every + 1) * every; size <= result.size; size += every) {
        Hash root = size == result.size
                        ? result.root
                        : merkle::root_at(size, [&](merkle::NodeId node) { return apply_store_->read_node(node); });
        auto note = sign_checkpoint(size, root);
        RXL_ASSERT_MSG(static_cast<bool>(note), "the node cannot sign its own checkpoint");
        std::uint64_t cursor = result.entries[size - 1 - first_seq].cursor;
        signed_checkpoints.push_back({size, root, cursor, std::move(note).value()});
    }
    return signed_checkpoints;
}

std::shared_ptr<const Registry> LedgerService::registry() const {
    std::lock_guard lock(snapshot_mutex_);
    return registry_snapshot_;
}

Hash LedgerService::root() const {
    std::lock_guard lock(snapshot_mutex_);
    return root_;
}

Status LedgerService::authenticate(Submission& submission) const {
    auto registry_now = registry();
    PublicKey key{};
    const Participant* participant = registry_now->find_by_key(submission.key_id, &key);
    if (participant == nullptr) {
        return make_error(ErrorKind::unauthenticated, "unknown-key", "key id '" + submission.key_id + "' is not registered");
    }
    submission.submitter = participant->id;
    if (!verify_submission(submission, key)) {
        return make_error(ErrorKind::unauthenticated, "bad-signature",
                          "the signature does not verify for this body, kind and key");
    }
    return ok_status();
}

Result<SubmissionAnswer> LedgerService::submit(Submission submission, std::chrono::milliseconds timeout) {
    RXL_ASSERT(!submission.submitter.empty());
    Hash id = submission_id(submission);
    if (auto prior = with_store([&](store::Store& store) { return store.find_submission(id); })) {
        return SubmissionAnswer{id, prior->seq, prior->outcome, prior->detail_json, prior->leaf_hash, true};
    }
    if (Integrity now = integrity(); now.state != WriteState::open) {
        if (now.state == WriteState::checking) {
            return make_error(ErrorKind::unavailable, "ledger-checking",
                              "the node is checking its ledger after a start and takes writes when that is done; retry shortly");
        }
        return make_error(ErrorKind::unavailable, "writes-refused", "the node refuses writes: " + now.reason);
    }
    auto waiter = std::make_shared<Waiter>();
    auto answer = waiter->promise.get_future();
    {
        std::lock_guard lock(waiters_mutex_);
        waiters_.emplace(id, waiter);
    }
    if (auto queued = orderer_->append(std::move(submission)); !queued) {
        std::lock_guard lock(waiters_mutex_);
        for (auto it = waiters_.lower_bound(id); it != waiters_.upper_bound(id); ++it) {
            if (it->second == waiter) {
                waiters_.erase(it);
                break;
            }
        }
        return queued.error();
    }
    if (answer.wait_for(timeout) != std::future_status::ready) {
        // The submission may still be applied: the client retries with the same bytes and gets its answer.
        return make_error(ErrorKind::unavailable, "commit-timeout",
                          "the entry was not committed in time; retry with the same bytes to learn its outcome");
    }
    return answer.get();
}

Result<SubmissionAnswer> LedgerService::submit_as_node(SubmissionKind kind, std::string body, std::chrono::milliseconds timeout) {
    return submit(sign_submission(kind, config_.node_id, config_.node_id, std::move(body), *config_.node_key), timeout);
}

void LedgerService::answer_waiters(const std::vector<OrderedSubmission>& batch, const BatchResult& result) {
    RXL_ASSERT(batch.size() == result.answers.size());
    std::lock_guard lock(waiters_mutex_);
    for (const auto& answer : result.answers) {
        auto [first, last] = waiters_.equal_range(answer.submission_id);
        for (auto it = first; it != last; ++it) it->second->promise.set_value(answer);
        waiters_.erase(first, last);
    }
}

// Failures of the write path, and what each does:
// - the database connection is lost (or a commit's outcome is unknown): nothing is answered; the
//   thread reconnects with back-off, reads the head, and either finds the batch committed after all
//   (then answers it) or puts the applier back at the committed state and applies the batch again;
// - PostgreSQL refuses the batch's values (DatabaseFailure::data): the batch is applied again entry by
//   entry, and the one entry it still refuses is recorded rejected as "unstorable", the same on every
//   node, so that no content can stop apply;
// - anything else, or a head that matches neither, breaks an invariant: writes are refused (the node
//   keeps serving reads and /readyz says why) and the thread stops applying.
void LedgerService::apply_loop() {
    constexpr std::uint32_t poll_ms = 100;  // how often an idle apply thread checks for shutdown
    while (true) {
        auto batch = orderer_->next_batch(config_.batch_submissions_max, poll_ms);
        if (batch.empty()) {
            if (stopping_.load() && orderer_->queued() == 0) return;
            continue;
        }
        if (!commit_with_retries(std::move(batch))) return;
    }
}

bool LedgerService::commit_with_retries(std::vector<OrderedSubmission> batch) {
    while (true) {
        const std::uint64_t committed_size = applier_->size();
        const merkle::TreeAppender committed_tree = applier_->tree();
        const std::uint64_t checkpoint_size = last_checkpoint_size_;
        const auto checkpoint_time = last_checkpoint_time_;
        BatchResult result;
        DatabaseFailure failure = DatabaseFailure::other;
        std::string what;
        try {
            apply_and_write(batch, result);
            publish(batch, result, committed_size);
            return true;
        } catch (const DatabaseError& error) {
            failure = error.failure();
            what = fmt::format("SQLSTATE {}: {}", error.sqlstate().empty() ? "none" : error.sqlstate(), error.what());
            std::fprintf(stderr, "rxledgerd: writing a batch of %zu failed (%s%s): %s\n", batch.size(),
                         error.sqlstate().empty() ? "no SQLSTATE" : "SQLSTATE ", error.sqlstate().c_str(), error.what());
            std::fflush(stderr);
        } catch (const std::exception& error) {
            // Not the database: a fault of this program. Nothing of the batch was committed or answered.
            refuse_writes(std::string("apply failed: ") + error.what());
            return false;
        }
        last_checkpoint_size_ = checkpoint_size;
        last_checkpoint_time_ = checkpoint_time;
        if (failure == DatabaseFailure::other) {
            refuse_writes("the database failed in a way apply cannot recover from (" + what + ")");
            return false;
        }
        switch (recover(batch, result, committed_tree)) {
            case Recovered::committed: return true;
            case Recovered::stopped:
            case Recovered::refused: return false;
            case Recovered::retry: break;
        }
        if (failure != DatabaseFailure::data) continue;  // the connection is back: the same batch again
        if (batch.size() > 1) {
            for (auto& ordered : batch) {
                if (!commit_with_retries({std::move(ordered)})) return false;
            }
            return true;
        }
        if (batch.front().unstorable) {
            refuse_writes("the database refuses even to record an entry as unstorable; see the node's log");
            return false;
        }
        batch.front().unstorable = true;
    }
}

void LedgerService::apply_and_write(const std::vector<OrderedSubmission>& batch, BatchResult& result) {
    try {
        result = applier_->apply(batch, *apply_store_);
        // Submissions replayed from a peer carry no position of their own: never move the cursor back.
        result.cursor = std::max<std::uint64_t>(result.cursor, cursor_.load());
        auto checkpoint = due_checkpoint(result);
        apply_store_->write_batch(result, checkpoint ? &*checkpoint : nullptr);
    } catch (...) {
        apply_store_->rethrow_as_database_error();
    }
}

// After the batch's commit: what readers and waiting clients see, and what the orderer is told.
void LedgerService::publish(const std::vector<OrderedSubmission>& batch, const BatchResult& result,
                            std::uint64_t previous_size) {
    std::vector<SignedCheckpoint> signed_checkpoints;
    try {
        signed_checkpoints = cosign(previous_size, result);  // reads stored nodes: the only step that may fail
    } catch (...) {
        apply_store_->rethrow_as_database_error();
    }
    size_ = result.size;
    cursor_ = result.cursor;
    {
        std::lock_guard lock(snapshot_mutex_);
        root_ = result.root;
        if (!result.participants_added.empty()) registry_snapshot_ = std::make_shared<const Registry>(registry_);
    }
    stats_.entries_applied += result.entries.size();
    stats_.batches_applied += 1;
    stats_.last_batch_size = batch.size();
    if (batch.size() > stats_.largest_batch_size) stats_.largest_batch_size = batch.size();
    answer_waiters(batch, result);
    orderer_->committed({result.size, result.root, result.cursor, std::move(signed_checkpoints)});
}

// Waits for the database (reconnecting with back-off), then learns from its head what the failed attempt
// left: committed after all (published now), or nothing (the applier is put back at `committed_tree`).
LedgerService::Recovered LedgerService::recover(const std::vector<OrderedSubmission>& batch, const BatchResult& result,
                                                const merkle::TreeAppender& committed_tree) {
    std::uint32_t backoff_ms = limits::database_retry_first_ms;
    while (true) {
        try {
            store::Head head;
            try {
                if (apply_store_->broken() && !apply_store_->reconnect()) {
                    throw DatabaseError(DatabaseFailure::connection, "", "the database cannot be reached");
                }
                head = apply_store_->head();
            } catch (...) {
                apply_store_->rethrow_as_database_error();
            }
            const bool attempted = result.size > committed_tree.size();
            if (attempted && head.size == result.size && head.root == result.root) {
                apply_store_->batch_committed(result);  // the commit went through before the connection broke
                publish(batch, result, committed_tree.size());
                return Recovered::committed;
            }
            if (head.size != committed_tree.size() || head.root != committed_tree.root()) {
                refuse_writes(fmt::format("after a database failure the stored head is at size {}, neither the "
                                          "committed size {} nor the batch's; run `rxledger audit`",
                                          head.size, committed_tree.size()));
                return Recovered::refused;
            }
            registry_ = *registry();  // the registry of the last committed batch
            applier_ = std::make_unique<Applier>(registry_, committed_tree);
            return Recovered::retry;
        } catch (const DatabaseError& error) {
            if (error.failure() != DatabaseFailure::connection) {
                refuse_writes(std::string("the database fails while apply recovers: ") + error.what());
                return Recovered::refused;
            }
        }
        if (stopping_.load()) return Recovered::stopped;
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
        backoff_ms = std::min(backoff_ms * 2, limits::database_retry_max_ms);
    }
}

}  // namespace rxl
