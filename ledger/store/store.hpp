// Store: the node's PostgreSQL database. The only code that includes libpqxx.
//
// One Store is one connection and is not thread-safe: the apply thread owns one, and request handlers
// borrow others from a pool. Reads made for apply see only committed state (apply is the only writer,
// so that is the ledger at its current size). write_batch() commits a whole BatchResult atomically:
// a crash either keeps all of a batch or none of it.
//
// Errors: a database failure throws. Callers outside ledger/store catch them as rxl::DatabaseError
// (ledger/core/database_error.hpp): LedgerService runs every use of a Store through
// rethrow_as_database_error(), which translates libpqxx's exceptions. Apply retries a lost connection and
// records an entry whose effects PostgreSQL refuses as unstorable; the server's router answers 503.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ledger/apply/applier.hpp"
#include "ledger/apply/registry.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/core/database_error.hpp"
#include "ledger/merkle/merkle.hpp"

namespace rxl::store {

// A row the ledger's own structure says exists is missing or unreadable (an entry below the committed
// size, a Merkle node of the committed tree, a stored value apply never writes): the database was
// changed behind the server's back. Reads throw it instead of asserting, so one tampered row makes a
// read fail (500 `ledger-inconsistent`, docs/problems.md), never the process.
struct Inconsistent : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Head {
    std::uint64_t size = 0;
    std::int64_t last_ordered_at_ms = 0;
    std::uint64_t orderer_cursor = 0;
    Hash root{};
};

// A checkpoint this node signed: the signed note's text over (size, root).
struct StoredCheckpoint {
    std::uint64_t size = 0;
    Hash root{};
    std::string note;
};

// One link of a unit's chain with the entry that made it and, for EPCIS entries, the event.
struct UnitHistoryRow {
    std::uint32_t event_index = 0;
    Hash link{};
    EntryHeader entry;  // seq, ordered_at, kind, submitter, … as stored; body_sha256 recomputed from the body
    Hash leaf_hash{};   // as stored
    std::optional<EventRow> event;
};

// A recall or withdrawal as verification needs it.
struct RecallFact {
    std::uint64_t recall_seq = 0;
    std::string recall_class;
    std::int64_t ordered_at_ms = 0;
};

// What the ledger knows about a scanned pack (verify_reads.cpp).
struct ProductFacts {
    bool gtin_known = false;           // some lot of the GTIN was commissioned
    std::string manufacturer;          // who commissioned it
    std::optional<UnitState> unit;     // the (gtin, serial) unit
    bool lot_known = false;            // the scanned lot was commissioned for the GTIN
    std::optional<RecallFact> lot_recall;  // of the unit's lot (the scanned lot when there is no unit)
    std::optional<RecallFact> withdrawal;  // of the whole GTIN
};

// GET /v1/events filters (event_query.cpp). Empty text switches a filter off; lists are comma-separated.
struct EventQuery {
    std::string submitter;     // only events of entries this participant submitted; empty: all (regulators)
    std::string event_types;   // "ObjectEvent,AggregationEvent"
    std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();  // eventTime >= from
    std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();    // eventTime < to
    std::string biz_steps;     // bare CBV words
    std::string dispositions;
    std::string biz_location;  // canonical Digital Link
    std::string lot;           // ILMD cbvmda:lotNumber
    std::string sgtin_gtin, sgtin_serial;  // MATCH_epc for a unit, through its chain
    std::string epc_text, epc_link;        // MATCH_epc for any other EPC: as given and as Digital Link
    std::string parent_text, parent_link;  // MATCH_parentID: as given and as Digital Link
    std::uint64_t after_seq = 0;  // keyset paging: events after (after_seq, after_index)
    std::int64_t after_index = -1;
    std::size_t limit = 30;
};
struct QueriedEvent {
    std::uint64_t seq = 0;
    std::int64_t event_index = 0;
    std::string json;
};

// One verification as the node's log keeps it (verifications.cpp).
struct VerificationRecord {
    std::int64_t at_ms = 0;
    std::string participant;
    std::string location;
    std::string channel;  // "verify", "digital-link", "vrs"
    std::string input;
    std::string gtin, serial, lot, expiry;
    std::string code;
    bool genuine = false;
    bool dispensable = false;
    std::uint64_t ledger_size = 0;
};

// Which alerts to list: empty text matches any value; times are ordering times, [from_ms, to_ms).
struct AlertFilter {
    std::string gtin;
    std::string lot;
    std::string code;
    std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
    std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();
    // Keyset pagination: alerts after the alert (after_seq, after_item), in (seq, item) order. The
    // default starts before the first: entry 0 is the genesis, never an alert.
    std::uint64_t after_seq = 0;
    std::uint32_t after_item = 0;
    std::size_t limit = 100;
    // When set, only GTINs under these company prefixes (a manufacturer's view); none at all if empty.
    std::optional<std::vector<std::string>> company_prefixes;
};

// A recall's reach (recall_reads.cpp): the affected units counted by current state, all from one GROUP BY.
// Units inside cases and pallets carry their own status, custodian, location and destination (apply keeps
// them in step with their container), so they are counted like loose units. Empty keys are left out:
// a unit without a location is in `units` but in no `by_location` count.
struct RecallReach {
    std::uint64_t units = 0;
    std::uint64_t in_containers = 0;                   // units with a parent case or pallet
    std::map<std::string, std::uint64_t> by_status;     // "active", "in_transit", "dispensed", …
    std::map<std::string, std::uint64_t> by_custodian;  // participant id (the shipper while in transit)
    std::map<std::string, std::uint64_t> by_location;   // GLN
    std::map<std::string, std::uint64_t> in_transit_to; // destination participant of units shipped, not received
};

// One affected unit as the recall's unit list shows it.
struct RecallUnit {
    std::string gtin, serial, lot, expiry;  // expiry "YYYY-MM-DD"
    std::string status;
    std::string custodian, location, destination, parent;  // empty when none
};

// A read token this node issued to a participant (`rxledger token issue`; schemas/sql/004_tokens.sql).
// Node-local, never on the ledger. Only the token's SHA-256 is stored.
struct ApiToken {
    Hash sha256{};
    std::string participant;
    std::string label;  // empty when none was given
    std::int64_t issued_at_ms = 0;
    std::optional<std::int64_t> revoked_at_ms;  // empty while the token is active
};

class VerifyIndex;  // verify_index.hpp

class Store final : public StateReader {
public:
    // Connects (libpq connection string, e.g. "host=127.0.0.1 port=5433 dbname=rxledger user=rxledger").
    static Result<std::unique_ptr<Store>> connect(const std::string& conninfo);
    ~Store() override;

    // Applies pending schema migrations.
    Status migrate();
    bool ping();

    // Called in a catch block: rethrows the exception in flight, a libpqxx one as rxl::DatabaseError
    // (anything else unchanged). A lost connection marks this Store broken until reconnect().
    [[noreturn]] void rethrow_as_database_error();
    bool broken() const { return broken_; }
    // Replaces the connection with a new one to the same database; false (still broken) if that fails.
    bool reconnect();
    // What write_batch does once PostgreSQL has committed: for a batch whose commit was in doubt (the
    // connection broke during COMMIT) and which the head, read again, shows committed.
    void batch_committed(const BatchResult& batch);

    Head head();
    // The registry as the ledger holds it now.
    Registry load_registry();
    std::optional<EntryRecord> entry(std::uint64_t seq);
    // The stored hash of a complete Merkle subtree; precondition: it exists.
    Hash read_node(merkle::NodeId node);

    // Writes every effect of a batch and the new head in one transaction, then commits (fsync'd by
    // PostgreSQL's synchronous_commit) before returning.
    // With `checkpoint`, the node's signed checkpoint at the batch's size is stored in the same transaction.
    void write_batch(const BatchResult& batch, const StoredCheckpoint* checkpoint = nullptr);
    void write_checkpoint(const StoredCheckpoint& checkpoint);
    std::optional<StoredCheckpoint> latest_checkpoint();
    // Every stored checkpoint, by size.
    std::vector<StoredCheckpoint> checkpoints();
    // Records the consortium's nodes (from the genesis) for peers and operators to look up.
    void write_nodes(const Registry& registry);

    // StateReader (for apply)
    void load_units(const std::vector<UnitKey>& keys, std::map<UnitKey, UnitState>& out) override;
    std::optional<ContainerState> load_container(const std::string& sscc) override;
    Children load_children(const std::string& sscc) override;
    bool event_hash_exists(const std::string& hash_id) override;
    std::optional<std::string> event_submitter(const std::string& hash_id) override;
    std::optional<PriorOutcome> find_submission(const Hash& submission_id) override;
    bool product_exists(const std::string& gtin) override;
    bool lot_exists(const std::string& gtin, const std::string& lot) override;
    std::optional<std::uint64_t> lot_recall(const std::string& gtin, const std::string& lot) override;
    std::optional<std::uint64_t> gtin_withdrawal(const std::string& gtin) override;

    // Reads for handlers
    // The recall whose entry is `seq` (its id), if that entry is an accepted recall.
    std::optional<RecallRow> recall(std::uint64_t seq);
    // Recalls in id order after `after_seq`, at most `limit`; of one GTIN unless `gtin` is empty.
    std::vector<RecallRow> recalls(const std::string& gtin, std::uint64_t after_seq, std::size_t limit);
    // Alerts in id (seq, item) order matching the filter.
    std::vector<AlertRow> alerts(const AlertFilter& filter);
    std::optional<UnitState> unit(const UnitKey& key);
    std::uint64_t count_units();
    // The EPCIS query subset (event_query.cpp).
    std::vector<QueriedEvent> query_events(const EventQuery& query);
    // Verification's reads (verify_reads.cpp).
    ProductFacts product_facts(const std::string& gtin, const std::string& serial, const std::string& scanned_lot);
    // The in-memory index product_facts() answers from once loaded, shared by every Store of this
    // database; a caller that must not block asks it directly (it never touches the database).
    std::shared_ptr<VerifyIndex> verify_index() const;
    // The node's verification log (verifications.cpp).
    void write_verifications(const std::vector<VerificationRecord>& records);
    // The unit's chain, oldest first (history.cpp).
    std::vector<UnitHistoryRow> unit_history(const UnitKey& key);
    std::uint64_t count_entries();
    // Stored Merkle nodes at one level (level 0: one per entry).
    std::uint64_t count_merkle_nodes(int level);

    // Recall reads (recall_reads.cpp). `viewer` empty: every unit of the recalled lots (or of the GTIN, for a
    // withdrawal); otherwise only those whose custodian or destination is `viewer`.
    RecallReach recall_reach(const RecallRow& recall, const std::string& viewer);
    // Affected units in serial order after `after_serial` (keyset pagination; "" starts), at most `limit`.
    std::vector<RecallUnit> recall_units(const RecallRow& recall, const std::string& viewer,
                                         const std::string& after_serial, std::size_t limit);

    // Read tokens (tokens.cpp). Errors (not exceptions): "token-exists" when the hash is stored already,
    // "token-label-taken" when an active token has the same non-empty label.
    Status insert_api_token(const ApiToken& token);  // issued_at is the database's now(); revoked_at is ignored
    // Marks an active token revoked now; false when no active token has this hash.
    bool revoke_api_token(const Hash& sha256);
    // Every token, active and revoked, oldest first.
    std::vector<ApiToken> api_tokens();
    // The participant of the active token with this hash; empty when there is none or it was revoked.
    std::optional<std::string> api_token_participant(const Hash& sha256);

private:
    friend class AuditReader;  // audit_reads.hpp: the audit's reads, from one snapshot of this connection
    struct Connection;  // wraps pqxx::connection, kept out of this header
    explicit Store(std::unique_ptr<Connection> connection);
    std::unique_ptr<Connection> connection_;
    bool broken_ = false;
};

}  // namespace rxl::store
