// The audit's reads (audit_reads.hpp): one REPEATABLE READ snapshot, server-side cursors for the large
// tables, every derived row as text in one spelling the audit can reproduce from its replay.
#include "ledger/store/audit_reads.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include <pqxx/pqxx>

#include "ledger/core/bytes.hpp"
#include "ledger/store/connection.hpp"
#include "ledger/store/pg_text.hpp"

namespace rxl::store {

namespace {

// ORDER BY names a table's own column (events.seq) wherever the select list prints that column as text
// under the same name: a bare `seq` would sort by the text ("10" before "9").

// Rows fetched per round trip. A page is held whole (twice: libpq's and the decoded copy), so the rows that
// can be megabytes come a few at a time: an entry carries its body (up to limits::http_body_bytes_max, read
// as hex), an event its JSON (as large, for one event of a whole document). Old code read one entry per
// query; 4 entries (8 events) keep the worst page near 130 MiB and the usual one (documents of ~150 KB)
// near 1 MiB.
constexpr std::size_t cursor_page_rows = 500;
constexpr std::size_t entry_page_rows = 4;
constexpr std::size_t event_page_rows = 8;

// An array as its element count, ':', and the elements joined by U+001F (NULL elements as U+001E), so
// that no two different arrays print alike.
#define RXL_ARRAY_TEXT(column) \
    "cardinality(" column ")::text || ':' || array_to_string(" column ", chr(31), chr(30))"

struct TableSql {
    DerivedTable table;
    const char* name;
    const char* sql;
    DerivedColumns columns;
};

const std::vector<TableSql>& table_sql() {
    static const std::vector<TableSql> tables = {
        {DerivedTable::participants, "participants",
         "SELECT id, name, role, " RXL_ARRAY_TEXT("company_prefixes") ", " RXL_ARRAY_TEXT("glns") ", since_seq::text "
         "FROM participants ORDER BY id COLLATE \"C\"",
         {{"id", "name", "role", "company_prefixes", "glns", "since_seq"}, 1, {false, false, false, false, false, true}}},
        {DerivedTable::participant_keys, "participant_keys",
         "SELECT key_id, participant_id, encode(public_key, 'hex'), since_seq::text FROM participant_keys "
         "ORDER BY key_id COLLATE \"C\"",
         {{"key_id", "participant_id", "public_key", "since_seq"}, 1, {false, false, false, true}}},
        {DerivedTable::nodes, "nodes",
         "SELECT id, participant_id, encode(public_key, 'hex'), url FROM nodes ORDER BY id COLLATE \"C\"",
         {{"id", "participant_id", "public_key", "url"}, 1, {false, false, false, false}}},
        {DerivedTable::events, "events",
         "SELECT seq::text, event_index::text, hash_id, event_id, event_type, event_time_ms::text, action, biz_step, "
         "disposition, read_point, biz_location, lot, is_error_declaration::text, event_json FROM events "
         "ORDER BY events.seq, events.event_index",
         {{"seq", "event_index", "hash_id", "event_id", "event_type", "event_time_ms", "action", "biz_step", "disposition",
           "read_point", "biz_location", "lot", "is_error_declaration", "event_json"},
          2,
          {true, true, false, false, false, true, false, false, false, false, false, false, false, false}}},
        {DerivedTable::alerts, "alerts",
         "SELECT seq::text, item::text, code, emvs, gtin, serial, lot, expiry, participant, location, node, "
         "verified_at_ms::text, ordered_at_ms::text, message, scans::text FROM alerts ORDER BY alerts.seq, alerts.item",
         {{"seq", "item", "code", "emvs", "gtin", "serial", "lot", "expiry", "participant", "location", "node",
           "verified_at_ms", "ordered_at_ms", "message", "scans"},
          2,
          {true, true, false, false, false, false, false, false, false, false, false, true, true, false, true}}},
        {DerivedTable::recalls, "recalls",
         "SELECT seq::text, gtin, " RXL_ARRAY_TEXT("lots") ", withdrawal::text, recall_class, reason, submitter, "
         "ordered_at_ms::text FROM recalls ORDER BY recalls.seq",
         {{"seq", "gtin", "lots", "withdrawal", "recall_class", "reason", "submitter", "ordered_at_ms"},
          1,
          {true, false, false, false, false, false, false, true}}},
        {DerivedTable::recalled_lots, "recalled_lots",
         "SELECT gtin, lot, recall_seq::text FROM recalled_lots ORDER BY gtin COLLATE \"C\", lot COLLATE \"C\"",
         {{"gtin", "lot", "recall_seq"}, 2, {false, false, true}}},
        {DerivedTable::withdrawn_gtins, "withdrawn_gtins",
         "SELECT gtin, recall_seq::text FROM withdrawn_gtins ORDER BY gtin COLLATE \"C\"",
         {{"gtin", "recall_seq"}, 1, {false, true}}},
        {DerivedTable::lots, "lots",
         "SELECT gtin, lot, to_char(expiry, 'YYYY-MM-DD'), owner_id FROM lots "
         "ORDER BY gtin COLLATE \"C\", lot COLLATE \"C\", lots.expiry",
         {{"gtin", "lot", "expiry", "owner_id"}, 3, {false, false, false, false}}},
        {DerivedTable::containers, "containers",
         "SELECT sscc, status, owner_id, custodian_id, coalesce(location_gln, ''), coalesce(parent_sscc, ''), "
         "coalesce(destination_id, ''), commissioned_seq::text, updated_seq::text FROM containers "
         "ORDER BY sscc COLLATE \"C\"",
         {{"sscc", "status", "owner_id", "custodian_id", "location", "parent", "destination", "commissioned_seq",
           "updated_seq"},
          1,
          {false, false, false, false, false, false, false, true, true}}},
        {DerivedTable::merkle_leaves, "merkle_nodes",
         "SELECT idx::text, encode(hash, 'hex') FROM merkle_nodes WHERE level = 0 ORDER BY merkle_nodes.idx",
         {{"leaf", "hash"}, 1, {true, false}}},
        {DerivedTable::unit_keys, "units", "SELECT gtin, serial FROM units", {{"gtin", "serial"}, 2, {false, false}}},
        {DerivedTable::unit_event_keys, "unit_events", "SELECT gtin, serial, seq::text, event_index::text FROM unit_events",
         {{"gtin", "serial", "seq", "event_index"}, 4, {false, false, true, true}}},
    };
    return tables;
}

#undef RXL_ARRAY_TEXT

const TableSql& sql_of(DerivedTable table) {
    for (const auto& entry : table_sql()) {
        if (entry.table == table) return entry;
    }
    RXL_ASSERT_MSG(false, "a derived table without SQL");
    return table_sql().front();
}

constexpr const char* sql_units_by_key =
    "SELECT u.gtin, u.serial, u.lot, to_char(u.expiry, 'YYYY-MM-DD'), u.status, u.owner_id, u.custodian_id, "
    "coalesce(u.location_gln, ''), coalesce(u.parent_sscc, ''), coalesce(u.destination_id, ''), "
    "u.commissioned_seq::text, u.updated_seq::text, coalesce(u.decommissioned_at_ms, 0)::text, "
    "coalesce(u.decommissioned_location, ''), coalesce(u.decommissioned_by, ''), encode(u.chain_link, 'hex') "
    "FROM units u JOIN unnest($1::text[], $2::text[]) AS k(gtin, serial) ON u.gtin = k.gtin AND u.serial = k.serial";

constexpr const char* sql_unit_events_by_key =
    "SELECT ue.gtin, ue.serial, ue.seq, ue.event_index, encode(ue.link, 'hex') FROM unit_events ue "
    "JOIN unnest($1::text[], $2::text[]) AS k(gtin, serial) ON ue.gtin = k.gtin AND ue.serial = k.serial "
    "ORDER BY ue.gtin, ue.serial, ue.seq, ue.event_index";

constexpr const char* sql_entries =
    "SELECT seq, ordered_at_ms, encode(submission_id, 'hex'), kind, submitter, key_id, encode(body, 'hex'), "
    "encode(signature, 'hex'), outcome, detail, encode(leaf_hash, 'hex') FROM entries ORDER BY seq";

TextRow text_row(const pqxx::row& row) {
    TextRow out;
    out.reserve(row.size());
    for (const auto& field : row) out.emplace_back(field.c_str());
    return out;
}

// A server-side cursor inside the snapshot's transaction, fetched a page at a time.
class PagedCursor {
public:
    PagedCursor(pqxx::transaction_base& work, std::string name, const std::string& sql, std::size_t page_rows)
        : work_(work), name_(std::move(name)), page_rows_(page_rows) {
        work_.exec(fmt::format("DECLARE {} NO SCROLL CURSOR FOR {}", name_, sql));
    }
    ~PagedCursor() {
        try {
            work_.exec("CLOSE " + name_);
        } catch (const std::exception&) {
            // The transaction failed already; ending it closes every cursor.
        }
    }
    PagedCursor(const PagedCursor&) = delete;
    PagedCursor& operator=(const PagedCursor&) = delete;

    // The next row, or nothing after the last.
    std::optional<pqxx::row> next() {
        if (position_ >= page_.size()) {
            if (done_) return std::nullopt;
            page_ = work_.exec(fmt::format("FETCH FORWARD {} FROM {}", page_rows_, name_));
            position_ = 0;
            if (page_.size() < page_rows_) done_ = true;
            if (page_.empty()) return std::nullopt;
        }
        return page_[static_cast<pqxx::result::size_type>(position_++)];
    }

private:
    pqxx::transaction_base& work_;
    std::string name_;
    std::size_t page_rows_;
    pqxx::result page_;
    std::size_t position_ = 0;
    bool done_ = false;
};

class TextCursor final : public RowCursor {
public:
    TextCursor(pqxx::transaction_base& work, std::string name, const std::string& sql, std::size_t page_rows)
        : cursor_(work, std::move(name), sql, page_rows) {}
    const TextRow* next() override {
        auto row = cursor_.next();
        if (!row) return nullptr;
        current_ = text_row(*row);
        return &current_;
    }

private:
    PagedCursor cursor_;
    TextRow current_;
};

class StoredEntryCursor final : public EntryCursor {
public:
    StoredEntryCursor(pqxx::transaction_base& work, std::string name)
        : cursor_(work, std::move(name), sql_entries, entry_page_rows) {}
    std::optional<EntryRecord> next() override {
        auto row = cursor_.next();
        if (!row) return std::nullopt;
        return decode_entry_row(*row);
    }

private:
    PagedCursor cursor_;
};

}  // namespace

const DerivedColumns& derived_table_columns(DerivedTable table) { return sql_of(table).columns; }
std::string_view to_string(DerivedTable table) { return sql_of(table).name; }

struct AuditReader::Snapshot {
    explicit Snapshot(pqxx::connection& connection) : work(connection) {}
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> work;
    std::uint64_t cursors_opened = 0;
    std::string cursor_name() { return fmt::format("rxl_audit_{}", ++cursors_opened); }
};

AuditReader::AuditReader(Store& store) : snapshot_(std::make_unique<Snapshot>(store.connection_->pq)) {}

AuditReader::~AuditReader() {
    try {
        snapshot_->work.commit();  // read-only: ends the snapshot, writes nothing
    } catch (const std::exception&) {
        // A failed transaction ends by itself when the snapshot goes.
    }
}

Head AuditReader::head() {
    auto rows = snapshot_->work.exec("SELECT size, encode(root, 'hex'), last_ordered_at_ms, orderer_cursor FROM ledger_head");
    Head head;
    if (rows.empty()) return head;
    head.size = stored_number(rows[0][0]);
    head.root = hash_from_hex(rows[0][1]);
    head.last_ordered_at_ms = rows[0][2].as<std::int64_t>();
    head.orderer_cursor = stored_number(rows[0][3]);
    return head;
}

std::vector<StoredCheckpoint> AuditReader::checkpoints() {
    std::vector<StoredCheckpoint> out;
    for (const auto& row : snapshot_->work.exec("SELECT size, encode(root, 'hex'), note FROM checkpoints ORDER BY size")) {
        out.push_back({stored_number(row[0]), hash_from_hex(row[1]), row[2].as<std::string>()});
    }
    return out;
}

std::uint64_t AuditReader::count(CountedTable table) {
    const char* sql = "";
    switch (table) {
        case CountedTable::entries: sql = "SELECT count(*) FROM entries"; break;
        case CountedTable::units: sql = "SELECT count(*) FROM units"; break;
        case CountedTable::unit_events: sql = "SELECT count(*) FROM unit_events"; break;
        case CountedTable::merkle_leaves: sql = "SELECT count(*) FROM merkle_nodes WHERE level = 0"; break;
    }
    return snapshot_->work.exec(sql)[0][0].as<std::uint64_t>();
}

Hash AuditReader::read_node(merkle::NodeId node) {
    auto rows = snapshot_->work.exec_params("SELECT encode(hash, 'hex') FROM merkle_nodes WHERE level = $1 AND idx = $2",
                                            static_cast<int>(node.level), node.index);
    if (rows.empty()) throw Inconsistent(fmt::format("Merkle node (level {}, index {}) is missing", node.level, node.index));
    return hash_from_hex(rows[0][0]);
}

std::vector<std::pair<std::uint64_t, Hash>> AuditReader::merkle_nodes(int level, std::uint64_t first_index, std::size_t limit) {
    std::vector<std::pair<std::uint64_t, Hash>> out;
    auto rows = snapshot_->work.exec_params(
        "SELECT idx, encode(hash, 'hex') FROM merkle_nodes WHERE level = $1 AND idx >= $2 ORDER BY idx LIMIT $3", level,
        first_index, limit);
    for (const auto& row : rows) out.emplace_back(stored_number(row[0]), hash_from_hex(row[1]));
    return out;
}

std::uint64_t AuditReader::count_merkle_nodes(int level) {
    return snapshot_->work.exec_params("SELECT count(*) FROM merkle_nodes WHERE level = $1", level)[0][0].as<std::uint64_t>();
}

std::unique_ptr<EntryCursor> AuditReader::entries() {
    return std::make_unique<StoredEntryCursor>(snapshot_->work, snapshot_->cursor_name());
}

std::unique_ptr<RowCursor> AuditReader::rows(DerivedTable table) {
    std::size_t page_rows = table == DerivedTable::events ? event_page_rows : cursor_page_rows;
    return std::make_unique<TextCursor>(snapshot_->work, snapshot_->cursor_name(), sql_of(table).sql, page_rows);
}

const DerivedColumns& AuditReader::unit_columns() {
    static const DerivedColumns columns{
        {"gtin", "serial", "lot", "expiry", "status", "manufacturer", "custodian", "location", "container", "destination",
         "commissioned_seq", "updated_seq", "decommissioned_at_ms", "decommissioned_location", "decommissioned_by",
         "chain link"},
        2,
        {false, false, false, false, false, false, false, false, false, false, true, true, true, false, false, false}};
    return columns;
}

std::vector<TextRow> AuditReader::units(const std::vector<UnitKey>& keys) {
    std::vector<std::string> gtins, serials;
    for (const auto& key : keys) {
        gtins.push_back(key.gtin);
        serials.push_back(key.serial);
    }
    std::vector<TextRow> out;
    for (const auto& row : snapshot_->work.exec_params(sql_units_by_key, text_array(gtins), text_array(serials))) {
        out.push_back(text_row(row));
    }
    return out;
}

std::vector<UnitEventRow> AuditReader::unit_events(const std::vector<UnitKey>& keys) {
    std::vector<std::string> gtins, serials;
    for (const auto& key : keys) {
        gtins.push_back(key.gtin);
        serials.push_back(key.serial);
    }
    std::vector<UnitEventRow> out;
    for (const auto& row : snapshot_->work.exec_params(sql_unit_events_by_key, text_array(gtins), text_array(serials))) {
        UnitEventRow link;
        link.key = {row[0].as<std::string>(), row[1].as<std::string>()};
        link.seq = stored_number(row[2]);
        link.event_index = static_cast<std::uint32_t>(std::min<std::uint64_t>(stored_number(row[3]), std::numeric_limits<std::uint32_t>::max()));
        link.link = hash_from_hex(row[4]);
        out.push_back(std::move(link));
    }
    return out;
}

}  // namespace rxl::store
