// Liveness, readiness, metrics, the API document, and unit state reads.
#include <boost/json.hpp>

#include "ledger/core/bytes.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "server/app/handlers.hpp"

namespace rxl::app {

namespace json = boost::json;

http::Response healthz(App&, const http::Request&) { return http::Response::json(200, R"({"status":"ok"})"); }

http::Response readyz(App& app, const http::Request&) {
    bool database = app.ledger.with_store([](store::Store& store) { return store.ping(); });
    json::object body{{"status", database ? "ready" : "not-ready"},
                      {"database", database ? "ok" : "unreachable"},
                      {"orderer", "in-process"},
                      {"consortium", app.ledger.consortium()},
                      {"ledger_size", app.ledger.size()},
                      {"root", to_hex(app.ledger.root())},
                      {"queued", app.ledger.queued()}};
    return http::Response::json(database ? 200 : 503, json::serialize(body));
}

http::Response metrics(App& app, const http::Request&) {
    return http::Response::text(200, "text/plain; version=0.0.4", app.metrics.render());
}

http::Response openapi(App&, const http::Request&) {
    return http::Response::text(200, "application/yaml", openapi_yaml());
}

void register_ledger_metrics(App& app) {
    LedgerService& ledger = app.ledger;
    auto& metrics = app.metrics;
    metrics.register_gauge_callback("rxledger_ledger_size", "Entries on the ledger (the next sequence number).",
                                    [&ledger] { return static_cast<double>(ledger.size()); });
    metrics.register_gauge_callback("rxledger_entries_applied_total", "Entries applied since the node started.",
                                    [&ledger] { return static_cast<double>(ledger.stats().entries_applied.load()); });
    metrics.register_gauge_callback("rxledger_apply_batches_total", "Apply batches committed since the node started.",
                                    [&ledger] { return static_cast<double>(ledger.stats().batches_applied.load()); });
    metrics.register_gauge_callback("rxledger_apply_batch_size_last", "Submissions in the last committed batch.",
                                    [&ledger] { return static_cast<double>(ledger.stats().last_batch_size.load()); });
    metrics.register_gauge_callback("rxledger_apply_batch_size_max", "Largest batch committed since start.",
                                    [&ledger] { return static_cast<double>(ledger.stats().largest_batch_size.load()); });
    metrics.register_gauge_callback("rxledger_orderer_queue", "Submissions waiting to be ordered.",
                                    [&ledger] { return static_cast<double>(ledger.queued()); });
}

namespace {

// Who may read a unit: regulators, and the participants in its custody chain that the state names.
// Others get 404, never 403, so serial numbers cannot be probed.
bool may_read(const Participant& reader, const UnitState& unit) {
    return reader.role == Role::regulator || reader.id == unit.owner || reader.id == unit.custodian ||
           reader.id == unit.destination;
}

}  // namespace

http::Response get_unit(App& app, const http::Request& request) {
    auto participant_id = app.tokens.authenticate(request);
    if (!participant_id) return http::problem(participant_id.error());
    std::string gtin(request.path_param("gtin"));
    std::string serial(request.path_param("serial"));
    if (!gs1::has_valid_check_digit(gtin, 14)) {
        return http::problem(make_error(ErrorKind::invalid_input, "bad-identifier", "GTIN must be 14 digits with a valid check digit",
                                        "/gtin"));
    }
    auto unit = app.ledger.with_store([&](store::Store& store) { return store.unit(UnitKey{gtin, serial}); });
    auto registry = app.ledger.registry();
    const Participant* reader = registry->find(*participant_id);
    if (!unit || reader == nullptr || !may_read(*reader, *unit)) {
        return http::problem(make_error(ErrorKind::not_found, "unit-not-found", "no such unit is visible to you"));
    }
    json::object body{{"gtin", unit->key.gtin},
                      {"serial", unit->key.serial},
                      {"lot", unit->lot},
                      {"expiry", unit->expiry},
                      {"status", to_string(unit->status)},
                      {"manufacturer", unit->owner},
                      {"custodian", unit->custodian},
                      {"location", unit->location},
                      {"parent", unit->parent},
                      {"destination", unit->destination},
                      {"commissioned_seq", unit->commissioned_seq},
                      {"updated_seq", unit->updated_seq},
                      {"chain_link", to_hex(unit->chain_link)},
                      {"ledger_size", app.ledger.size()}};
    if (is_decommissioned(unit->status)) {
        body["decommissioned"] = json::object{{"at_ms", unit->decommissioned_at_ms},
                                              {"location", unit->decommissioned_location},
                                              {"by", unit->decommissioned_by}};
    }
    return http::Response::json(200, json::serialize(body));
}

}  // namespace rxl::app
