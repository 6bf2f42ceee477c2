#include "ledger/service/audit_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iterator>

#include "ledger/core/bytes.hpp"
#include "ledger/core/limits.hpp"

namespace rxl {

namespace {

// Values are quoted in findings up to this many characters (an event's JSON can be megabytes).
constexpr std::size_t finding_value_chars_max = 160;

// Stored rows of one key held at once; keys are unique in every table but alerts (one entry, many alerts),
// so only a tampered table can have more, and those are counted as extra without being held.
constexpr std::size_t group_rows_max = 100'000;

std::string quoted(const std::string& value) {
    if (value.size() <= finding_value_chars_max) return "'" + value + "'";
    return fmt::format("'{}…' ({} bytes)", value.substr(0, finding_value_chars_max), value.size());
}

int compare_text(const std::string& left, const std::string& right) {
    int order = left.compare(right);
    return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

int compare_number(const std::string& left, const std::string& right) {
    std::int64_t a = 0, b = 0;
    auto parsed_a = std::from_chars(left.data(), left.data() + left.size(), a);
    auto parsed_b = std::from_chars(right.data(), right.data() + right.size(), b);
    if (parsed_a.ec != std::errc() || parsed_b.ec != std::errc()) return compare_text(left, right);
    return a < b ? -1 : (a > b ? 1 : 0);
}

}  // namespace

void FindingList::add(std::string where, std::string what) {
    ++total_;
    if (kept_.size() < limits::audit_findings_max) kept_.push_back({std::move(where), std::move(what)});
}

TableCheck::TableCheck(store::AuditReader& reader, store::DerivedTable table, FindingList& findings, Label label)
    : table_(table), columns_(store::derived_table_columns(table)), findings_(findings), label_(std::move(label)),
      cursor_(reader.rows(table)) {
    if (!label_) {
        label_ = [this](const store::TextRow& row) {
            std::string key;
            for (std::size_t i = 0; i < columns_.key_columns && i < row.size(); ++i) {
                key += fmt::format("{}{}={}", i == 0 ? "" : ", ", columns_.names[i], row[i]);
            }
            return fmt::format("{} ({})", to_string(table_), key);
        };
    }
    advance();
}

void TableCheck::advance() {
    const store::TextRow* row = cursor_->next();
    lookahead_ = row == nullptr ? std::nullopt : std::optional<store::TextRow>(*row);
}

int TableCheck::compare_keys(const store::TextRow& left, const store::TextRow& right) const {
    for (std::size_t i = 0; i < columns_.key_columns; ++i) {
        int order = columns_.numeric[i] ? compare_number(left.at(i), right.at(i)) : compare_text(left.at(i), right.at(i));
        if (order != 0) return order;
    }
    return 0;
}

void TableCheck::add(store::TextRow replayed) {
    if (!group_.empty() && compare_keys(group_.front(), replayed) != 0) compare_group();
    group_.push_back(std::move(replayed));
}

void TableCheck::finish() {
    if (!group_.empty()) compare_group();
    for (; lookahead_; advance()) {
        ++rows_checked_;
        findings_.add(label_(*lookahead_), "is in the database, but no entry makes it");
    }
}

std::string describe_changes(const store::DerivedColumns& columns, const store::TextRow& stored,
                             const store::TextRow& replayed) {
    std::string what;
    for (std::size_t i = 0; i < columns.names.size() && i < stored.size() && i < replayed.size(); ++i) {
        if (stored[i] == replayed[i]) continue;
        what += fmt::format("{}{} is {} in the database, {} by replay", what.empty() ? "" : "; ", columns.names[i],
                            quoted(stored[i]), quoted(replayed[i]));
    }
    return what;
}

void TableCheck::report_changed(const store::TextRow& stored, const store::TextRow& replayed) {
    findings_.add(label_(replayed), describe_changes(columns_, stored, replayed));
}

void TableCheck::compare_group() {
    const store::TextRow& key = group_.front();
    for (; lookahead_ && compare_keys(*lookahead_, key) < 0; advance()) {
        ++rows_checked_;
        findings_.add(label_(*lookahead_), "is in the database, but no entry makes it");
    }
    std::vector<store::TextRow> stored;
    for (; lookahead_ && compare_keys(*lookahead_, key) == 0; advance()) {
        ++rows_checked_;
        if (stored.size() < group_rows_max) {
            stored.push_back(std::move(*lookahead_));
        } else {
            findings_.add(label_(key), "is in the database more often than any entry makes it");
        }
    }
    if (stored.size() == 1 && group_.size() == 1) {
        if (stored.front() != group_.front()) report_changed(stored.front(), group_.front());
        group_.clear();
        return;
    }
    // Several rows with one key (the alerts of one entry): compare them as sets.
    std::sort(stored.begin(), stored.end());
    std::sort(group_.begin(), group_.end());
    std::vector<store::TextRow> missing, extra;
    std::set_difference(group_.begin(), group_.end(), stored.begin(), stored.end(), std::back_inserter(missing));
    std::set_difference(stored.begin(), stored.end(), group_.begin(), group_.end(), std::back_inserter(extra));
    if (missing.size() == 1 && extra.size() == 1) {
        report_changed(extra.front(), missing.front());
    } else {
        for (const auto& row : missing) findings_.add(label_(row), "is missing from the database");
        for (const auto& row : extra) findings_.add(label_(row), "is in the database, but no entry makes it");
    }
    group_.clear();
}

std::string text_array_value(const std::vector<std::string>& values) {
    std::string joined;
    for (std::size_t i = 0; i < values.size(); ++i) joined += (i == 0 ? "" : "\x1f") + values[i];
    return fmt::format("{}:{}", values.size(), joined);
}

std::string text_bool(bool value) { return value ? "true" : "false"; }

store::TextRow render_participant(const Participant& participant, std::uint64_t since_seq) {
    return {participant.id, participant.name, std::string(to_string(participant.role)),
            text_array_value(participant.company_prefixes), text_array_value(participant.glns), std::to_string(since_seq)};
}

store::TextRow render_key(const ParticipantKey& key, const std::string& participant, std::uint64_t since_seq) {
    return {key.key_id, participant, to_hex(key.public_key), std::to_string(since_seq)};
}

store::TextRow render_node(const NodeInfo& node) { return {node.id, node.participant, to_hex(node.public_key), node.url}; }

store::TextRow render_event(const EventRow& event) {
    return {std::to_string(event.seq),   std::to_string(event.event_index), event.hash_id,      event.event_id,
            event.event_type,            std::to_string(event.event_time_ms), event.action,     event.biz_step,
            event.disposition,           event.read_point,                  event.biz_location, event.lot,
            text_bool(event.is_error_declaration), event.json};
}

store::TextRow render_alert(const AlertRow& alert) {
    return {std::to_string(alert.seq),           std::to_string(alert.item), alert.code,    alert.emvs,
            alert.gtin,                          alert.serial,               alert.lot,     alert.expiry,
            alert.participant,                   alert.location,             alert.node,    std::to_string(alert.verified_at_ms),
            std::to_string(alert.ordered_at_ms), alert.message,              std::to_string(alert.scans)};
}

store::TextRow render_recall(const RecallRow& recall) {
    return {std::to_string(recall.seq), recall.gtin,   text_array_value(recall.lots), text_bool(recall.withdrawal),
            recall.recall_class,         recall.reason, recall.submitter,              std::to_string(recall.ordered_at_ms)};
}

store::TextRow render_lot(const LotRow& lot) { return {lot.gtin, lot.lot, lot.expiry, lot.owner}; }

store::TextRow render_container(const ContainerState& container) {
    return {container.sscc,        std::string(to_string(container.status)), container.owner,
            container.custodian,   container.location,                       container.parent,
            container.destination, std::to_string(container.commissioned_seq), std::to_string(container.updated_seq)};
}

store::TextRow render_unit(const UnitState& unit) {
    return {unit.key.gtin,
            unit.key.serial,
            unit.lot,
            unit.expiry,
            std::string(to_string(unit.status)),
            unit.owner,
            unit.custodian,
            unit.location,
            unit.parent,
            unit.destination,
            std::to_string(unit.commissioned_seq),
            std::to_string(unit.updated_seq),
            std::to_string(unit.decommissioned_at_ms),
            unit.decommissioned_location,
            unit.decommissioned_by,
            to_hex(unit.chain_link)};
}

void check_registry_tables(store::AuditReader& reader, const Registry& registry, FindingList& findings) {
    // The genesis registers everyone at entry 0 (write_batch stores the batch's first seq as since_seq).
    constexpr std::uint64_t genesis_seq = 0;
    std::vector<const Participant*> participants;
    for (const auto& participant : registry.participants()) participants.push_back(&participant);
    std::sort(participants.begin(), participants.end(), [](auto* a, auto* b) { return a->id < b->id; });
    TableCheck participant_rows(reader, store::DerivedTable::participants, findings);
    for (const auto* participant : participants) participant_rows.add(render_participant(*participant, genesis_seq));
    participant_rows.finish();

    std::vector<store::TextRow> keys;
    for (const auto* participant : participants) {
        for (const auto& key : participant->keys) keys.push_back(render_key(key, participant->id, genesis_seq));
    }
    std::sort(keys.begin(), keys.end());  // by key id, the first column
    TableCheck key_rows(reader, store::DerivedTable::participant_keys, findings);
    for (auto& key : keys) key_rows.add(std::move(key));
    key_rows.finish();

    std::vector<store::TextRow> nodes;
    for (const auto& node : registry.nodes()) nodes.push_back(render_node(node));
    std::sort(nodes.begin(), nodes.end());
    TableCheck node_rows(reader, store::DerivedTable::nodes, findings);
    for (auto& node : nodes) node_rows.add(std::move(node));
    node_rows.finish();
}

}  // namespace rxl
