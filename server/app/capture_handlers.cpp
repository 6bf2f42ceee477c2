// The signed write path (POST /v1/capture, pack operations, recalls) and OPTIONS /v1/capture.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "ledger/core/bytes.hpp"
#include "ledger/epcis/document.hpp"
#include "server/app/handlers.hpp"

namespace rxl::app {

namespace json = boost::json;

namespace {

constexpr std::string_view key_id_header = "Rxl-Key-Id";
constexpr std::string_view signature_header = "Rxl-Signature";

bool is_json_content_type(std::optional<std::string_view> content_type) {
    if (!content_type) return false;
    std::string_view type = content_type->substr(0, content_type->find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    return type == "application/json" || type == "application/ld+json";
}

// The signed submission a request carries: kind from the endpoint, key id and signature from headers.
Result<Submission> read_signed_submission(const http::Request& request, SubmissionKind kind) {
    auto key_id = request.header(key_id_header);
    auto signature_text = request.header(signature_header);
    if (!key_id || !signature_text) {
        return make_error(ErrorKind::unauthenticated, "signature-required",
                          fmt::format("writes must be signed: send the {} and {} headers (see `rxledger sign`)",
                                      key_id_header, signature_header));
    }
    auto signature = from_base64(*signature_text);
    if (!signature || signature->size() != 64) {
        return make_error(ErrorKind::unauthenticated, "bad-signature",
                          fmt::format("{} must be 64 bytes of Ed25519 signature in base64", signature_header));
    }
    Submission submission;
    submission.kind = kind;
    submission.key_id = std::string(*key_id);
    submission.body = request.body;
    std::copy(signature->begin(), signature->end(), submission.signature.begin());
    return submission;
}

ErrorKind kind_of_rejection(const json::object& detail) {
    const json::value* kind = detail.if_contains("kind");
    auto parsed = kind != nullptr && kind->is_string() ? parse_error_kind(kind->as_string()) : std::nullopt;
    return parsed.value_or(ErrorKind::rule_violation);
}

json::object entry_fields(const SubmissionAnswer& answer) {
    return json::object{{"seq", answer.seq},
                        {"submission_id", to_hex(answer.submission_id)},
                        {"leaf_hash", to_hex(answer.leaf_hash)},
                        {"outcome", answer.outcome},
                        {"repeated", answer.repeated}};
}

// A rejected entry is on the ledger too: the problem document says which rule, and names the entry.
http::Response rejection_response(const SubmissionAnswer& answer) {
    boost::system::error_code error;
    json::value parsed = json::parse(answer.detail_json, error);
    json::object detail = !error && parsed.is_object() ? parsed.as_object() : json::object{};
    Error rejection{kind_of_rejection(detail), answer.outcome,
                    detail.contains("detail") ? std::string(detail.at("detail").as_string()) : answer.outcome,
                    detail.contains("pointer") ? std::string(detail.at("pointer").as_string()) : std::string()};
    http::Response response = http::problem(rejection);
    json::object body = json::parse(response.body).as_object();
    body["entry"] = entry_fields(answer);
    response.body = json::serialize(body);
    return response;
}

}  // namespace

std::optional<http::Response> check_signed_write_header(App& app, const http::Request& head) {
    if (!is_json_content_type(head.header("Content-Type"))) {
        return http::problem(make_error(ErrorKind::unsupported_media_type, "unsupported-media-type",
                                        "send the body as application/json (EPCIS documents may also be application/ld+json)"));
    }
    // The kind does not matter here: only the headers are read.
    auto submission = read_signed_submission(head, SubmissionKind::epcis);
    if (!submission) return http::problem(submission.error());
    PublicKey key{};
    if (app.ledger.registry()->find_by_key(submission->key_id, &key) == nullptr) {
        return http::problem(make_error(ErrorKind::unauthenticated, "unknown-key",
                                        "key id '" + submission->key_id + "' is not registered"));
    }
    return std::nullopt;
}

http::Response signed_write(App& app, const http::Request& request, SubmissionKind kind, const BodyCheck& check_body) {
    if (!is_json_content_type(request.header("Content-Type"))) {
        return http::problem(make_error(ErrorKind::unsupported_media_type, "unsupported-media-type",
                                        "send the body as application/json (EPCIS documents may also be application/ld+json)"));
    }
    auto submission = read_signed_submission(request, kind);
    if (!submission) return http::problem(submission.error());
    if (auto authenticated = app.ledger.authenticate(*submission); !authenticated) {
        return http::problem(authenticated.error());
    }
    if (check_body) {
        if (auto checked = check_body(*submission); !checked) return http::problem(checked.error());
    }
    auto answer = app.ledger.submit(std::move(submission).value(), std::chrono::milliseconds(app.commit_wait_timeout_ms));
    if (!answer) return http::problem(answer.error());
    if (answer->outcome != outcome_accepted) return rejection_response(*answer);
    json::object body = entry_fields(*answer);
    boost::system::error_code error;
    json::value detail = json::parse(answer->detail_json, error);
    if (!error && detail.is_object()) {
        for (const auto& [name, value] : detail.as_object()) body[name] = value;
    }
    return http::Response::json(answer->repeated ? 200 : 201, json::serialize(body));
}

http::Response capture(App& app, const http::Request& request) {
    return signed_write(app, request, SubmissionKind::epcis, [](Submission& submission) -> Status {
        // Parsed once here, before ordering; apply reuses the parse (Submission::parsed_document).
        auto document = epcis::parse_document(submission.body);
        if (!document) return document.error();
        submission.parsed_document = std::make_shared<const epcis::Document>(std::move(document).value());
        return ok_status();
    });
}

http::Response capture_options(App& app, const http::Request&) {
    http::Response response = http::Response::text(204, "text/plain", "");
    response.headers.push_back({"Allow", "OPTIONS, POST"});
    response.headers.push_back({"GS1-EPCIS-Version", "2.0.0"});
    response.headers.push_back({"GS1-CBV-Version", "2.0.0"});
    response.headers.push_back({"GS1-EPCIS-Capture-Limit", std::to_string(limits::capture_events_max)});
    response.headers.push_back({"GS1-EPCIS-Capture-File-Size-Limit", std::to_string(app.body_bytes_max)});
    return response;
}

}  // namespace rxl::app
