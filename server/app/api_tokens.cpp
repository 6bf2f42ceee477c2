#include "server/app/api_tokens.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <iterator>

#include "ledger/core/bytes.hpp"

namespace rxl::app {

namespace {

bool is_lower_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return out;
}

}  // namespace

std::string make_api_token() {
    std::array<unsigned char, api_token_random_bytes> bytes{};
    RXL_ASSERT_MSG(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1, "OpenSSL's random generator failed");
    return std::string(api_token_prefix) + to_hex(bytes);
}

bool is_api_token(std::string_view text) {
    return text.size() == api_token_chars && text.starts_with(api_token_prefix) &&
           is_lower_hex(text.substr(api_token_prefix.size()));
}

std::string api_token_id(const Hash& token_sha256) { return to_hex(token_sha256).substr(0, api_token_id_digits); }

Status check_token_label(std::string_view label) {
    auto bad = [](std::string detail) { return make_error(ErrorKind::invalid_input, "bad-token-label", std::move(detail)); };
    if (label.empty() || label.size() > api_token_label_chars_max) {
        return bad("a token label has 1 to 64 characters");
    }
    if (!std::all_of(label.begin(), label.end(), [](char c) { return c >= 0x20 && c <= 0x7e; })) {
        return bad("a token label is printable ASCII");
    }
    if (label.starts_with(api_token_prefix) || ((label.size() == api_token_id_digits || label.size() == 64) && is_hex(label))) {
        return bad("a token label must not look like a token, a token id or a SHA-256, which revoke reads as such");
    }
    return ok_status();
}

std::vector<store::ApiToken> tokens_named(const std::vector<store::ApiToken>& tokens, std::string_view name) {
    std::vector<store::ApiToken> out;
    auto pick = [&](auto&& matches) {
        std::copy_if(tokens.begin(), tokens.end(), std::back_inserter(out), matches);
    };
    if (name.starts_with(api_token_prefix)) {
        const Hash hash = sha256(name);
        pick([&](const store::ApiToken& token) { return token.sha256 == hash; });
    } else if (name.size() == 64 && is_hex(name)) {
        pick([hex = lower(name)](const store::ApiToken& token) { return to_hex(token.sha256) == hex; });
    } else if (name.size() == api_token_id_digits && is_hex(name)) {
        pick([id = lower(name)](const store::ApiToken& token) { return api_token_id(token.sha256) == id; });
    } else {
        pick([&](const store::ApiToken& token) { return !token.revoked_at_ms && !token.label.empty() && token.label == name; });
    }
    return out;
}

}  // namespace rxl::app
