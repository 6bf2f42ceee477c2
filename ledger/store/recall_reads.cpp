// What the recall endpoints read: a recall's reach (counts of affected units by current state) and its
// affected units page by page.
#include <fmt/format.h>

#include <pqxx/pqxx>

#include "ledger/core/assert.hpp"
#include "ledger/store/connection.hpp"
#include "ledger/store/pg_text.hpp"

namespace rxl::store {

namespace {

// ---- SQL, in one place ----------------------------------------------------------------------------------

// The affected units of a lot recall use the (gtin, lot) index; those of a withdrawal the (gtin, serial)
// primary key. $1 is the GTIN, $2 the viewer ('' for everyone), $3 the lots (lot recalls only).
constexpr const char* where_lot_recall =
    "gtin = $1 AND lot = ANY($3::text[]) AND ($2 = '' OR custodian_id = $2 OR destination_id = $2)";
constexpr const char* where_withdrawal = "gtin = $1 AND ($2 = '' OR custodian_id = $2 OR destination_id = $2)";

// One scan, every count: each grouping set is one dimension, named by the first column. The value of the
// grouped column is the only non-NULL one of the coalesce (the others are grouped out), '' for none.
constexpr const char* sql_reach =
    "SELECT CASE WHEN GROUPING(status) = 0 THEN 'status' WHEN GROUPING(custodian_id) = 0 THEN 'custodian' "
    "            WHEN GROUPING(location) = 0 THEN 'location' WHEN GROUPING(destination) = 0 THEN 'destination' "
    "            WHEN GROUPING(boxed) = 0 THEN 'boxed' ELSE 'total' END, "
    "       coalesce(status, custodian_id, location, destination, boxed::text, ''), count(*) "
    "FROM (SELECT status, custodian_id, coalesce(location_gln, '') AS location, "
    "             coalesce(destination_id, '') AS destination, parent_sscc IS NOT NULL AS boxed "
    "      FROM units WHERE {}) AS affected "
    "GROUP BY GROUPING SETS ((status), (custodian_id), (location), (destination), (boxed), ())";

// Keyset pagination by serial: a recall names one GTIN, so (gtin, serial) order is serial order.
constexpr const char* sql_recall_units =
    "SELECT gtin, serial, lot, to_char(expiry, 'YYYY-MM-DD'), status, custodian_id, coalesce(location_gln, ''), "
    "       coalesce(destination_id, ''), coalesce(parent_sscc, '') "
    "FROM units WHERE {} AND serial > $4 ORDER BY serial LIMIT $5";
// The same with the parameters numbered for a withdrawal, which has no $3.
constexpr const char* sql_withdrawal_units =
    "SELECT gtin, serial, lot, to_char(expiry, 'YYYY-MM-DD'), status, custodian_id, coalesce(location_gln, ''), "
    "       coalesce(destination_id, ''), coalesce(parent_sscc, '') "
    "FROM units WHERE {} AND serial > $3 ORDER BY serial LIMIT $4";

void add_count(RecallReach& reach, const std::string& dimension, const std::string& value, std::uint64_t count) {
    if (dimension == "total") {
        reach.units = count;
    } else if (dimension == "boxed") {
        if (value == "true") reach.in_containers = count;
    } else if (value.empty()) {
        return;  // no location, not in transit
    } else if (dimension == "status") {
        reach.by_status[value] = count;
    } else if (dimension == "custodian") {
        reach.by_custodian[value] = count;
    } else if (dimension == "location") {
        reach.by_location[value] = count;
    } else {
        RXL_ASSERT_MSG(dimension == "destination", "an unknown reach dimension");
        reach.in_transit_to[value] = count;
    }
}

RecallUnit decode_recall_unit(const pqxx::row& row) {
    return RecallUnit{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                      row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>(),
                      row[6].as<std::string>(), row[7].as<std::string>(), row[8].as<std::string>()};
}

}  // namespace

RecallReach Store::recall_reach(const RecallRow& recall, const std::string& viewer) {
    pqxx::nontransaction work(connection_->pq);
    pqxx::result rows = recall.withdrawal
                            ? work.exec_params(fmt::format(sql_reach, where_withdrawal), recall.gtin, viewer)
                            : work.exec_params(fmt::format(sql_reach, where_lot_recall), recall.gtin, viewer,
                                               text_array(recall.lots));
    RecallReach reach;
    for (const auto& row : rows) {
        add_count(reach, row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::uint64_t>());
    }
    std::uint64_t by_status_total = 0;
    for (const auto& [status, count] : reach.by_status) by_status_total += count;
    // Every unit has one of apply's statuses; one that does not (an empty status) was written by someone else.
    if (by_status_total != reach.units) throw Inconsistent("a recall's reach by status does not add up to its units");
    return reach;
}

std::vector<RecallUnit> Store::recall_units(const RecallRow& recall, const std::string& viewer,
                                            const std::string& after_serial, std::size_t limit) {
    pqxx::nontransaction work(connection_->pq);
    pqxx::result rows =
        recall.withdrawal
            ? work.exec_params(fmt::format(sql_withdrawal_units, where_withdrawal), recall.gtin, viewer, after_serial, limit)
            : work.exec_params(fmt::format(sql_recall_units, where_lot_recall), recall.gtin, viewer,
                               text_array(recall.lots), after_serial, limit);
    std::vector<RecallUnit> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(decode_recall_unit(row));
    return out;
}

}  // namespace rxl::store
