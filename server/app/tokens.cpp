#include "server/app/tokens.hpp"

#include <boost/json.hpp>

#include "ledger/core/bytes.hpp"
#include "ledger/crypto/sha256.hpp"

namespace rxl::app {

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
        std::string hash(object->at("sha256").as_string());
        auto bytes = from_hex(hash);
        if (!bytes || bytes->size() != 32) return bad("sha256 must be 64 hex digits");
        tokens.participant_by_hash_.emplace(to_hex(*bytes), std::string(object->at("participant").as_string()));
    }
    return tokens;
}

Result<std::string> Tokens::authenticate(const http::Request& request) const {
    auto header = request.header("Authorization");
    constexpr std::string_view scheme = "Bearer ";
    if (!header || header->size() <= scheme.size() || header->substr(0, scheme.size()) != scheme) {
        return make_error(ErrorKind::unauthenticated, "missing-token", "send an API token: Authorization: Bearer <token>");
    }
    auto it = participant_by_hash_.find(to_hex(sha256(header->substr(scheme.size()))));
    if (it == participant_by_hash_.end()) {
        return make_error(ErrorKind::unauthenticated, "bad-token", "the API token is not known or was revoked");
    }
    return it->second;
}

}  // namespace rxl::app
