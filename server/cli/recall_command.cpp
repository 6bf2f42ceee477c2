// rxledger recall: sign and post a recall or withdrawal. rxledger reach: print a recall's reach.
//
//   rxledger recall --node URL --key FILE --gtin G [--lot L ...] --class I|II|III --reason TEXT [--ca F]
//   rxledger reach ID --node URL --token TOKEN [--ca F]
//
// `recall` without --lot withdraws the whole GTIN. Both print the node's answer; they exit 0 when the node
// accepted (recall: 200/201) or answered (reach: 200), 1 otherwise.
#include <boost/json.hpp>
#include <fmt/format.h>

#include <iostream>

#include "server/cli/commands.hpp"
#include "server/cli/options.hpp"

namespace rxl::cli {

namespace json = boost::json;

namespace {

int fail(const std::string& message) {
    std::cerr << "rxledger: " << message << "\n";
    return 1;
}

// Every value of a repeatable option (parse_options keeps only the last).
std::vector<std::string> all_values(const Arguments& arguments, const std::string& flag) {
    std::vector<std::string> values;
    for (std::size_t i = 0; i + 1 < arguments.size(); ++i) {
        if (arguments[i] == flag) values.push_back(arguments[++i]);
    }
    return values;
}

void print_counts(const json::object& reach, std::string_view member, std::string_view title) {
    const json::value* counts = reach.if_contains(member);
    if (counts == nullptr || !counts->is_object() || counts->as_object().empty()) return;
    std::cout << title << ":\n";
    for (const auto& [name, count] : counts->as_object()) {
        std::cout << fmt::format("  {:<24} {:>10}\n", std::string_view(name), count.to_number<std::uint64_t>());
    }
}

}  // namespace

int recall(const Arguments& arguments) {
    constexpr const char* usage = "usage: rxledger recall --node URL --key FILE --gtin G [--lot L ...] --class I|II|III --reason TEXT [--ca F]";
    Options options = parse_options(arguments);
    if (!options.error.empty() || !options.positional.empty() || !options.has("key") || !options.has("gtin") ||
        !options.has("class") || !options.has("reason")) {
        return fail(usage);
    }
    auto key = read_key_file(options.get("key"));
    if (!key) return fail(key.error().detail);
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    json::object body{{"gtin", options.get("gtin")}, {"class", options.get("class")}, {"reason", options.get("reason")}};
    json::array lots;
    for (const auto& lot : all_values(arguments, "--lot")) lots.emplace_back(lot);
    if (!lots.empty()) body["lots"] = std::move(lots);
    auto response = post_signed(*client, "/v1/recalls", SubmissionKind::recall, json::serialize(body), *key);
    if (!response) return fail(response.error().detail);
    std::cout << response->status << " " << response->body << "\n";
    return response->status == 200 || response->status == 201 ? 0 : 1;
}

int reach(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || options.positional.size() != 1 || !options.has("token")) {
        return fail("usage: rxledger reach ID --node URL --token TOKEN [--ca F]");
    }
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    auto response = client->request("GET", "/v1/recalls/" + options.positional[0], {},
                                    {{"Authorization", "Bearer " + options.get("token")}});
    if (!response) return fail(response.error().detail);
    boost::system::error_code error;
    json::value parsed = json::parse(response->body, error);
    if (response->status != 200 || error || !parsed.is_object() || !parsed.as_object().contains("reach")) {
        std::cerr << response->status << " " << response->body << "\n";
        return 1;
    }
    const json::object& recall = parsed.as_object();
    const json::object& counts = recall.at("reach").as_object();
    std::cout << fmt::format("recall {}: GTIN {} {} class {} ({})\n", recall.at("recall_id").to_number<std::uint64_t>(),
                             std::string_view(recall.at("gtin").as_string()),
                             recall.at("withdrawal").as_bool() ? "withdrawn" : "lots " + json::serialize(recall.at("lots")),
                             std::string_view(recall.at("class").as_string()), std::string_view(recall.at("reason").as_string()));
    std::cout << fmt::format("units: {} ({} inside cases or pallets; scope {})\n", counts.at("units").to_number<std::uint64_t>(),
                             counts.at("in_containers").to_number<std::uint64_t>(), std::string_view(counts.at("scope").as_string()));
    print_counts(counts, "by_status", "by status");
    print_counts(counts, "by_custodian", "by custodian");
    print_counts(counts, "by_location", "by location (GLN)");
    print_counts(counts, "in_transit_to", "in transit to");
    return 0;
}

}  // namespace rxl::cli
