// GET /v1/alerts: the falsification alerts nodes raised (ledger/apply/alert_rules.hpp), filtered and paged.
//
// Who may read: regulators every alert; a manufacturer the alerts on GTINs of its own company prefixes
// (Registry::owns_gtin; a filter on another company's GTIN finds nothing); anyone else gets 404
// "alerts-not-found", so the endpoint tells a wholesaler or pharmacy nothing, not even that alerts exist.
//
// Filters: gtin, lot, code (exact), from and to (ordering time, [from, to)) as RFC 3339 text
// ("2025-03-01T00:00:00Z", an offset required) or whole milliseconds since 1970; perPage and next.
//
// One alert entry holds a batch of alerts (ledger/apply/alert_body.hpp): each is listed on its own, with
// "alert_id" "<seq>-<item>" (its entry and its index there), "entry" (the seq) and "scans" (how many
// scans of the same unit, code and participant its window folded into it). The counts of suppressed
// and dropped alerts are in the entry's body and outcome (GET /v1/ledger/entries/{seq}).
#include <boost/json.hpp>
#include <fmt/format.h>

#include <limits>
#include <optional>
#include <utility>

#include "ledger/core/time.hpp"
#include "ledger/epcis/timestamp.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "server/app/handlers.hpp"
#include "server/app/paging.hpp"

namespace rxl::app {

namespace json = boost::json;

namespace {

Result<std::int64_t> time_param(std::string_view text, std::string_view name) {
    if (auto ms = parse_whole_number(text); ms && *ms <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(*ms);
    }
    if (auto timestamp = epcis::parse_timestamp(text)) return epcis::to_utc_milliseconds(*timestamp);
    return make_error(ErrorKind::invalid_input, "bad-parameter",
                      fmt::format("{} must be RFC 3339 time with an offset or whole milliseconds since 1970", name),
                      "/" + std::string(name));
}

// An alert's id as this endpoint writes it, "<seq>-<item>" (the entry and the alert's index in it), or a
// bare "<seq>" as pages were linked before alert entries held batches (after every alert of that entry).
std::optional<std::pair<std::uint64_t, std::uint32_t>> parse_alert_id(std::string_view text) {
    auto dash = text.find('-');
    auto seq = parse_whole_number(text.substr(0, dash));
    if (!seq) return std::nullopt;
    if (dash == std::string_view::npos) return std::pair{*seq, std::numeric_limits<std::uint32_t>::max()};
    auto item = parse_whole_number(text.substr(dash + 1));
    if (!item || *item > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return std::pair{*seq, static_cast<std::uint32_t>(*item)};
}

std::string alert_id(const AlertRow& alert) { return fmt::format("{}-{}", alert.seq, alert.item); }

// The filter from the query; "bad-identifier", "bad-parameter" or "bad-page-token" (400) otherwise.
Result<store::AlertFilter> alert_filter(const http::Request& request) {
    store::AlertFilter filter;
    filter.gtin = std::string(request.query_param("gtin").value_or(""));
    if (!filter.gtin.empty() && !gs1::has_valid_check_digit(filter.gtin, 14)) {
        return make_error(ErrorKind::invalid_input, "bad-identifier", "gtin must be 14 digits with a valid check digit", "/gtin");
    }
    filter.lot = std::string(request.query_param("lot").value_or(""));
    filter.code = std::string(request.query_param("code").value_or(""));
    for (auto [name, bound] : {std::pair<std::string_view, std::int64_t*>{"from", &filter.from_ms}, {"to", &filter.to_ms}}) {
        auto text = request.query_param(name);
        if (!text) continue;
        auto ms = time_param(*text, name);
        if (!ms) return ms.error();
        *bound = *ms;
    }
    if (auto next = request.query_param("next")) {
        auto after = parse_alert_id(*next);
        if (!after) return make_error(ErrorKind::invalid_input, "bad-page-token", "next is not a token this node gave", "/next");
        filter.after_seq = after->first;
        filter.after_item = after->second;
    }
    auto limit = per_page(request);
    if (!limit) return limit.error();
    filter.limit = *limit;
    return filter;
}

json::object alert_json(const AlertRow& alert) {
    return json::object{{"alert_id", alert_id(alert)},
                        {"entry", alert.seq},
                        {"scans", alert.scans},
                        {"code", alert.code},
                        {"emvs", alert.emvs},
                        {"gtin", alert.gtin},
                        {"serial", alert.serial},
                        {"lot", alert.lot},
                        {"expiry", alert.expiry},
                        {"participant", alert.participant},
                        {"location", alert.location},
                        {"node", alert.node},
                        {"verified_at", iso8601_utc(alert.verified_at_ms)},
                        {"ordered_at", iso8601_utc(alert.ordered_at_ms)},
                        {"message", alert.message}};
}

// The query of the next page's link: the request's filters with `next` replaced.
std::string next_query(const http::Request& request, const std::string& last_id) {
    std::string query;
    for (const auto& [name, value] : request.query) {
        if (name == "next") continue;
        query += fmt::format("{}={}&", http::percent_encode(name), http::percent_encode(value));
    }
    return query + "next=" + last_id;
}

}  // namespace

http::Response get_alerts(App& app, const http::Request& request) {
    auto participant_id = app.tokens.authenticate(request);
    if (!participant_id) return http::problem(participant_id.error());
    auto registry = app.ledger.registry();
    const Participant* reader = registry->find(*participant_id);
    if (reader == nullptr || (reader->role != Role::regulator && reader->role != Role::manufacturer)) {
        return http::problem(make_error(ErrorKind::not_found, "alerts-not-found", "no alerts are visible to you"));
    }
    auto filter = alert_filter(request);
    if (!filter) return http::problem(filter.error());
    std::size_t limit = filter->limit;
    filter->limit = limit + 1;  // one more tells whether there is a next page
    if (reader->role != Role::regulator) filter->company_prefixes = reader->company_prefixes;
    auto rows = app.ledger.with_store([&](store::Store& store) { return store.alerts(*filter); });
    bool more = rows.size() > limit;
    if (more) rows.resize(limit);
    json::array items;
    for (const auto& alert : rows) items.push_back(alert_json(alert));
    http::Response response = http::Response::json(200, json::serialize(json::object{{"alerts", std::move(items)}}));
    if (more) response.headers.push_back({"Link", fmt::format("</v1/alerts?{}>; rel=\"next\"", next_query(request, alert_id(rows.back())))});
    return response;
}

}  // namespace rxl::app
