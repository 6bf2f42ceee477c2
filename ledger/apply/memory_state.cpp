#include "ledger/apply/memory_state.hpp"

namespace rxl {

void MemoryState::load_units(const std::vector<UnitKey>& keys, std::map<UnitKey, UnitState>& out) {
    for (const auto& key : keys) {
        if (auto it = units_.find(key); it != units_.end()) out.insert_or_assign(key, it->second);
    }
}

std::optional<ContainerState> MemoryState::load_container(const std::string& sscc) {
    auto it = containers_.find(sscc);
    return it == containers_.end() ? std::nullopt : std::optional<ContainerState>(it->second);
}

Children MemoryState::load_children(const std::string& sscc) {
    Children out;
    for (const auto& [key, unit] : units_) {
        if (unit.parent == sscc) out.units.push_back(key);
    }
    for (const auto& [id, container] : containers_) {
        if (container.parent == sscc) out.containers.push_back(id);
    }
    return out;
}

bool MemoryState::event_hash_exists(const std::string& hash_id) { return event_hashes_.contains(hash_id); }

std::optional<std::string> MemoryState::event_submitter(const std::string& hash_id) {
    auto it = event_submitters_.find(hash_id);
    return it == event_submitters_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<PriorOutcome> MemoryState::find_submission(const Hash& submission_id) {
    auto it = submissions_.find(submission_id);
    return it == submissions_.end() ? std::nullopt : std::optional<PriorOutcome>(it->second);
}

bool MemoryState::product_exists(const std::string& gtin) {
    auto it = lots_.lower_bound(LotRow{gtin, {}, {}, {}});
    return it != lots_.end() && it->gtin == gtin;
}

bool MemoryState::lot_exists(const std::string& gtin, const std::string& lot) {
    auto it = lots_.lower_bound(LotRow{gtin, lot, {}, {}});
    return it != lots_.end() && it->gtin == gtin && it->lot == lot;
}

std::optional<std::uint64_t> MemoryState::lot_recall(const std::string& gtin, const std::string& lot) {
    auto it = recalled_lots_.find({gtin, lot});
    return it == recalled_lots_.end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
}

std::optional<std::uint64_t> MemoryState::gtin_withdrawal(const std::string& gtin) {
    auto it = withdrawn_gtins_.find(gtin);
    return it == withdrawn_gtins_.end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
}

void MemoryState::write(const BatchResult& batch) {
    for (const auto& entry : batch.entries) {
        RXL_ASSERT(entry.header.seq == size_);
        ++size_;
        // The first entry of a submission is the one its outcome is read from, like the store's unique index.
        submissions_.emplace(entry.header.submission_id,
                             PriorOutcome{entry.header.seq, entry.header.outcome, entry.detail_json, entry.leaf_hash});
        if (history_ == History::keep) entries_.push_back(entry);
    }
    for (const auto& [key, unit] : batch.changes.units) units_.insert_or_assign(key, unit);
    for (const auto& [id, container] : batch.changes.containers) containers_.insert_or_assign(id, container);
    event_hashes_.insert(batch.changes.event_hashes.begin(), batch.changes.event_hashes.end());
    for (const auto& event : batch.changes.events) {
        if (!event.is_error_declaration) event_submitters_.emplace(event.hash_id, event.submitter);
    }
    if (history_ == History::keep) {
        unit_events_.insert(unit_events_.end(), batch.changes.unit_events.begin(), batch.changes.unit_events.end());
    }
    lots_.insert(batch.changes.lots.begin(), batch.changes.lots.end());
    // Like the store's primary keys: a recall is written once, a lot recalled and a GTIN withdrawn at most once.
    for (const auto& recall : batch.changes.recalls) {
        bool new_recall = recalls_.emplace(recall.seq, recall).second;
        RXL_ASSERT(new_recall);
        for (const auto& lot : recall.lots) {
            bool new_lot = recalled_lots_.emplace(std::pair{recall.gtin, lot}, recall.seq).second;
            RXL_ASSERT(new_lot);
        }
        bool new_withdrawal = !recall.withdrawal || withdrawn_gtins_.emplace(recall.gtin, recall.seq).second;
        RXL_ASSERT(new_withdrawal);
    }
    if (history_ == History::keep) alerts_.insert(alerts_.end(), batch.changes.alerts.begin(), batch.changes.alerts.end());
}

}  // namespace rxl
