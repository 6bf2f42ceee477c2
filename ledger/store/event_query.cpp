// The EPCIS 2.0 query subset of GET /v1/events (DESIGN.md section 7): one SQL statement whose filters
// are switched off by empty values, keyset-paged by (seq, event index).
#include <pqxx/pqxx>

#include "ledger/store/connection.hpp"

namespace rxl::store {

namespace {

constexpr const char* sql_event_query =
    "SELECT ev.seq, ev.event_index, ev.event_json FROM events ev JOIN entries e ON e.seq = ev.seq "
    "WHERE ($1 = '' OR e.submitter = $1) "
    "  AND ($2 = '' OR ev.event_type = ANY (string_to_array($2, ','))) "
    "  AND ev.event_time_ms >= $3 AND ev.event_time_ms < $4 "
    "  AND ($5 = '' OR ev.biz_step = ANY (string_to_array($5, ','))) "
    "  AND ($6 = '' OR ev.disposition = ANY (string_to_array($6, ','))) "
    "  AND ($7 = '' OR ev.biz_location = $7) "
    "  AND ($8 = '' OR ev.lot = $8) "
    "  AND ($9 = '' OR EXISTS (SELECT 1 FROM unit_events ue WHERE ue.seq = ev.seq AND ue.event_index = ev.event_index "
    "                          AND ue.gtin = $9 AND ue.serial = $10)) "
    "  AND ($11 = '' OR strpos(ev.event_json, $11) > 0 OR strpos(ev.event_json, $12) > 0) "
    "  AND ($13 = '' OR (ev.event_json::jsonb ->> 'parentID') IN ($13, $14)) "
    "  AND (ev.seq, ev.event_index) > ($15, $16) "
    "ORDER BY ev.seq, ev.event_index LIMIT $17";

}  // namespace

std::vector<QueriedEvent> Store::query_events(const EventQuery& query) {
    pqxx::nontransaction work(connection_->pq);
    std::vector<QueriedEvent> out;
    auto rows = work.exec_params(sql_event_query, query.submitter, query.event_types, query.from_ms, query.to_ms,
                                 query.biz_steps, query.dispositions, query.biz_location, query.lot, query.sgtin_gtin,
                                 query.sgtin_serial, query.epc_text, query.epc_link, query.parent_text, query.parent_link,
                                 query.after_seq, query.after_index, query.limit);
    for (const auto& row : rows) {
        out.push_back({row[0].as<std::uint64_t>(), row[1].as<std::int64_t>(), row[2].as<std::string>()});
    }
    return out;
}

}  // namespace rxl::store
