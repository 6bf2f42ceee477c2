// The node's verification log, written in batches (ledger/service/verification_log.hpp).
#include <pqxx/pqxx>

#include "ledger/store/connection.hpp"
#include "ledger/store/pg_text.hpp"

namespace rxl::store {

void Store::write_verifications(const std::vector<VerificationRecord>& records) {
    if (records.empty()) return;
    std::vector<std::string> columns[13];
    for (const auto& record : records) {
        const std::string values[13] = {std::to_string(record.at_ms), record.participant, record.location, record.channel,
                                        record.input, record.gtin, record.serial, record.lot, record.expiry, record.code,
                                        record.genuine ? "t" : "f", record.dispensable ? "t" : "f",
                                        std::to_string(record.ledger_size)};
        for (std::size_t i = 0; i < 13; ++i) columns[i].push_back(values[i]);
    }
    pqxx::work work(connection_->pq);
    work.exec_params(
        "INSERT INTO verifications (at_ms, participant, location, channel, input, gtin, serial, lot, expiry, code, "
        "genuine, dispensable, ledger_size) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
        "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::boolean[], "
        "$13::bigint[])",
        text_array(columns[0]), text_array(columns[1]), text_array(columns[2]), text_array(columns[3]),
        text_array(columns[4]), text_array(columns[5]), text_array(columns[6]), text_array(columns[7]),
        text_array(columns[8]), text_array(columns[9]), text_array(columns[10]), text_array(columns[11]),
        text_array(columns[12]));
    work.commit();
}

}  // namespace rxl::store
