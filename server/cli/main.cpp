// rxledger: the command-line tool for participants and operators.
#include <iostream>
#include <string_view>

#include "server/cli/commands.hpp"

namespace {

void usage() {
    std::cerr <<
        R"(usage: rxledger COMMAND [options]

  keygen --participant ID --key-id ID --out FILE   make an Ed25519 key file; prints the public key (base64)
  sign --key FILE [--kind epcis] BODY_FILE         print the two signature headers for a body
  capture FILE|DIR --node URL --key FILE [--ca F]  sign and post EPCIS documents (a directory: every *.json)
  status --node URL [--ca FILE]                    the node's readiness and ledger size
  dev-consortium --dir DIR [--node-url URL]        create a development consortium (keys, tokens, client CA, genesis)
  dev-cluster --dir DIR [--nodes 3] [--https-port 9441] [--etcd-port 23791] [--database CONNINFO] [--compose]
                                                   a development consortium of N nodes: etcd and node certificates,
                                                   node configurations, cluster.env (scripts/cluster uses it)
  demo --dir DIR --node URL [--ca FILE]            record a small demo supply chain through capture
  audit --database CONNINFO                        recompute the ledger from the database; name every mismatch
  receipt verify FILE --key VERIFIER_KEY           check a receipt offline against a node's verifier key
  verify CODE --node URL --token T [--location GLN] [--receipt]   verify a scanned pack
  decommission --node URL --key FILE --gtin G --serial S --location GLN --state STATE   dispense, destroy, …
  undo --node URL --key FILE --gtin G --serial S --location GLN                         undo a decommission
  trace --node URL --token T (--gtin G --serial S [--receipt] | --sscc SSCC)           custody chain / contents
  token issue --database CONNINFO --participant ID [--label TEXT]
                                                   make a read token; prints it once, stores only its SHA-256
  token revoke --database CONNINFO ID|LABEL|TOKEN  revoke a read token (nodes refuse it within 5 s)
  token list --database CONNINFO                   every token's id, participant, label, issue and revoke time
  recall --node URL --key FILE --gtin G [--lot L ...] --class I|II|III --reason TEXT [--ca F]
                                                   recall lots (no --lot: withdraw the GTIN); irreversible
  reach ID --node URL --token TOKEN [--ca F]       a recall's affected units counted by status, custodian, location
  bench-load --dir DIR --node URL[,URL...] --units N [--connections C] [--scans FILE]
                                                   scripts/bench's load: capture, ship, receive, recall; a scan list
  bench-reach --node URL --token T --recall ID [--repeat N]   time a recall's reach summary
  bench-stream --dir DIR --node URL --acks FILE --from K [--connections C] [--units U]
                                                   the kill -9 drill's writer: commissions until the node dies
)";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    std::string_view command = argv[1];
    rxl::cli::Arguments arguments(argv + 2, argv + argc);
    if (command == "keygen") return rxl::cli::keygen(arguments);
    if (command == "sign") return rxl::cli::sign(arguments);
    if (command == "capture") return rxl::cli::capture(arguments);
    if (command == "status") return rxl::cli::status(arguments);
    if (command == "dev-consortium") return rxl::cli::dev_consortium(arguments);
    if (command == "dev-cluster") return rxl::cli::dev_cluster(arguments);
    if (command == "demo") return rxl::cli::demo(arguments);
    if (command == "audit") return rxl::cli::audit(arguments);
    if (command == "receipt") return rxl::cli::receipt(arguments);
    if (command == "verify") return rxl::cli::verify_code(arguments);
    if (command == "decommission") return rxl::cli::decommission(arguments);
    if (command == "undo") return rxl::cli::undo(arguments);
    if (command == "trace") return rxl::cli::trace(arguments);
    if (command == "token") return rxl::cli::token(arguments);
    if (command == "recall") return rxl::cli::recall(arguments);
    if (command == "reach") return rxl::cli::reach(arguments);
    if (command == "bench-load") return rxl::cli::bench_load(arguments);
    if (command == "bench-reach") return rxl::cli::bench_reach(arguments);
    if (command == "bench-stream") return rxl::cli::bench_stream(arguments);
    usage();
    return 2;
}
