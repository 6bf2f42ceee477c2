// The node's verification log, written in batches (ledger/service/verification_log.hpp).
#include <pqxx/pqxx>

#include "ledger/store/connection.hpp"

namespace rxl::store {

void Store::write_verifications(const std::vector<VerificationRecord>& records) {
    if (records.empty()) return;
    // COPY rather than INSERT … unnest(arrays): a busy node logs tens of thousands of verifications a
    // second, and COPY costs PostgreSQL about half as much per row.
    static const std::vector<std::string> columns = {"at_ms", "participant", "location", "channel", "input",
                                                     "gtin", "serial", "lot", "expiry", "code", "genuine",
                                                     "dispensable", "ledger_size"};
    pqxx::work work(connection_->pq);
    pqxx::stream_to stream(work, "verifications", columns);
    for (const auto& record : records) {
        stream << std::make_tuple(record.at_ms, record.participant, record.location, record.channel, record.input,
                                  record.gtin, record.serial, record.lot, record.expiry, record.code, record.genuine,
                                  record.dispensable, record.ledger_size);
    }
    stream.complete();
    work.commit();
}

}  // namespace rxl::store
