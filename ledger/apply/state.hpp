// Ledger state that apply reads and changes: units, containers, nesting, recorded event hashes, lots,
// recalls and alerts.
//
// StateReader is the I/O boundary (PostgreSQL in ledger/store, an in-memory twin in MemoryState for tests).
// WorkingState layers the changes of the current batch and of the current entry over a reader, so that an
// entry sees what earlier entries of its batch did, and a rejected entry is dropped without a trace.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/crypto/sha256.hpp"

namespace rxl {

enum class UnitStatus { active, in_transit, dispensed, destroyed, exported, sample, free_sample, stolen, locked, checked_out };
std::string_view to_string(UnitStatus status);
std::optional<UnitStatus> parse_unit_status(std::string_view text);
bool is_decommissioned(UnitStatus status);

struct UnitKey {
    std::string gtin;
    std::string serial;
    auto operator<=>(const UnitKey&) const = default;
};

struct UnitState {
    UnitKey key;
    std::string lot;
    std::string expiry;  // YYYY-MM-DD
    UnitStatus status = UnitStatus::active;
    std::string owner;        // the manufacturer that commissioned it
    std::string custodian;    // participant holding it
    std::string location;     // GLN of where it is, may be empty
    std::string parent;       // SSCC it is packed in, or empty
    std::string destination;  // participant it was shipped to, while in_transit
    std::uint64_t commissioned_seq = 0;
    std::uint64_t updated_seq = 0;
    std::int64_t decommissioned_at_ms = 0;
    std::string decommissioned_location;
    std::string decommissioned_by;
    Hash chain_link{};
};

struct ContainerState {
    std::string sscc;
    UnitStatus status = UnitStatus::active;  // active or in_transit
    std::string owner;
    std::string custodian;
    std::string location;
    std::string parent;
    std::string destination;
    std::uint64_t commissioned_seq = 0;
    std::uint64_t updated_seq = 0;
};

struct Children {
    std::vector<UnitKey> units;
    std::vector<std::string> containers;
};

// What an earlier entry with the same submission id answered.
struct PriorOutcome {
    std::uint64_t seq = 0;
    std::string outcome;
    std::string detail_json;
    Hash leaf_hash{};
};

class StateReader {
public:
    virtual ~StateReader() = default;
    // Adds to `out` the units among `keys` that exist.
    virtual void load_units(const std::vector<UnitKey>& keys, std::map<UnitKey, UnitState>& out) = 0;
    virtual std::optional<ContainerState> load_container(const std::string& sscc) = 0;
    // Units and containers whose parent is `sscc` (as stored).
    virtual Children load_children(const std::string& sscc) = 0;
    // True if an accepted entry recorded an event with this hash id (error declarations excluded).
    virtual bool event_hash_exists(const std::string& hash_id) = 0;
    // The submitter of the accepted entry that recorded the event with this hash id (error declarations
    // excluded), if one did: who may declare that event an error.
    virtual std::optional<std::string> event_submitter(const std::string& hash_id) = 0;
    virtual std::optional<PriorOutcome> find_submission(const Hash& submission_id) = 0;
    // True if a unit of this GTIN was commissioned (with any lot).
    virtual bool product_exists(const std::string& gtin) = 0;
    // True if a unit of this GTIN was commissioned with this lot.
    virtual bool lot_exists(const std::string& gtin, const std::string& lot) = 0;
    // The recall (its entry's sequence number) that recalled this lot of this GTIN, if one did.
    virtual std::optional<std::uint64_t> lot_recall(const std::string& gtin, const std::string& lot) = 0;
    // The recall that withdrew the whole GTIN, if one did.
    virtual std::optional<std::uint64_t> gtin_withdrawal(const std::string& gtin) = 0;
};

struct UnitEventRow {
    UnitKey key;
    std::uint64_t seq = 0;
    std::uint32_t event_index = 0;
    Hash link{};
};

struct EventRow {
    std::uint64_t seq = 0;
    std::uint32_t event_index = 0;
    std::string hash_id;
    std::string event_id;
    std::string event_type;
    std::int64_t event_time_ms = 0;
    std::string action;
    std::string biz_step;
    std::string disposition;
    std::string read_point;
    std::string biz_location;
    std::string lot;
    bool is_error_declaration = false;
    std::string json;
    std::string submitter;  // of the entry; not a column of events (the store reads it from entries)
};

struct LotRow {
    std::string gtin;
    std::string lot;
    std::string expiry;
    std::string owner;
    auto operator<=>(const LotRow&) const = default;
};

// A recall of lots of a GTIN, or (no lots) the withdrawal of the whole GTIN. Its id is its entry's seq.
struct RecallRow {
    std::uint64_t seq = 0;
    std::string gtin;
    std::vector<std::string> lots;  // empty for a withdrawal
    bool withdrawal = false;
    std::string recall_class;       // "I", "II" or "III"
    std::string reason;
    std::string submitter;
    std::int64_t ordered_at_ms = 0;
};

// A falsification alert a node raised on a suspicious verification or decommission. One alert entry
// holds one alert (version-1 body) or a batch of them (ledger/apply/alert_body.hpp): (seq, item) is the
// alert's id.
struct AlertRow {
    std::uint64_t seq = 0;
    std::uint32_t item = 0;   // index of the alert in its entry's body
    std::string code;         // UNKNOWN_SERIAL, UNKNOWN_LOT, …
    std::string emvs;         // the EMVS hub code it mirrors ("A3"), or empty
    std::string gtin;
    std::string serial;
    std::string lot;
    std::string expiry;       // YYMMDD as scanned, or empty
    std::string participant;  // who scanned
    std::string location;     // GLN, or empty
    std::string node;         // the node that raised it
    std::int64_t verified_at_ms = 0;
    std::int64_t ordered_at_ms = 0;
    std::string message;
    std::uint64_t scans = 1;  // scans of the same unit, code and participant the window folded into it
};

// Every state change of one entry (or of a whole batch, once merged).
struct StateChanges {
    std::map<UnitKey, UnitState> units;
    std::map<std::string, ContainerState> containers;
    std::map<std::string, std::set<UnitKey>> unit_children_added;        // sscc → units packed into it
    std::map<std::string, std::set<std::string>> container_children_added;
    std::set<std::string> event_hashes;
    std::set<LotRow> lots;
    std::vector<EventRow> events;
    std::vector<UnitEventRow> unit_events;
    std::vector<RecallRow> recalls;
    std::vector<AlertRow> alerts;

    void merge_from(StateChanges&& newer);
};

class WorkingState {
public:
    explicit WorkingState(StateReader& reader) : reader_(reader) {}

    // Loads many units in one read; later unit() calls for them cost nothing.
    void preload_units(const std::vector<UnitKey>& keys);
    std::optional<UnitState> unit(const UnitKey& key);
    std::optional<ContainerState> container(const std::string& sscc);
    Children children(const std::string& sscc);
    bool event_hash_seen(const std::string& hash_id);
    std::optional<std::string> event_submitter(const std::string& hash_id);
    bool product_exists(const std::string& gtin);
    bool lot_exists(const std::string& gtin, const std::string& lot);
    std::optional<std::uint64_t> lot_recall(const std::string& gtin, const std::string& lot);
    std::optional<std::uint64_t> gtin_withdrawal(const std::string& gtin);

    // Changes go to the current entry until commit_entry() or rollback_entry().
    void put_unit(UnitState unit);
    void put_container(ContainerState container);
    void add_event(EventRow event);
    void add_lot(LotRow lot);
    void add_unit_event(UnitEventRow row) { entry_.unit_events.push_back(std::move(row)); }
    void add_recall(RecallRow recall) { entry_.recalls.push_back(std::move(recall)); }
    void add_alert(AlertRow alert) { entry_.alerts.push_back(std::move(alert)); }
    StateChanges& entry_changes() { return entry_; }

    void commit_entry();
    void rollback_entry() { entry_ = {}; }
    // The batch's changes, for the store to write; leaves the working state empty.
    StateChanges take_batch() { return std::move(batch_); }

private:
    StateReader& reader_;
    std::map<UnitKey, std::optional<UnitState>> loaded_units_;
    std::map<std::string, std::optional<ContainerState>> loaded_containers_;
    std::map<std::string, Children> loaded_children_;
    StateChanges batch_;
    StateChanges entry_;
};

}  // namespace rxl
