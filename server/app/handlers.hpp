// The node's request handlers: functions from a parsed request to a response, over the ledger service.
#pragma once

#include <boost/json/object.hpp>

#include <functional>

#include "ledger/service/alert_raiser.hpp"
#include "ledger/service/ledger_service.hpp"
#include "ledger/service/verification_log.hpp"
#include "ledger/store/store.hpp"
#include "ledger/store/verify_index.hpp"
#include "server/app/tokens.hpp"
#include "server/http/message.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"

namespace rxl::consortium {
class Consortium;
}

namespace rxl::app {

struct App {
    LedgerService& ledger;
    const Tokens& tokens;
    http::Metrics& metrics;
    std::uint32_t commit_wait_timeout_ms = limits::commit_wait_timeout_ms;
    std::size_t body_bytes_max = limits::http_body_bytes_max;
    VerificationLog* verification_log = nullptr;  // where verifications are recorded; none in some tests
    AlertRaiser* alerts = nullptr;                // raises the alerts verifications call for
    consortium::Consortium* consortium = nullptr; // replication through etcd; none on a single node
    // The node's verify index, for verifications answered on an I/O thread (set by make_router).
    std::shared_ptr<store::VerifyIndex> verify_index = nullptr;
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
// The header check of every signed write (http::HeaderCheck, run before the body is read): a JSON
// content type, the Rxl-Key-Id and a well-formed Rxl-Signature header, and a key id the registry knows.
// The same problems signed_write would answer, without reading a body first; nothing when they pass.
std::optional<http::Response> check_signed_write_header(App& app, const http::Request& head);

http::Response capture(App& app, const http::Request& request);
http::Response capture_options(App& app, const http::Request& request);
http::Response get_unit(App& app, const http::Request& request);
http::Response get_unit_history(App& app, const http::Request& request);
http::Response get_container(App& app, const http::Request& request);
// The receipt for a unit's history rows (oldest first, non-empty) at ledger size `size` (unit_handlers.cpp).
Result<boost::json::object> unit_receipt(App& app, store::Store& store, const UnitKey& key,
                                         const std::vector<store::UnitHistoryRow>& rows, std::uint64_t size);
http::Response get_events(App& app, const http::Request& request);
http::Response verify_get(App& app, const http::Request& request);
http::Response verify_post(App& app, const http::Request& request);
http::Response verify_digital_link(App& app, const http::Request& request);
http::Response decommission_unit(App& app, const http::Request& request);
http::Response undo_decommission(App& app, const http::Request& request);
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

// The web pages (web_handlers.cpp): the start page, and one file of server/web/ by name.
http::Response web_start_page(App& app, const http::Request& request);
http::Response web_file(App& app, const http::Request& request);

// The origin line of this consortium's checkpoints.
std::string checkpoint_origin(const LedgerService& ledger);

// The OpenAPI document (schemas/openapi.yaml, embedded at build time).
const char* openapi_yaml();

}  // namespace rxl::app
