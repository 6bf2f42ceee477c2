// API tokens as people handle them: the token text, its id, its label, and the names that
// `rxledger token revoke` accepts. The node stores and compares only SHA-256 of the token text.
//
//   token  "rxl_" + 64 lower-case hex digits: 32 bytes from OpenSSL's RAND_bytes. The prefix lets people
//          and secret scanners recognise a leaked token; hex keeps it safe in headers, shells and URLs.
//   id     the first 12 hex digits of the token's SHA-256. Safe to print, log and paste: it is derived
//          from the stored hash, not from the token, and cannot be turned back into a token.
//   label  optional, chosen at issue ("scanner-3"); unique among active tokens.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"
#include "ledger/crypto/sha256.hpp"
#include "ledger/store/store.hpp"

namespace rxl::app {

inline constexpr std::string_view api_token_prefix = "rxl_";
inline constexpr std::size_t api_token_random_bytes = 32;
inline constexpr std::size_t api_token_chars = api_token_prefix.size() + 2 * api_token_random_bytes;
inline constexpr std::size_t api_token_id_digits = 12;
inline constexpr std::size_t api_token_label_chars_max = 64;

// A new random token.
std::string make_api_token();
// Whether the text has the token format above. The node looks up only such texts in its database.
bool is_api_token(std::string_view text);
std::string api_token_id(const Hash& token_sha256);

// A label is 1 to 64 printable ASCII characters and must not read as another kind of name (a token, an
// id or a full hash), so that revoking by name is never ambiguous. Error code "bad-token-label".
Status check_token_label(std::string_view label);

// The tokens `name` names, in the order given: the token itself, its id (12 hex digits), its full
// SHA-256 (64 hex digits), or its label (active tokens only, since labels may be reused once revoked).
std::vector<store::ApiToken> tokens_named(const std::vector<store::ApiToken>& tokens, std::string_view name);

}  // namespace rxl::app
