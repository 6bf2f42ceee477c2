// The pharmacist's commands: `rxledger verify CODE`, `decommission`, `undo`, and `trace` (a unit's
// custody chain). They talk to a node over HTTPS exactly as the web pages and scanners do.
#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "server/cli/commands.hpp"
#include "server/cli/key_file.hpp"
#include "server/cli/options.hpp"

namespace rxl::cli {

namespace json = boost::json;

namespace {

int fail(const std::string& message) {
    std::cerr << "rxledger: " << message << "\n";
    return 2;
}

// The answer, pretty enough for a terminal: the JSON as the node sent it, then the verdict line.
int print_answer(const Result<http::ClientResponse>& response) {
    if (!response) return fail(response.error().detail);
    std::cout << response->body << "\n";
    return response->status < 300 ? 0 : 1;
}

std::vector<http::Header> bearer(const Options& options) {
    return {{"Authorization", "Bearer " + options.get("token")}};
}

// decommission / undo: a signed pack submission for one unit.
int pack_operation(const Arguments& arguments, const std::string& op) {
    Options options = parse_options(arguments);
    bool decommission = op == "decommission";
    if (!options.error.empty() || !options.has("node") || !options.has("key") || !options.has("gtin") ||
        !options.has("serial") || !options.has("location") || (decommission && !options.has("state"))) {
        std::cerr << "usage: rxledger " << op << " --node URL --key FILE --gtin GTIN --serial S --location GLN"
                  << (decommission ? " --state dispensed|destroyed|exported|sample|free_sample|stolen|locked|checked_out" : "")
                  << " [--ca FILE]\n";
        return 2;
    }
    auto key = read_key_file(options.get("key"));
    if (!key) return fail(key.error().detail);
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    auto now = std::chrono::system_clock::now().time_since_epoch();
    json::object body{{"op", op},
                      {"gtin", options.get("gtin")},
                      {"serial", options.get("serial")},
                      {"location", options.get("location")},
                      // Distinct bytes for each operation: a dispense after an undo is a new entry, not a retry.
                      {"request_id", fmt::format("cli-{}", std::chrono::duration_cast<std::chrono::microseconds>(now).count())}};
    if (decommission) body["state"] = options.get("state");
    std::string target = fmt::format("/v1/units/{}/{}/{}", http::percent_encode(options.get("gtin")), http::percent_encode(options.get("serial")), op);
    return print_answer(post_signed(*client, target, SubmissionKind::pack, json::serialize(body), *key));
}

}  // namespace

int verify_code(const Arguments& arguments) {
    Options options = parse_options(arguments, {"receipt"});
    if (!options.error.empty() || options.positional.size() != 1 || !options.has("node") || !options.has("token")) {
        std::cerr << "usage: rxledger verify CODE --node URL --token TOKEN [--location GLN] [--receipt] [--ca FILE]\n"
                     "  CODE: what the scanner sent (GS may be written \\x1d), a bracketed element string or a Digital Link\n";
        return 2;
    }
    std::string code = options.positional[0];
    for (std::size_t at = code.find("\\x1d"); at != std::string::npos; at = code.find("\\x1d", at)) code.replace(at, 4, "\x1d");
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    std::string target = "/v1/verify?code=" + http::percent_encode(code);
    if (options.has("location")) target += "&location=" + http::percent_encode(options.get("location"));
    if (options.has("receipt")) target += "&receipt=1";
    return print_answer(client->request("GET", target, {}, bearer(options)));
}

int decommission(const Arguments& arguments) { return pack_operation(arguments, "decommission"); }
int undo(const Arguments& arguments) { return pack_operation(arguments, "undo"); }

int trace(const Arguments& arguments) {
    Options options = parse_options(arguments, {"receipt"});
    if (!options.error.empty() || !options.has("node") || !options.has("token") || !options.has("gtin") ||
        (!options.has("serial") && !options.has("sscc"))) {
        std::cerr << "usage: rxledger trace --node URL --token TOKEN (--gtin GTIN --serial S [--receipt] | --sscc SSCC) [--ca FILE]\n";
        return 2;
    }
    auto client = connect_node(options.get("node"), options.get("ca"));
    if (!client) return fail(client.error().detail);
    std::string target = options.has("sscc")
        ? "/v1/containers/" + http::percent_encode(options.get("sscc"))
        : fmt::format("/v1/units/{}/{}/history{}", http::percent_encode(options.get("gtin")), http::percent_encode(options.get("serial")),
                      options.has("receipt") ? "?receipt=1" : "");
    return print_answer(client->request("GET", target, {}, bearer(options)));
}

}  // namespace rxl::cli
