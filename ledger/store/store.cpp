#include "ledger/store/store.hpp"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "ledger/store/connection.hpp"
#include "ledger/store/migrations.hpp"
#include "ledger/store/pg_text.hpp"

namespace rxl::store {

namespace {

// ---- SQL, in one place ----------------------------------------------------------------------------------

constexpr const char* unit_columns =
    "gtin, serial, lot, to_char(expiry, 'YYYY-MM-DD'), status, owner_id, custodian_id, coalesce(location_gln, ''), "
    "coalesce(parent_sscc, ''), coalesce(destination_id, ''), commissioned_seq, updated_seq, "
    "coalesce(decommissioned_at_ms, 0), coalesce(decommissioned_location, ''), coalesce(decommissioned_by, ''), "
    "encode(chain_link, 'hex')";

constexpr const char* container_columns =
    "sscc, status, owner_id, custodian_id, coalesce(location_gln, ''), coalesce(parent_sscc, ''), "
    "coalesce(destination_id, ''), commissioned_seq, updated_seq";

constexpr const char* sql_select_units =
    "SELECT {} FROM units u JOIN unnest($1::text[], $2::text[]) AS k(gtin, serial) USING (gtin, serial)";

constexpr const char* sql_insert_entries =
    "INSERT INTO entries (seq, ordered_at_ms, submission_id, kind, submitter, key_id, body, signature, outcome, "
    "detail, leaf_hash) "
    "SELECT s, o, decode(i, 'hex'), k, sub, kid, decode(b, 'hex'), decode(sig, 'hex'), out, d, decode(l, 'hex') "
    "FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
    "$8::text[], $9::text[], $10::text[], $11::text[]) AS t(s, o, i, k, sub, kid, b, sig, out, d, l)";

constexpr const char* sql_insert_nodes =
    "INSERT INTO merkle_nodes (level, idx, hash) "
    "SELECT lv, ix, decode(h, 'hex') FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS t(lv, ix, h)";

constexpr const char* sql_upsert_units =
    "INSERT INTO units (gtin, serial, lot, expiry, status, owner_id, custodian_id, location_gln, parent_sscc, "
    "destination_id, commissioned_seq, updated_seq, decommissioned_at_ms, decommissioned_location, "
    "decommissioned_by, chain_link) "
    "SELECT g, s, l, e::date, st, o, c, lo, p, d, cs, us, da, dl, db, decode(cl, 'hex') "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], "
    "$9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[], $15::text[], $16::text[]) "
    "AS t(g, s, l, e, st, o, c, lo, p, d, cs, us, da, dl, db, cl) "
    "ON CONFLICT (gtin, serial) DO UPDATE SET lot = EXCLUDED.lot, expiry = EXCLUDED.expiry, status = EXCLUDED.status, "
    "owner_id = EXCLUDED.owner_id, custodian_id = EXCLUDED.custodian_id, location_gln = EXCLUDED.location_gln, "
    "parent_sscc = EXCLUDED.parent_sscc, destination_id = EXCLUDED.destination_id, "
    "updated_seq = EXCLUDED.updated_seq, decommissioned_at_ms = EXCLUDED.decommissioned_at_ms, "
    "decommissioned_location = EXCLUDED.decommissioned_location, decommissioned_by = EXCLUDED.decommissioned_by, "
    "chain_link = EXCLUDED.chain_link";

constexpr const char* sql_upsert_containers =
    "INSERT INTO containers (sscc, status, owner_id, custodian_id, location_gln, parent_sscc, destination_id, "
    "commissioned_seq, updated_seq) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
    "$8::bigint[], $9::bigint[]) "
    "ON CONFLICT (sscc) DO UPDATE SET status = EXCLUDED.status, custodian_id = EXCLUDED.custodian_id, "
    "location_gln = EXCLUDED.location_gln, parent_sscc = EXCLUDED.parent_sscc, "
    "destination_id = EXCLUDED.destination_id, updated_seq = EXCLUDED.updated_seq";

constexpr const char* sql_insert_lots =
    "INSERT INTO lots (gtin, lot, expiry, owner_id) "
    "SELECT g, l, e::date, o FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(g, l, e, o) "
    "ON CONFLICT DO NOTHING";

constexpr const char* sql_insert_events =
    "INSERT INTO events (seq, event_index, hash_id, event_id, event_type, event_time_ms, action, biz_step, "
    "disposition, read_point, biz_location, lot, is_error_declaration, event_json) "
    "SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::bigint[], "
    "$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::boolean[], $14::text[])";

constexpr const char* sql_insert_recall =
    "INSERT INTO recalls (seq, gtin, lots, withdrawal, recall_class, reason, submitter, ordered_at_ms) "
    "VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8)";

constexpr const char* sql_insert_recalled_lots =
    "INSERT INTO recalled_lots (gtin, lot, recall_seq) SELECT $1::text, l, $2::bigint FROM unnest($3::text[]) AS t(l)";

constexpr const char* sql_insert_withdrawn_gtin = "INSERT INTO withdrawn_gtins (gtin, recall_seq) VALUES ($1, $2)";

constexpr const char* sql_insert_alerts =
    "INSERT INTO alerts (seq, code, emvs, gtin, serial, lot, expiry, participant, location, node, verified_at_ms, "
    "ordered_at_ms, message, item, scans) "
    "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
    "$8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::text[], $14::integer[], $15::bigint[])";

constexpr const char* sql_product_exists = "SELECT 1 FROM lots WHERE gtin = $1 LIMIT 1";
constexpr const char* sql_lot_exists = "SELECT 1 FROM lots WHERE gtin = $1 AND lot = $2 LIMIT 1";
constexpr const char* sql_lot_recall = "SELECT recall_seq FROM recalled_lots WHERE gtin = $1 AND lot = $2";
constexpr const char* sql_gtin_withdrawal = "SELECT recall_seq FROM withdrawn_gtins WHERE gtin = $1";

constexpr const char* recall_columns =
    "seq, gtin, lots, withdrawal, recall_class, reason, submitter, ordered_at_ms";

// Keyset pagination: rows after a sequence number, in sequence order. An empty text filter matches all.
constexpr const char* sql_select_recalls =
    "SELECT {} FROM recalls WHERE ($1 = '' OR gtin = $1) AND seq > $2 ORDER BY seq LIMIT $3";

constexpr const char* alert_columns =
    "seq, code, emvs, gtin, serial, lot, expiry, participant, location, node, verified_at_ms, ordered_at_ms, message, "
    "item, scans";

// $8 switches on the company-prefix restriction: a GTIN-14 belongs to a prefix when its digits after the
// indicator digit start with it (gs1::gtin_has_prefix).
constexpr const char* sql_select_alerts =
    "SELECT {} FROM alerts WHERE ($1 = '' OR gtin = $1) AND ($2 = '' OR lot = $2) AND ($3 = '' OR code = $3) "
    "AND ordered_at_ms >= $4 AND ordered_at_ms < $5 AND (seq, item) > ($6, $10) "
    "AND (NOT $8 OR EXISTS (SELECT 1 FROM unnest($9::text[]) AS p(prefix) WHERE substr(gtin, 2, length(prefix)) = prefix)) "
    "ORDER BY seq, item LIMIT $7";

constexpr const char* sql_upsert_head =
    "INSERT INTO ledger_head (singleton, size, root, last_ordered_at_ms, orderer_cursor) "
    "VALUES (true, $1, decode($2, 'hex'), $3, $4) "
    "ON CONFLICT (singleton) DO UPDATE SET size = EXCLUDED.size, root = EXCLUDED.root, "
    "last_ordered_at_ms = EXCLUDED.last_ordered_at_ms, orderer_cursor = EXCLUDED.orderer_cursor";

constexpr const char* sql_find_submission =
    "SELECT seq, outcome, detail, encode(leaf_hash, 'hex') FROM entries WHERE submission_id = decode($1, 'hex')";
constexpr const char* sql_event_hash_exists = "SELECT 1 FROM events WHERE hash_id = $1 AND NOT is_error_declaration";
constexpr const char* sql_event_submitter =
    "SELECT e.submitter FROM events v JOIN entries e ON e.seq = v.seq WHERE v.hash_id = $1 AND NOT v.is_error_declaration";

// The statements of the write path and of apply's reads run for every entry: they are prepared once per
// connection (pqxx prepares a statement on its first use) instead of being parsed and planned each time.
// Profiled with an alert-heavy verification load, planning those statements cost PostgreSQL more than
// executing them.
struct PreparedStatement {
    const char* name;
    std::string sql;
};
const std::vector<PreparedStatement>& prepared_statements() {
    static const std::vector<PreparedStatement> statements = {
        {"find_submission", sql_find_submission},
        {"event_hash_exists", sql_event_hash_exists},
        {"select_units", fmt::format(sql_select_units, unit_columns)},
        {"product_exists", sql_product_exists},
        {"lot_exists", sql_lot_exists},
        {"lot_recall", sql_lot_recall},
        {"gtin_withdrawal", sql_gtin_withdrawal},
        {"insert_entries", sql_insert_entries},
        {"insert_nodes", sql_insert_nodes},
        {"upsert_units", sql_upsert_units},
        {"upsert_containers", sql_upsert_containers},
        {"insert_lots", sql_insert_lots},
        {"insert_events", sql_insert_events},
        {"insert_recall", sql_insert_recall},
        {"insert_recalled_lots", sql_insert_recalled_lots},
        {"insert_withdrawn_gtin", sql_insert_withdrawn_gtin},
        {"insert_alerts", sql_insert_alerts},
        {"upsert_head", sql_upsert_head},
    };
    return statements;
}

// ---- decoding ------------------------------------------------------------------------------------------

}  // namespace

Bytes bytes_from_hex(const pqxx::field& field) {
    auto bytes = from_hex(field.c_str());
    if (!bytes) throw Inconsistent("a stored bytea does not read back as hex");
    return std::move(bytes).value();
}

Hash hash_from_hex(const pqxx::field& field) {
    auto bytes = from_hex(field.c_str());
    auto hash = bytes ? hash_from_bytes(*bytes) : std::nullopt;
    if (!hash) throw Inconsistent("a stored hash is not 32 bytes");
    return *hash;
}

namespace {

UnitState decode_unit(const pqxx::row& row) {
    UnitState unit;
    unit.key = {row[0].as<std::string>(), row[1].as<std::string>()};
    unit.lot = row[2].as<std::string>();
    unit.expiry = row[3].as<std::string>();
    auto status = parse_unit_status(row[4].as<std::string>());
    if (!status) throw Inconsistent("unit (01)" + unit.key.gtin + "(21)" + unit.key.serial + " has a status apply never writes");
    unit.status = *status;
    unit.owner = row[5].as<std::string>();
    unit.custodian = row[6].as<std::string>();
    unit.location = row[7].as<std::string>();
    unit.parent = row[8].as<std::string>();
    unit.destination = row[9].as<std::string>();
    unit.commissioned_seq = row[10].as<std::uint64_t>();
    unit.updated_seq = row[11].as<std::uint64_t>();
    unit.decommissioned_at_ms = row[12].as<std::int64_t>();
    unit.decommissioned_location = row[13].as<std::string>();
    unit.decommissioned_by = row[14].as<std::string>();
    unit.chain_link = hash_from_hex(row[15]);
    return unit;
}

ContainerState decode_container(const pqxx::row& row) {
    ContainerState container;
    container.sscc = row[0].as<std::string>();
    auto status = parse_unit_status(row[1].as<std::string>());
    if (!status) throw Inconsistent("container " + container.sscc + " has a status apply never writes");
    container.status = *status;
    container.owner = row[2].as<std::string>();
    container.custodian = row[3].as<std::string>();
    container.location = row[4].as<std::string>();
    container.parent = row[5].as<std::string>();
    container.destination = row[6].as<std::string>();
    container.commissioned_seq = row[7].as<std::uint64_t>();
    container.updated_seq = row[8].as<std::uint64_t>();
    return container;
}

std::vector<std::string> decode_text_array(const pqxx::field& field) {
    std::vector<std::string> out;
    pqxx::array_parser parser = field.as_array();
    for (auto step = parser.get_next(); step.first != pqxx::array_parser::done; step = parser.get_next()) {
        if (step.first == pqxx::array_parser::null_value) throw Inconsistent("a stored text array holds a NULL");
        if (step.first == pqxx::array_parser::string_value) out.push_back(std::move(step.second));
    }
    return out;
}

RecallRow decode_recall(const pqxx::row& row) {
    RecallRow recall;
    recall.seq = row[0].as<std::uint64_t>();
    recall.gtin = row[1].as<std::string>();
    recall.lots = decode_text_array(row[2]);
    recall.withdrawal = row[3].as<bool>();
    recall.recall_class = row[4].as<std::string>();
    recall.reason = row[5].as<std::string>();
    recall.submitter = row[6].as<std::string>();
    recall.ordered_at_ms = row[7].as<std::int64_t>();
    if (recall.withdrawal != recall.lots.empty()) {
        throw Inconsistent(fmt::format("recall {} is stored both as a withdrawal and with lots, or as neither", recall.seq));
    }
    return recall;
}

AlertRow decode_alert(const pqxx::row& row) {
    AlertRow alert;
    alert.seq = row[0].as<std::uint64_t>();
    alert.code = row[1].as<std::string>();
    alert.emvs = row[2].as<std::string>();
    alert.gtin = row[3].as<std::string>();
    alert.serial = row[4].as<std::string>();
    alert.lot = row[5].as<std::string>();
    alert.expiry = row[6].as<std::string>();
    alert.participant = row[7].as<std::string>();
    alert.location = row[8].as<std::string>();
    alert.node = row[9].as<std::string>();
    alert.verified_at_ms = row[10].as<std::int64_t>();
    alert.ordered_at_ms = row[11].as<std::int64_t>();
    alert.message = row[12].as<std::string>();
    alert.item = row[13].as<std::uint32_t>();
    alert.scans = row[14].as<std::uint64_t>();
    return alert;
}

template <class Number>
std::string number_array(const std::vector<Number>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += std::to_string(values[i]);
    }
    out.push_back('}');
    return out;
}

}  // namespace

Store::Store(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::connect(const std::string& conninfo) {
    try {
        auto connection = std::make_unique<Connection>(conninfo);
        for (const auto& statement : prepared_statements()) connection->pq.prepare(statement.name, statement.sql);
        return std::unique_ptr<Store>(new Store(std::move(connection)));
    } catch (const std::exception& error) {
        return make_error(ErrorKind::unavailable, "database-unavailable",
                          fmt::format("cannot connect to PostgreSQL: {}", error.what()));
    }
}

namespace {

DatabaseFailure failure_of_sqlstate(const std::string& sqlstate) {
    const std::string_view category = std::string_view(sqlstate).substr(0, 2);
    if (category == "08" || sqlstate.starts_with("57P")) return DatabaseFailure::connection;
    if (category == "22" || category == "23" || category == "54") return DatabaseFailure::data;
    return DatabaseFailure::other;
}

}  // namespace

void Store::rethrow_as_database_error() {
    try {
        throw;
    } catch (const DatabaseError& error) {
        if (error.failure() == DatabaseFailure::connection) broken_ = true;
        throw;
    } catch (const pqxx::broken_connection& error) {
        broken_ = true;
        throw DatabaseError(DatabaseFailure::connection, "", error.what());
    } catch (const pqxx::in_doubt_error& error) {
        broken_ = true;
        throw DatabaseError(DatabaseFailure::connection, "", error.what());
    } catch (const pqxx::sql_error& error) {
        const DatabaseFailure failure = failure_of_sqlstate(error.sqlstate());
        if (failure == DatabaseFailure::connection) broken_ = true;
        throw DatabaseError(failure, error.sqlstate(), error.what());
    } catch (const pqxx::failure& error) {
        // libpqxx's other failures (a statement it cannot complete, a transaction rolled back under it)
        // leave the connection in an unknown state: start afresh.
        broken_ = true;
        throw DatabaseError(DatabaseFailure::connection, "", error.what());
    }
}

bool Store::reconnect() {
    try {
        auto connection = std::make_unique<Connection>(connection_->conninfo);
        for (const auto& statement : prepared_statements()) connection->pq.prepare(statement.name, statement.sql);
        connection_ = std::move(connection);
        broken_ = false;
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void Store::batch_committed(const BatchResult& batch) {
    connection_->verify_index->batch_committed(batch.changes);
    connection_->verify_index->start_loading();
}

Status Store::migrate() { return store::migrate(connection_->pq); }

bool Store::ping() {
    try {
        pqxx::nontransaction work(connection_->pq);
        work.exec("SELECT 1");
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

Head Store::head() {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec("SELECT size, encode(root, 'hex'), last_ordered_at_ms, orderer_cursor FROM ledger_head");
    Head head;
    if (rows.empty()) return head;
    head.size = rows[0][0].as<std::uint64_t>();
    head.root = hash_from_hex(rows[0][1]);
    head.last_ordered_at_ms = rows[0][2].as<std::int64_t>();
    head.orderer_cursor = rows[0][3].as<std::uint64_t>();
    return head;
}

Registry Store::load_registry() {
    pqxx::work work(connection_->pq);
    Registry registry;
    std::map<std::string, Participant> by_id;
    std::vector<std::string> order;
    auto rows = work.exec("SELECT id, name, role, array_to_string(company_prefixes, ','), array_to_string(glns, ',') "
                          "FROM participants ORDER BY since_seq, id");
    auto split = [](const std::string& text) {
        std::vector<std::string> out;
        std::size_t start = 0;
        while (start < text.size()) {
            std::size_t comma = text.find(',', start);
            if (comma == std::string::npos) comma = text.size();
            out.push_back(text.substr(start, comma - start));
            start = comma + 1;
        }
        return out;
    };
    for (const auto& row : rows) {
        Participant participant;
        participant.id = row[0].as<std::string>();
        participant.name = row[1].as<std::string>();
        participant.role = *parse_role(row[2].as<std::string>());
        participant.company_prefixes = split(row[3].as<std::string>());
        participant.glns = split(row[4].as<std::string>());
        order.push_back(participant.id);
        by_id.emplace(participant.id, std::move(participant));
    }
    for (const auto& row : work.exec("SELECT key_id, participant_id, encode(public_key, 'hex') FROM participant_keys "
                                     "ORDER BY since_seq, key_id")) {
        ParticipantKey key{row[0].as<std::string>(), hash_from_hex(row[2])};
        by_id.at(row[1].as<std::string>()).keys.push_back(key);
    }
    for (const auto& id : order) registry.add(std::move(by_id.at(id)));
    for (const auto& row : work.exec("SELECT id, participant_id, encode(public_key, 'hex'), url FROM nodes ORDER BY id")) {
        registry.add_node({row[0].as<std::string>(), row[1].as<std::string>(), hash_from_hex(row[2]), row[3].as<std::string>()});
    }
    return registry;
}

// A bigint read without trusting it: a tampered negative or NULL value becomes a number no entry has.
std::uint64_t stored_number(const pqxx::field& field) {
    if (field.is_null()) return std::numeric_limits<std::uint64_t>::max();
    auto value = field.as<std::int64_t>();
    return value < 0 ? std::numeric_limits<std::uint64_t>::max() : static_cast<std::uint64_t>(value);
}

EntryRecord decode_entry_row(const pqxx::row& row) {
    EntryRecord entry;
    entry.header.seq = stored_number(row[0]);
    entry.header.ordered_at_ms = row[1].as<std::int64_t>();
    entry.header.submission_id = hash_from_hex(row[2]);
    entry.header.kind = row[3].as<std::string>();
    entry.header.submitter = row[4].as<std::string>();
    entry.header.key_id = row[5].as<std::string>();
    entry.body = to_string(bytes_from_hex(row[6]));
    entry.header.body_sha256 = sha256(entry.body);
    entry.header.signature = bytes_from_hex(row[7]);
    entry.header.outcome = row[8].as<std::string>();
    entry.detail_json = row[9].as<std::string>();
    entry.leaf_hash = hash_from_hex(row[10]);
    return entry;
}

std::optional<EntryRecord> Store::entry(std::uint64_t seq) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_params(
        "SELECT seq, ordered_at_ms, encode(submission_id, 'hex'), kind, submitter, key_id, encode(body, 'hex'), "
        "encode(signature, 'hex'), outcome, detail, encode(leaf_hash, 'hex') FROM entries WHERE seq = $1",
        seq);
    if (rows.empty()) return std::nullopt;
    return decode_entry_row(rows[0]);
}

Hash Store::read_node(merkle::NodeId node) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_params("SELECT encode(hash, 'hex') FROM merkle_nodes WHERE level = $1 AND idx = $2",
                                 static_cast<int>(node.level), node.index);
    if (rows.empty()) {
        throw Inconsistent(fmt::format("Merkle node (level {}, index {}) of the committed tree is missing", node.level, node.index));
    }
    return hash_from_hex(rows[0][0]);
}

void Store::load_units(const std::vector<UnitKey>& keys, std::map<UnitKey, UnitState>& out) {
    std::vector<std::string> gtins, serials;
    for (const auto& key : keys) {
        // A unit the loaded verify index does not hold was never committed: commissioning a document of new
        // units reads nothing. (A unit it holds, or any unit before it is loaded, is read from the table:
        // the index only ever saves reads, it never answers for the table.)
        if (connection_->verify_index->contains_unit(key) == false) continue;
        gtins.push_back(key.gtin);
        serials.push_back(key.serial);
    }
    if (gtins.empty()) return;
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_prepared("select_units", text_array(gtins), text_array(serials));
    for (const auto& row : rows) {
        UnitState unit = decode_unit(row);
        out.insert_or_assign(unit.key, std::move(unit));
    }
}

std::optional<ContainerState> Store::load_container(const std::string& sscc) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_params(fmt::format("SELECT {} FROM containers WHERE sscc = $1", container_columns), sscc);
    if (rows.empty()) return std::nullopt;
    return decode_container(rows[0]);
}

Children Store::load_children(const std::string& sscc) {
    pqxx::nontransaction work(connection_->pq);
    Children children;
    for (const auto& row : work.exec_params("SELECT gtin, serial FROM units WHERE parent_sscc = $1", sscc)) {
        children.units.push_back({row[0].as<std::string>(), row[1].as<std::string>()});
    }
    for (const auto& row : work.exec_params("SELECT sscc FROM containers WHERE parent_sscc = $1", sscc)) {
        children.containers.push_back(row[0].as<std::string>());
    }
    return children;
}

bool Store::event_hash_exists(const std::string& hash_id) {
    pqxx::nontransaction work(connection_->pq);
    return !work.exec_prepared("event_hash_exists", hash_id).empty();
}

std::optional<std::string> Store::event_submitter(const std::string& hash_id) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_params(sql_event_submitter, hash_id);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::string>();
}

std::optional<PriorOutcome> Store::find_submission(const Hash& submission_id) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_prepared("find_submission", to_hex(submission_id));
    if (rows.empty()) return std::nullopt;
    return PriorOutcome{rows[0][0].as<std::uint64_t>(), rows[0][1].as<std::string>(), rows[0][2].as<std::string>(),
                        hash_from_hex(rows[0][3])};
}

bool Store::product_exists(const std::string& gtin) {
    pqxx::nontransaction work(connection_->pq);
    return !work.exec_prepared("product_exists", gtin).empty();
}

bool Store::lot_exists(const std::string& gtin, const std::string& lot) {
    pqxx::nontransaction work(connection_->pq);
    return !work.exec_prepared("lot_exists", gtin, lot).empty();
}

std::optional<std::uint64_t> Store::lot_recall(const std::string& gtin, const std::string& lot) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_prepared("lot_recall", gtin, lot);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::uint64_t>();
}

std::optional<std::uint64_t> Store::gtin_withdrawal(const std::string& gtin) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_prepared("gtin_withdrawal", gtin);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::uint64_t>();
}

std::optional<RecallRow> Store::recall(std::uint64_t seq) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_params(fmt::format("SELECT {} FROM recalls WHERE seq = $1", recall_columns), seq);
    if (rows.empty()) return std::nullopt;
    return decode_recall(rows[0]);
}

std::vector<RecallRow> Store::recalls(const std::string& gtin, std::uint64_t after_seq, std::size_t limit) {
    pqxx::nontransaction work(connection_->pq);
    std::vector<RecallRow> out;
    for (const auto& row : work.exec_params(fmt::format(sql_select_recalls, recall_columns), gtin, after_seq, limit)) {
        out.push_back(decode_recall(row));
    }
    return out;
}

std::vector<AlertRow> Store::alerts(const AlertFilter& filter) {
    pqxx::nontransaction work(connection_->pq);
    std::vector<AlertRow> out;
    bool restricted = filter.company_prefixes.has_value();
    auto rows = work.exec_params(fmt::format(sql_select_alerts, alert_columns), filter.gtin, filter.lot, filter.code,
                                 filter.from_ms, filter.to_ms, filter.after_seq, filter.limit, restricted,
                                 text_array(restricted ? *filter.company_prefixes : std::vector<std::string>{}),
                                 static_cast<std::int64_t>(filter.after_item));
    for (const auto& row : rows) out.push_back(decode_alert(row));
    return out;
}

std::optional<UnitState> Store::unit(const UnitKey& key) {
    std::map<UnitKey, UnitState> found;
    load_units({key}, found);
    if (found.empty()) return std::nullopt;
    return found.begin()->second;
}

std::uint64_t Store::count_entries() {
    pqxx::nontransaction work(connection_->pq);
    return work.exec("SELECT count(*) FROM entries")[0][0].as<std::uint64_t>();
}

std::uint64_t Store::count_merkle_nodes(int level) {
    pqxx::nontransaction work(connection_->pq);
    return work.exec_params("SELECT count(*) FROM merkle_nodes WHERE level = $1", level)[0][0].as<std::uint64_t>();
}

std::uint64_t Store::count_units() {
    pqxx::nontransaction work(connection_->pq);
    return work.exec("SELECT count(*) FROM units")[0][0].as<std::uint64_t>();
}

namespace {

void write_entries(pqxx::work& work, const std::vector<EntryRecord>& entries) {
    if (entries.empty()) return;
    std::vector<std::uint64_t> seqs;
    std::vector<std::int64_t> times;
    std::vector<std::string> ids, kinds, submitters, key_ids, bodies, signatures, outcomes, details, leaves;
    for (const auto& entry : entries) {
        seqs.push_back(entry.header.seq);
        times.push_back(entry.header.ordered_at_ms);
        ids.push_back(to_hex(entry.header.submission_id));
        kinds.push_back(entry.header.kind);
        submitters.push_back(entry.header.submitter);
        key_ids.push_back(entry.header.key_id);
        bodies.push_back(to_hex(as_bytes(entry.body)));
        signatures.push_back(to_hex(entry.header.signature));
        outcomes.push_back(entry.header.outcome);
        details.push_back(entry.detail_json);
        leaves.push_back(to_hex(entry.leaf_hash));
    }
    work.exec_prepared("insert_entries", number_array(seqs), number_array(times), text_array(ids), text_array(kinds),
                     text_array(submitters), text_array(key_ids), text_array(bodies), text_array(signatures),
                     text_array(outcomes), text_array(details), text_array(leaves));
}

void write_merkle_nodes(pqxx::work& work, const std::vector<merkle::CompletedNode>& nodes) {
    if (nodes.empty()) return;
    std::vector<int> levels;
    std::vector<std::uint64_t> indexes;
    std::vector<std::string> hashes;
    for (const auto& [node, hash] : nodes) {
        levels.push_back(node.level);
        indexes.push_back(node.index);
        hashes.push_back(to_hex(hash));
    }
    work.exec_prepared("insert_nodes", number_array(levels), number_array(indexes), text_array(hashes));
}

void write_participants(pqxx::work& work, const std::vector<Participant>& participants, std::uint64_t seq) {
    for (const auto& participant : participants) {
        work.exec_params("INSERT INTO participants (id, name, role, company_prefixes, glns, since_seq) "
                         "VALUES ($1, $2, $3, $4::text[], $5::text[], $6)",
                         participant.id, participant.name, std::string(to_string(participant.role)),
                         text_array(participant.company_prefixes), text_array(participant.glns), seq);
        for (const auto& key : participant.keys) {
            work.exec_params("INSERT INTO participant_keys (key_id, participant_id, public_key, since_seq) "
                             "VALUES ($1, $2, decode($3, 'hex'), $4)",
                             key.key_id, participant.id, to_hex(key.public_key), seq);
        }
    }
}

void write_nodes_registry(pqxx::work& work, const Registry& registry) {
    for (const auto& node : registry.nodes()) {
        work.exec_params("INSERT INTO nodes (id, participant_id, public_key, url) VALUES ($1, $2, decode($3, 'hex'), $4) "
                         "ON CONFLICT (id) DO NOTHING",
                         node.id, node.participant, to_hex(node.public_key), node.url);
    }
}

// A text column for COPY through pqxx::stream_to: NULL (a null pointer) when empty.
const char* copy_nullable(const std::string& text) { return text.empty() ? nullptr : text.c_str(); }

// Units commissioned in this batch (commissioned_seq at or after its first entry) cannot exist yet: they are
// written with COPY, which costs PostgreSQL less than INSERT … unnest(arrays) … ON CONFLICT.
void copy_new_units(pqxx::work& work, const std::vector<const UnitState*>& units) {
    if (units.empty()) return;
    static const std::vector<std::string> columns = {
        "gtin", "serial", "lot", "expiry", "status", "owner_id", "custodian_id", "location_gln", "parent_sscc",
        "destination_id", "commissioned_seq", "updated_seq", "decommissioned_at_ms", "decommissioned_location",
        "decommissioned_by", "chain_link"};
    pqxx::stream_to stream(work, "units", columns);
    for (const UnitState* unit : units) {
        stream << std::forward_as_tuple(
            unit->key.gtin, unit->key.serial, unit->lot, unit->expiry, std::string(to_string(unit->status)), unit->owner,
            unit->custodian, copy_nullable(unit->location), copy_nullable(unit->parent), copy_nullable(unit->destination),
            static_cast<std::int64_t>(unit->commissioned_seq), static_cast<std::int64_t>(unit->updated_seq),
            unit->decommissioned_at_ms, copy_nullable(unit->decommissioned_location),
            copy_nullable(unit->decommissioned_by), "\\x" + to_hex(unit->chain_link));
    }
    stream.complete();
}

void write_units(pqxx::work& work, const std::map<UnitKey, UnitState>& all_units, std::uint64_t first_seq) {
    std::vector<const UnitState*> new_units;
    std::map<UnitKey, UnitState> units;  // changed units that existed before the batch
    for (const auto& [key, unit] : all_units) {
        if (unit.commissioned_seq >= first_seq) {
            new_units.push_back(&unit);
        } else {
            units.emplace(key, unit);
        }
    }
    copy_new_units(work, new_units);
    if (units.empty()) return;
    std::vector<std::string> gtins, serials, lots, expiries, statuses, owners, custodians, locations, parents,
        destinations, decommissioned_locations, decommissioned_by, links;
    std::vector<std::uint64_t> commissioned, updated;
    std::vector<std::int64_t> decommissioned_at;
    for (const auto& [key, unit] : units) {
        gtins.push_back(key.gtin);
        serials.push_back(key.serial);
        lots.push_back(unit.lot);
        expiries.push_back(unit.expiry);
        statuses.push_back(std::string(to_string(unit.status)));
        owners.push_back(unit.owner);
        custodians.push_back(unit.custodian);
        locations.push_back(unit.location);
        parents.push_back(unit.parent);
        destinations.push_back(unit.destination);
        commissioned.push_back(unit.commissioned_seq);
        updated.push_back(unit.updated_seq);
        decommissioned_at.push_back(unit.decommissioned_at_ms);
        decommissioned_locations.push_back(unit.decommissioned_location);
        decommissioned_by.push_back(unit.decommissioned_by);
        links.push_back(to_hex(unit.chain_link));
    }
    work.exec_prepared("upsert_units", text_array(gtins), text_array(serials), text_array(lots), text_array(expiries),
                     text_array(statuses), text_array(owners), text_array(custodians), text_array(locations, true),
                     text_array(parents, true), text_array(destinations, true), number_array(commissioned),
                     number_array(updated), number_array(decommissioned_at), text_array(decommissioned_locations, true),
                     text_array(decommissioned_by, true), text_array(links));
}

void write_containers(pqxx::work& work, const std::map<std::string, ContainerState>& containers) {
    if (containers.empty()) return;
    std::vector<std::string> ssccs, statuses, owners, custodians, locations, parents, destinations;
    std::vector<std::uint64_t> commissioned, updated;
    for (const auto& [sscc, container] : containers) {
        ssccs.push_back(sscc);
        statuses.push_back(std::string(to_string(container.status)));
        owners.push_back(container.owner);
        custodians.push_back(container.custodian);
        locations.push_back(container.location);
        parents.push_back(container.parent);
        destinations.push_back(container.destination);
        commissioned.push_back(container.commissioned_seq);
        updated.push_back(container.updated_seq);
    }
    work.exec_prepared("upsert_containers", text_array(ssccs), text_array(statuses), text_array(owners),
                     text_array(custodians), text_array(locations, true), text_array(parents, true),
                     text_array(destinations, true), number_array(commissioned), number_array(updated));
}

void write_lots(pqxx::work& work, const std::set<LotRow>& lots) {
    if (lots.empty()) return;
    std::vector<std::string> gtins, numbers, expiries, owners;
    for (const auto& lot : lots) {
        gtins.push_back(lot.gtin);
        numbers.push_back(lot.lot);
        expiries.push_back(lot.expiry);
        owners.push_back(lot.owner);
    }
    work.exec_prepared("insert_lots", text_array(gtins), text_array(numbers), text_array(expiries), text_array(owners));
}

void write_events(pqxx::work& work, const std::vector<EventRow>& events) {
    if (events.empty()) return;
    std::vector<std::uint64_t> seqs;
    std::vector<std::uint32_t> indexes;
    std::vector<std::int64_t> times;
    std::vector<std::string> hashes, ids, types, actions, steps, dispositions, read_points, locations, lots, errors, jsons;
    for (const auto& event : events) {
        seqs.push_back(event.seq);
        indexes.push_back(event.event_index);
        hashes.push_back(event.hash_id);
        ids.push_back(event.event_id);
        types.push_back(event.event_type);
        times.push_back(event.event_time_ms);
        actions.push_back(event.action);
        steps.push_back(event.biz_step);
        dispositions.push_back(event.disposition);
        read_points.push_back(event.read_point);
        locations.push_back(event.biz_location);
        lots.push_back(event.lot);
        errors.push_back(event.is_error_declaration ? "true" : "false");
        jsons.push_back(event.json);
    }
    work.exec_prepared("insert_events", number_array(seqs), number_array(indexes), text_array(hashes), text_array(ids),
                     text_array(types), number_array(times), text_array(actions), text_array(steps),
                     text_array(dispositions), text_array(read_points), text_array(locations), text_array(lots),
                     text_array(errors), text_array(jsons));
}

void write_unit_events(pqxx::work& work, const std::vector<UnitEventRow>& rows) {
    if (rows.empty()) return;
    // One row per unit an event touched: the largest write of a capture, so COPY.
    static const std::vector<std::string> columns = {"gtin", "serial", "seq", "event_index", "link"};
    pqxx::stream_to stream(work, "unit_events", columns);
    for (const auto& row : rows) {
        stream << std::forward_as_tuple(row.key.gtin, row.key.serial, static_cast<std::int64_t>(row.seq),
                                        static_cast<std::int64_t>(row.event_index), "\\x" + to_hex(row.link));
    }
    stream.complete();
}

void write_recalls(pqxx::work& work, const std::vector<RecallRow>& recalls) {
    // Recalls are rare: one statement each is simpler than arrays of arrays through unnest().
    for (const auto& recall : recalls) {
        RXL_ASSERT(recall.withdrawal == recall.lots.empty());
        work.exec_prepared("insert_recall", recall.seq, recall.gtin, text_array(recall.lots), recall.withdrawal,
                         recall.recall_class, recall.reason, recall.submitter, recall.ordered_at_ms);
        if (recall.withdrawal) {
            work.exec_prepared("insert_withdrawn_gtin", recall.gtin, recall.seq);
        } else {
            work.exec_prepared("insert_recalled_lots", recall.gtin, recall.seq, text_array(recall.lots));
        }
    }
}

void write_alerts(pqxx::work& work, const std::vector<AlertRow>& alerts) {
    if (alerts.empty()) return;
    std::vector<std::uint64_t> seqs, scans;
    std::vector<std::uint32_t> items;
    std::vector<std::int64_t> verified, ordered;
    std::vector<std::string> codes, emvs, gtins, serials, lots, expiries, participants, locations, nodes, messages;
    for (const auto& alert : alerts) {
        seqs.push_back(alert.seq);
        codes.push_back(alert.code);
        emvs.push_back(alert.emvs);
        gtins.push_back(alert.gtin);
        serials.push_back(alert.serial);
        lots.push_back(alert.lot);
        expiries.push_back(alert.expiry);
        participants.push_back(alert.participant);
        locations.push_back(alert.location);
        nodes.push_back(alert.node);
        verified.push_back(alert.verified_at_ms);
        ordered.push_back(alert.ordered_at_ms);
        messages.push_back(alert.message);
        items.push_back(alert.item);
        scans.push_back(alert.scans);
    }
    work.exec_prepared("insert_alerts", number_array(seqs), text_array(codes), text_array(emvs), text_array(gtins),
                     text_array(serials), text_array(lots), text_array(expiries), text_array(participants),
                     text_array(locations), text_array(nodes), number_array(verified), number_array(ordered),
                     text_array(messages), number_array(items), number_array(scans));
}

}  // namespace

void Store::write_batch(const BatchResult& batch, const StoredCheckpoint* checkpoint) {
    pqxx::work work(connection_->pq);
    write_entries(work, batch.entries);
    write_merkle_nodes(work, batch.merkle_nodes);
    if (!batch.participants_added.empty()) {
        write_participants(work, batch.participants_added, batch.entries.empty() ? 0 : batch.entries.front().header.seq);
    }
    // Units that existed before the batch were commissioned by an earlier entry: the batch's first seq
    // separates them from the units its own entries commissioned.
    write_units(work, batch.changes.units, batch.entries.empty() ? batch.size : batch.entries.front().header.seq);
    write_containers(work, batch.changes.containers);
    write_lots(work, batch.changes.lots);
    write_events(work, batch.changes.events);
    write_unit_events(work, batch.changes.unit_events);
    write_recalls(work, batch.changes.recalls);
    write_alerts(work, batch.changes.alerts);
    std::int64_t last_ordered_at_ms = batch.entries.empty() ? 0 : batch.entries.back().header.ordered_at_ms;
    if (batch.entries.empty()) {
        auto current = work.exec("SELECT last_ordered_at_ms FROM ledger_head");
        if (!current.empty()) last_ordered_at_ms = current[0][0].as<std::int64_t>();
    }
    work.exec_prepared("upsert_head", batch.size, to_hex(batch.root), last_ordered_at_ms, batch.cursor);
    if (checkpoint) insert_checkpoint(work, *checkpoint);
    work.commit();
    // The node's verify index follows every committed batch; the first write loads it (verify_index.hpp).
    batch_committed(batch);
}

void Store::write_nodes(const Registry& registry) {
    pqxx::work work(connection_->pq);
    write_nodes_registry(work, registry);
    work.commit();
}

}  // namespace rxl::store
