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
    std::cout << fmt::format("audited {} entries, {} units, {} other rows and {} signed checkpoints; replayed root {}\n",
                             report.entries_checked, report.units_checked, report.rows_checked,
                             report.checkpoints_checked, to_hex(report.replayed_root));
    if (report.clean()) {
        std::cout << "clean: every leaf, signature, outcome, unit, chain link, registry row, every row of the tables "
                     "apply derives and the Merkle root match the database\n";
        return 0;
    }
    std::cout << report.findings_total << " findings:\n";
    for (const auto& finding : report.findings) std::cout << "  " << finding.where << ": " << finding.what << "\n";
    if (report.findings_total > report.findings.size()) {
        std::cout << fmt::format("  … and {} more (only the first {} are kept)\n", report.findings_total - report.findings.size(),
                                 report.findings.size());
    }
    return 1;
}

}  // namespace rxl::cli
