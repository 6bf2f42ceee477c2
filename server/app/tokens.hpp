// Tokens: who a read request comes from. A reader proves it is a participant with a bearer API token
// (`Authorization: Bearer <token>`), with a TLS client certificate issued by the consortium CA, or both.
//
// Bearer tokens are found, by their SHA-256 only, in
//   - the tokens file (`tokens` option; the development consortium's), loaded once at start; and
//   - the node's database (`rxledger token issue` / `revoke`), through a TokenCache: a revocation takes
//     effect within the cache's ttl (`token_cache_ms`, default limits::api_token_cache_ms = 5 s).
// Only texts in the issued format ("rxl_" + 64 hex digits, server/app/api_tokens.hpp) are looked up in the
// database, so garbage never costs a query.
//
// A client certificate reaches here only after the TLS listener verified it against `tls_client_ca`
// (http::Request::client_certificate_*). Its subject CN must be the id of a registered participant.
//
// The rule when a request carries both: each credential must be valid on its own, and they must name the
// same participant. A bad token is never rescued by a good certificate, nor the other way round, so a
// revoked token or a stray certificate is noticed rather than silently ignored.
//
// Errors (all unauthenticated → 401): "missing-token" (neither credential), "bad-token" (unknown, revoked
// or malformed token), "certificate-not-participant" (the certificate's CN is missing or not a
// participant), "credentials-disagree" (token and certificate name different participants). A database
// failure during a token lookup is "database-unavailable" (503).
//
// authenticate() is thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/core/result.hpp"
#include "ledger/crypto/sha256.hpp"
#include "ledger/service/ledger_service.hpp"
#include "server/app/token_cache.hpp"
#include "server/http/message.hpp"

namespace rxl::app {

// Where credentials are checked beyond the tokens file. Called from worker threads, concurrently.
struct CredentialDirectory {
    // The participant of the active database token with this hash; nullopt when none (unknown or revoked).
    TokenCache::Lookup find_token;
    // Whether the id is a participant registered on the ledger now.
    std::function<bool(std::string_view participant_id)> is_participant;
};

// The directory of a node: tokens from its own database, participants from its registry.
CredentialDirectory ledger_directory(LedgerService& ledger);

class Tokens {
public:
    // No tokens file and no directory: every request is unauthenticated.
    Tokens() = default;
    // A tokens file: {"tokens":[{"participant":"acme","sha256":"<64 hex>"}]}. Error "bad-tokens-file".
    static Result<Tokens> parse(std::string_view json_text);

    // Also accepts database tokens and client certificates, checked through `directory`; database answers
    // are remembered for `cache_ttl` (zero: not at all).
    void use_directory(CredentialDirectory directory, std::chrono::milliseconds cache_ttl,
                       std::function<TokenCache::Clock::time_point()> now = TokenCache::Clock::now);

    // The participant the request's credentials name, or the error above. With request.may_block false
    // (an I/O thread), a token the cache does not remember is error "would-block" instead of a query.
    Result<std::string> authenticate(const http::Request& request) const;

private:
    Result<std::string> authenticate_token(std::string_view token, bool may_block) const;
    Result<std::string> authenticate_certificate(const http::Request& request) const;

    std::map<Hash, std::string> file_participant_by_hash_;
    CredentialDirectory directory_;
    std::unique_ptr<TokenCache> cache_;  // set with the directory
};

}  // namespace rxl::app
