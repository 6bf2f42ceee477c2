// Private to ledger/store: the libpqxx connection behind a Store, and helpers the store's source files
// share. Nothing outside ledger/store includes this header.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "ledger/store/store.hpp"
#include "ledger/store/verify_index.hpp"

namespace rxl::store {

struct Store::Connection {
    explicit Connection(const std::string& connection_string)
        : conninfo(connection_string), pq(connection_string), verify_index(VerifyIndex::for_database(connection_string)) {}
    std::string conninfo;  // to reconnect with
    pqxx::connection pq;
    // What verification reads, in memory, shared by every Store of this database (verify_index.hpp).
    std::shared_ptr<VerifyIndex> verify_index;
};

// A stored bytea read as hex (encode(x, 'hex')); hash_from_hex asserts 32 bytes.
Bytes bytes_from_hex(const pqxx::field& field);
Hash hash_from_hex(const pqxx::field& field);

// A bigint read without trusting it: a tampered negative or NULL value becomes a number no entry has.
std::uint64_t stored_number(const pqxx::field& field);
// An entries row as every reader selects it: seq, ordered_at_ms, hex submission_id, kind, submitter,
// key_id, hex body, hex signature, outcome, detail, hex leaf_hash.
EntryRecord decode_entry_row(const pqxx::row& row);

// Inserts a signed checkpoint within the caller's transaction (checkpoints.cpp).
void insert_checkpoint(pqxx::work& work, const StoredCheckpoint& checkpoint);

}  // namespace rxl::store
