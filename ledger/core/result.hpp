// Result<T>: the value of an operation that can fail in an expected way.
//
// Expected failures (bad input, a rule the ledger enforces, a missing row) are values, not exceptions.
// An Error carries a kind, which decides the HTTP status in exactly one place (server/http/problem.cpp),
// a stable machine-readable code (it becomes the problem+json `type`), a sentence for people, and, where
// the fault sits in a JSON document, a JSON pointer to it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "ledger/core/assert.hpp"

namespace rxl {

enum class ErrorKind {
    invalid_input,           // malformed or invalid request data (400)
    unauthenticated,         // missing or bad credential or signature (401)
    forbidden,               // authenticated, but not allowed (403)
    not_found,               // no such resource, or not visible to the caller (404)
    method_not_allowed,      // the path exists, the method does not (405)
    conflict,                // the request repeats something already on the ledger (409)
    too_large,               // the body or document exceeds a published limit (413)
    unsupported_media_type,  // the body is not of a content type we accept (415)
    rule_violation,          // well-formed, but the ledger's rules reject it (422)
    unavailable,             // the node cannot take writes right now (503)
    internal,                // a bug or an unexpected failure (500)
};

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string code;     // stable slug, e.g. "bad-signature"; never reworded once published
    std::string detail;   // a sentence naming what is wrong
    std::string pointer;  // JSON pointer to the offending field, or empty
};

// The stable spelling of a kind ("rule_violation"), as stored in a rejected entry's detail.
std::string_view to_string(ErrorKind kind);
std::optional<ErrorKind> parse_error_kind(std::string_view text);

inline Error make_error(ErrorKind kind, std::string code, std::string detail, std::string pointer = {}) {
    return Error{kind, std::move(code), std::move(detail), std::move(pointer)};
}

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}       // NOLINT: implicit by design
    Result(Error error) : state_(std::move(error)) {}    // NOLINT: implicit by design

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        RXL_ASSERT(ok());
        return std::get<0>(state_);
    }
    const T& value() const& {
        RXL_ASSERT(ok());
        return std::get<0>(state_);
    }
    T&& value() && {
        RXL_ASSERT(ok());
        return std::get<0>(std::move(state_));
    }
    const Error& error() const {
        RXL_ASSERT(!ok());
        return std::get<1>(state_);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace rxl
