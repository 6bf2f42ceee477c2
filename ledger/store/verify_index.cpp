#include "ledger/store/verify_index.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

#include "ledger/core/assert.hpp"

namespace rxl::store {

namespace {

// Rows read per round trip while loading units: keyset pages of the (gtin, serial) primary key.
constexpr std::size_t load_page_units = 50'000;
constexpr std::size_t initial_slots = 1024;  // a power of two

constexpr const char* sql_load_lots = "SELECT gtin, lot, to_char(expiry, 'YYYY-MM-DD'), owner_id FROM lots ORDER BY gtin, lot, expiry";
constexpr const char* sql_load_lot_recalls =
    "SELECT rl.gtin, rl.lot, r.seq, r.recall_class, r.ordered_at_ms FROM recalled_lots rl JOIN recalls r ON r.seq = rl.recall_seq";
constexpr const char* sql_load_withdrawals =
    "SELECT w.gtin, r.seq, r.recall_class, r.ordered_at_ms FROM withdrawn_gtins w JOIN recalls r ON r.seq = w.recall_seq";
constexpr const char* sql_load_units =
    "SELECT gtin, serial, lot, to_char(expiry, 'YYYY-MM-DD'), status, owner_id, custodian_id, coalesce(location_gln, ''), "
    "coalesce(destination_id, ''), coalesce(decommissioned_at_ms, 0), coalesce(decommissioned_location, ''), "
    "coalesce(decommissioned_by, '') FROM units WHERE (gtin, serial) > ($1, $2) ORDER BY gtin, serial LIMIT $3";

std::string pair_key(const std::string& first, const std::string& second) {
    std::string key = first;
    key.push_back('\0');
    key += second;
    return key;
}

std::mutex registry_mutex;
std::map<std::string, std::weak_ptr<VerifyIndex>>& registry() {
    static std::map<std::string, std::weak_ptr<VerifyIndex>> indexes;
    return indexes;
}

}  // namespace

template <class Id>
Id VerifyIndex::Strings<Id>::intern(std::string_view text) {
    if (auto it = ids.find(text); it != ids.end()) return it->second;
    RXL_ASSERT_MSG(texts.size() < std::numeric_limits<Id>::max(), "the verify index ran out of string ids");
    Id id = static_cast<Id>(texts.size());
    texts.emplace_back(text);
    ids.emplace(std::string(text), id);
    return id;
}

std::shared_ptr<VerifyIndex> VerifyIndex::for_database(const std::string& conninfo) {
    std::lock_guard lock(registry_mutex);
    auto& slot = registry()[conninfo];
    if (auto existing = slot.lock()) return existing;
    auto index = std::make_shared<VerifyIndex>(conninfo);
    slot = index;
    return index;
}

VerifyIndex::VerifyIndex(std::string conninfo) : conninfo_(std::move(conninfo)), slots_(initial_slots) {}

VerifyIndex::~VerifyIndex() {
    stopping_ = true;
    if (loader_.joinable()) loader_.join();
}

VerifyIndex::Key VerifyIndex::key_of(std::string_view gtin, std::string_view serial) {
    static constexpr std::uint8_t separator[1] = {0};
    Hash hash = sha256_concat({std::span(reinterpret_cast<const std::uint8_t*>(gtin.data()), gtin.size()), separator,
                               std::span(reinterpret_cast<const std::uint8_t*>(serial.data()), serial.size())});
    Key key{};
    std::memcpy(key.data(), hash.data(), key.size());
    if (key == Key{}) key[0] = 1;  // all zero marks an empty slot
    return key;
}

const VerifyIndex::Slot* VerifyIndex::find_slot(const Key& key) const {
    std::size_t mask = slots_.size() - 1;
    std::uint64_t start = 0;
    std::memcpy(&start, key.data(), sizeof start);
    for (std::size_t i = start & mask;; i = (i + 1) & mask) {
        const Slot& slot = slots_[i];
        if (slot.key == key) return &slot;
        if (slot.key == Key{}) return nullptr;
    }
}

VerifyIndex::Slot* VerifyIndex::find_slot(const Key& key) {
    return const_cast<Slot*>(static_cast<const VerifyIndex*>(this)->find_slot(key));
}

void VerifyIndex::grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
        if (slot.key == Key{}) continue;
        std::uint64_t start = 0;
        std::memcpy(&start, slot.key.data(), sizeof start);
        std::size_t i = start & mask;
        while (slots_[i].key != Key{}) i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

void VerifyIndex::put_unit(const UnitState& unit) {
    put_unit(UnitFields{unit.key.gtin, unit.key.serial, unit.lot, unit.expiry, unit.status, unit.owner, unit.custodian,
                        unit.location, unit.destination, unit.decommissioned_at_ms, unit.decommissioned_location,
                        unit.decommissioned_by});
}

void VerifyIndex::put_unit(const UnitFields& unit) {
    Key key = key_of(unit.gtin, unit.serial);
    Slot* slot = find_slot(key);
    if (slot == nullptr) {
        if ((used_ + 1) * 4 > slots_.size() * 3) grow();
        std::size_t mask = slots_.size() - 1;
        std::uint64_t start = 0;
        std::memcpy(&start, key.data(), sizeof start);
        std::size_t i = start & mask;
        while (slots_[i].key != Key{}) i = (i + 1) & mask;
        slot = &slots_[i];
        slot->key = key;
        ++used_;
    }
    lot_expiry_buffer_.assign(unit.lot);
    lot_expiry_buffer_.push_back('\0');
    lot_expiry_buffer_.append(unit.expiry);
    slot->lot = lot_expiries_.intern(lot_expiry_buffer_);
    slot->location = glns_.intern(unit.location);
    slot->owner = participants_.intern(unit.owner);
    slot->custodian = participants_.intern(unit.custodian);
    slot->destination = participants_.intern(unit.destination);
    slot->status = static_cast<std::uint8_t>(unit.status);
    slot->decommission = 0;
    bool has_decommission = unit.decommissioned_at_ms != 0 || !unit.decommissioned_location.empty() ||
                            !unit.decommissioned_by.empty();
    if (has_decommission) {
        decommissions_.push_back({unit.decommissioned_at_ms, glns_.intern(unit.decommissioned_location),
                                  participants_.intern(unit.decommissioned_by)});
        slot->decommission = static_cast<std::uint32_t>(decommissions_.size());
    }
}

void VerifyIndex::put_lot(const LotRow& lot) {
    gtin_owner_.try_emplace(lot.gtin, participants_.intern(lot.owner));
    lots_.insert(pair_key(lot.gtin, lot.lot));
}

void VerifyIndex::put_recall(const RecallRow& recall) {
    RecallFact fact{recall.seq, recall.recall_class, recall.ordered_at_ms};
    if (recall.withdrawal) {
        withdrawals_.try_emplace(recall.gtin, fact);
        return;
    }
    for (const auto& lot : recall.lots) lot_recalls_.try_emplace(pair_key(recall.gtin, lot), fact);
}

UnitState VerifyIndex::unit_of(const Slot& slot, const std::string& gtin, const std::string& serial) const {
    UnitState unit;
    unit.key = {gtin, serial};
    const std::string& lot_expiry = lot_expiries_.texts[slot.lot];
    std::size_t separator = lot_expiry.find('\0');
    unit.lot = lot_expiry.substr(0, separator);
    unit.expiry = lot_expiry.substr(separator + 1);
    unit.status = static_cast<UnitStatus>(slot.status);
    unit.owner = participants_.texts[slot.owner];
    unit.custodian = participants_.texts[slot.custodian];
    unit.location = glns_.texts[slot.location];
    unit.destination = participants_.texts[slot.destination];
    if (slot.decommission != 0) {
        const Decommission& decommission = decommissions_[slot.decommission - 1];
        unit.decommissioned_at_ms = decommission.at_ms;
        unit.decommissioned_location = glns_.texts[decommission.location];
        unit.decommissioned_by = participants_.texts[decommission.by];
    }
    return unit;
}

std::optional<ProductFacts> VerifyIndex::product_facts(const std::string& gtin, const std::string& serial,
                                                       const std::string& scanned_lot) const {
    Key key = key_of(gtin, serial);
    std::shared_lock lock(mutex_);
    if (state_ != LoadState::ready) return std::nullopt;
    ProductFacts facts;
    if (const Slot* slot = find_slot(key)) facts.unit = unit_of(*slot, gtin, serial);
    if (auto owner = gtin_owner_.find(gtin); owner != gtin_owner_.end()) {
        facts.gtin_known = true;
        facts.manufacturer = participants_.texts[owner->second];
    }
    facts.lot_known = lots_.contains(pair_key(gtin, scanned_lot));
    // A recall concerns the lot the ledger knows for the unit; without a unit, the lot on the pack.
    const std::string& lot = facts.unit ? facts.unit->lot : scanned_lot;
    if (auto recall = lot_recalls_.find(pair_key(gtin, lot)); recall != lot_recalls_.end()) facts.lot_recall = recall->second;
    if (auto withdrawal = withdrawals_.find(gtin); withdrawal != withdrawals_.end()) facts.withdrawal = withdrawal->second;
    return facts;
}

void VerifyIndex::batch_committed(const StateChanges& changes) {
    std::unique_lock lock(mutex_);
    // Not started: the load, when it starts, reads this batch from the tables. Failed: never used.
    if (state_ == LoadState::not_started || state_ == LoadState::failed) return;
    if (state_ == LoadState::loading) {
        StateChanges copy;
        copy.units = changes.units;
        copy.lots = changes.lots;
        copy.recalls = changes.recalls;
        pending_.push_back(std::move(copy));
        return;
    }
    for (const auto& [key, unit] : changes.units) put_unit(unit);
    for (const auto& lot : changes.lots) put_lot(lot);
    for (const auto& recall : changes.recalls) put_recall(recall);
}

std::optional<bool> VerifyIndex::contains_unit(const UnitKey& key) const {
    Key hashed = key_of(key.gtin, key.serial);
    std::shared_lock lock(mutex_);
    if (state_ != LoadState::ready) return std::nullopt;
    return find_slot(hashed) != nullptr;
}

std::size_t VerifyIndex::units() const {
    std::shared_lock lock(mutex_);
    return state_ == LoadState::ready ? used_ : 0;
}

void VerifyIndex::start_loading() {
    {
        std::unique_lock lock(mutex_);
        if (state_ != LoadState::not_started) return;
        state_ = LoadState::loading;  // from here on, committed batches are kept in pending_
    }
    loader_ = std::thread([this] { load(); });
}

namespace {
std::string_view text_of(const pqxx::field& field) { return std::string_view(field.c_str(), field.size()); }
}  // namespace

// The loader's part; no lock (see the header): while the state is `loading` nobody else touches the table.
void VerifyIndex::load_units(void* raw) {
    auto& connection = *static_cast<pqxx::connection*>(raw);
    std::string after_gtin, after_serial;
    while (!stopping_) {
        pqxx::nontransaction work(connection);
        auto rows = work.exec_params(sql_load_units, after_gtin, after_serial, load_page_units);
        for (const auto& row : rows) {
            auto status = parse_unit_status(text_of(row[4]));
            if (!status) throw Inconsistent("a stored unit has a status apply never writes");  // the loader's catch reports it
            put_unit(UnitFields{text_of(row[0]), text_of(row[1]), text_of(row[2]), text_of(row[3]), *status,
                                text_of(row[5]), text_of(row[6]), text_of(row[7]), text_of(row[8]),
                                row[9].as<std::int64_t>(), text_of(row[10]), text_of(row[11])});
        }
        if (rows.size() < load_page_units) return;
        after_gtin = rows.back()[0].as<std::string>();
        after_serial = rows.back()[1].as<std::string>();
    }
}

void VerifyIndex::load() {
    try {
        auto started = std::chrono::steady_clock::now();
        pqxx::connection connection(conninfo_);
        {
            pqxx::nontransaction work(connection);
            auto lots = work.exec(sql_load_lots);
            auto lot_recalls = work.exec(sql_load_lot_recalls);
            auto withdrawals = work.exec(sql_load_withdrawals);
            for (const auto& row : lots) {
                put_lot({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>()});
            }
            for (const auto& row : lot_recalls) {
                lot_recalls_.try_emplace(pair_key(row[0].as<std::string>(), row[1].as<std::string>()),
                                         RecallFact{row[2].as<std::uint64_t>(), row[3].as<std::string>(), row[4].as<std::int64_t>()});
            }
            for (const auto& row : withdrawals) {
                withdrawals_.try_emplace(row[0].as<std::string>(),
                                         RecallFact{row[1].as<std::uint64_t>(), row[2].as<std::string>(), row[3].as<std::int64_t>()});
            }
        }
        load_units(&connection);
        if (stopping_) return;
        std::unique_lock lock(mutex_);
        for (const auto& changes : pending_) {
            for (const auto& [key, unit] : changes.units) put_unit(unit);
            for (const auto& lot : changes.lots) put_lot(lot);
            for (const auto& recall : changes.recalls) put_recall(recall);
        }
        pending_.clear();
        state_ = LoadState::ready;
        std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
        std::fprintf(stderr, "rxledgerd: verify index loaded: %zu units in %.1f s\n", used_, seconds.count());
    } catch (const std::exception& error) {
        // Verification keeps reading the database; the index is an optimisation, never required.
        std::fprintf(stderr, "rxledgerd: the verify index could not be loaded: %s\n", error.what());
        std::unique_lock lock(mutex_);
        pending_.clear();
        state_ = LoadState::failed;
    }
}

}  // namespace rxl::store
