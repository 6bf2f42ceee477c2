// Verification (DESIGN.md section 6): GET/POST /v1/verify, the GS1 Digital Link form GET /01/{gtin}/…/21/{serial}
// and its DSCSA VRS face; and the pharmacy pack operations POST /v1/units/{gtin}/{serial}/decommission and /undo.
//
// A verification reads the unit, its lot and recalls in one read connection, lets ledger/verify decide, and
// then — off the request path — records the verification in the node's log and raises the alert the
// decision calls for as a node-signed ledger entry.
#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "ledger/apply/pack_rules.hpp"
#include "ledger/core/time.hpp"
#include "ledger/epcis/strict_json.hpp"
#include "ledger/gs1/barcode.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "ledger/verify/verify_json.hpp"
#include "ledger/verify/vrs.hpp"
#include "server/app/handlers.hpp"

namespace rxl::app {

namespace json = boost::json;

namespace {

// What the log keeps of the input: enough to see what the scanner sent, never a whole request body.
constexpr std::size_t logged_input_chars_max = 512;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<verify::RecallMark> recall_mark(const std::optional<store::RecallFact>& fact) {
    if (!fact) return std::nullopt;
    return verify::RecallMark{fact->recall_seq, fact->recall_class, fact->ordered_at_ms};
}

// Where a caller says it scans: a GLN with a valid check digit ("bad-location", 400) and one of the
// caller's own registered GLNs ("not-callers-location", 403). It is where an alert says the scan
// happened, and where ALREADY_DECOMMISSIONED decides whether to alert, so a caller may not speak for
// another participant's site.
Status check_location(App& app, const std::string& participant, std::string_view location,
                      const std::string& pointer = "/location") {
    if (!gs1::has_valid_check_digit(location, 13)) {
        return make_error(ErrorKind::invalid_input, "bad-location", "location must be a GLN: 13 digits with a valid check digit",
                          pointer);
    }
    auto registry = app.ledger.registry();
    const Participant* caller = registry->find(participant);
    if (caller == nullptr || std::find(caller->glns.begin(), caller->glns.end(), location) == caller->glns.end()) {
        return make_error(ErrorKind::forbidden, "not-callers-location",
                          fmt::format("location {} is not one of the registered GLNs of {}", location, participant), pointer);
    }
    return ok_status();
}

// Who asks, from where; the location is optional (check_location when given).
Result<verify::Caller> caller_of(App& app, const http::Request& request, std::string_view location) {
    auto participant = app.tokens.authenticate(request);
    if (!participant) return participant.error();
    if (!location.empty()) {
        if (auto checked = check_location(app, *participant, location); !checked) return checked.error();
    }
    return verify::Caller{*participant, std::string(location)};
}

// The alert a verification calls for, as the node's alert window takes it (ledger/apply/alert_body.hpp).
AlertItem alert_item(const verify::Verification& verification, const gs1::Scan& scan, const verify::Caller& caller,
                     std::int64_t at_ms) {
    return AlertItem{std::string(verify::to_string(verification.alert->code)),
                     verification.alert->emvs,
                     scan.gtin,
                     scan.serial,
                     scan.lot,
                     scan.expiry,
                     caller.participant,
                     caller.location,
                     at_ms,
                     verification.message,
                     1};
}

struct Verified {
    verify::Verification verification;
    std::optional<json::object> receipt;
};

// A handler on an I/O thread (http::Request::may_block false) that would have to wait for the database
// gives up with this error, and the handler answers http::Response::would_block().
constexpr std::string_view would_block_code = "would-block";
Error would_block() { return make_error(ErrorKind::unavailable, std::string(would_block_code), "the answer needs the database"); }
http::Response problem_or_retry(const Error& error) {
    return error.code == would_block_code ? http::Response::would_block() : http::problem(error);
}

verify::VerifyFacts known_facts(store::ProductFacts facts, std::uint64_t size) {
    return verify::VerifyFacts{facts.gtin_known, std::move(facts.manufacturer), std::move(facts.unit), facts.lot_known,
                               recall_mark(facts.lot_recall), recall_mark(facts.withdrawal), size};
}

// Without blocking: from the verify index, or would_block() when it is not loaded or a receipt is asked.
Result<Verified> decide_from_index(App& app, const gs1::Scan& scan, const verify::Caller& caller, bool want_receipt,
                                   std::int64_t at) {
    if (want_receipt || !app.verify_index) return would_block();
    std::uint64_t size = app.ledger.size();  // facts read after this are at least this new
    auto facts = app.verify_index->product_facts(scan.gtin, scan.serial, scan.lot);
    if (!facts) return would_block();
    return Verified{verify::verify(scan, known_facts(std::move(facts).value(), size), caller, utc_date_text(at)), std::nullopt};
}

// Decides, logs and raises; the receipt only for a genuine pack and when asked. With may_block false,
// error would_block() when the answer needs the database.
Result<Verified> run_verification(App& app, const Result<gs1::Scan>& scan, const verify::Caller& caller,
                                  std::string_view channel, std::string_view input, bool want_receipt, bool may_block) {
    std::int64_t at = now_ms();
    Verified out;
    if (!scan) {
        out.verification = verify::bad_scan_verification(scan.error());
        out.verification.ledger_size = app.ledger.size();
    } else if (!may_block) {
        auto decided = decide_from_index(app, *scan, caller, want_receipt, at);
        if (!decided) return decided.error();
        out = std::move(decided).value();
        if (out.verification.alert && app.alerts != nullptr) app.alerts->raise(alert_item(out.verification, *scan, caller, at));
    } else {
        auto decided = app.ledger.with_store([&](store::Store& store) -> Result<Verified> {
            Verified result;
            std::uint64_t size = app.ledger.size();  // facts read after this are at least this new
            auto facts = store.product_facts(scan->gtin, scan->serial, scan->lot);
            result.verification = verify::verify(*scan, known_facts(std::move(facts), size), caller, utc_date_text(at));
            if (want_receipt && result.verification.genuine) {
                auto rows = store.unit_history(UnitKey{scan->gtin, scan->serial});
                std::erase_if(rows, [&](const store::UnitHistoryRow& row) { return row.entry.seq >= size; });
                if (!rows.empty()) {
                    auto receipt = unit_receipt(app, store, UnitKey{scan->gtin, scan->serial}, rows, size);
                    if (!receipt) return receipt.error();
                    result.receipt = std::move(receipt).value();
                }
            }
            return result;
        });
        if (!decided) return decided.error();
        out = std::move(decided).value();
        if (out.verification.alert && app.alerts != nullptr) app.alerts->raise(alert_item(out.verification, *scan, caller, at));
    }
    if (app.verification_log != nullptr) {
        const auto& v = out.verification;
        app.verification_log->record({at, caller.participant, caller.location, std::string(channel),
                                      std::string(input.substr(0, logged_input_chars_max)), v.product.gtin,
                                      scan ? scan->serial : std::string(), v.product.lot, v.product.expiry,
                                      std::string(verify::to_string(v.code)), v.genuine, v.dispensable, v.ledger_size});
    }
    return out;
}

http::Response verification_response(Verified verified) {
    json::object body = verify::to_json(verified.verification);
    if (verified.receipt) body["receipt"] = std::move(*verified.receipt);
    if (verified.verification.code != verify::Code::bad_scan) return http::Response::json(200, json::serialize(body));
    // A scan that is not GS1 data is a bad request, told as a problem that still carries the answer's members.
    http::Response response = http::problem(make_error(ErrorKind::invalid_input, "bad-scan", verified.verification.message));
    json::object problem = json::parse(response.body).as_object();
    for (const auto& [name, value] : body) {
        if (!problem.contains(name)) problem[name] = value;  // the problem's own members (status!) stay
    }
    response.body = json::serialize(problem);
    return response;
}

// The Digital Link of the request as GS1 writes it. A lot given in the query (?10=…, as the short form
// /01/{gtin}/21/{serial}?17=…&10=… has it) moves into the path, where GS1 Digital Link keeps key
// qualifiers; numeric query keys stay; others (location, receipt) are ours and are dropped.
std::string canonical_digital_link(const http::Request& request) {
    const auto& encode = http::percent_encode;
    std::string lot = request.path_params.size() == 3 ? std::string(request.path_param("lot"))
                                                       : std::string(request.query_param("10").value_or(""));
    std::string uri = "https://id.gs1.org/01/" + encode(request.path_param("gtin"));
    if (!lot.empty()) uri += "/10/" + encode(lot);
    uri += "/21/" + encode(request.path_param("serial"));
    char separator = '?';
    for (const auto& [name, value] : request.query) {
        bool numeric = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!numeric || name == "10") continue;
        uri += separator + name + "=" + encode(value);
        separator = '&';
    }
    return uri;
}

bool wants_receipt(std::optional<std::string_view> value) { return value && (*value == "1" || *value == "true"); }

std::string text_member(const json::object& object, std::string_view name) {
    const auto* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

http::Response verify_get(App& app, const http::Request& request) {
    auto caller = caller_of(app, request, request.query_param("location").value_or(""));
    if (!caller) return problem_or_retry(caller.error());
    auto code = request.query_param("code");
    if (!code || code->empty()) {
        return http::problem(make_error(ErrorKind::invalid_input, "missing-parameter", "the query needs code= (the URL-encoded scan)", "/code"));
    }
    auto verified = run_verification(app, gs1::parse_scan(*code), *caller, "verify", *code,
                                     wants_receipt(request.query_param("receipt")), request.may_block);
    if (!verified) return problem_or_retry(verified.error());
    return verification_response(std::move(verified).value());
}

// {"code": "<scan>"} or {"gtin", "serial", "lot", "expiry" (YYMMDD)}, optional "location" and "receipt": true.
http::Response verify_post(App& app, const http::Request& request) {
    auto parsed = json_text::parse(request.body, "invalid-json");  // the node's one strict parser
    if (!parsed) return http::problem(parsed.error());
    if (!parsed->is_object()) {
        return http::problem(make_error(ErrorKind::invalid_input, "invalid-json", "the body must be a JSON object"));
    }
    const auto& body = parsed->as_object();
    auto caller = caller_of(app, request, text_member(body, "location"));
    if (!caller) return http::problem(caller.error());
    const auto* receipt = body.if_contains("receipt");
    bool want_receipt = receipt != nullptr && receipt->is_bool() && receipt->as_bool();
    std::string code = text_member(body, "code");
    Result<gs1::Scan> scan = !code.empty()
        ? gs1::parse_scan(code)
        : gs1::scan_from_fields({text_member(body, "gtin"), text_member(body, "serial"), text_member(body, "lot"), text_member(body, "expiry")});
    std::string input = !code.empty() ? code : request.body;
    auto verified = run_verification(app, scan, *caller, "verify", input, want_receipt, request.may_block);
    if (!verified) return http::problem(verified.error());
    return verification_response(std::move(verified).value());
}

// /01/{gtin}/21/{serial}?17=…&10=… (a Digital Link as the pack's QR code or a browser has it), and the
// DSCSA VRS form /01/{gtin}/10/{lot}/21/{serial}?exp=…&linkType=verificationService&…&corrUUID=….
http::Response verify_digital_link(App& app, const http::Request& request) {
    auto link_type = request.query_param("linkType");
    bool vrs = request.query_param("corrUUID").has_value() ||
               (link_type && link_type->find("verificationService") != std::string_view::npos);
    if (!vrs) {
        auto caller = caller_of(app, request, request.query_param("location").value_or(""));
        if (!caller) return problem_or_retry(caller.error());
        auto verified = run_verification(app, gs1::parse_scan(canonical_digital_link(request)), *caller, "digital-link",
                                         request.target, wants_receipt(request.query_param("receipt")), request.may_block);
        if (!verified) return problem_or_retry(verified.error());
        return verification_response(std::move(verified).value());
    }
    auto caller = caller_of(app, request, "");
    if (!caller) return problem_or_retry(caller.error());
    verify::VrsRequest vrs_request{std::string(request.path_param("gtin")),
                                   request.path_params.size() == 3 ? std::string(request.path_param("lot")) : std::string(),
                                   std::string(request.path_param("serial")),
                                   std::string(request.query_param("exp").value_or("")),
                                   std::string(link_type.value_or("")),
                                   std::string(request.query_param("context").value_or("")),
                                   std::string(request.query_param("reqGLN").value_or("")),
                                   std::string(request.query_param("corrUUID").value_or(""))};
    auto scan = verify::check_vrs_request(vrs_request);
    if (!scan) return http::problem(scan.error());
    if (!vrs_request.req_gln.empty()) {
        if (auto checked = check_location(app, caller->participant, vrs_request.req_gln, "/reqGLN"); !checked) return http::problem(checked.error());
    }
    caller->location = vrs_request.req_gln;
    auto verified = run_verification(app, scan, *caller, "vrs", request.target, false, request.may_block);
    if (!verified) return problem_or_retry(verified.error());
    auto registry = app.ledger.registry();
    const NodeInfo* node = registry->find_node(app.ledger.node_id());
    const Participant* member = node != nullptr ? registry->find(node->participant) : nullptr;
    verify::VrsResponder responder{member != nullptr && !member->glns.empty() ? member->glns.front() : std::string(), now_ms()};
    return http::Response::json(200, json::serialize(verify::to_vrs_json(verified->verification, vrs_request, responder)));
}

namespace {

// A pack operation's body must name the unit of its path and the operation of its endpoint, so a signed
// body can never be replayed against another unit or operation through another URL.
BodyCheck pack_body_check(const http::Request& request, std::string_view op) {
    std::string gtin(request.path_param("gtin"));
    std::string serial(request.path_param("serial"));
    return [gtin, serial, op = std::string(op)](Submission& submission) -> Status {
        if (auto checked = check_pack_body(submission.body); !checked) return checked;  // apply's own grammar
        boost::system::error_code error;
        json::value parsed = json::parse(submission.body, error);
        if (error || !parsed.is_object()) return make_error(ErrorKind::invalid_input, "bad-body", "the body must be a JSON object");
        const auto& body = parsed.as_object();
        if (text_member(body, "op") != op) {
            return make_error(ErrorKind::invalid_input, "bad-body", fmt::format("this endpoint takes \"op\": \"{}\"", op), "/op");
        }
        if (text_member(body, "gtin") != gtin || text_member(body, "serial") != serial) {
            return make_error(ErrorKind::invalid_input, "bad-body", "the body's gtin and serial must be those of the URL", "/gtin");
        }
        return ok_status();
    };
}

}  // namespace

http::Response decommission_unit(App& app, const http::Request& request) {
    return signed_write(app, request, SubmissionKind::pack, pack_body_check(request, "decommission"));
}

http::Response undo_decommission(App& app, const http::Request& request) {
    return signed_write(app, request, SubmissionKind::pack, pack_body_check(request, "undo"));
}

}  // namespace rxl::app
