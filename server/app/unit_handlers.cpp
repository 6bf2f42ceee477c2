// A unit's state and its history (the custody chain), with an optional receipt that proves the history
// offline (ledger/service/receipt.hpp); a container's contents tree.
#include <boost/json.hpp>
#include <fmt/format.h>

#include "ledger/core/bytes.hpp"
#include "ledger/core/time.hpp"
#include "ledger/gs1/identifiers.hpp"
#include "ledger/merkle/merkle.hpp"
#include "ledger/service/receipt.hpp"
#include "server/app/handlers.hpp"

namespace rxl::app {

namespace json = boost::json;

namespace {

// Who may read a unit: regulators, and the participants in its custody chain that the state names.
// Others get 404, never 403, so serial numbers cannot be probed.
bool may_read(const Participant& reader, const UnitState& unit) {
    return reader.role == Role::regulator || reader.id == unit.owner || reader.id == unit.custodian ||
           reader.id == unit.destination;
}

// The unit the path names, if the caller may see it; otherwise the problem to answer.
Result<UnitState> readable_unit(App& app, const http::Request& request) {
    auto participant_id = app.tokens.authenticate(request);
    if (!participant_id) return participant_id.error();
    std::string gtin(request.path_param("gtin"));
    std::string serial(request.path_param("serial"));
    if (!gs1::has_valid_check_digit(gtin, 14)) {
        return make_error(ErrorKind::invalid_input, "bad-identifier", "GTIN must be 14 digits with a valid check digit", "/gtin");
    }
    auto unit = app.ledger.with_store([&](store::Store& store) { return store.unit(UnitKey{gtin, serial}); });
    auto registry = app.ledger.registry();
    const Participant* reader = registry->find(*participant_id);
    if (!unit || reader == nullptr || !may_read(*reader, *unit)) {
        return make_error(ErrorKind::not_found, "unit-not-found", "no such unit is visible to you");
    }
    return std::move(unit).value();
}

// A container is visible to the same people as a unit: regulators, its owner, custodian and destination.
bool may_read(const Participant& reader, const ContainerState& container) {
    return reader.role == Role::regulator || reader.id == container.owner || reader.id == container.custodian ||
           reader.id == container.destination;
}

// Containers nest a few levels (case in pallet); a cycle is impossible by the packing rules, and this
// bound keeps even a corrupted database from recursing without end.
constexpr int container_depth_max = 8;

json::object container_tree(store::Store& store, const ContainerState& container, int depth) {
    json::object node{{"sscc", container.sscc},
                      {"status", to_string(container.status)},
                      {"custodian", container.custodian},
                      {"location", container.location},
                      {"destination", container.destination}};
    Children children = store.load_children(container.sscc);
    std::map<UnitKey, UnitState> units;
    store.load_units(children.units, units);
    json::array unit_items;
    for (const auto& [key, unit] : units) {
        unit_items.push_back(json::object{{"gtin", key.gtin}, {"serial", key.serial}, {"lot", unit.lot},
                                          {"expiry", unit.expiry}, {"status", to_string(unit.status)}});
    }
    json::array container_items;
    for (const auto& sscc : children.containers) {
        auto child = store.load_container(sscc);
        if (!child) continue;
        if (depth + 1 >= container_depth_max) {
            container_items.push_back(json::object{{"sscc", sscc}, {"truncated", true}});
        } else {
            container_items.push_back(container_tree(store, *child, depth + 1));
        }
    }
    node["units"] = std::move(unit_items);
    node["containers"] = std::move(container_items);
    return node;
}

json::array parties(const json::object& event, std::string_view list, std::string_view key) {
    json::array out;
    const auto* items = event.if_contains(list);
    if (items == nullptr || !items->is_array()) return out;
    for (const auto& item : items->as_array()) {
        if (!item.is_object()) continue;
        const auto* type = item.as_object().if_contains("type");
        const auto* id = item.as_object().if_contains(key);
        out.push_back(json::object{{"type", type != nullptr ? *type : json::value()}, {"id", id != nullptr ? *id : json::value()}});
    }
    return out;
}

json::value event_json(const std::optional<EventRow>& event) {
    if (!event) return nullptr;
    json::object out{{"event_hash_id", event->hash_id},
                     {"event_id", event->event_id},
                     {"type", event->event_type},
                     {"action", event->action},
                     {"biz_step", event->biz_step},
                     {"disposition", event->disposition},
                     {"event_time", iso8601_utc(event->event_time_ms)},
                     {"read_point", event->read_point},
                     {"biz_location", event->biz_location}};
    boost::system::error_code error;
    json::value stored = json::parse(event->json, error);
    if (!error && stored.is_object()) {
        out["sources"] = parties(stored.as_object(), "sourceList", "source");
        out["destinations"] = parties(stored.as_object(), "destinationList", "destination");
    }
    return out;
}

}  // namespace

Result<json::object> unit_receipt(App& app, store::Store& store, const UnitKey& key,
                                  const std::vector<store::UnitHistoryRow>& rows, std::uint64_t size) {
    RXL_ASSERT(!rows.empty());
    auto read = [&](merkle::NodeId node) { return store.read_node(node); };
    auto note = app.ledger.sign_checkpoint(size, merkle::root_at(size, read));
    if (!note) return note.error();
    std::vector<ReceiptEntry> entries;
    for (const auto& row : rows) {
        entries.push_back({row.entry, row.event_index, row.link, merkle::inclusion_proof(row.entry.seq, size, read)});
    }
    return make_receipt(*note, {key.gtin, key.serial, rows.back().link}, entries);
}

http::Response get_unit(App& app, const http::Request& request) {
    auto unit = readable_unit(app, request);
    if (!unit) return http::problem(unit.error());
    json::object body{{"gtin", unit->key.gtin},
                      {"serial", unit->key.serial},
                      {"lot", unit->lot},
                      {"expiry", unit->expiry},
                      {"status", to_string(unit->status)},
                      {"manufacturer", unit->owner},
                      {"custodian", unit->custodian},
                      {"location", unit->location},
                      {"parent", unit->parent},
                      {"destination", unit->destination},
                      {"commissioned_seq", unit->commissioned_seq},
                      {"updated_seq", unit->updated_seq},
                      {"chain_link", to_hex(unit->chain_link)},
                      {"ledger_size", app.ledger.size()}};
    if (is_decommissioned(unit->status)) {
        body["decommissioned"] = json::object{{"at_ms", unit->decommissioned_at_ms},
                                              {"location", unit->decommissioned_location},
                                              {"by", unit->decommissioned_by}};
    }
    return http::Response::json(200, json::serialize(body));
}

http::Response get_container(App& app, const http::Request& request) {
    auto participant_id = app.tokens.authenticate(request);
    if (!participant_id) return http::problem(participant_id.error());
    std::string sscc(request.path_param("sscc"));
    if (!gs1::has_valid_check_digit(sscc, 18)) {
        return http::problem(make_error(ErrorKind::invalid_input, "bad-identifier", "SSCC must be 18 digits with a valid check digit", "/sscc"));
    }
    return app.ledger.with_store([&](store::Store& store) {
        auto container = store.load_container(sscc);
        auto registry = app.ledger.registry();
        const Participant* reader = registry->find(*participant_id);
        if (!container || reader == nullptr || !may_read(*reader, *container)) {
            return http::problem(make_error(ErrorKind::not_found, "container-not-found", "no such container is visible to you"));
        }
        json::object body = container_tree(store, *container, 0);
        body["ledger_size"] = app.ledger.size();
        return http::Response::json(200, json::serialize(body));
    });
}

http::Response get_unit_history(App& app, const http::Request& request) {
    auto unit = readable_unit(app, request);
    if (!unit) return http::problem(unit.error());
    auto receipt_param = request.query_param("receipt");
    bool want_receipt = receipt_param && (*receipt_param == "1" || *receipt_param == "true");
    // One read connection for the whole answer: the history and its proofs come from the same database.
    return app.ledger.with_store([&](store::Store& store) {
        // The size first: everything read after it is at least as new, and proofs are taken at this size.
        std::uint64_t size = app.ledger.size();
        auto rows = store.unit_history(unit->key);
        std::erase_if(rows, [&](const store::UnitHistoryRow& row) { return row.entry.seq >= size; });
        json::array events;
        for (const auto& row : rows) {
            events.push_back(json::object{{"seq", row.entry.seq},
                                          {"event_index", row.event_index},
                                          {"kind", row.entry.kind},
                                          {"signer", row.entry.submitter},
                                          {"key_id", row.entry.key_id},
                                          {"ordered_at", iso8601_utc(row.entry.ordered_at_ms)},
                                          {"outcome", row.entry.outcome},
                                          {"leaf_hash", to_hex(row.leaf_hash)},
                                          {"unit_link", to_hex(row.link)},
                                          {"event", event_json(row.event)}});
        }
        Hash head = rows.empty() ? unit->chain_link : rows.back().link;
        json::object body{{"gtin", unit->key.gtin}, {"serial", unit->key.serial}, {"lot", unit->lot},
                          {"status", to_string(unit->status)}, {"chain_link", to_hex(head)},
                          {"ledger_size", size}, {"events", std::move(events)}};
        if (want_receipt && !rows.empty()) {
            auto receipt = unit_receipt(app, store, unit->key, rows, size);
            if (!receipt) return http::problem(receipt.error());
            body["receipt"] = std::move(receipt).value();
        }
        return http::Response::json(200, json::serialize(body));
    });
}

}  // namespace rxl::app
