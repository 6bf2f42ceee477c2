// What verification reads about a scanned pack: the unit, its GTIN's lots, and recalls (verify/verify.hpp
// turns these facts into an answer).
#include <pqxx/pqxx>

#include "ledger/store/connection.hpp"

namespace rxl::store {

namespace {

// One round trip for the product-level facts: the GTIN's manufacturer and whether the scanned lot ($3)
// exists (from the lots apply records), and the recall of the lot that decides ($2) and the withdrawal of
// the GTIN, if any.
constexpr const char* sql_product_facts =
    "SELECT l.owner, l.lot_known, rl.recall_seq, rc.recall_class, rc.ordered_at_ms, "
    "       wg.recall_seq, wc.recall_class, wc.ordered_at_ms "
    "FROM (SELECT (SELECT owner_id FROM lots WHERE gtin = $1 LIMIT 1) AS owner, "
    "             EXISTS (SELECT 1 FROM lots WHERE gtin = $1 AND lot = $3) AS lot_known) l "
    "LEFT JOIN recalled_lots rl ON rl.gtin = $1 AND rl.lot = $2 "
    "LEFT JOIN recalls rc ON rc.seq = rl.recall_seq "
    "LEFT JOIN withdrawn_gtins wg ON wg.gtin = $1 "
    "LEFT JOIN recalls wc ON wc.seq = wg.recall_seq";

std::optional<RecallFact> recall_fact(const pqxx::row& row, int first) {
    if (row[first].is_null()) return std::nullopt;
    return RecallFact{row[first].as<std::uint64_t>(), row[first + 1].as<std::string>(), row[first + 2].as<std::int64_t>()};
}

}  // namespace

std::shared_ptr<VerifyIndex> Store::verify_index() const { return connection_->verify_index; }

ProductFacts Store::product_facts(const std::string& gtin, const std::string& serial, const std::string& scanned_lot) {
    // From memory once the node's verify index is loaded; the first verification starts loading it.
    if (auto known = connection_->verify_index->product_facts(gtin, serial, scanned_lot)) return std::move(known).value();
    connection_->verify_index->start_loading();
    ProductFacts facts;
    facts.unit = unit(UnitKey{gtin, serial});
    // A recall concerns the lot the ledger knows for the unit; without a unit, the lot on the pack.
    const std::string& lot = facts.unit ? facts.unit->lot : scanned_lot;
    pqxx::nontransaction work(connection_->pq);
    auto row = work.exec_params1(sql_product_facts, gtin, lot, scanned_lot);
    facts.gtin_known = !row[0].is_null();
    if (facts.gtin_known) facts.manufacturer = row[0].as<std::string>();
    facts.lot_known = row[1].as<bool>();
    facts.lot_recall = recall_fact(row, 2);
    facts.withdrawal = recall_fact(row, 5);
    return facts;
}

}  // namespace rxl::store
