// `rxledger audit --database CONNINFO`: recompute the ledger from the database alone (ledger/service/audit).
#include <fmt/format.h>

#include <iostream>

#include "ledger/core/bytes.hpp"
#include "ledger/service/audit.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/options.hpp"

namespace rxl::cli {

int audit(const Arguments& arguments) {
    Options options = parse_options(arguments);
    if (!options.error.empty() || !options.has("database")) {
        std::cerr << "usage: rxledger audit --database \"host=… port=… dbname=… user=…\"\n";
        return 2;
    }
    auto store = store::Store::connect(options.get("database"));
    if (!store) {
        std::cerr << "rxledger: " << store.error().detail << "\n";
        return 2;
    }
    AuditReport report;
    try {
        report = audit_ledger(**store, [](std::uint64_t done) { std::cerr << "\r  replayed " << done << " entries" << std::flush; });
    } catch (const std::exception& error) {
        std::cerr << "\nrxledger: the audit could not read the database: " << error.what() << "\n";
        return 2;
    }
    std::cerr << "\r";
    std::cout << fmt::format("audited {} entries, {} units and {} signed checkpoints; replayed root {}\n",
                             report.entries_checked, report.units_checked, report.checkpoints_checked,
                             to_hex(report.replayed_root));
    if (report.clean()) {
        std::cout << "clean: every leaf, signature, outcome, unit and the Merkle root match the database\n";
        return 0;
    }
    std::cout << report.findings.size() << " findings:\n";
    for (const auto& finding : report.findings) std::cout << "  " << finding.where << ": " << finding.what << "\n";
    return 1;
}

}  // namespace rxl::cli
