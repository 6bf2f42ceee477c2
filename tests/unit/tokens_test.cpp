// server/app: read authentication (Tokens), its token cache and the API token format, without a
// database or a network: the directory and the clock are in-memory twins.
#include <doctest/doctest.h>

#include <cctype>
#include <map>
#include <set>

#include "ledger/core/bytes.hpp"
#include "server/app/api_tokens.hpp"
#include "server/app/token_cache.hpp"
#include "server/app/tokens.hpp"

using namespace rxl;
using namespace std::chrono_literals;
using Clock = app::TokenCache::Clock;

namespace {

// A directory over maps, counting the database look-ups it answers.
struct FakeDirectory {
    std::map<Hash, std::string> active_tokens;
    std::set<std::string, std::less<>> participants{"acme-pharma", "corner-pharmacy"};
    bool database_down = false;
    int lookups = 0;

    app::CredentialDirectory directory() {
        return {[this](const Hash& hash) -> Result<std::optional<std::string>> {
                    ++lookups;
                    if (database_down) return make_error(ErrorKind::unavailable, "database-unavailable", "down");
                    auto found = active_tokens.find(hash);
                    if (found == active_tokens.end()) return std::optional<std::string>();
                    return std::optional<std::string>(found->second);
                },
                [this](std::string_view id) { return participants.contains(id); }};
    }
};

struct FakeClock {
    Clock::time_point now{};
    std::function<Clock::time_point()> function() {
        return [this] { return now; };
    }
};

http::Request request(std::string authorization = {}, std::string certificate_cn = {}, bool has_certificate = false) {
    http::Request out;
    out.method = "GET";
    if (!authorization.empty()) out.headers.push_back({"Authorization", std::move(authorization)});
    if (has_certificate || !certificate_cn.empty()) {
        out.client_certificate_sha256 = std::string(64, 'a');
        out.client_certificate_common_name = std::move(certificate_cn);
    }
    return out;
}

std::string code_of(const Result<std::string>& result) { return result ? std::string("ok:") + *result : result.error().code; }

}  // namespace

TEST_CASE("API tokens have one format, an id from their hash, and labels that cannot pass for either") {
    const std::string token = app::make_api_token();
    CHECK(token.size() == 68);
    CHECK(token.starts_with("rxl_"));
    CHECK(app::is_api_token(token));
    CHECK(app::make_api_token() != token);
    CHECK_FALSE(app::is_api_token("rxl_" + std::string(63, 'a')));
    CHECK_FALSE(app::is_api_token("rxl_" + std::string(64, 'A')));
    CHECK_FALSE(app::is_api_token("rxl_dev_" + std::string(60, 'a')));
    CHECK(app::api_token_id(sha256(token)) == to_hex(sha256(token)).substr(0, 12));

    CHECK(app::check_token_label("scanner-3").ok());
    CHECK(app::check_token_label("front desk").ok());
    CHECK(app::check_token_label("").error().code == "bad-token-label");
    CHECK(app::check_token_label(std::string(65, 'x')).error().code == "bad-token-label");
    CHECK(app::check_token_label("tab\there").error().code == "bad-token-label");
    CHECK(app::check_token_label("rxl_mine").error().code == "bad-token-label");
    CHECK(app::check_token_label("0123456789ab").error().code == "bad-token-label");  // reads as an id
    CHECK(app::check_token_label("0123456789abc").ok());
}

TEST_CASE("revoke names a token by the token, its id, its hash, or the label of an active token") {
    const std::string first = app::make_api_token();
    const std::string second = app::make_api_token();
    std::vector<store::ApiToken> tokens = {{sha256(first), "acme-pharma", "scanner", 1, 5},
                                           {sha256(second), "acme-pharma", "scanner", 6, std::nullopt}};
    auto named = [&](std::string_view name) {
        std::vector<std::string> ids;
        for (const auto& token : app::tokens_named(tokens, name)) ids.push_back(app::api_token_id(token.sha256));
        return ids;
    };
    const std::string first_id = app::api_token_id(sha256(first));
    const std::string second_id = app::api_token_id(sha256(second));
    CHECK(named(first) == std::vector{first_id});
    CHECK(named(first_id) == std::vector{first_id});
    CHECK(named(to_hex(sha256(second))) == std::vector{second_id});
    std::string upper = second_id;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(named(upper) == std::vector{second_id});
    CHECK(named("scanner") == std::vector{second_id});  // the revoked token's label is free again
    CHECK(named("nobody").empty());
    CHECK(named(app::make_api_token()).empty());
}

TEST_CASE("file tokens authenticate, and a missing or unknown one is refused with its code") {
    const std::string token = "rxl_dev_" + std::string(64, '1');
    auto tokens = app::Tokens::parse(R"({"tokens":[{"participant":"acme-pharma","sha256":")" + to_hex(sha256(token)) + R"("}]})");
    REQUIRE(tokens.ok());
    CHECK(code_of(tokens->authenticate(request("Bearer " + token))) == "ok:acme-pharma");
    CHECK(code_of(tokens->authenticate(request("bearer  " + token + " "))) == "ok:acme-pharma");
    CHECK(code_of(tokens->authenticate(request())) == "missing-token");
    CHECK(code_of(tokens->authenticate(request("Basic YWxhZGRpbjpvcGVuc2VzYW1l"))) == "missing-token");
    CHECK(code_of(tokens->authenticate(request("Bearer " + token + "x"))) == "bad-token");
    CHECK(code_of(tokens->authenticate(request("Bearer "))) == "bad-token");
    CHECK(app::Tokens::parse(R"({"tokens":[{"participant":"a","sha256":"abc"}]})").error().code == "bad-tokens-file");
}

TEST_CASE("database tokens are remembered for the cache time, so a revocation lands within it") {
    FakeDirectory directory;
    FakeClock clock;
    const std::string token = app::make_api_token();
    directory.active_tokens[sha256(token)] = "corner-pharmacy";
    app::Tokens tokens;
    tokens.use_directory(directory.directory(), 5000ms, clock.function());

    CHECK(code_of(tokens.authenticate(request("Bearer " + token))) == "ok:corner-pharmacy");
    CHECK(code_of(tokens.authenticate(request("Bearer " + token))) == "ok:corner-pharmacy");
    CHECK(directory.lookups == 1);

    directory.active_tokens.clear();  // revoked
    clock.now += 4999ms;
    CHECK(code_of(tokens.authenticate(request("Bearer " + token))) == "ok:corner-pharmacy");
    clock.now += 1ms;
    CHECK(code_of(tokens.authenticate(request("Bearer " + token))) == "bad-token");
    CHECK(directory.lookups == 2);
    // The refusal is remembered too: a client repeating a bad token costs one query per cache time.
    CHECK(code_of(tokens.authenticate(request("Bearer " + token))) == "bad-token");
    CHECK(directory.lookups == 2);

    // Texts that are not in the issued format never reach the database.
    CHECK(code_of(tokens.authenticate(request("Bearer not-a-token"))) == "bad-token");
    CHECK(directory.lookups == 2);
}

TEST_CASE("a database failure is a 503, and is not remembered") {
    FakeDirectory directory;
    FakeClock clock;
    const std::string token = app::make_api_token();
    directory.active_tokens[sha256(token)] = "acme-pharma";
    directory.database_down = true;
    app::Tokens tokens;
    tokens.use_directory(directory.directory(), 5000ms, clock.function());
    auto refused = tokens.authenticate(request("Bearer " + token));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::unavailable);
    directory.database_down = false;
    CHECK(code_of(tokens.authenticate(request("Bearer " + token))) == "ok:acme-pharma");
    CHECK(directory.lookups == 2);
}

TEST_CASE("a zero cache time asks the database every time") {
    FakeDirectory directory;
    const std::string token = app::make_api_token();
    directory.active_tokens[sha256(token)] = "acme-pharma";
    app::Tokens tokens;
    tokens.use_directory(directory.directory(), 0ms);
    for (int i = 0; i < 3; ++i) CHECK(code_of(tokens.authenticate(request("Bearer " + token))) == "ok:acme-pharma");
    CHECK(directory.lookups == 3);
}

TEST_CASE("the token cache holds at most its limit, dropping expired answers first") {
    FakeClock clock;
    app::TokenCache cache(1000ms, 2, clock.function());
    int lookups = 0;
    auto lookup = [&](const Hash&) -> Result<std::optional<std::string>> {
        ++lookups;
        return std::optional<std::string>("acme-pharma");
    };
    REQUIRE(cache.get(sha256("a"), lookup).ok());
    clock.now += 500ms;
    REQUIRE(cache.get(sha256("b"), lookup).ok());
    clock.now += 500ms;  // "a" has expired, "b" has not
    REQUIRE(cache.get(sha256("c"), lookup).ok());
    CHECK(cache.size() == 2);
    REQUIRE(cache.get(sha256("b"), lookup).ok());
    CHECK(lookups == 3);  // "b" was kept
    // Full of live answers: everything goes, and the cache stays within its limit.
    REQUIRE(cache.get(sha256("d"), lookup).ok());
    CHECK(cache.size() == 1);
}

TEST_CASE("a client certificate authenticates by a CN that is a participant, and with a token both must agree") {
    FakeDirectory directory;
    const std::string token = app::make_api_token();
    directory.active_tokens[sha256(token)] = "corner-pharmacy";
    app::Tokens tokens;
    tokens.use_directory(directory.directory(), 5000ms);

    CHECK(code_of(tokens.authenticate(request({}, "corner-pharmacy"))) == "ok:corner-pharmacy");
    CHECK(code_of(tokens.authenticate(request({}, "mallory"))) == "certificate-not-participant");
    CHECK(code_of(tokens.authenticate(request({}, {}, true))) == "certificate-not-participant");
    CHECK(code_of(tokens.authenticate(request("Bearer " + token, "corner-pharmacy"))) == "ok:corner-pharmacy");
    CHECK(code_of(tokens.authenticate(request("Bearer " + token, "acme-pharma"))) == "credentials-disagree");
    CHECK(code_of(tokens.authenticate(request("Bearer " + app::make_api_token(), "corner-pharmacy"))) == "bad-token");
    CHECK(code_of(tokens.authenticate(request("Bearer " + token, "mallory"))) == "certificate-not-participant");

    // Without a directory no certificate names a participant.
    app::Tokens bare;
    CHECK(code_of(bare.authenticate(request({}, "corner-pharmacy"))) == "certificate-not-participant");
}
