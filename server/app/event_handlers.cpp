// GET /v1/events: the EPCIS 2.0 query subset of DESIGN.md section 7, answered as an EPCISQueryDocument.
// Regulators query every event; any other participant the events of the documents it submitted.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "ledger/core/time.hpp"
#include "ledger/epcis/timestamp.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "server/app/handlers.hpp"
#include "server/app/paging.hpp"

namespace rxl::app {

namespace json = boost::json;

namespace {

Error bad_query(std::string_view name, std::string detail) {
    return make_error(ErrorKind::invalid_input, "bad-query", std::move(detail), "/" + std::string(name));
}

// A bizStep or disposition as the ledger stores it, a bare CBV word, from a word, a CBV URN
// (urn:epcglobal:cbv:bizstep:shipping) or a Web URI (https://ref.gs1.org/cbv/BizStep-shipping).
std::string bare_cbv_word(std::string_view text) {
    auto cut = text.find_last_of(":/");
    if (cut != std::string_view::npos) text.remove_prefix(cut + 1);
    auto dash = text.find('-');
    if (dash != std::string_view::npos && (text.starts_with("BizStep-") || text.starts_with("Disp-"))) text.remove_prefix(dash + 1);
    return std::string(text);
}

std::string bare_cbv_list(std::string_view list) {
    std::string out;
    while (!list.empty()) {
        auto comma = list.find(',');
        out += (out.empty() ? "" : ",") + bare_cbv_word(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return out;
}

Result<std::int64_t> time_param(std::string_view name, std::string_view text) {
    auto parsed = epcis::parse_timestamp(text);
    if (!parsed) return bad_query(name, fmt::format("{} must be an ISO 8601 time with a zone, like 2026-11-21T10:00:00Z", name));
    return epcis::to_utc_milliseconds(*parsed);
}

Result<store::EventQuery> read_query(const http::Request& request) {
    store::EventQuery query;
    for (const auto& [name, value] : request.query) {
        if (name == "eventType") {
            query.event_types = value;
        } else if (name == "GE_eventTime" || name == "LT_eventTime") {
            auto ms = time_param(name, value);
            if (!ms) return ms.error();
            (name == "GE_eventTime" ? query.from_ms : query.to_ms) = *ms;
        } else if (name == "EQ_bizStep") {
            query.biz_steps = bare_cbv_list(value);
        } else if (name == "EQ_disposition") {
            query.dispositions = bare_cbv_list(value);
        } else if (name == "EQ_bizLocation" || name == "MATCH_epc" || name == "MATCH_parentID") {
            auto id = gs1::parse_identifier(value);
            if (!id) return bad_query(name, fmt::format("{}: {}", name, id.error().detail));
            std::string link = gs1::to_digital_link(*id);
            if (name == "EQ_bizLocation") {
                query.biz_location = link;
            } else if (name == "MATCH_parentID") {
                query.parent_text = value;
                query.parent_link = link;
            } else if (const auto* unit = std::get_if<gs1::Sgtin>(&*id)) {
                query.sgtin_gtin = unit->gtin;
                query.sgtin_serial = unit->serial;
            } else {
                query.epc_text = value;
                query.epc_link = link;
            }
        } else if (name == "EQ_ILMD_cbvmda:lotNumber") {
            query.lot = value;
        } else if (name == "nextPageToken") {
            auto dot = value.find('.');
            auto seq = parse_whole_number(std::string_view(value).substr(0, dot));
            auto index = dot == std::string::npos ? std::nullopt : parse_whole_number(std::string_view(value).substr(dot + 1));
            if (!seq || !index) return make_error(ErrorKind::invalid_input, "bad-page-token", "nextPageToken is not one this node gave", "/nextPageToken");
            query.after_seq = *seq;
            query.after_index = static_cast<std::int64_t>(*index);
        } else if (name != "perPage") {
            return bad_query(name, fmt::format("{} is not a query parameter this node supports", name));
        }
    }
    auto page = per_page(request);
    if (!page) return page.error();
    query.limit = *page;
    return query;
}

}  // namespace

http::Response get_events(App& app, const http::Request& request) {
    auto participant_id = app.tokens.authenticate(request);
    if (!participant_id) return http::problem(participant_id.error());
    auto query = read_query(request);
    if (!query) return http::problem(query.error());
    auto registry = app.ledger.registry();
    const Participant* reader = registry->find(*participant_id);
    if (reader == nullptr) return http::problem(make_error(ErrorKind::unauthenticated, "bad-token", "the credential names no participant"));
    if (reader->role != Role::regulator) query->submitter = reader->id;
    auto events = app.ledger.with_store([&](store::Store& store) { return store.query_events(*query); });
    json::array list;
    for (const auto& event : events) {
        boost::system::error_code error;
        json::value parsed = json::parse(event.json, error);
        if (!error) list.push_back(std::move(parsed));
    }
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    json::object document{
        {"@context", json::array{"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"}},
        {"type", "EPCISQueryDocument"},
        {"schemaVersion", "2.0"},
        {"creationDate", iso8601_utc(now)},
        {"epcisBody", json::object{{"queryResults", json::object{{"queryName", "SimpleEventQuery"},
                                                                  {"resultsBody", json::object{{"eventList", std::move(list)}}}}}}}};
    http::Response response = http::Response::json(200, json::serialize(document));
    if (events.size() == query->limit) {
        std::string link = "/v1/events?";
        for (const auto& [name, value] : request.query) {
            if (name != "nextPageToken") link += http::percent_encode(name) + "=" + http::percent_encode(value) + "&";
        }
        link += fmt::format("nextPageToken={}.{}", events.back().seq, events.back().event_index);
        response.headers.push_back({"Link", "<" + link + ">; rel=\"next\""});
    }
    return response;
}

}  // namespace rxl::app
