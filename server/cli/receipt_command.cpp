// `rxledger receipt verify FILE --key VERIFIER_KEY`: check a receipt offline, with no server
// (ledger/service/receipt.hpp).
#include <fstream>
#include <iostream>
#include <sstream>

#include "ledger/service/receipt.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/options.hpp"

namespace rxl::cli {

namespace {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The keys: one verifier key string ("name+hex id+base64 key"), or a file with one per line.
Result<std::vector<merkle::VerifierKey>> load_keys(const std::string& argument) {
    std::string text = argument;
    if (argument.find('+') == std::string::npos) {
        auto file = read_file(argument);
        if (!file) return make_error(ErrorKind::invalid_input, "bad-key", "--key is neither a verifier key nor a readable file");
        text = *file;
    }
    std::vector<merkle::VerifierKey> keys;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        auto key = merkle::parse_verifier_key(line);
        if (!key) return make_error(ErrorKind::invalid_input, "bad-key", "not a verifier key: " + line + " (" + key.error().detail + ")");
        keys.push_back(*key);
    }
    if (keys.empty()) return make_error(ErrorKind::invalid_input, "bad-key", "no verifier key given");
    return keys;
}

}  // namespace

int receipt(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || options.positional.size() != 2 || options.positional[0] != "verify" || !options.has("key")) {
        std::cerr << "usage: rxledger receipt verify FILE --key VERIFIER_KEY|KEY_FILE\n"
                     "  FILE: a receipt, or the answer of GET /v1/units/{gtin}/{serial}/history?receipt=1\n"
                     "  VERIFIER_KEY: a node's key as GET /v1/ledger/keys lists it (name+id+key)\n";
        return 2;
    }
    auto keys = load_keys(options.get("key"));
    if (!keys) {
        std::cerr << "rxledger: " << keys.error().detail << "\n";
        return 2;
    }
    auto text = read_file(options.positional[1]);
    if (!text) {
        std::cerr << "rxledger: cannot read " << options.positional[1] << "\n";
        return 2;
    }
    ReceiptCheck check = verify_receipt(*text, *keys);
    for (const auto& line : check.checked) std::cout << "ok: " << line << "\n";
    if (!check.ok) {
        std::cout << "FAILED: " << check.failure << "\n";
        return 1;
    }
    std::cout << "the receipt verifies\n";
    return 0;
}

}  // namespace rxl::cli
