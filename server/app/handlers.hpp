// The node's request handlers: functions from a parsed request to a response, over the ledger service.
#pragma once

#include <functional>

#include "ledger/service/ledger_service.hpp"
#include "server/app/tokens.hpp"
#include "server/http/message.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"

namespace rxl::app {

struct App {
    LedgerService& ledger;
    const Tokens& tokens;
    http::Metrics& metrics;
    std::uint32_t commit_wait_timeout_ms = limits::commit_wait_timeout_ms;
    std::size_t body_bytes_max = limits::http_body_bytes_max;
};

// The route table: one line per endpoint (server/app/routes.cpp).
http::Router make_router(App& app);
// Ledger figures for /metrics.
void register_ledger_metrics(App& app);

// The write path every signed endpoint shares: the submission from the Rxl-Key-Id / Rxl-Signature headers
// and the raw body, authenticated, checked by `check_body` (which may also attach a parse), ordered and
// committed; answered 201 with the entry and the apply detail's members, 200 for a repeat of the same
// bytes, or the rejection's problem (the rejected entry is on the ledger too).
using BodyCheck = std::function<Status(Submission&)>;
http::Response signed_write(App& app, const http::Request& request, SubmissionKind kind, const BodyCheck& check_body = {});

http::Response capture(App& app, const http::Request& request);
http::Response capture_options(App& app, const http::Request& request);
http::Response get_unit(App& app, const http::Request& request);
http::Response get_unit_history(App& app, const http::Request& request);
http::Response get_container(App& app, const http::Request& request);
http::Response healthz(App& app, const http::Request& request);
http::Response readyz(App& app, const http::Request& request);
http::Response metrics(App& app, const http::Request& request);
http::Response openapi(App& app, const http::Request& request);
http::Response get_checkpoint(App& app, const http::Request& request);
http::Response get_ledger_keys(App& app, const http::Request& request);
http::Response get_entry(App& app, const http::Request& request);
http::Response get_entries(App& app, const http::Request& request);
http::Response get_inclusion_proof(App& app, const http::Request& request);
http::Response get_consistency_proof(App& app, const http::Request& request);
// Recalls and alerts (recall_handlers.cpp, alert_handlers.cpp).
http::Response post_recall(App& app, const http::Request& request);
http::Response get_recalls(App& app, const http::Request& request);
http::Response get_recall(App& app, const http::Request& request);
http::Response get_recall_units(App& app, const http::Request& request);
http::Response get_alerts(App& app, const http::Request& request);

// The origin line of this consortium's checkpoints.
std::string checkpoint_origin(const LedgerService& ledger);

// The OpenAPI document (schemas/openapi.yaml, embedded at build time).
const char* openapi_yaml();

}  // namespace rxl::app
