#include "ledger/service/audit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "ledger/apply/memory_state.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/merkle/checkpoint.hpp"
#include "ledger/store/audit_reads.hpp"

namespace rxl {

namespace {

using store::DerivedTable;
using store::TextRow;

constexpr std::uint64_t progress_every_entries = 1000;
constexpr std::size_t unit_compare_chunk = 1000;

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

void check_entry(const EntryRecord& stored, const EntryRecord& replayed, FindingList& findings) {
    std::string where = fmt::format("entry {}", stored.header.seq);
    if (entry_leaf_hash(stored.header) != stored.leaf_hash) {
        findings.add(where, "its stored leaf hash does not match its stored fields and body: the entry was edited after "
                            "it was written");
    }
    if (replayed.header.outcome != stored.header.outcome) {
        findings.add(where, fmt::format("the ledger says '{}' but replaying it gives '{}'", stored.header.outcome,
                                        replayed.header.outcome));
    } else if (replayed.leaf_hash != stored.leaf_hash) {
        findings.add(where, "replaying it gives another leaf hash than the one stored");
    }
}

// The replay: apply's own code over the stored entries, and the leaf hash of every entry it made (what
// the unit chains are checked against).
struct Replay {
    Registry registry;
    Applier applier{registry, merkle::TreeAppender()};
    MemoryState state{MemoryState::History::drop};
    std::vector<Hash> leaf_hashes;  // by replayed seq

    void take(const BatchResult& batch) {
        state.write(batch);
        for (const auto& entry : batch.entries) leaf_hashes.push_back(entry.leaf_hash);
    }
};

// The tables whose rows are keyed by their entry, compared with each entry's effects as it is replayed.
struct EntryTables {
    TableCheck events, alerts, recalls;
    EntryTables(store::AuditReader& reader, FindingList& findings)
        : events(reader, DerivedTable::events, findings), alerts(reader, DerivedTable::alerts, findings),
          recalls(reader, DerivedTable::recalls, findings) {}

    void add(const BatchResult& batch) {
        std::vector<const EventRow*> ordered;
        for (const auto& event : batch.changes.events) ordered.push_back(&event);
        std::sort(ordered.begin(), ordered.end(), [](const EventRow* a, const EventRow* b) {
            return std::pair(a->seq, a->event_index) < std::pair(b->seq, b->event_index);
        });
        for (const EventRow* event : ordered) events.add(render_event(*event));
        for (const auto& alert : batch.changes.alerts) alerts.add(render_alert(alert));
        for (const auto& recall : batch.changes.recalls) recalls.add(render_recall(recall));
    }
    void finish() {
        events.finish();
        alerts.finish();
        recalls.finish();
    }
    std::uint64_t rows_checked() const { return events.rows_checked() + alerts.rows_checked() + recalls.rows_checked(); }
};

// A unit's chain as stored, link by link: each link must follow from the one before it, the leaf hash of
// its entry (by replay) and its event index, from 32 zero bytes on; the last must be the unit's link by
// replay. So a changed, missing, extra or reordered row is named, and nothing but the replayed chain passes.
void check_chain(const UnitState& unit, const std::vector<UnitEventRow>& links, const std::vector<Hash>& leaf_hashes,
                 FindingList& findings) {
    if (links.empty()) {
        findings.add(unit_label(unit.key), "has no unit_events rows: its chain is missing from the database");
        return;
    }
    Hash link = zero_link;
    for (const auto& row : links) {
        bool known = row.seq < leaf_hashes.size();
        if (!known || next_unit_link(link, leaf_hashes[row.seq], row.event_index) != row.link) {
            findings.add(fmt::format("unit_events ({}, seq={}, event_index={})", unit_label(unit.key), row.seq, row.event_index),
                         "is not the next link of the unit's chain: it was changed, or a link before it is missing or extra");
        }
        link = row.link;  // go on from the stored link, so one changed row is named once or twice, not for ever
    }
    if (link != unit.chain_link) {
        findings.add(unit_label(unit.key), "the last link of its stored chain is not its link by replay: links at its end "
                                           "are missing or extra");
    }
}

struct UnitCounts {
    std::uint64_t units_found = 0;
    std::uint64_t links_found = 0;
};

void compare_unit_chunk(store::AuditReader& reader, const Replay& replay, const std::vector<UnitKey>& keys,
                        FindingList& findings, UnitCounts& counts) {
    std::map<UnitKey, TextRow> stored;
    for (auto& row : reader.units(keys)) {
        UnitKey key{row.at(0), row.at(1)};
        stored.emplace(std::move(key), std::move(row));
    }
    std::map<UnitKey, std::vector<UnitEventRow>> links;
    for (auto& row : reader.unit_events(keys)) {
        ++counts.links_found;
        links[row.key].push_back(std::move(row));
    }
    static const std::vector<UnitEventRow> no_links;
    for (const auto& key : keys) {
        const UnitState& unit = replay.state.units().at(key);
        auto it = stored.find(key);
        if (it == stored.end()) {
            findings.add(unit_label(key), "is missing from the database");
        } else {
            ++counts.units_found;
            TextRow replayed = render_unit(unit);
            if (it->second != replayed) findings.add(unit_label(key), describe_changes(store::AuditReader::unit_columns(), it->second, replayed));
        }
        auto chain = links.find(key);
        check_chain(unit, chain == links.end() ? no_links : chain->second, replay.leaf_hashes, findings);
    }
}

// Units and their chains, a chunk of keys at a time; then, if the database holds more rows than matched,
// the rows of units no entry makes (the only scan in no key order: it only runs when something is extra).
void compare_units(store::AuditReader& reader, const Replay& replay, FindingList& findings, AuditReport& report) {
    UnitCounts counts;
    std::vector<UnitKey> keys;
    for (const auto& [key, unit] : replay.state.units()) {
        keys.push_back(key);
        if (keys.size() == unit_compare_chunk) {
            compare_unit_chunk(reader, replay, keys, findings, counts);
            keys.clear();
        }
    }
    if (!keys.empty()) compare_unit_chunk(reader, replay, keys, findings, counts);
    report.units_checked = replay.state.units().size();
    auto scan_extra = [&](DerivedTable table, const char* what) {
        auto rows = reader.rows(table);
        for (const TextRow* row = rows->next(); row != nullptr; row = rows->next()) {
            if (replay.state.units().contains(UnitKey{row->at(0), row->at(1)})) continue;
            std::string where = table == DerivedTable::unit_keys ? unit_label({row->at(0), row->at(1)})
                                                             : fmt::format("unit_events ({}, seq={}, event_index={})",
                                                                           unit_label({row->at(0), row->at(1)}), row->at(2), row->at(3));
            findings.add(where, what);
        }
    };
    if (reader.count(store::CountedTable::units) > counts.units_found) {
        scan_extra(DerivedTable::unit_keys, "is in the database, but no entry commissions it");
    }
    if (reader.count(store::CountedTable::unit_events) > counts.links_found) {
        scan_extra(DerivedTable::unit_event_keys, "is in the database, but no entry makes it");
    }
}

// The tables apply reads lots and recalls through, and the containers.
void compare_state_tables(store::AuditReader& reader, const Replay& replay, FindingList& findings, AuditReport& report) {
    TableCheck lots(reader, DerivedTable::lots, findings);
    for (const auto& lot : replay.state.lots()) lots.add(render_lot(lot));
    lots.finish();
    TableCheck containers(reader, DerivedTable::containers, findings);
    for (const auto& [sscc, container] : replay.state.containers()) containers.add(render_container(container));
    containers.finish();
    TableCheck recalled(reader, DerivedTable::recalled_lots, findings);
    for (const auto& [lot, seq] : replay.state.recalled_lots()) recalled.add({lot.first, lot.second, std::to_string(seq)});
    recalled.finish();
    TableCheck withdrawn(reader, DerivedTable::withdrawn_gtins, findings);
    for (const auto& [gtin, seq] : replay.state.withdrawn_gtins()) withdrawn.add({gtin, std::to_string(seq)});
    withdrawn.finish();
    report.rows_checked += lots.rows_checked() + containers.rows_checked() + recalled.rows_checked() + withdrawn.rows_checked();
}

// The stored checkpoints that pass check_stored_checkpoint, by size; each other one is a finding.
std::map<std::uint64_t, Hash> signed_roots(const std::vector<store::StoredCheckpoint>& stored_checkpoints,
                                           const std::string& consortium, const Registry& registry,
                                           std::uint64_t ledger_size, FindingList& findings) {
    auto keys = node_verifier_keys(registry, consortium);
    std::map<std::uint64_t, Hash> roots;
    for (const auto& stored : stored_checkpoints) {
        if (auto checked = check_stored_checkpoint(stored, keys, consortium, ledger_size); !checked) {
            findings.add(fmt::format("checkpoint {}", stored.size), checked.error().detail);
        } else {
            roots.emplace(stored.size, stored.root);
        }
    }
    return roots;
}

void check_signed_root(const std::map<std::uint64_t, Hash>& roots, std::uint64_t size, const Hash& replayed,
                       AuditReport& report, FindingList& findings) {
    auto it = roots.find(size);
    if (it == roots.end()) return;
    ++report.checkpoints_checked;
    if (it->second != replayed) {
        findings.add(fmt::format("checkpoint {}", size), "the node signed another root at this size than the replayed "
                                                         "entries give: history before it was changed");
    }
}

// Entries 1 and on, each replayed and compared with its stored row, its events, alerts and recall.
void replay_entries(store::AuditReader& reader, store::EntryCursor& entries, const store::Head& head, Replay& replay,
                    const std::map<std::uint64_t, Hash>& roots, FindingList& findings, AuditReport& report,
                    const std::function<void(std::uint64_t)>& progress) {
    EntryTables tables(reader, findings);
    std::uint64_t expected = 1;
    for (auto stored = entries.next(); stored && stored->header.seq < head.size; stored = entries.next()) {
        const std::uint64_t seq = stored->header.seq;
        for (; expected < seq; ++expected) {
            findings.add(fmt::format("entry {}", expected), "is missing: the ledger has a hole here");
        }
        expected = seq + 1;  // after a hole the replay runs behind; later sequence numbers differ too
        BatchResult result = replay.applier.apply({submission_of(*stored)}, replay.state);
        replay.take(result);
        tables.add(result);
        if (result.entries.empty()) {
            findings.add(fmt::format("entry {}", seq), "repeats the submission of an earlier entry: apply makes no entry of it");
        } else {
            check_entry(*stored, result.entries.front(), findings);
        }
        check_signed_root(roots, seq + 1, replay.applier.root(), report, findings);
        if (progress && seq % progress_every_entries == 0) progress(seq);
    }
    for (; expected < head.size; ++expected) {
        findings.add(fmt::format("entry {}", expected), "is missing: the ledger has a hole here");
    }
    tables.finish();
    report.rows_checked += tables.rows_checked();
}

// The stored tree above its leaves: every complete subtree's node must be the hash of its two children,
// level by level, a chunk at a time, and no level may hold more nodes than the ledger's size makes. (The
// leaves are checked against the replay above; a proof is made of these nodes.)
void check_tree_nodes(store::AuditReader& reader, std::uint64_t size, FindingList& findings, AuditReport& report) {
    constexpr std::size_t chunk_nodes = 1000;
    for (int level = 1; level < 64; ++level) {
        const std::uint64_t count = size >> level;  // complete subtrees of 2^level leaves
        for (std::uint64_t first = 0; first < count; first += chunk_nodes) {
            std::map<std::uint64_t, Hash> parents, children;
            for (auto& [index, hash] : reader.merkle_nodes(level, first, chunk_nodes)) parents.emplace(index, hash);
            for (auto& [index, hash] : reader.merkle_nodes(level - 1, 2 * first, 2 * chunk_nodes)) children.emplace(index, hash);
            for (std::uint64_t index = first; index < std::min<std::uint64_t>(count, first + chunk_nodes); ++index) {
                ++report.rows_checked;
                std::string where = fmt::format("merkle_nodes (level={}, idx={})", level, index);
                auto parent = parents.find(index);
                auto left = children.find(2 * index);
                auto right = children.find(2 * index + 1);
                if (parent == parents.end()) {
                    findings.add(where, "is missing from the database");
                } else if (left != children.end() && right != children.end() &&
                           merkle::node_hash(left->second, right->second) != parent->second) {
                    findings.add(where, "is not the hash of its two children");
                }
            }
        }
        std::uint64_t stored = reader.count_merkle_nodes(level);
        if (stored > count) {
            findings.add(fmt::format("merkle_nodes (level={})", level),
                         fmt::format("holds {} nodes, a tree of {} leaves has {}", stored, size, count));
        }
        if (count == 0 && stored == 0) break;
    }
}

// The head, the entry count and the Merkle tree's leaves against the replay.
void check_tree(store::AuditReader& reader, const store::Head& head, const Replay& replay, FindingList& findings,
                AuditReport& report) {
    std::uint64_t stored_entries = reader.count(store::CountedTable::entries);
    if (stored_entries != head.size) {
        findings.add("entries", fmt::format("the database holds {} entries, the ledger head says {}", stored_entries, head.size));
    }
    if (replay.applier.root() != head.root) {
        findings.add("ledger head", "the stored root differs from the root of the replayed entries");
    }
    TableCheck leaves(reader, DerivedTable::merkle_leaves, findings);
    for (std::size_t i = 0; i < replay.leaf_hashes.size(); ++i) leaves.add({std::to_string(i), to_hex(replay.leaf_hashes[i])});
    leaves.finish();
    report.rows_checked += leaves.rows_checked();
    check_tree_nodes(reader, head.size, findings, report);
    if (head.size == 0 || reader.count(store::CountedTable::merkle_leaves) != head.size) return;
    try {
        Hash stored_root = merkle::root_at(head.size, [&](merkle::NodeId node) { return reader.read_node(node); });
        if (stored_root != replay.applier.root()) {
            findings.add("merkle tree", "the stored tree nodes give another root than the replayed entries");
        }
    } catch (const store::Inconsistent& error) {
        findings.add("merkle tree", error.what());
    }
}

}  // namespace

Result<Registry> ledger_registry(const std::string& genesis_json) {
    Registry registry;
    Applier applier(registry, merkle::TreeAppender());
    auto genesis = applier.apply_genesis(genesis_json);
    if (!genesis) return genesis.error();
    return registry;
}

std::vector<AuditFinding> check_registry(store::Store& store, const Registry& registry) {
    FindingList findings;
    store::AuditReader reader(store);
    check_registry_tables(reader, registry, findings);
    return findings.kept();
}

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

namespace {

void run_audit(store::AuditReader& reader, AuditReport& report, FindingList& findings,
               const std::function<void(std::uint64_t)>& progress) {
    store::Head head = reader.head();
    auto entries = reader.entries();
    auto genesis = entries->next();
    if (!genesis || genesis->header.seq != 0) {
        findings.add("entry 0", "the genesis entry is missing");
        return;
    }
    Replay replay;
    auto first = replay.applier.apply_genesis(genesis->body);
    if (!first) {
        findings.add("entry 0", "the genesis body no longer parses: " + first.error().detail);
        return;
    }
    check_entry(*genesis, first->entries.front(), findings);
    replay.take(*first);
    check_registry_tables(reader, replay.registry, findings);
    auto genesis_file = parse_genesis(genesis->body);
    RXL_ASSERT(static_cast<bool>(genesis_file));  // apply_genesis parsed it just now
    auto roots = signed_roots(reader.checkpoints(), genesis_file->consortium, replay.registry, head.size, findings);
    check_signed_root(roots, 1, replay.applier.root(), report, findings);
    replay_entries(reader, *entries, head, replay, roots, findings, report, progress);
    entries.reset();
    report.entries_checked = head.size;
    report.replayed_root = replay.applier.root();
    check_tree(reader, head, replay, findings, report);
    compare_units(reader, replay, findings, report);
    compare_state_tables(reader, replay, findings, report);
}

}  // namespace

AuditReport audit_ledger(store::Store& store, const std::function<void(std::uint64_t)>& progress) {
    AuditReport report;
    FindingList findings;
    {
        store::AuditReader reader(store);
        run_audit(reader, report, findings, progress);
    }
    report.findings = findings.kept();
    report.findings_total = findings.total();
    return report;
}

}  // namespace rxl
