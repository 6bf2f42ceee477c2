// `rxledger token issue|revoke|list --database CONNINFO`: the read tokens of one node, kept in that node's
// own database (schemas/sql/004_tokens.sql), never on the ledger. The node accepts a new token at once
// and refuses a revoked one within its token_cache_ms (5 s by default; server/app/token_cache.hpp).
//
// Exit status: 0 done; 1 refused (unknown participant, label in use, no such token, an ambiguous name);
// 2 bad usage or the database failed.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <iterator>

#include "ledger/core/time.hpp"
#include "ledger/store/store.hpp"
#include "server/app/api_tokens.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/options.hpp"

namespace rxl::cli {

namespace {

constexpr const char* token_usage =
    R"(usage: rxledger token issue  --database CONNINFO --participant ID [--label TEXT]
       rxledger token revoke --database CONNINFO TOKEN_ID|LABEL|TOKEN
       rxledger token list   --database CONNINFO
)";

int usage() {
    std::cerr << token_usage;
    return 2;
}

int refuse(const std::string& message) {
    std::cerr << "rxledger: " << message << "\n";
    return 1;
}

// How people see a token: its id, whose it is, its label.
std::string describe(const store::ApiToken& token) {
    return fmt::format("{} ({}{})", app::api_token_id(token.sha256), token.participant,
                       token.label.empty() ? "" : ", label " + token.label);
}

int issue(store::Store& store, const Options& options) {
    if (!options.has("participant") || !options.positional.empty()) return usage();
    const std::string participant = options.get("participant");
    const std::string label = options.get("label");
    if (options.has("label")) {
        if (auto checked = app::check_token_label(label); !checked) return refuse(checked.error().detail);
    }
    Registry registry = store.load_registry();
    if (registry.participants().empty()) {
        return refuse("this database holds no ledger yet: start rxledgerd on it once, which records the genesis");
    }
    if (registry.find(participant) == nullptr) {
        std::string known;
        for (const auto& member : registry.participants()) known += (known.empty() ? "" : ", ") + member.id;
        return refuse(fmt::format("'{}' is not a participant in this node's registry (participants: {})", participant, known));
    }
    const std::string token = app::make_api_token();
    store::ApiToken row;
    row.sha256 = sha256(token);
    row.participant = participant;
    row.label = label;
    if (auto inserted = store.insert_api_token(row); !inserted) return refuse(inserted.error().detail);
    // The token alone on standard output, so that scripts can capture it; the rest is for people.
    std::cout << token << "\n";
    std::cerr << "issued token " << describe(row) << ". This is the only time it is shown: the node keeps only its SHA-256.\n";
    return 0;
}

int revoke(store::Store& store, const Options& options) {
    if (options.positional.size() != 1 || options.has("participant") || options.has("label")) return usage();
    const std::string& name = options.positional[0];
    // A token given on the command line is a secret: never repeat it in a message.
    const std::string shown = name.starts_with(app::api_token_prefix) ? "the given token" : "'" + name + "'";
    auto named = app::tokens_named(store.api_tokens(), name);
    std::vector<store::ApiToken> active;
    std::copy_if(named.begin(), named.end(), std::back_inserter(active), [](const auto& token) { return !token.revoked_at_ms; });
    if (active.empty() && named.empty()) {
        return refuse("nothing to revoke: no active token has the id, label or hash " + shown + " (see rxledger token list)");
    }
    if (active.empty()) {
        return refuse(fmt::format("token {} was revoked already, at {}", describe(named[0]), iso8601_utc(*named[0].revoked_at_ms)));
    }
    if (active.size() > 1) {
        std::string ids;
        for (const auto& token : active) ids += " " + app::api_token_id(token.sha256);
        return refuse(fmt::format("{} names {} active tokens:{}; name the token itself to revoke one", shown, active.size(), ids));
    }
    if (!store.revoke_api_token(active[0].sha256)) return refuse("token " + describe(active[0]) + " was revoked meanwhile");
    std::cout << "revoked token " << describe(active[0])
              << "; nodes refuse it within their token_cache_ms (5 s by default)\n";
    return 0;
}

int list(store::Store& store, const Options& options) {
    if (!options.positional.empty()) return usage();
    const auto tokens = store.api_tokens();
    std::cout << fmt::format("{:<12}  {:<20}  {:<20}  {:<24}  {}\n", "id", "participant", "label", "issued", "revoked");
    for (const auto& token : tokens) {
        std::cout << fmt::format("{:<12}  {:<20}  {:<20}  {:<24}  {}\n", app::api_token_id(token.sha256), token.participant,
                                 token.label.empty() ? "-" : token.label, iso8601_utc(token.issued_at_ms),
                                 token.revoked_at_ms ? iso8601_utc(*token.revoked_at_ms) : "-");
    }
    return 0;
}

}  // namespace

int token(const Arguments& arguments) {
    if (arguments.empty()) return usage();
    const std::string& action = arguments[0];
    Options options = parse_options(Arguments(arguments.begin() + 1, arguments.end()));
    if (!options.error.empty() || !options.has("database")) return usage();
    if (action != "issue" && action != "revoke" && action != "list") return usage();
    auto store = store::Store::connect(options.get("database"));
    if (!store) {
        std::cerr << "rxledger: " << store.error().detail << "\n";
        return 2;
    }
    try {
        // The token table may be newer than the node that last started on this database.
        if (auto migrated = (*store)->migrate(); !migrated) {
            std::cerr << "rxledger: " << migrated.error().detail << "\n";
            return 2;
        }
        if (action == "issue") return issue(**store, options);
        if (action == "revoke") return revoke(**store, options);
        return list(**store, options);
    } catch (const std::exception& error) {
        std::cerr << "rxledger: the database failed: " << error.what() << "\n";
        return 2;
    }
}

}  // namespace rxl::cli
