// Read tokens this node issued (schemas/sql/004_tokens.sql): node-local rows, never ledger state.
// Only the SHA-256 of a token is ever written or compared.
#include <pqxx/pqxx>

#include "ledger/core/bytes.hpp"
#include "ledger/store/connection.hpp"

namespace rxl::store {

namespace {

// The hash is the key: a second token with the same hash (a 2^-256 event, or the same token issued
// twice) is reported rather than overwritten. A clash on the label index raises unique_violation.
constexpr const char* sql_insert_token =
    "INSERT INTO api_tokens (sha256, participant, label) VALUES (decode($1, 'hex'), $2, $3) "
    "ON CONFLICT (sha256) DO NOTHING";

constexpr const char* sql_revoke_token =
    "UPDATE api_tokens SET revoked_at = greatest(now(), issued_at) WHERE sha256 = decode($1, 'hex') AND revoked_at IS NULL";

constexpr const char* sql_select_tokens =
    "SELECT encode(sha256, 'hex'), participant, label, (extract(epoch FROM issued_at) * 1000)::bigint, "
    "(extract(epoch FROM revoked_at) * 1000)::bigint FROM api_tokens ORDER BY issued_at, sha256";

// The read path's query (on a cache miss): one primary-key probe.
constexpr const char* sql_token_participant =
    "SELECT participant FROM api_tokens WHERE sha256 = decode($1, 'hex') AND revoked_at IS NULL";

}  // namespace

Status Store::insert_api_token(const ApiToken& token) {
    RXL_ASSERT(!token.participant.empty());
    pqxx::work work(connection_->pq);
    try {
        auto result = work.exec_params(sql_insert_token, to_hex(token.sha256), token.participant, token.label);
        if (result.affected_rows() == 0) {
            return make_error(ErrorKind::conflict, "token-exists", "a token with this SHA-256 is stored already");
        }
        work.commit();
    } catch (const pqxx::unique_violation&) {
        return make_error(ErrorKind::conflict, "token-label-taken",
                          "an active token already has the label '" + token.label + "': choose another, or revoke that one");
    }
    return ok_status();
}

bool Store::revoke_api_token(const Hash& sha256) {
    pqxx::work work(connection_->pq);
    auto result = work.exec_params(sql_revoke_token, to_hex(sha256));
    work.commit();
    RXL_ASSERT_MSG(result.affected_rows() <= 1, "api_tokens.sha256 is the primary key");
    return result.affected_rows() == 1;
}

std::vector<ApiToken> Store::api_tokens() {
    pqxx::nontransaction work(connection_->pq);
    std::vector<ApiToken> out;
    for (const auto& row : work.exec(sql_select_tokens)) {
        ApiToken token;
        token.sha256 = hash_from_hex(row[0]);
        token.participant = row[1].as<std::string>();
        token.label = row[2].as<std::string>();
        token.issued_at_ms = row[3].as<std::int64_t>();
        if (!row[4].is_null()) token.revoked_at_ms = row[4].as<std::int64_t>();
        out.push_back(std::move(token));
    }
    return out;
}

std::optional<std::string> Store::api_token_participant(const Hash& sha256) {
    pqxx::nontransaction work(connection_->pq);
    auto rows = work.exec_params(sql_token_participant, to_hex(sha256));
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::string>();
}

}  // namespace rxl::store
