// Liveness, readiness, metrics and the API document.
#include <boost/json.hpp>

#include "ledger/core/bytes.hpp"
#include "server/app/handlers.hpp"

namespace rxl::app {

namespace json = boost::json;

http::Response healthz(App&, const http::Request&) { return http::Response::json(200, R"({"status":"ok"})"); }

http::Response readyz(App& app, const http::Request&) {
    bool database = app.ledger.with_store([](store::Store& store) { return store.ping(); });
    Integrity integrity = app.ledger.integrity();
    bool writable = integrity.state == WriteState::open;
    json::object body{{"status", database && writable ? "ready" : "not-ready"},
                      {"database", database ? "ok" : "unreachable"},
                      {"orderer", "in-process"},
                      {"writes", to_string(integrity.state)},
                      {"consortium", app.ledger.consortium()},
                      {"ledger_size", app.ledger.size()},
                      {"root", to_hex(app.ledger.root())},
                      {"queued", app.ledger.queued()}};
    if (!integrity.reason.empty()) body["alarm"] = integrity.reason;
    return http::Response::json(database && writable ? 200 : 503, json::serialize(body));
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
    metrics.register_gauge_callback("rxledger_writes_refused",
                                    "1 when the node refuses writes because its database does not match its signed checkpoints or a replay.",
                                    [&ledger] { return ledger.integrity().state == WriteState::refused ? 1.0 : 0.0; });
    if (app.alerts != nullptr) {
        AlertRaiser* alerts = app.alerts;
        metrics.register_gauge_callback("rxledger_alerts_raised_total", "Falsification alerts this node recorded on the ledger.",
                                        [alerts] { return static_cast<double>(alerts->raised()); });
        metrics.register_gauge_callback("rxledger_alerts_failed_total", "Alerts this node could not record (queue full, rejected, timeout).",
                                        [alerts] { return static_cast<double>(alerts->failed()); });
    }
    if (app.verification_log != nullptr) {
        VerificationLog* log = app.verification_log;
        metrics.register_gauge_callback("rxledger_verifications_logged_total", "Verifications written to the node's log.",
                                        [log] { return static_cast<double>(log->written()); });
        metrics.register_gauge_callback("rxledger_verifications_log_dropped_total", "Verifications the log dropped (queue full or database error).",
                                        [log] { return static_cast<double>(log->dropped()); });
    }
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

}  // namespace rxl::app
