#include "ledger/apply/state.hpp"

#include <algorithm>

#include "ledger/core/assert.hpp"

namespace rxl {

namespace {
constexpr std::pair<UnitStatus, std::string_view> status_names[] = {
    {UnitStatus::active, "active"},       {UnitStatus::in_transit, "in_transit"},
    {UnitStatus::dispensed, "dispensed"}, {UnitStatus::destroyed, "destroyed"},
    {UnitStatus::exported, "exported"},   {UnitStatus::sample, "sample"},
    {UnitStatus::free_sample, "free_sample"}, {UnitStatus::stolen, "stolen"},
    {UnitStatus::locked, "locked"},       {UnitStatus::checked_out, "checked_out"},
};
}  // namespace

std::string_view to_string(UnitStatus status) {
    for (const auto& [value, name] : status_names) {
        if (value == status) return name;
    }
    RXL_ASSERT_MSG(false, "unknown unit status");
    return {};
}

std::optional<UnitStatus> parse_unit_status(std::string_view text) {
    for (const auto& [value, name] : status_names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

bool is_decommissioned(UnitStatus status) {
    return status != UnitStatus::active && status != UnitStatus::in_transit;
}

void StateChanges::merge_from(StateChanges&& newer) {
    for (auto& [key, unit] : newer.units) units.insert_or_assign(key, std::move(unit));
    for (auto& [sscc, container] : newer.containers) containers.insert_or_assign(sscc, std::move(container));
    for (auto& [sscc, added] : newer.unit_children_added) unit_children_added[sscc].merge(added);
    for (auto& [sscc, added] : newer.container_children_added) container_children_added[sscc].merge(added);
    event_hashes.merge(newer.event_hashes);
    lots.merge(newer.lots);
    for (auto& event : newer.events) events.push_back(std::move(event));
    for (auto& row : newer.unit_events) unit_events.push_back(std::move(row));
    for (auto& recall : newer.recalls) recalls.push_back(std::move(recall));
    for (auto& alert : newer.alerts) alerts.push_back(std::move(alert));
}

void WorkingState::preload_units(const std::vector<UnitKey>& keys) {
    std::vector<UnitKey> missing;
    for (const auto& key : keys) {
        if (!entry_.units.contains(key) && !batch_.units.contains(key) && !loaded_units_.contains(key)) {
            missing.push_back(key);
        }
    }
    if (missing.empty()) return;
    std::map<UnitKey, UnitState> found;
    reader_.load_units(missing, found);
    for (auto& key : missing) {
        auto it = found.find(key);
        loaded_units_.emplace(key, it == found.end() ? std::nullopt : std::optional<UnitState>(std::move(it->second)));
    }
}

std::optional<UnitState> WorkingState::unit(const UnitKey& key) {
    if (auto it = entry_.units.find(key); it != entry_.units.end()) return it->second;
    if (auto it = batch_.units.find(key); it != batch_.units.end()) return it->second;
    preload_units({key});
    return loaded_units_.at(key);
}

std::optional<ContainerState> WorkingState::container(const std::string& sscc) {
    if (auto it = entry_.containers.find(sscc); it != entry_.containers.end()) return it->second;
    if (auto it = batch_.containers.find(sscc); it != batch_.containers.end()) return it->second;
    auto it = loaded_containers_.find(sscc);
    if (it == loaded_containers_.end()) it = loaded_containers_.emplace(sscc, reader_.load_container(sscc)).first;
    return it->second;
}

Children WorkingState::children(const std::string& sscc) {
    auto loaded = loaded_children_.find(sscc);
    if (loaded == loaded_children_.end()) loaded = loaded_children_.emplace(sscc, reader_.load_children(sscc)).first;
    // Candidates: what the store says, plus what this batch packed. Each is kept only if its current
    // state still names this parent, which drops what was unpacked or moved since.
    std::set<UnitKey> unit_candidates(loaded->second.units.begin(), loaded->second.units.end());
    std::set<std::string> container_candidates(loaded->second.containers.begin(), loaded->second.containers.end());
    for (auto* changes : {&batch_, &entry_}) {
        if (auto it = changes->unit_children_added.find(sscc); it != changes->unit_children_added.end()) {
            unit_candidates.insert(it->second.begin(), it->second.end());
        }
        if (auto it = changes->container_children_added.find(sscc); it != changes->container_children_added.end()) {
            container_candidates.insert(it->second.begin(), it->second.end());
        }
    }
    Children out;
    preload_units({unit_candidates.begin(), unit_candidates.end()});
    for (const auto& key : unit_candidates) {
        if (auto current = unit(key); current && current->parent == sscc) out.units.push_back(key);
    }
    for (const auto& child : container_candidates) {
        if (auto current = container(child); current && current->parent == sscc) out.containers.push_back(child);
    }
    return out;
}

bool WorkingState::event_hash_seen(const std::string& hash_id) {
    return entry_.event_hashes.contains(hash_id) || batch_.event_hashes.contains(hash_id) ||
           reader_.event_hash_exists(hash_id);
}

std::optional<std::string> WorkingState::event_submitter(const std::string& hash_id) {
    for (const auto* changes : {&entry_, &batch_}) {
        for (const auto& event : changes->events) {
            if (!event.is_error_declaration && event.hash_id == hash_id) return event.submitter;
        }
    }
    return reader_.event_submitter(hash_id);
}

namespace {

// True if `lots` (ordered by gtin, then lot) holds a row of `gtin`, and of `lot` unless it is nullptr.
bool has_lot(const std::set<LotRow>& lots, const std::string& gtin, const std::string* lot) {
    auto it = lots.lower_bound(LotRow{gtin, lot != nullptr ? *lot : std::string(), {}, {}});
    return it != lots.end() && it->gtin == gtin && (lot == nullptr || it->lot == *lot);
}

// The recall among `recalls` that covers (gtin, lot), or that withdrew gtin when `lot` is nullptr.
std::optional<std::uint64_t> find_recall(const std::vector<RecallRow>& recalls, const std::string& gtin,
                                         const std::string* lot) {
    for (const auto& recall : recalls) {
        if (recall.gtin != gtin) continue;
        if (lot == nullptr ? recall.withdrawal
                           : std::find(recall.lots.begin(), recall.lots.end(), *lot) != recall.lots.end()) {
            return recall.seq;
        }
    }
    return std::nullopt;
}

}  // namespace

bool WorkingState::product_exists(const std::string& gtin) {
    return has_lot(entry_.lots, gtin, nullptr) || has_lot(batch_.lots, gtin, nullptr) || reader_.product_exists(gtin);
}

bool WorkingState::lot_exists(const std::string& gtin, const std::string& lot) {
    return has_lot(entry_.lots, gtin, &lot) || has_lot(batch_.lots, gtin, &lot) || reader_.lot_exists(gtin, lot);
}

// A lot or GTIN is recalled at most once (recall_rules refuses a second recall), so the first match wins.
std::optional<std::uint64_t> WorkingState::lot_recall(const std::string& gtin, const std::string& lot) {
    if (auto seq = find_recall(entry_.recalls, gtin, &lot)) return seq;
    if (auto seq = find_recall(batch_.recalls, gtin, &lot)) return seq;
    return reader_.lot_recall(gtin, lot);
}

std::optional<std::uint64_t> WorkingState::gtin_withdrawal(const std::string& gtin) {
    if (auto seq = find_recall(entry_.recalls, gtin, nullptr)) return seq;
    if (auto seq = find_recall(batch_.recalls, gtin, nullptr)) return seq;
    return reader_.gtin_withdrawal(gtin);
}

void WorkingState::put_unit(UnitState unit) {
    if (!unit.parent.empty()) entry_.unit_children_added[unit.parent].insert(unit.key);
    entry_.units.insert_or_assign(unit.key, std::move(unit));
}

void WorkingState::put_container(ContainerState container) {
    RXL_ASSERT(container.parent != container.sscc);
    if (!container.parent.empty()) entry_.container_children_added[container.parent].insert(container.sscc);
    entry_.containers.insert_or_assign(container.sscc, std::move(container));
}

void WorkingState::add_event(EventRow event) {
    if (!event.is_error_declaration) entry_.event_hashes.insert(event.hash_id);
    entry_.events.push_back(std::move(event));
}

void WorkingState::add_lot(LotRow lot) { entry_.lots.insert(std::move(lot)); }

void WorkingState::commit_entry() {
    batch_.merge_from(std::move(entry_));
    entry_ = {};
}

}  // namespace rxl
