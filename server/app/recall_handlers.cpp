// Recalls and withdrawals: POST /v1/recalls (signed), the list, one recall with its reach, and its
// affected units page by page or as one CSV export.
//
// Who may read what (also in schemas/openapi.yaml):
//   - every authenticated participant sees every recall itself (id, GTIN, lots, class, reason, who,
//     when): a recall is public safety information that pharmacies and wholesalers must act on;
//   - regulators and the GTIN's manufacturer (Registry::owns_gtin) see the whole reach and every unit
//     ("scope": "all");
//   - anyone else sees the reach and the units restricted to those in its own custody or shipped to it
//     ("scope": "own"): a pharmacy learns which of its packs to pull, never another party's stock.
// An unknown recall id is 404 "recall-not-found". No read is 403: nothing is refused outright.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "ledger/apply/recall_rules.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/core/time.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "server/app/handlers.hpp"
#include "server/app/paging.hpp"

namespace rxl::app {

namespace json = boost::json;

namespace {

// The reader of a recall's reach: the participant whose units the reach is restricted to, or "" when
// the reader sees every affected unit.
std::string reach_viewer(const Registry& registry, const std::string& participant_id, const RecallRow& recall) {
    const Participant* reader = registry.find(participant_id);
    if (reader == nullptr) return participant_id;  // an authenticated id is registered; never widen by accident
    if (reader->role == Role::regulator) return {};
    if (reader->role == Role::manufacturer && Registry::owns_gtin(*reader, recall.gtin)) return {};
    return participant_id;
}

json::object recall_json(const RecallRow& recall) {
    json::array lots;
    for (const auto& lot : recall.lots) lots.emplace_back(lot);
    return json::object{{"recall_id", recall.seq},
                        {"gtin", recall.gtin},
                        {"withdrawal", recall.withdrawal},
                        {"lots", std::move(lots)},
                        {"class", recall.recall_class},
                        {"reason", recall.reason},
                        {"submitter", recall.submitter},
                        {"ordered_at", iso8601_utc(recall.ordered_at_ms)}};
}

json::object counts_json(const std::map<std::string, std::uint64_t>& counts) {
    json::object out;
    for (const auto& [name, count] : counts) out[name] = count;
    return out;
}

json::object reach_json(const store::RecallReach& reach, const std::string& viewer) {
    return json::object{{"scope", viewer.empty() ? "all" : "own"},
                        {"units", reach.units},
                        {"in_containers", reach.in_containers},
                        {"by_status", counts_json(reach.by_status)},
                        {"by_custodian", counts_json(reach.by_custodian)},
                        {"by_location", counts_json(reach.by_location)},
                        {"in_transit_to", counts_json(reach.in_transit_to)}};
}

// The recall the path names and the viewer of its reach; 401 or 404 otherwise.
struct ReadableRecall {
    RecallRow recall;
    std::string viewer;
};

Result<ReadableRecall> readable_recall(App& app, const http::Request& request) {
    auto participant_id = app.tokens.authenticate(request);
    if (!participant_id) return participant_id.error();
    auto seq = parse_whole_number(request.path_param("id"));
    auto recall = seq ? app.ledger.with_store([&](store::Store& store) { return store.recall(*seq); }) : std::nullopt;
    if (!recall) return make_error(ErrorKind::not_found, "recall-not-found", "no recall has this id");
    std::string viewer = reach_viewer(*app.ledger.registry(), *participant_id, *recall);
    return ReadableRecall{std::move(recall).value(), std::move(viewer)};
}

json::object unit_json(const store::RecallUnit& unit) {
    return json::object{{"gtin", unit.gtin},           {"serial", unit.serial},       {"lot", unit.lot},
                        {"expiry", unit.expiry},       {"status", unit.status},       {"custodian", unit.custodian},
                        {"location", unit.location},   {"destination", unit.destination}, {"parent", unit.parent}};
}

// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. The values are
// written exactly as the ledger holds them (a serial may begin with '=' or '+'; spreadsheets that treat
// such a cell as a formula must be told to import the columns as text).
void append_csv_field(std::string& out, std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += field;
        return;
    }
    out += '"';
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

constexpr std::string_view csv_header = "gtin,serial,lot,expiry,status,custodian,location,destination,parent\r\n";

void append_csv_row(std::string& out, const store::RecallUnit& unit) {
    const std::string* fields[] = {&unit.gtin, &unit.serial, &unit.lot, &unit.expiry, &unit.status,
                                   &unit.custodian, &unit.location, &unit.destination, &unit.parent};
    bool first = true;
    for (const std::string* field : fields) {
        if (!first) out += ',';
        first = false;
        append_csv_field(out, *field);
    }
    out += "\r\n";
}

bool wants_csv(const http::Request& request) {
    auto accept = request.header("Accept");
    return accept && accept->find("text/csv") != std::string_view::npos;
}

// Every affected unit the viewer may see, read in keyset chunks of limits::recall_csv_chunk_units on one
// connection, so no single query result holds the whole list.
http::Response units_csv(App& app, const ReadableRecall& readable) {
    std::string body(csv_header);
    app.ledger.with_store([&](store::Store& store) {
        std::string after;
        for (;;) {
            auto chunk = store.recall_units(readable.recall, readable.viewer, after, limits::recall_csv_chunk_units);
            for (const auto& unit : chunk) append_csv_row(body, unit);
            if (chunk.size() < limits::recall_csv_chunk_units) break;
            after = chunk.back().serial;
        }
    });
    http::Response response = http::Response::text(200, "text/csv; charset=utf-8; header=present", std::move(body));
    response.headers.push_back({"Content-Disposition", fmt::format("attachment; filename=\"recall-{}-units.csv\"", readable.recall.seq)});
    return response;
}

}  // namespace

http::Response post_recall(App& app, const http::Request& request) {
    // The body's rules (manufacturer or regulator, known lots, not recalled twice) are apply's
    // (ledger/apply/recall_rules.hpp): they are checked against the ledger as ordered, on every node. Its
    // grammar is checked here too, by the same code, so a body apply would refuse is never ordered.
    return signed_write(app, request, SubmissionKind::recall,
                        [](Submission& submission) { return check_recall_body(submission.body); });
}

http::Response get_recalls(App& app, const http::Request& request) {
    auto participant_id = app.tokens.authenticate(request);
    if (!participant_id) return http::problem(participant_id.error());
    std::string gtin(request.query_param("gtin").value_or(""));
    if (!gtin.empty() && !gs1::has_valid_check_digit(gtin, 14)) {
        return http::problem(make_error(ErrorKind::invalid_input, "bad-identifier", "gtin must be 14 digits with a valid check digit", "/gtin"));
    }
    auto limit = per_page(request);
    if (!limit) return http::problem(limit.error());
    std::uint64_t after = 0;
    if (auto next = request.query_param("next")) {
        auto parsed = parse_whole_number(*next);
        if (!parsed) return http::problem(make_error(ErrorKind::invalid_input, "bad-page-token", "next is not a token this node gave", "/next"));
        after = *parsed;
    }
    auto rows = app.ledger.with_store([&](store::Store& store) { return store.recalls(gtin, after, *limit + 1); });
    bool more = rows.size() > *limit;
    if (more) rows.resize(*limit);
    json::array items;
    for (const auto& recall : rows) items.push_back(recall_json(recall));
    http::Response response = http::Response::json(200, json::serialize(json::object{{"recalls", std::move(items)}}));
    if (more) {
        std::string query = gtin.empty() ? "" : "gtin=" + gtin + "&";
        response.headers.push_back({"Link", fmt::format("</v1/recalls?{}perPage={}&next={}>; rel=\"next\"", query, *limit, rows.back().seq)});
    }
    return response;
}

http::Response get_recall(App& app, const http::Request& request) {
    auto readable = readable_recall(app, request);
    if (!readable) return http::problem(readable.error());
    // The size first: the counts read after it are at least as new.
    std::uint64_t size = app.ledger.size();
    auto reach = app.ledger.with_store([&](store::Store& store) { return store.recall_reach(readable->recall, readable->viewer); });
    json::object body = recall_json(readable->recall);
    body["reach"] = reach_json(reach, readable->viewer);
    body["ledger_size"] = size;
    return http::Response::json(200, json::serialize(body));
}


http::Response get_recall_units(App& app, const http::Request& request) {
    auto readable = readable_recall(app, request);
    if (!readable) return http::problem(readable.error());
    if (wants_csv(request)) return units_csv(app, *readable);
    auto limit = per_page(request);
    if (!limit) return http::problem(limit.error());
    // The token is the last serial of the previous page, in hex: opaque to clients, safe in a URL.
    std::string after;
    if (auto next = request.query_param("next")) {
        auto bytes = from_hex(*next);
        if (!bytes || bytes->empty()) {
            return http::problem(make_error(ErrorKind::invalid_input, "bad-page-token", "next is not a token this node gave", "/next"));
        }
        after.assign(bytes->begin(), bytes->end());
    }
    auto units = app.ledger.with_store([&](store::Store& store) {
        return store.recall_units(readable->recall, readable->viewer, after, *limit + 1);
    });
    bool more = units.size() > *limit;
    if (more) units.resize(*limit);
    json::array items;
    for (const auto& unit : units) items.push_back(unit_json(unit));
    json::object body{{"recall_id", readable->recall.seq}, {"scope", readable->viewer.empty() ? "all" : "own"}, {"units", std::move(items)}};
    http::Response response = http::Response::json(200, json::serialize(body));
    if (more) {
        response.headers.push_back({"Link", fmt::format("</v1/recalls/{}/units?perPage={}&next={}>; rel=\"next\"", readable->recall.seq,
                                                        *limit, to_hex(as_bytes(units.back().serial)))});
    }
    return response;
}

}  // namespace rxl::app
