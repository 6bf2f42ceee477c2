// A unit's history: its chain links with the entries and events that made them.
#include <fmt/format.h>

#include <pqxx/pqxx>

#include "ledger/core/bytes.hpp"
#include "ledger/store/connection.hpp"

namespace rxl::store {

namespace {

constexpr const char* sql_unit_history =
    "SELECT ue.seq, ue.event_index, encode(ue.link, 'hex'), e.ordered_at_ms, encode(e.submission_id, 'hex'), "
    "e.kind, e.submitter, e.key_id, encode(sha256(e.body), 'hex'), encode(e.signature, 'hex'), e.outcome, "
    "encode(e.leaf_hash, 'hex'), ev.hash_id, ev.event_id, ev.event_type, ev.event_time_ms, ev.action, ev.biz_step, "
    "ev.disposition, ev.read_point, ev.biz_location, ev.lot, ev.event_json "
    "FROM unit_events ue LEFT JOIN entries e ON e.seq = ue.seq "
    "LEFT JOIN events ev ON ev.seq = ue.seq AND ev.event_index = ue.event_index "
    "WHERE ue.gtin = $1 AND ue.serial = $2 ORDER BY ue.seq, ue.event_index";

}  // namespace

std::vector<UnitHistoryRow> Store::unit_history(const UnitKey& key) {
    pqxx::nontransaction work(connection_->pq);
    std::vector<UnitHistoryRow> out;
    for (const auto& row : work.exec_params(sql_unit_history, key.gtin, key.serial)) {
        UnitHistoryRow item;
        item.entry.seq = row[0].as<std::uint64_t>();
        // A link whose entry is gone: answering without it would hand out a chain with a hole in it.
        if (row[3].is_null()) {
            throw Inconsistent(fmt::format("entry {} of the chain of unit (01){}(21){} is missing", item.entry.seq, key.gtin, key.serial));
        }
        item.event_index = row[1].as<std::uint32_t>();
        item.link = hash_from_hex(row[2]);
        item.entry.ordered_at_ms = row[3].as<std::int64_t>();
        item.entry.submission_id = hash_from_hex(row[4]);
        item.entry.kind = row[5].as<std::string>();
        item.entry.submitter = row[6].as<std::string>();
        item.entry.key_id = row[7].as<std::string>();
        item.entry.body_sha256 = hash_from_hex(row[8]);
        item.entry.signature = bytes_from_hex(row[9]);
        item.entry.outcome = row[10].as<std::string>();
        item.leaf_hash = hash_from_hex(row[11]);
        if (!row[12].is_null()) {
            EventRow event;
            event.seq = item.entry.seq;
            event.event_index = item.event_index;
            event.hash_id = row[12].as<std::string>();
            event.event_id = row[13].as<std::string>();
            event.event_type = row[14].as<std::string>();
            event.event_time_ms = row[15].as<std::int64_t>();
            event.action = row[16].as<std::string>();
            event.biz_step = row[17].as<std::string>();
            event.disposition = row[18].as<std::string>();
            event.read_point = row[19].as<std::string>();
            event.biz_location = row[20].as<std::string>();
            event.lot = row[21].as<std::string>();
            event.json = row[22].as<std::string>();
            item.event = std::move(event);
        }
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace rxl::store
