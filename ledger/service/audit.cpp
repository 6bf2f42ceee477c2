#include "ledger/service/audit.hpp"

#include <fmt/format.h>

#include "ledger/apply/memory_state.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/merkle/checkpoint.hpp"

namespace rxl {

namespace {

constexpr std::uint64_t progress_every_entries = 1000;
constexpr std::size_t unit_compare_chunk = 1000;
constexpr std::size_t audit_page_rows = 1000;  // recalls and alerts read per query

std::string unit_label(const UnitKey& key) { return fmt::format("unit (01){}(21){}", key.gtin, key.serial); }

// The submission an entry records, as the orderer handed it to apply.
OrderedSubmission submission_of(const EntryRecord& entry) {
    OrderedSubmission ordered;
    ordered.submission.kind = parse_submission_kind(entry.header.kind).value_or(SubmissionKind::epcis);
    ordered.submission.submitter = entry.header.submitter;
    ordered.submission.key_id = entry.header.key_id;
    ordered.submission.body = entry.body;
    if (entry.header.signature.size() == ordered.submission.signature.size()) {
        std::copy(entry.header.signature.begin(), entry.header.signature.end(), ordered.submission.signature.begin());
    }
    ordered.ordered_at_ms = entry.header.ordered_at_ms;
    // Whether PostgreSQL could store an entry's effects is not in the ledger; the signed entry says so.
    ordered.unstorable = entry.header.outcome == outcome_unstorable;
    return ordered;
}

void check_entry(const EntryRecord& stored, const EntryRecord& replayed, AuditReport& report) {
    std::string where = fmt::format("entry {}", stored.header.seq);
    if (entry_leaf_hash(stored.header) != stored.leaf_hash) {
        report.findings.push_back({where, "its stored leaf hash does not match its stored fields and body: the "
                                          "entry was edited after it was written"});
    }
    if (replayed.header.outcome != stored.header.outcome) {
        report.findings.push_back({where, fmt::format("the ledger says '{}' but replaying it gives '{}'",
                                                      stored.header.outcome, replayed.header.outcome)});
    } else if (replayed.leaf_hash != stored.leaf_hash) {
        report.findings.push_back({where, "replaying it gives another leaf hash than the one stored"});
    }
}

void compare_unit(const UnitState& replayed, const std::optional<UnitState>& stored, AuditReport& report) {
    std::string where = unit_label(replayed.key);
    if (!stored) {
        report.findings.push_back({where, "is missing from the database"});
        return;
    }
    auto differ = [&](const char* field, const std::string& database, const std::string& replay) {
        if (database != replay) {
            report.findings.push_back({where, fmt::format("{} is '{}' in the database, '{}' by replay", field, database, replay)});
        }
    };
    differ("lot", stored->lot, replayed.lot);
    differ("expiry", stored->expiry, replayed.expiry);
    differ("status", std::string(to_string(stored->status)), std::string(to_string(replayed.status)));
    differ("custodian", stored->custodian, replayed.custodian);
    differ("manufacturer", stored->owner, replayed.owner);
    differ("location", stored->location, replayed.location);
    differ("container", stored->parent, replayed.parent);
    differ("destination", stored->destination, replayed.destination);
    differ("chain link", to_hex(stored->chain_link), to_hex(replayed.chain_link));
}

void compare_units(store::Store& store, const MemoryState& replayed, AuditReport& report) {
    std::vector<UnitKey> keys;
    auto flush = [&] {
        std::map<UnitKey, UnitState> stored;
        store.load_units(keys, stored);
        for (const auto& key : keys) {
            auto it = stored.find(key);
            compare_unit(replayed.units().at(key), it == stored.end() ? std::nullopt : std::optional<UnitState>(it->second), report);
        }
        keys.clear();
    };
    for (const auto& [key, unit] : replayed.units()) {
        keys.push_back(key);
        if (keys.size() == unit_compare_chunk) flush();
    }
    flush();
    report.units_checked = replayed.units().size();
    std::uint64_t stored_count = store.count_units();
    if (stored_count != replayed.units().size()) {
        report.findings.push_back({"units", fmt::format("the database holds {} units, the ledger's entries make {}",
                                                        stored_count, replayed.units().size())});
    }
}

// The stored checkpoints that pass check_stored_checkpoint, by size; each other one is a finding.
std::map<std::uint64_t, Hash> signed_roots(store::Store& store, const std::string& consortium, const Registry& registry,
                                           std::uint64_t ledger_size, AuditReport& report) {
    auto keys = node_verifier_keys(registry, consortium);
    std::map<std::uint64_t, Hash> roots;
    for (const auto& stored : store.checkpoints()) {
        if (auto checked = check_stored_checkpoint(stored, keys, consortium, ledger_size); !checked) {
            report.findings.push_back({fmt::format("checkpoint {}", stored.size), checked.error().detail});
        } else {
            roots.emplace(stored.size, stored.root);
        }
    }
    return roots;
}

void check_signed_root(const std::map<std::uint64_t, Hash>& roots, std::uint64_t size, const Hash& replayed,
                       AuditReport& report) {
    auto it = roots.find(size);
    if (it == roots.end()) return;
    ++report.checkpoints_checked;
    if (it->second != replayed) {
        report.findings.push_back({fmt::format("checkpoint {}", size),
                                   "the node signed another root at this size than the replayed entries give: history "
                                   "before it was changed"});
    }
}

std::string recall_text(const RecallRow& recall) {
    std::string lots;
    for (const auto& lot : recall.lots) lots += (lots.empty() ? "" : ",") + lot;
    return fmt::format("gtin {} {} class {} by {} at {} ms: {}", recall.gtin,
                       recall.withdrawal ? std::string("withdrawn") : "lots " + lots, recall.recall_class,
                       recall.submitter, recall.ordered_at_ms, recall.reason);
}

std::string alert_text(const AlertRow& alert) {
    return fmt::format("{} ({}) on (01){}(21){} lot {} exp {} by {} at {} via {}, verified {} ms, ordered {} ms: {}",
                       alert.code, alert.emvs, alert.gtin, alert.serial, alert.lot, alert.expiry, alert.participant,
                       alert.location, alert.node, alert.verified_at_ms, alert.ordered_at_ms, alert.message);
}

// Recalls, and the lookups apply reads them through: a deleted or edited recall would let an undo or a
// dispense through that the ledger forbids.
void compare_recalls(store::Store& store, const MemoryState& replayed, AuditReport& report) {
    std::map<std::uint64_t, RecallRow> stored;
    for (auto page = store.recalls("", 0, audit_page_rows); !page.empty();
         page = store.recalls("", page.back().seq, audit_page_rows)) {
        for (auto& recall : page) stored.emplace(recall.seq, std::move(recall));
    }
    for (const auto& [seq, recall] : replayed.recalls()) {
        std::string where = fmt::format("recall {}", seq);
        auto it = stored.find(seq);
        if (it == stored.end()) {
            report.findings.push_back({where, "is missing from the database"});
        } else if (recall_text(it->second) != recall_text(recall)) {
            report.findings.push_back({where, fmt::format("is '{}' in the database, '{}' by replay", recall_text(it->second),
                                                          recall_text(recall))});
        }
        for (const auto& lot : recall.lots) {
            if (store.lot_recall(recall.gtin, lot) != seq) report.findings.push_back({where, "does not mark lot " + lot + " recalled"});
        }
        if (recall.withdrawal && store.gtin_withdrawal(recall.gtin) != seq) {
            report.findings.push_back({where, "does not mark GTIN " + recall.gtin + " withdrawn"});
        }
    }
    for (const auto& [seq, recall] : stored) {
        if (!replayed.recalls().contains(seq)) report.findings.push_back({fmt::format("recall {}", seq), "no entry makes it"});
    }
}

void compare_alerts(store::Store& store, const MemoryState& replayed, AuditReport& report) {
    std::map<std::uint64_t, AlertRow> stored;
    store::AlertFilter filter;
    filter.limit = audit_page_rows;
    for (auto page = store.alerts(filter); !page.empty(); page = store.alerts(filter)) {
        filter.after_seq = page.back().seq;
        for (auto& alert : page) stored.emplace(alert.seq, std::move(alert));
    }
    for (const auto& alert : replayed.alerts()) {
        std::string where = fmt::format("alert {}", alert.seq);
        auto it = stored.find(alert.seq);
        if (it == stored.end()) {
            report.findings.push_back({where, "is missing from the database"});
            continue;
        }
        if (alert_text(it->second) != alert_text(alert)) {
            report.findings.push_back({where, fmt::format("is '{}' in the database, '{}' by replay", alert_text(it->second),
                                                          alert_text(alert))});
        }
        stored.erase(it);
    }
    for (const auto& [seq, alert] : stored) report.findings.push_back({fmt::format("alert {}", seq), "no entry makes it"});
}

}  // namespace

std::vector<merkle::VerifierKey> node_verifier_keys(const Registry& registry, std::string_view consortium) {
    std::vector<merkle::VerifierKey> keys;
    for (const auto& node : registry.nodes()) {
        auto key = merkle::make_verifier_key(fmt::format("{}/{}", consortium, node.id), node.public_key);
        if (key) keys.push_back(*key);
    }
    return keys;
}

Status check_stored_checkpoint(const store::StoredCheckpoint& stored, std::span<const merkle::VerifierKey> keys,
                               std::string_view consortium, std::uint64_t ledger_size) {
    auto fault = [](std::string what) { return make_error(ErrorKind::internal, "bad-checkpoint", std::move(what)); };
    auto verified = merkle::verify_checkpoint(stored.note, keys);
    if (!verified) return fault("carries no valid node signature: " + verified.error().detail);
    const auto& checkpoint = verified->checkpoint;
    if (checkpoint.origin != fmt::format("{}/ledger", consortium) || checkpoint.size != stored.size || checkpoint.root != stored.root) {
        return fault("its row differs from the signed note it holds");
    }
    if (checkpoint.size > ledger_size) {
        return fault(fmt::format("was signed at size {}, but the ledger head says {}: entries were removed", checkpoint.size,
                                 ledger_size));
    }
    return ok_status();
}

AuditReport audit_ledger(store::Store& store, const std::function<void(std::uint64_t)>& progress) {
    AuditReport report;
    store::Head head = store.head();
    auto genesis = store.entry(0);
    if (!genesis) {
        report.findings.push_back({"entry 0", "the genesis entry is missing"});
        return report;
    }
    Registry registry;
    Applier applier(registry, merkle::TreeAppender());
    MemoryState replayed(MemoryState::History::drop);
    auto first = applier.apply_genesis(genesis->body);
    if (!first) {
        report.findings.push_back({"entry 0", "the genesis body no longer parses: " + first.error().detail});
        return report;
    }
    check_entry(*genesis, first->entries.front(), report);
    replayed.write(*first);
    auto genesis_file = parse_genesis(genesis->body);
    RXL_ASSERT(static_cast<bool>(genesis_file));  // apply_genesis parsed it just now
    auto roots = signed_roots(store, genesis_file->consortium, registry, head.size, report);
    check_signed_root(roots, 1, applier.root(), report);
    std::uint64_t stored_entries = store.count_entries();
    for (std::uint64_t seq = 1; seq < head.size; ++seq) {
        auto stored = store.entry(seq);
        if (!stored) {
            report.findings.push_back({fmt::format("entry {}", seq), "is missing: the ledger has a hole here"});
            continue;  // the replay now runs one behind; later sequence numbers will differ too
        }
        BatchResult result = applier.apply({submission_of(*stored)}, replayed);
        replayed.write(result);
        if (!result.entries.empty()) check_entry(*stored, result.entries.front(), report);
        check_signed_root(roots, seq + 1, applier.root(), report);
        if (progress && seq % progress_every_entries == 0) progress(seq);
    }
    report.entries_checked = head.size;
    report.replayed_root = applier.root();
    if (stored_entries != head.size) {
        report.findings.push_back({"entries", fmt::format("the database holds {} entries, the ledger head says {}", stored_entries, head.size)});
    }
    if (applier.root() != head.root) {
        report.findings.push_back({"ledger head", "the stored root differs from the root of the replayed entries"});
    }
    if (head.size > 0 && store.count_merkle_nodes(0) == head.size &&
        merkle::root_at(head.size, [&](merkle::NodeId node) { return store.read_node(node); }) != applier.root()) {
        report.findings.push_back({"merkle tree", "the stored tree nodes give another root than the replayed entries"});
    }
    compare_units(store, replayed, report);
    compare_recalls(store, replayed, report);
    compare_alerts(store, replayed, report);
    return report;
}

}  // namespace rxl
