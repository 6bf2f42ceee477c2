// rxledgerd: one rxledger node. Serves the HTTPS API over its own PostgreSQL database.
//
//   rxledgerd --config FILE [--set name=value]...
//
// SIGINT or SIGTERM stops it gracefully: it stops accepting, answers the requests in flight, applies
// and commits what was already queued, and exits 0.
#include <signal.h>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "server/app/config.hpp"
#include "server/app/handlers.hpp"
#include "server/http/server.hpp"

namespace {

namespace options = boost::program_options;
using namespace rxl;

int fail(const std::string& what) {
    std::cerr << "rxledgerd: " << what << "\n";
    return 1;
}

Result<app::NodeConfig> configure(int argc, char** argv, bool& help) {
    options::options_description description("rxledgerd options");
    description.add_options()("help", "show this help")(
        "config", options::value<std::string>()->default_value(""), "configuration file (JSON, docs/configuration.md)")(
        "set", options::value<std::vector<std::string>>()->composing(), "override one option: --set port=9443");
    options::variables_map values;
    try {
        options::store(options::parse_command_line(argc, argv, description), values);
    } catch (const std::exception& error) {
        return make_error(ErrorKind::invalid_input, "bad-arguments", error.what());
    }
    if (values.count("help") != 0U) {
        std::cout << description << "\n";
        help = true;
        return app::NodeConfig{};
    }
    auto config = app::load_config(values["config"].as<std::string>());
    if (!config || values.count("set") == 0U) return config;
    for (const auto& setting : values["set"].as<std::vector<std::string>>()) {
        auto equals = setting.find('=');
        if (equals == std::string::npos) {
            return make_error(ErrorKind::invalid_input, "bad-arguments", "--set takes name=value, not " + setting);
        }
        if (auto status = app::apply_override(*config, setting.substr(0, equals), setting.substr(equals + 1)); !status) {
            return status.error();
        }
    }
    return config;
}

}  // namespace

int main(int argc, char** argv) {
    // Block the stop signals in every thread (threads inherit the mask); main waits for them with sigwait.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    bool help = false;
    auto config = configure(argc, argv, help);
    if (help) return 0;
    if (!config) return fail(config.error().detail);
    if (auto checked = app::check_config(*config); !checked) return fail(checked.error().detail);

    bool ok = false;
    std::string genesis = app::read_text_file(config->genesis_file, ok);
    if (!ok) return fail("cannot read the genesis file '" + config->genesis_file + "' (option genesis)");
    app::Tokens tokens;
    if (!config->tokens_file.empty()) {
        std::string text = app::read_text_file(config->tokens_file, ok);
        if (!ok) return fail("cannot read the tokens file " + config->tokens_file);
        auto parsed = app::Tokens::parse(text);
        if (!parsed) return fail(parsed.error().detail);
        tokens = std::move(parsed).value();
    }

    std::string node_pem = app::read_text_file(config->node_key_file, ok);
    if (!ok) return fail("cannot read the node key " + config->node_key_file);
    auto node_key = PrivateKey::from_pem(node_pem);
    if (!node_key) return fail(config->node_key_file + ": " + node_key.error().detail);

    LedgerServiceConfig ledger_config;
    ledger_config.database = config->database;
    ledger_config.genesis_json = genesis;
    ledger_config.read_connections = config->read_connections;
    ledger_config.node_id = config->node_id;
    ledger_config.node_key = std::make_shared<const PrivateKey>(std::move(node_key).value());
    ledger_config.startup_audit = config->startup_audit == "checkpoint" ? StartupAudit::checkpoint
                                  : config->startup_audit == "full"     ? StartupAudit::full
                                                                        : StartupAudit::automatic;
    ledger_config.startup_audit_full_max_units = config->startup_audit_full_max_units;
    ledger_config.checkpoint_every_entries = config->checkpoint_every_entries;
    ledger_config.checkpoint_every = std::chrono::milliseconds(config->checkpoint_every_ms);
    ledger_config.clock_offset_ms = config->clock_offset_ms;
    std::unique_ptr<consortium::Consortium> replication;
    if (config->orderer == "etcd") {
        auto parsed_genesis = parse_genesis(genesis);
        if (!parsed_genesis) return fail(parsed_genesis.error().detail);
        replication = std::make_unique<consortium::Consortium>(config->consortium, config->node_id, *parsed_genesis);
        ledger_config.make_orderer = [&replication](const OrdererStart& start) { return replication->make_orderer(start); };
        ledger_config.cosign_every_entries = config->consortium.cosign_every_entries;
    }
    auto ledger = LedgerService::open(std::move(ledger_config));
    if (!ledger) return fail(ledger.error().detail);
    (*ledger)->start();
    if (replication) replication->start(**ledger);
    // Tokens issued with `rxledger token issue` and client certificates are checked against this node.
    tokens.use_directory(app::ledger_directory(**ledger), std::chrono::milliseconds(config->token_cache_ms));

    http::Metrics metrics;
    auto verification_log = VerificationLog::open(config->database);
    if (!verification_log) return fail(verification_log.error().detail);
    AlertRaiser alerts(**ledger);
    app::App application{**ledger, tokens, metrics, config->commit_wait_timeout_ms, config->http.body_bytes_max,
                         verification_log->get(), &alerts, replication.get()};
    app::register_ledger_metrics(application);
    http::Router router = app::make_router(application);

    std::ofstream access_file;
    std::ostream* access_log = nullptr;
    if (config->access_log == "-") {
        access_log = &std::cout;
    } else if (!config->access_log.empty()) {
        access_file.open(config->access_log, std::ios::app);
        if (!access_file) return fail("cannot open the access log " + config->access_log);
        access_log = &access_file;
    }

    http::Server server(config->http, router, metrics, access_log);
    if (auto started = server.start(); !started) {
        alerts.stop();
        if (replication) replication->stop();
        (*ledger)->stop();
        return fail(started.error().detail);
    }
    std::cerr << fmt::format("rxledgerd: consortium {} — ledger size {} — serving https://{}:{}\n",
                             (*ledger)->consortium(), (*ledger)->size(), config->http.listen_address, server.port());

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::cerr << "rxledgerd: stopping (signal " << signal_number << ")\n";
    server.stop();
    alerts.stop();
    (*verification_log)->stop();
    if (replication) replication->stop();
    (*ledger)->stop();
    std::cerr << "rxledgerd: stopped at ledger size " << (*ledger)->size() << "\n";
    return 0;
}
