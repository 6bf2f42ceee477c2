// DatabaseError: the one exception a failing database raises above ledger/store.
//
// The store (ledger/store, the only code that sees libpqxx) turns every libpqxx failure into one of
// these, so that the layers above can tell a database that is gone (retry, answer 503) from one that
// refuses what it was given (record the entry as unstorable) without knowing libpqxx.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace rxl {

enum class DatabaseFailure {
    connection,  // the connection is lost or the server is shutting down (SQLSTATE 08…, 57P0x) or a
                 // commit's outcome is unknown: reconnect, then read what was committed
    data,        // PostgreSQL refused the values (SQLSTATE class 22 data exception, 23 integrity
                 // constraint, 54 program limit such as an index row too large)
    other,       // anything else (a bug in a statement, a full disk, a lock timeout)
};

class DatabaseError : public std::runtime_error {
public:
    DatabaseError(DatabaseFailure failure, std::string sqlstate, const std::string& what)
        : std::runtime_error(what), failure_(failure), sqlstate_(std::move(sqlstate)) {}
    DatabaseFailure failure() const { return failure_; }
    const std::string& sqlstate() const { return sqlstate_; }  // empty when PostgreSQL gave none

private:
    DatabaseFailure failure_;
    std::string sqlstate_;
};

}  // namespace rxl
