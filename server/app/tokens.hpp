// Read tokens: bearer API tokens issued to participants. Only their SHA-256 is stored; a request's token
// is hashed and looked up. (Issuing and revoking through the CLI comes with the read API.)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/core/result.hpp"
#include "server/http/message.hpp"

namespace rxl::app {

class Tokens {
public:
    // {"tokens":[{"participant":"acme","sha256":"<64 hex>"}]}
    static Result<Tokens> parse(std::string_view json_text);

    // The participant a request's `Authorization: Bearer …` header names; an unauthenticated error
    // (missing-token / bad-token) otherwise.
    Result<std::string> authenticate(const http::Request& request) const;

private:
    std::map<std::string, std::string, std::less<>> participant_by_hash_;
};

}  // namespace rxl::app
