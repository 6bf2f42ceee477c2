#include "server/app/tokens.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "ledger/core/bytes.hpp"
#include "server/app/api_tokens.hpp"

namespace rxl::app {

namespace {

Error unauthenticated(std::string code, std::string detail) {
    return make_error(ErrorKind::unauthenticated, std::move(code), std::move(detail));
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive, RFC 9110
// section 11.1); nullopt without one. Other schemes are not ours and count as no token.
std::optional<std::string_view> bearer_token(const http::Request& request) {
    auto header = request.header("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (!header || header->size() < scheme.size() || !equals_ignoring_case(header->substr(0, scheme.size()), scheme)) {
        return std::nullopt;
    }
    std::string_view token = header->substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return token;
}

}  // namespace

CredentialDirectory ledger_directory(LedgerService& ledger) {
    CredentialDirectory directory;
    directory.find_token = [&ledger](const Hash& token_sha256) -> Result<std::optional<std::string>> {
        // The one adapter for the store's exceptions on this path: a lost database is a 503, not a 500.
        try {
            return ledger.with_store([&](store::Store& store) { return store.api_token_participant(token_sha256); });
        } catch (const std::exception& error) {
            return make_error(ErrorKind::unavailable, "database-unavailable",
                              std::string("the node cannot check API tokens right now: ") + error.what());
        }
    };
    directory.is_participant = [&ledger](std::string_view participant_id) {
        return ledger.registry()->find(participant_id) != nullptr;
    };
    return directory;
}

Result<Tokens> Tokens::parse(std::string_view json_text) {
    boost::system::error_code error;
    auto root = boost::json::parse(json_text, error);
    auto bad = [](std::string detail) { return make_error(ErrorKind::invalid_input, "bad-tokens-file", std::move(detail)); };
    if (error || !root.is_object() || !root.as_object().contains("tokens") || !root.at("tokens").is_array()) {
        return bad("the tokens file must be {\"tokens\": [...]}");
    }
    Tokens tokens;
    for (const auto& item : root.at("tokens").as_array()) {
        const auto* object = item.if_object();
        if (object == nullptr || !object->contains("participant") || !object->contains("sha256") ||
            !object->at("participant").is_string() || !object->at("sha256").is_string()) {
            return bad("each token has a participant and a sha256");
        }
        auto bytes = from_hex(object->at("sha256").as_string());
        auto hash = bytes ? hash_from_bytes(*bytes) : std::nullopt;
        if (!hash) return bad("sha256 must be 64 hex digits");
        tokens.file_participant_by_hash_.emplace(*hash, std::string(object->at("participant").as_string()));
    }
    return tokens;
}

void Tokens::use_directory(CredentialDirectory directory, std::chrono::milliseconds cache_ttl,
                           std::function<TokenCache::Clock::time_point()> now) {
    RXL_ASSERT(directory.find_token && directory.is_participant);
    directory_ = std::move(directory);
    cache_ = std::make_unique<TokenCache>(cache_ttl, limits::api_token_cache_entries_max, std::move(now));
}

Result<std::string> Tokens::authenticate(const http::Request& request) const {
    auto token = bearer_token(request);
    const bool has_certificate = !request.client_certificate_sha256.empty();
    if (!token && !has_certificate) {
        return unauthenticated("missing-token", "send an API token (Authorization: Bearer <token>) or a TLS client "
                                                "certificate from the consortium CA");
    }
    std::optional<std::string> by_token;
    if (token) {
        auto participant = authenticate_token(*token, request.may_block);
        if (!participant) return participant.error();
        by_token = std::move(participant).value();
    }
    if (!has_certificate) return *by_token;
    auto by_certificate = authenticate_certificate(request);
    if (!by_certificate || !by_token) return by_certificate;
    if (*by_certificate != *by_token) {
        return unauthenticated("credentials-disagree", "the API token belongs to " + *by_token +
                                                           " but the client certificate names " + *by_certificate);
    }
    return by_certificate;
}

Result<std::string> Tokens::authenticate_token(std::string_view token, bool may_block) const {
    const Hash hash = sha256(token);
    if (auto found = file_participant_by_hash_.find(hash); found != file_participant_by_hash_.end()) return found->second;
    if (cache_ && is_api_token(token)) {
        // The cache is the one mutable part of an otherwise fixed object; it locks itself.
        // On an I/O thread (may_block false) only a remembered answer will do; "would-block" is not remembered.
        static const TokenCache::Lookup would_block = [](const Hash&) -> Result<std::optional<std::string>> {
            return make_error(ErrorKind::unavailable, "would-block", "the token's answer is not remembered");
        };
        auto participant = cache_->get(hash, may_block ? directory_.find_token : would_block);
        if (!participant) return participant.error();
        if (*participant) return std::move(**participant);
    }
    return unauthenticated("bad-token", "the API token is not known or was revoked");
}

Result<std::string> Tokens::authenticate_certificate(const http::Request& request) const {
    const std::string& name = request.client_certificate_common_name;
    if (name.empty()) {
        return unauthenticated("certificate-not-participant",
                               "the client certificate's subject has no single common name (CN) to name a participant");
    }
    if (!directory_.is_participant || !directory_.is_participant(name)) {
        return unauthenticated("certificate-not-participant",
                               "the client certificate's common name (CN) '" + name + "' is not a participant of this consortium");
    }
    return name;
}

}  // namespace rxl::app
