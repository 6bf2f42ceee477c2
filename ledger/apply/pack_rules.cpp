#include "ledger/apply/pack_rules.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "ledger/apply/json_body.hpp"
#include "ledger/core/limits.hpp"

namespace rxl {

namespace {

namespace json = boost::json;

struct PackRequest {
    bool undo = false;
    UnitKey key;
    UnitStatus status = UnitStatus::active;  // the decommissioned state asked for; unused by undo
    std::string location;
};

Error rule_error(std::string code, std::string detail, std::string pointer = {}) {
    return make_error(ErrorKind::rule_violation, std::move(code), std::move(detail), std::move(pointer));
}

std::string label(const UnitKey& key) { return fmt::format("unit (01){}(21){}", key.gtin, key.serial); }

Result<UnitStatus> decommission_state(const json::object& object) {
    auto text = body::string_member(object, "state", true, 32);
    if (!text) return text.error();
    auto status = parse_unit_status(*text);
    if (!status || !is_decommissioned(*status)) {
        return body::bad_body_error("state must be dispensed, destroyed, exported, sample, free_sample, stolen, "
                                    "locked or checked_out", "/state");
    }
    return *status;
}

Result<PackRequest> parse_request(std::string_view text) {
    auto object = body::parse_object(text, {"op", "gtin", "serial", "state", "location", "request_id"});
    if (!object) return object.error();
    if (auto request_id = body::check_request_id(*object); !request_id) return request_id.error();
    auto op = body::string_member(*object, "op", true, 16);
    if (!op) return op.error();
    if (*op != "decommission" && *op != "undo") return body::bad_body_error("op must be decommission or undo", "/op");
    PackRequest request;
    request.undo = *op == "undo";
    auto gtin = body::gtin_member(*object, "gtin");
    if (!gtin) return gtin.error();
    auto serial = body::serial_or_lot_member(*object, "serial", true);
    if (!serial) return serial.error();
    request.key = {std::move(gtin).value(), std::move(serial).value()};
    if (request.undo) {
        if (object->contains("state")) return body::bad_body_error("undo takes no state", "/state");
    } else {
        auto status = decommission_state(*object);
        if (!status) return status.error();
        request.status = *status;
    }
    auto location = body::gln_member(*object, "location", true);
    if (!location) return location.error();
    request.location = std::move(location).value();
    return request;
}

// The unit, if the operation may name it: at one of the submitter's own locations, and commissioned.
Result<UnitState> load_unit(const PackRequest& request, const ApplyContext& context, WorkingState& state) {
    const Participant* at = context.registry.find_by_gln(request.location);
    if (at == nullptr || at->id != context.submitter.id) {
        return rule_error("not-submitters-location",
                          fmt::format("GLN {} is not a registered location of {}", request.location, context.submitter.id),
                          "/location");
    }
    auto unit = state.unit(request.key);
    if (!unit) return rule_error("not-commissioned", label(request.key) + " was never commissioned", "/serial");
    return std::move(*unit);
}

std::string decommission_summary(const UnitState& unit) {
    return fmt::format("{} was {} at {} at GLN {} by {}", label(unit.key), to_string(unit.status),
                       utc_timestamp(unit.decommissioned_at_ms), unit.decommissioned_location, unit.decommissioned_by);
}

Status check_decommission(const PackRequest& request, const UnitState& unit, const ApplyContext& context,
                          WorkingState& state) {
    const Participant& submitter = context.submitter;
    if (!role_may_decommission_to(submitter.role, request.status)) {
        return rule_error("not-a-pharmacy", fmt::format("only a pharmacy dispenses; {} is a {}", submitter.id,
                                                        to_string(submitter.role)), "/state");
    }
    if (is_decommissioned(unit.status)) return rule_error("already-decommissioned", decommission_summary(unit));
    if (unit.custodian != submitter.id) {
        return rule_error("not-custodian", fmt::format("{} is held by {}, not by {}", label(unit.key), unit.custodian,
                                                       submitter.id));
    }
    if (unit.status != UnitStatus::active) {
        return rule_error("not-active", fmt::format("{} is {}", label(unit.key), to_string(unit.status)));
    }
    if (request.status == UnitStatus::dispensed) {
        if (auto refusal = unsaleable_reason(unit, context.ordered_at_ms, state)) return rule_error(refusal->code, refusal->detail);
    }
    return ok_status();
}

Status check_undo(const PackRequest& request, const UnitState& unit, const ApplyContext& context, WorkingState& state) {
    if (!is_decommissioned(unit.status)) {
        return rule_error("not-decommissioned", fmt::format("{} is {}: there is nothing to undo", label(unit.key),
                                                            to_string(unit.status)));
    }
    if (unit.status == UnitStatus::stolen || unit.status == UnitStatus::destroyed) {
        return rule_error("not-undoable", fmt::format("{} was reported {}: that is never undone", label(unit.key),
                                                      to_string(unit.status)));
    }
    if (unit.decommissioned_by != context.submitter.id) {
        return rule_error("not-same-participant", decommission_summary(unit) + "; only they may undo it");
    }
    if (unit.decommissioned_location != request.location) {
        return rule_error("not-same-location", decommission_summary(unit) + "; undo it there", "/location");
    }
    std::int64_t elapsed_ms = context.ordered_at_ms - unit.decommissioned_at_ms;
    if (unit.status != UnitStatus::locked && elapsed_ms > limits::undo_window_ms) {
        return rule_error("undo-window-closed", decommission_summary(unit) + fmt::format(
                              "; an undo must come within {} days", limits::undo_window_ms / 86'400'000));
    }
    if (auto refusal = unsaleable_reason(unit, context.ordered_at_ms, state)) return rule_error(refusal->code, refusal->detail);
    return ok_status();
}

}  // namespace

Status check_pack_body(std::string_view body) {
    auto request = parse_request(body);
    if (!request) return request.error();
    return ok_status();
}

Result<EntryOutcome> apply_pack(std::string_view body, const ApplyContext& context, WorkingState& state) {
    auto request = parse_request(body);
    if (!request) return request.error();
    auto unit = load_unit(*request, context, state);
    if (!unit) return unit.error();
    if (request->undo) {
        if (auto status = check_undo(*request, *unit, context, state); !status) return status.error();
        reinstate(*unit, context);
    } else {
        if (auto status = check_decommission(*request, *unit, context, state); !status) return status.error();
        mark_decommissioned(*unit, request->status, request->location, context);
    }
    EntryOutcome outcome;
    outcome.touched_units.emplace_back(unit->key, 0);
    outcome.detail_json = json::serialize(json::object{
        {"gtin", unit->key.gtin}, {"serial", unit->key.serial}, {"status", to_string(unit->status)}});
    state.put_unit(std::move(*unit));
    return outcome;
}

}  // namespace rxl
