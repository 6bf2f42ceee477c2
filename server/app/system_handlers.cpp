// Liveness, readiness, metrics and the API document.
#include <boost/json.hpp>

#include <array>
#include <tuple>

#include "ledger/core/bytes.hpp"
#include "server/app/handlers.hpp"
#include "server/consortium/consortium.hpp"

namespace rxl::app {

namespace json = boost::json;

http::Response healthz(App&, const http::Request&) { return http::Response::json(200, R"({"status":"ok"})"); }

http::Response readyz(App& app, const http::Request&) {
    bool database = app.ledger.with_store([](store::Store& store) { return store.ping(); });
    Integrity integrity = app.ledger.integrity();
    OrdererHealth orderer = app.ledger.orderer_health();
    bool writable = integrity.state == WriteState::open;
    json::object body{{"database", database ? "ok" : "unreachable"},
                      {"orderer", app.consortium != nullptr ? "etcd" : "in-process"},
                      {"writes", to_string(integrity.state)},
                      {"consortium", app.ledger.consortium()},
                      {"node", app.ledger.node_id()},
                      {"ledger_size", app.ledger.size()},
                      {"root", to_hex(app.ledger.root())},
                      {"queued", app.ledger.queued()}};
    if (!integrity.startup_audit.empty()) body["startup_audit"] = integrity.startup_audit;
    if (app.consortium != nullptr) {
        consortium::ConsortiumStatus status = app.consortium->status();
        writable = writable && orderer.reachable && status.etcd_reachable;
        json::array disagreeing;
        for (const auto& [node, size] : status.disagreeing) disagreeing.push_back(json::object{{"node", node}, {"size", size}});
        json::array live;
        for (const auto& node : status.live_nodes) live.push_back(json::value(node));
        body["etcd"] = status.etcd_reachable ? "ok" : "unreachable";
        if (!status.etcd_detail.empty()) body["etcd_detail"] = status.etcd_detail;
        if (!orderer.detail.empty()) body["orderer_detail"] = orderer.detail;
        body["cursor"] = app.ledger.cursor();
        body["etcd_revision"] = status.etcd_revision;
        body["lag_revisions"] = std::max<std::int64_t>(0, status.etcd_revision - static_cast<std::int64_t>(app.ledger.cursor()));
        body["final_checkpoint_size"] = status.final_size;
        body["catching_up"] = status.catching_up;
        body["compacted_revision"] = status.compacted_revision;
        body["live_nodes"] = std::move(live);
        body["disagreeing_nodes"] = std::move(disagreeing);
        if (!status.disagreeing.empty() && integrity.reason.empty()) {
            body["alarm"] = "a node signed another root than the consortium's final checkpoint (disagreeing_nodes)";
        }
    }
    body["status"] = database && writable ? "ready" : "not-ready";
    if (!integrity.reason.empty()) body["alarm"] = integrity.reason;
    return http::Response::json(database && writable ? 200 : 503, json::serialize(body));
}

http::Response metrics(App& app, const http::Request&) {
    return http::Response::text(200, "text/plain; version=0.0.4", app.metrics.render());
}

http::Response openapi(App&, const http::Request&) {
    return http::Response::text(200, "application/yaml", openapi_yaml());
}

namespace {

// What the alert raiser did with every scan that called for an alert (ledger/service/alert_raiser.hpp):
// scans = raised + duplicates + suppressed + dropped + failed + pending, so none goes uncounted.
void register_alert_metrics(http::Metrics& metrics, AlertRaiser& alerts) {
    using Field = std::uint64_t AlertRaiserCounts::*;
    const std::array<std::tuple<const char*, const char*, Field>, 8> gauges{{
        {"rxledger_alert_scans_total", "Scans that called for a falsification alert.", &AlertRaiserCounts::scans},
        {"rxledger_alerts_raised_total", "Alerts this node recorded on the ledger (rows of accepted alert entries).",
         &AlertRaiserCounts::recorded},
        {"rxledger_alerts_duplicate_total", "Scans folded into an alert of the same unit, code and participant in its window.",
         &AlertRaiserCounts::duplicates},
        {"rxledger_alerts_suppressed_total", "Alerts past a participant's limit per window, counted in the alert entry.",
         &AlertRaiserCounts::suppressed},
        {"rxledger_alerts_dropped_total", "Alerts a full window had no room for, counted in the alert entry.", &AlertRaiserCounts::dropped},
        {"rxledger_alerts_failed_total", "Alerts of alert entries that were refused or timed out, counted in the next entry.",
         &AlertRaiserCounts::failed},
        {"rxledger_alert_entries_total", "Alert entries (one per window at most) this node recorded on the ledger.",
         &AlertRaiserCounts::entries},
        {"rxledger_alerts_pending", "Alerts in the current window, not yet submitted.", &AlertRaiserCounts::pending},
    }};
    for (const auto& [name, help, field] : gauges) {
        metrics.register_gauge_callback(name, help, [&alerts, field = field] { return static_cast<double>(alerts.counts().*field); });
    }
}

}  // namespace

void register_ledger_metrics(App& app) {
    LedgerService& ledger = app.ledger;
    auto& metrics = app.metrics;
    metrics.register_gauge_callback("rxledger_writes_refused",
                                    "1 when the node refuses writes because its database does not match its signed checkpoints or a replay.",
                                    [&ledger] { return ledger.integrity().state == WriteState::refused ? 1.0 : 0.0; });
    if (app.alerts != nullptr) register_alert_metrics(app.metrics, *app.alerts);
    if (app.verification_log != nullptr) {
        VerificationLog* log = app.verification_log;
        metrics.register_gauge_callback("rxledger_verifications_logged_total", "Verifications written to the node's log.",
                                        [log] { return static_cast<double>(log->written()); });
        metrics.register_gauge_callback("rxledger_verifications_log_dropped_total", "Verifications the log dropped (queue full or database unreachable).",
                                        [log] { return static_cast<double>(log->dropped()); });
        metrics.register_gauge_callback("rxledger_verifications_log_unstorable_total",
                                        "Verifications the database refused one by one while it stored others (never expected).",
                                        [log] { return static_cast<double>(log->unstorable()); });
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
    metrics.register_gauge_callback("rxledger_orderer_cursor", "Orderer position (etcd revision) stored with the last batch.",
                                    [&ledger] { return static_cast<double>(ledger.cursor()); });
    metrics.register_gauge_callback("rxledger_orderer_reachable", "1 when the orderer takes submissions.",
                                    [&ledger] { return ledger.orderer_health().reachable ? 1.0 : 0.0; });
    if (app.consortium != nullptr) {
        consortium::Consortium* consortium = app.consortium;
        metrics.register_gauge_callback("rxledger_etcd_reachable", "1 when the node's etcd member answers and has a leader.",
                                        [consortium] { return consortium->status().etcd_reachable ? 1.0 : 0.0; });
        metrics.register_gauge_callback("rxledger_etcd_revision", "The etcd store's revision as last seen.",
                                        [consortium] { return static_cast<double>(consortium->status().etcd_revision); });
        metrics.register_gauge_callback("rxledger_replication_lag_revisions", "etcd revision minus the node's applied cursor.",
                                        [consortium, &ledger] {
                                            auto revision = consortium->status().etcd_revision;
                                            auto cursor = static_cast<std::int64_t>(ledger.cursor());
                                            return static_cast<double>(std::max<std::int64_t>(0, revision - cursor));
                                        });
        metrics.register_gauge_callback("rxledger_final_checkpoint_size", "Size of the latest checkpoint a quorum of nodes signed.",
                                        [consortium] { return static_cast<double>(consortium->status().final_size); });
        metrics.register_gauge_callback("rxledger_nodes_disagreeing", "Nodes that signed another root than a final checkpoint.",
                                        [consortium] { return static_cast<double>(consortium->status().disagreeing.size()); });
    }
}

}  // namespace rxl::app
