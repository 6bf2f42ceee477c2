// VerifyIndex: what verification reads (Store::product_facts), held in memory so that a verification
// costs no database round trip. Store::verify_index() hands it out to callers that must not block (an
// HTTP I/O thread); only product_facts() and units() are for them.
//
// One index per database per process, shared by every Store connected to it (for_database). It is a
// cache of committed state, never a source of truth: apply's Store tells it each batch after the batch
// committed (batch_committed), and rxledgerd starts a background load of the tables when it starts
// (start_loading; for other users the first write or verification starts it); until that load is done,
// product_facts() answers nothing and the caller reads the database. Batches that commit while the load
// runs are kept and re-applied on top of it, in order, so the index never misses or reverses a change:
// every unit change carries the unit's whole state.
//
// Memory: one 36-byte slot per unit in an open-addressing table kept at most 3/4 full (power-of-two
// size), so 10 M units take 604 MiB (906 MiB for the moment the table doubles). Units are keyed by the
// first 16 bytes of SHA-256(gtin ‖ 0x00 ‖ serial), not by their text: two units with the same 128-bit
// key would be confused, which for 10^10 units happens with probability about 10^-19. Lots, expiries,
// participants and GLNs are stored once each and referred to by number.
//
// Thread safety: any number of readers and one writer (the apply thread), under a shared mutex; the
// writer holds it for one batch, or, when the table doubles, for the rehash (about 0.3 s at 8 M units).
// While the index loads, only the loader touches the table and the maps, without the lock: readers and
// the writer look at the load state (and the writer queues batches) under the lock, nothing else.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ledger/store/store.hpp"

namespace rxl::store {

class VerifyIndex {
public:
    // The index of the database `conninfo` names, shared while any Store holds it.
    static std::shared_ptr<VerifyIndex> for_database(const std::string& conninfo);
    explicit VerifyIndex(std::string conninfo);
    ~VerifyIndex();  // stops and joins a load in progress

    // Starts the background load, once; later calls do nothing.
    void start_loading();
    // The facts for a scan once the index is loaded; nothing before (the caller asks the database).
    std::optional<ProductFacts> product_facts(const std::string& gtin, const std::string& serial,
                                              const std::string& scanned_lot) const;
    // Called by the apply thread after a batch committed.
    void batch_committed(const StateChanges& changes);
    // Whether the unit exists, once the index is loaded (it then holds every committed unit); nothing
    // before. Apply uses "absent" to skip reading units that are being commissioned (Store::load_units).
    std::optional<bool> contains_unit(const UnitKey& key) const;
    std::size_t units() const;

private:
    using Key = std::array<std::uint8_t, 16>;
    struct Slot {
        Key key{};                   // all zero: empty
        std::uint32_t lot = 0;       // lot_expiries_ id
        std::uint32_t location = 0;  // glns_ id ("" is 0)
        std::uint32_t decommission = 0;  // 0: none; else decommissions_[decommission - 1]
        std::uint16_t owner = 0, custodian = 0, destination = 0;  // participants_ ids ("" is 0)
        std::uint8_t status = 0;
    };
    struct Decommission {
        std::int64_t at_ms = 0;
        std::uint32_t location = 0;
        std::uint16_t by = 0;
    };
    // Strings stored once; id 0 is "". Looked up by string_view, without building a string.
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    template <class Id>
    struct Strings {
        std::vector<std::string> texts{std::string()};
        std::unordered_map<std::string, Id, TextHash, std::equal_to<>> ids{{std::string(), Id{0}}};
        Id intern(std::string_view text);
    };
    // A unit's fields as put_unit stores them: views into a UnitState or a result row.
    struct UnitFields {
        std::string_view gtin, serial, lot, expiry;
        UnitStatus status = UnitStatus::active;
        std::string_view owner, custodian, location, destination;
        std::int64_t decommissioned_at_ms = 0;
        std::string_view decommissioned_location, decommissioned_by;
    };
    enum class LoadState { not_started, loading, ready, failed };

    static Key key_of(std::string_view gtin, std::string_view serial);
    void put_unit(const UnitState& unit);  // writer, under the exclusive lock (or the loader, see above)
    void put_unit(const UnitFields& unit);
    void put_lot(const LotRow& lot);
    void put_recall(const RecallRow& recall);
    Slot* find_slot(const Key& key);
    const Slot* find_slot(const Key& key) const;
    void grow();
    UnitState unit_of(const Slot& slot, const std::string& gtin, const std::string& serial) const;
    void load();  // the loader thread
    void load_units(void* connection);

    const std::string conninfo_;
    mutable std::shared_mutex mutex_;
    LoadState state_ = LoadState::not_started;
    std::vector<StateChanges> pending_;  // batches committed while loading
    std::vector<Slot> slots_;
    std::size_t used_ = 0;
    Strings<std::uint16_t> participants_;
    Strings<std::uint32_t> glns_;
    Strings<std::uint32_t> lot_expiries_;  // lot ‖ 0x00 ‖ expiry (YYYY-MM-DD)
    std::string lot_expiry_buffer_;         // put_unit's, to look lot ‖ 0x00 ‖ expiry up without allocating
    std::vector<Decommission> decommissions_;
    std::unordered_map<std::string, std::uint16_t> gtin_owner_;  // manufacturer of a GTIN's first lot
    std::unordered_set<std::string> lots_;                        // gtin ‖ 0x00 ‖ lot
    std::unordered_map<std::string, RecallFact> lot_recalls_;     // gtin ‖ 0x00 ‖ lot
    std::unordered_map<std::string, RecallFact> withdrawals_;     // gtin
    std::thread loader_;
    std::atomic<bool> stopping_{false};
};

}  // namespace rxl::store
