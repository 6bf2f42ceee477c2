#include "server/app/handlers.hpp"

namespace rxl::app {

http::Router make_router(App& app) {
    http::Router router;
    // Verifications are answered on the I/O thread when the verify index and the token cache can
    // answer them; otherwise on a worker (Dispatch::io_thread_first, server/http/router.hpp).
    app.verify_index = app.ledger.with_store([](store::Store& store) { return store.verify_index(); });
    // Load it now, in the background, so that the first verifications after a restart do not all go to
    // the database (10 M units load in about 20 s; until then verification reads PostgreSQL).
    app.verify_index->start_loading();
    const http::RouteOptions io_first = http::Dispatch::io_thread_first;
    // Signed writes: the key id and signature headers are checked before the body is read, and only
    // then may the body be as large as body_bytes_max (other routes take unsigned_body_bytes_max).
    http::RouteOptions signed_route;
    signed_route.check_header = [&app](const http::Request& head) { return check_signed_write_header(app, head); };
    // A read that meets a missing or unreadable row (store::Inconsistent) answers 500 ledger-inconsistent;
    // the node goes on serving everything else.
    auto bind = [&app](http::Response (*handler)(App&, const http::Request&)) {
        return [&app, handler](const http::Request& request) {
            try {
                return handler(app, request);
            } catch (const store::Inconsistent& error) {
                return http::problem(make_error(ErrorKind::internal, "ledger-inconsistent",
                                                std::string("the database does not hold what the ledger says it must: ") +
                                                    error.what() + "; run `rxledger audit`"));
            }
        };
    };
    //          method     path                              route name      handler
    router.add("POST",    "/v1/capture",                    "capture",      bind(capture), signed_route);
    router.add("OPTIONS", "/v1/capture",                    "capture",      bind(capture_options));
    router.add("GET",     "/v1/units/{gtin}/{serial}",      "unit",         bind(get_unit));
    router.add("GET",     "/v1/units/{gtin}/{serial}/history", "unit_history", bind(get_unit_history));
    router.add("GET",     "/v1/containers/{sscc}",          "container",    bind(get_container));
    router.add("POST",    "/v1/units/{gtin}/{serial}/decommission", "decommission", bind(decommission_unit), signed_route);
    router.add("POST",    "/v1/units/{gtin}/{serial}/undo", "undo",         bind(undo_decommission), signed_route);
    router.add("GET",     "/v1/events",                     "events",       bind(get_events));
    router.add("GET",     "/v1/verify",                     "verify",       bind(verify_get), io_first);
    router.add("POST",    "/v1/verify",                     "verify",       bind(verify_post));
    router.add("GET",     "/01/{gtin}/21/{serial}",         "digital_link", bind(verify_digital_link), io_first);
    router.add("GET",     "/01/{gtin}/10/{lot}/21/{serial}", "digital_link", bind(verify_digital_link), io_first);
    router.add("POST",    "/v1/recalls",                    "recalls",      bind(post_recall), signed_route);
    router.add("GET",     "/v1/recalls",                    "recalls",      bind(get_recalls));
    router.add("GET",     "/v1/recalls/{id}",               "recall",       bind(get_recall));
    router.add("GET",     "/v1/recalls/{id}/units",         "recall_units", bind(get_recall_units));
    router.add("GET",     "/v1/alerts",                     "alerts",       bind(get_alerts));
    router.add("GET",     "/v1/ledger/checkpoint",          "checkpoint",   bind(get_checkpoint));
    router.add("GET",     "/v1/ledger/keys",                "ledger_keys",  bind(get_ledger_keys));
    router.add("GET",     "/v1/ledger/entries",             "entries",      bind(get_entries));
    router.add("GET",     "/v1/ledger/entries/{seq}",       "entry",        bind(get_entry));
    router.add("GET",     "/v1/ledger/proof/inclusion",     "inclusion",    bind(get_inclusion_proof));
    router.add("GET",     "/v1/ledger/proof/consistency",   "consistency",  bind(get_consistency_proof));
    router.add("GET",     "/healthz",                       "healthz",      bind(healthz));
    router.add("GET",     "/readyz",                        "readyz",       bind(readyz));
    router.add("GET",     "/metrics",                       "metrics",      bind(metrics));
    router.add("GET",     "/openapi.yaml",                  "openapi",      bind(openapi));
    router.add("GET",     "/",                              "web",          bind(web_start_page));
    router.add("GET",     "/web/{file}",                    "web",          bind(web_file));
    return router;
}

}  // namespace rxl::app
