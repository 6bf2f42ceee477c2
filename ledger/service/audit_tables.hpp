// The audit's table comparison: a derived table as the database holds it, streamed in key order,
// against the rows the replay derived, handed over in the same order (a merge of two sorted streams, so
// neither side is ever held whole). Rows are text in the spelling of store/audit_reads.hpp; the
// render_* functions spell the replay's rows that way.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/apply/registry.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/store/audit_reads.hpp"

namespace rxl {

struct AuditFinding {
    std::string where;  // "entry 17", "unit (01)09506000134352(21)ABC", "lots (gtin=…, lot=…, expiry=…)"
    std::string what;   // a sentence
};

// Findings, at most limits::audit_findings_max of them kept; the rest only counted.
class FindingList {
public:
    void add(std::string where, std::string what);
    const std::vector<AuditFinding>& kept() const { return kept_; }
    std::uint64_t total() const { return total_; }

private:
    std::vector<AuditFinding> kept_;
    std::uint64_t total_ = 0;
};

// Compares one table. Call add() with the replay's rows in non-decreasing key order, then finish().
class TableCheck {
public:
    using Label = std::function<std::string(const store::TextRow&)>;
    // `label` names a row by its key in findings; by default "<table> (<key column>=<value>, …)".
    TableCheck(store::AuditReader& reader, store::DerivedTable table, FindingList& findings, Label label = {});
    TableCheck(const TableCheck&) = delete;  // the default label refers to this object
    TableCheck& operator=(const TableCheck&) = delete;

    void add(store::TextRow replayed);
    // Rows stored after the replay's last key are extra.
    void finish();
    std::uint64_t rows_checked() const { return rows_checked_; }

private:
    // The replay's rows that share one key against the stored rows with that key.
    void compare_group();
    int compare_keys(const store::TextRow& left, const store::TextRow& right) const;
    void advance();
    void report_changed(const store::TextRow& stored, const store::TextRow& replayed);

    store::DerivedTable table_;
    const store::DerivedColumns& columns_;
    FindingList& findings_;
    Label label_;
    std::unique_ptr<store::RowCursor> cursor_;
    std::optional<store::TextRow> lookahead_;  // the next stored row not yet compared
    std::vector<store::TextRow> group_;        // replayed rows of the current key
    std::uint64_t rows_checked_ = 0;
};

// "lot is 'A' in the database, 'B' by replay; …" for each column where the rows differ.
std::string describe_changes(const store::DerivedColumns& columns, const store::TextRow& stored,
                             const store::TextRow& replayed);

// A value as the audit's row texts spell it.
std::string text_array_value(const std::vector<std::string>& values);
std::string text_bool(bool value);

// The replay's rows, spelled like the stored ones (column order of audit_reads.cpp).
store::TextRow render_participant(const Participant& participant, std::uint64_t since_seq);
store::TextRow render_key(const ParticipantKey& key, const std::string& participant, std::uint64_t since_seq);
store::TextRow render_node(const NodeInfo& node);
store::TextRow render_event(const EventRow& event);
store::TextRow render_alert(const AlertRow& alert);
store::TextRow render_recall(const RecallRow& recall);
store::TextRow render_lot(const LotRow& lot);
store::TextRow render_container(const ContainerState& container);
store::TextRow render_unit(const UnitState& unit);

// Compares the registry tables (participants, participant_keys, nodes) with the registry the ledger
// derives. Every participant and key the genesis registers has since_seq 0.
void check_registry_tables(store::AuditReader& reader, const Registry& registry, FindingList& findings);

}  // namespace rxl
