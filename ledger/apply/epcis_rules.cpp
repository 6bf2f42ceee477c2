#include "ledger/apply/epcis_rules.hpp"

#include <fmt/format.h>

#include "ledger/apply/entry.hpp"

#include <variant>

namespace rxl {

namespace {

enum class Operation { commission, pack, unpack, ship, receive, decommission, record_only };

struct EventScope {
    const epcis::Event& event;
    const ApplyContext& context;
    WorkingState& state;
    DocumentOutcome& outcome;
    std::string pointer;  // "/epcisBody/eventList/N"
};

Error rule_error(const EventScope& scope, std::string code, std::string detail) {
    return make_error(ErrorKind::rule_violation, std::move(code),
                      fmt::format("event {}: {}", scope.event.index, detail), scope.pointer);
}

std::optional<UnitStatus> decommission_status(const epcis::Event& event) {
    if (event.biz_step == "dispensing") return UnitStatus::dispensed;
    if (event.biz_step == "destroying") return UnitStatus::destroyed;
    if (event.biz_step != "decommissioning") return std::nullopt;
    const std::string& disposition = event.disposition;
    if (disposition == "dispensed" || disposition == "partially_dispensed") return UnitStatus::dispensed;
    if (disposition == "destroyed" || disposition == "disposed") return UnitStatus::destroyed;
    if (disposition == "stolen") return UnitStatus::stolen;
    if (disposition == "inactive" || disposition == "non_sellable_other") return UnitStatus::checked_out;
    return std::nullopt;
}

Operation classify(const epcis::Event& event) {
    using epcis::Action;
    using epcis::EventType;
    if (event.is_error_declaration) return Operation::record_only;
    if (event.type == EventType::aggregation) {
        if (event.action == Action::add) return Operation::pack;
        if (event.action == Action::remove) return Operation::unpack;
        return Operation::record_only;
    }
    if (event.type != EventType::object) return Operation::record_only;
    if (event.action == Action::add &&
        (event.biz_step == "commissioning" || (event.biz_step.empty() && event.has_ilmd))) {
        return Operation::commission;
    }
    if (event.biz_step == "shipping") return Operation::ship;
    if (event.biz_step == "receiving") return Operation::receive;
    if (event.biz_step == "dispensing" || event.biz_step == "destroying" || event.biz_step == "decommissioning") {
        return Operation::decommission;
    }
    return Operation::record_only;
}

std::string gln_of(const std::optional<gs1::Identifier>& id) {
    if (!id) return {};
    if (const auto* sgln = std::get_if<gs1::Sgln>(&*id)) return sgln->gln;
    if (const auto* pgln = std::get_if<gs1::Pgln>(&*id)) return pgln->gln;
    return {};
}

// The location an event happened at: its bizLocation, else its readPoint, else `fallback`.
std::string event_location(const epcis::Event& event, const std::string& fallback) {
    std::string gln = gln_of(event.biz_location);
    if (gln.empty()) gln = gln_of(event.read_point);
    return gln.empty() ? fallback : gln;
}

std::string first_gln(const Participant& participant) {
    return participant.glns.empty() ? std::string() : participant.glns.front();
}

// ---- the item an event names: a unit or a container ------------------------------------------------

struct Item {
    std::optional<UnitState> unit;
    std::optional<ContainerState> container;
    std::string label;  // for messages

    const std::string& custodian() const { return unit ? unit->custodian : container->custodian; }
    UnitStatus status() const { return unit ? unit->status : container->status; }
    const std::string& parent() const { return unit ? unit->parent : container->parent; }
    const std::string& destination() const { return unit ? unit->destination : container->destination; }
};

Result<Item> load_item(EventScope& scope, const gs1::Identifier& id) {
    Item item;
    if (const auto* sgtin = std::get_if<gs1::Sgtin>(&id)) {
        item.label = fmt::format("unit (01){}(21){}", sgtin->gtin, sgtin->serial);
        item.unit = scope.state.unit(UnitKey{sgtin->gtin, sgtin->serial});
        if (!item.unit) return rule_error(scope, "not-commissioned", item.label + " was never commissioned");
        return item;
    }
    if (const auto* sscc = std::get_if<gs1::Sscc>(&id)) {
        item.label = fmt::format("container (00){}", sscc->sscc);
        item.container = scope.state.container(sscc->sscc);
        if (!item.container) return rule_error(scope, "not-commissioned", item.label + " was never commissioned or packed");
        return item;
    }
    return rule_error(scope, "unsupported-identifier",
                      "only SGTINs (units) and SSCCs (containers) can change custody; got " + gs1::to_digital_link(id));
}

// The submitter must hold the item, and the item must be saleable stock (not shipped, not decommissioned).
Status check_custody(EventScope& scope, const Item& item) {
    if (item.custodian() != scope.context.submitter.id) {
        return rule_error(scope, "not-custodian",
                          fmt::format("{} is held by {}, not by {}", item.label, item.custodian(), scope.context.submitter.id));
    }
    if (item.status() != UnitStatus::active) {
        return rule_error(scope, "not-active", fmt::format("{} is {}", item.label, to_string(item.status())));
    }
    return ok_status();
}

void touch(EventScope& scope, const UnitKey& key) {
    scope.outcome.touched_units.emplace_back(key, static_cast<std::uint32_t>(scope.event.index));
}

// Calls `visit_unit` and `visit_container` on every unit and container nested inside `sscc`, depth first.
template <class UnitVisitor, class ContainerVisitor>
void for_each_descendant(WorkingState& state, const std::string& sscc, UnitVisitor visit_unit,
                         ContainerVisitor visit_container, int depth = 0) {
    RXL_ASSERT_MSG(depth < 64, "container nesting deeper than 64: a cycle slipped past the pack rule");
    Children children = state.children(sscc);
    for (const auto& key : children.units) {
        auto unit = state.unit(key);
        RXL_ASSERT(unit.has_value());
        visit_unit(*unit);
    }
    for (const auto& child : children.containers) {
        auto container = state.container(child);
        RXL_ASSERT(container.has_value());
        visit_container(*container);
        for_each_descendant(state, child, visit_unit, visit_container, depth + 1);
    }
}

// ---- operations ----------------------------------------------------------------------------------------

void preload_document_units(const epcis::Document& document, WorkingState& state) {
    std::vector<UnitKey> keys;
    for (const auto& event : document.events) {
        for (const auto* list : {&event.epc_list, &event.child_epcs}) {
            for (const auto& id : *list) {
                if (const auto* sgtin = std::get_if<gs1::Sgtin>(&id)) keys.push_back({sgtin->gtin, sgtin->serial});
            }
        }
    }
    state.preload_units(keys);
}

void record_event(EventScope& scope) {
    const epcis::Event& event = scope.event;
    EventRow row;
    row.seq = scope.context.seq;
    row.event_index = static_cast<std::uint32_t>(event.index);
    row.hash_id = event.hash_id;
    row.event_id = event.event_id;
    row.event_type = std::string(epcis::to_string(event.type));
    row.event_time_ms = event.event_time_ms;
    row.action = std::string(epcis::to_string(event.action));
    row.biz_step = event.biz_step;
    row.disposition = event.disposition;
    row.read_point = event.read_point ? gs1::to_digital_link(*event.read_point) : std::string();
    row.biz_location = event.biz_location ? gs1::to_digital_link(*event.biz_location) : std::string();
    row.lot = event.lot_number.value_or("");
    row.is_error_declaration = event.is_error_declaration;
    row.json = event.json;
    row.submitter = scope.context.submitter.id;
    scope.state.add_event(std::move(row));
}

Status commission(EventScope& scope) {
    const epcis::Event& event = scope.event;
    const Participant& submitter = scope.context.submitter;
    if (submitter.role != Role::manufacturer) {
        return rule_error(scope, "not-a-manufacturer", submitter.id + " is a " + std::string(to_string(submitter.role)) +
                                                          "; only manufacturers commission");
    }
    if (event.epc_list.empty()) return rule_error(scope, "nothing-to-commission", "commissioning names no EPCs");
    std::string location = event_location(event, first_gln(submitter));
    for (const auto& id : event.epc_list) {
        if (const auto* sgtin = std::get_if<gs1::Sgtin>(&id)) {
            if (!Registry::owns_gtin(submitter, sgtin->gtin)) {
                return rule_error(scope, "not-gtin-owner", fmt::format("GTIN {} does not belong to a company prefix of {}",
                                                                       sgtin->gtin, submitter.id));
            }
            if (!event.lot_number || !event.item_expiration) {
                return rule_error(scope, "lot-and-expiry-required",
                                  "commissioning units needs ILMD cbvmda:lotNumber and cbvmda:itemExpirationDate");
            }
            UnitKey key{sgtin->gtin, sgtin->serial};
            if (scope.state.unit(key)) {
                return rule_error(scope, "already-commissioned",
                                  fmt::format("unit (01){}(21){} is already commissioned", key.gtin, key.serial));
            }
            UnitState unit;
            unit.key = key;
            unit.lot = *event.lot_number;
            unit.expiry = *event.item_expiration;
            unit.owner = unit.custodian = submitter.id;
            unit.location = location;
            unit.commissioned_seq = unit.updated_seq = scope.context.seq;
            unit.chain_link = zero_link;
            scope.state.put_unit(std::move(unit));
            scope.state.add_lot({key.gtin, *event.lot_number, *event.item_expiration, submitter.id});
            touch(scope, key);
        } else if (const auto* sscc = std::get_if<gs1::Sscc>(&id)) {
            if (!Registry::owns_sscc(submitter, sscc->sscc)) {
                return rule_error(scope, "not-sscc-owner", fmt::format("SSCC {} does not belong to a company prefix of {}",
                                                                       sscc->sscc, submitter.id));
            }
            if (scope.state.container(sscc->sscc)) {
                return rule_error(scope, "already-commissioned", fmt::format("container (00){} is already commissioned", sscc->sscc));
            }
            ContainerState container;
            container.sscc = sscc->sscc;
            container.owner = container.custodian = submitter.id;
            container.location = location;
            container.commissioned_seq = container.updated_seq = scope.context.seq;
            scope.state.put_container(std::move(container));
        } else {
            return rule_error(scope, "unsupported-identifier", "only SGTINs and SSCCs can be commissioned");
        }
    }
    return ok_status();
}

// The parent of a pack event: an existing container the submitter holds, or a new SSCC under one of the
// submitter's own company prefixes (packing lines often aggregate into SSCCs they never commissioned).
Result<ContainerState> pack_parent(EventScope& scope) {
    const auto* sscc = scope.event.parent_id ? std::get_if<gs1::Sscc>(&*scope.event.parent_id) : nullptr;
    if (sscc == nullptr) return rule_error(scope, "parent-must-be-sscc", "packing needs an SSCC as parentID");
    if (auto existing = scope.state.container(sscc->sscc)) {
        Item item{std::nullopt, existing, "container (00)" + sscc->sscc};
        if (auto status = check_custody(scope, item); !status) return status.error();
        return *existing;
    }
    if (!Registry::owns_sscc(scope.context.submitter, sscc->sscc)) {
        return rule_error(scope, "not-commissioned",
                          fmt::format("container (00){} is unknown and not under a company prefix of {}", sscc->sscc,
                                      scope.context.submitter.id));
    }
    ContainerState container;
    container.sscc = sscc->sscc;
    container.owner = container.custodian = scope.context.submitter.id;
    container.location = event_location(scope.event, first_gln(scope.context.submitter));
    container.commissioned_seq = container.updated_seq = scope.context.seq;
    scope.state.put_container(container);
    return container;
}

// True if `ancestor` is `sscc` or contains it, walking up the parents.
bool is_within(WorkingState& state, const std::string& sscc, const std::string& ancestor) {
    std::string current = sscc;
    for (int depth = 0; depth < 64 && !current.empty(); ++depth) {
        if (current == ancestor) return true;
        auto container = state.container(current);
        current = container ? container->parent : std::string();
    }
    return false;
}

Status pack(EventScope& scope) {
    auto parent = pack_parent(scope);
    if (!parent) return parent.error();
    if (scope.event.child_epcs.empty()) return rule_error(scope, "nothing-to-pack", "packing names no childEPCs");
    for (const auto& id : scope.event.child_epcs) {
        auto item = load_item(scope, id);
        if (!item) return item.error();
        if (auto status = check_custody(scope, *item); !status) return status;
        // Also refuses a child named twice in one event: the second time, it is already in this parent.
        if (!item->parent().empty()) {
            return rule_error(scope, "already-packed", fmt::format("{} is already packed in (00){}", item->label, item->parent()));
        }
        if (item->unit) {
            item->unit->parent = parent->sscc;
            item->unit->updated_seq = scope.context.seq;
            touch(scope, item->unit->key);
            scope.state.put_unit(std::move(*item->unit));
        } else {
            if (is_within(scope.state, parent->sscc, item->container->sscc)) {
                return rule_error(scope, "packing-cycle", fmt::format("{} contains (00){}", item->label, parent->sscc));
            }
            item->container->parent = parent->sscc;
            item->container->updated_seq = scope.context.seq;
            scope.state.put_container(std::move(*item->container));
        }
    }
    return ok_status();
}

void detach_unit(EventScope& scope, UnitState unit) {
    unit.parent.clear();
    unit.updated_seq = scope.context.seq;
    touch(scope, unit.key);
    scope.state.put_unit(std::move(unit));
}

Status unpack(EventScope& scope) {
    const auto* sscc = scope.event.parent_id ? std::get_if<gs1::Sscc>(&*scope.event.parent_id) : nullptr;
    if (sscc == nullptr) return rule_error(scope, "parent-must-be-sscc", "unpacking needs an SSCC as parentID");
    auto parent = scope.state.container(sscc->sscc);
    if (!parent) return rule_error(scope, "not-commissioned", fmt::format("container (00){} is unknown", sscc->sscc));
    Item parent_item{std::nullopt, parent, "container (00)" + sscc->sscc};
    if (auto status = check_custody(scope, parent_item); !status) return status;
    if (scope.event.child_epcs.empty()) {  // DELETE without children empties the container
        Children children = scope.state.children(sscc->sscc);
        for (const auto& key : children.units) detach_unit(scope, *scope.state.unit(key));
        for (const auto& child : children.containers) {
            auto container = *scope.state.container(child);
            container.parent.clear();
            container.updated_seq = scope.context.seq;
            scope.state.put_container(std::move(container));
        }
        return ok_status();
    }
    for (const auto& id : scope.event.child_epcs) {
        auto item = load_item(scope, id);
        if (!item) return item.error();
        if (item->parent() != sscc->sscc) {
            return rule_error(scope, "not-packed-here", fmt::format("{} is not packed in (00){}", item->label, sscc->sscc));
        }
        if (item->unit) {
            detach_unit(scope, std::move(*item->unit));
        } else {
            item->container->parent.clear();
            item->container->updated_seq = scope.context.seq;
            scope.state.put_container(std::move(*item->container));
        }
    }
    return ok_status();
}

// The participant a shipment is for: the owning party, else the possessing party, else the location.
Result<const Participant*> shipment_destination(EventScope& scope) {
    for (const char* type : {"owning_party", "possessing_party", "location"}) {
        for (const auto& party : scope.event.destinations) {
            if (party.type != type) continue;
            std::string gln = gln_of(party.id);
            const Participant* participant = gln.empty() ? nullptr : scope.context.registry.find_by_gln(gln);
            if (participant == nullptr) {
                return rule_error(scope, "unknown-destination",
                                  "destination " + gs1::to_digital_link(party.id) + " is not a GLN of any participant");
            }
            return participant;
        }
    }
    return rule_error(scope, "destination-required",
                      "shipping needs a destinationList entry (owning_party, possessing_party or location)");
}

// Applies `change` to the item and to everything nested in it.
template <class UnitChange, class ContainerChange>
void change_with_contents(EventScope& scope, Item& item, UnitChange unit_change, ContainerChange container_change) {
    if (item.unit) {
        unit_change(*item.unit);
        touch(scope, item.unit->key);
        scope.state.put_unit(std::move(*item.unit));
        return;
    }
    std::vector<UnitState> units;
    std::vector<ContainerState> containers;
    for_each_descendant(scope.state, item.container->sscc, [&](const UnitState& unit) { units.push_back(unit); },
                        [&](const ContainerState& container) { containers.push_back(container); });
    container_change(*item.container);
    scope.state.put_container(std::move(*item.container));
    for (auto& container : containers) {
        container_change(container);
        scope.state.put_container(std::move(container));
    }
    for (auto& unit : units) {
        unit_change(unit);
        touch(scope, unit.key);
        scope.state.put_unit(std::move(unit));
    }
}

Status ship(EventScope& scope) {
    if (scope.event.epc_list.empty()) return rule_error(scope, "nothing-to-ship", "shipping names no EPCs");
    auto destination = shipment_destination(scope);
    if (!destination) return destination.error();
    const std::string& to = (*destination)->id;
    std::uint64_t seq = scope.context.seq;
    for (const auto& id : scope.event.epc_list) {
        auto item = load_item(scope, id);
        if (!item) return item.error();
        if (auto status = check_custody(scope, *item); !status) return status;
        if (!item->parent().empty()) {
            return rule_error(scope, "packed-in-container",
                              fmt::format("{} is packed in (00){}: ship the container, or unpack first", item->label, item->parent()));
        }
        change_with_contents(
            scope, *item,
            [&](UnitState& unit) { unit.status = UnitStatus::in_transit; unit.destination = to; unit.updated_seq = seq; },
            [&](ContainerState& box) { box.status = UnitStatus::in_transit; box.destination = to; box.updated_seq = seq; });
    }
    return ok_status();
}

Status receive(EventScope& scope) {
    if (scope.event.epc_list.empty()) return rule_error(scope, "nothing-to-receive", "receiving names no EPCs");
    const Participant& submitter = scope.context.submitter;
    std::string location = event_location(scope.event, first_gln(submitter));
    std::uint64_t seq = scope.context.seq;
    for (const auto& id : scope.event.epc_list) {
        auto item = load_item(scope, id);
        if (!item) return item.error();
        if (item->status() != UnitStatus::in_transit) {
            return rule_error(scope, "not-in-transit", fmt::format("{} is {}, not in transit", item->label, to_string(item->status())));
        }
        if (item->destination() != submitter.id) {
            return rule_error(scope, "not-the-recipient",
                              fmt::format("{} was shipped to {}, not to {}", item->label, item->destination(), submitter.id));
        }
        if (!item->parent().empty()) {
            return rule_error(scope, "packed-in-container",
                              fmt::format("{} travels inside (00){}: receive the container", item->label, item->parent()));
        }
        auto arrive = [&](auto& thing) {
            thing.status = UnitStatus::active;
            thing.destination.clear();
            thing.custodian = submitter.id;
            thing.location = location;
            thing.updated_seq = seq;
        };
        change_with_contents(scope, *item, arrive, arrive);
    }
    return ok_status();
}

Status decommission(EventScope& scope) {
    auto status = decommission_status(scope.event);
    if (!status) {
        return rule_error(scope, "unknown-decommission-disposition",
                          "decommissioning needs disposition dispensed, destroyed, stolen, disposed or inactive");
    }
    const Participant& submitter = scope.context.submitter;
    if (!role_may_decommission_to(submitter.role, *status)) {
        return rule_error(scope, "not-a-pharmacy", "only a pharmacy dispenses; " + submitter.id + " is a " +
                                                       std::string(to_string(submitter.role)));
    }
    if (scope.event.epc_list.empty()) return rule_error(scope, "nothing-to-decommission", "the event names no EPCs");
    for (const auto& id : scope.event.epc_list) {
        auto item = load_item(scope, id);
        if (!item) return item.error();
        if (!item->unit) return rule_error(scope, "units-only", "decommission units one by one, not " + item->label);
        if (auto custody = check_custody(scope, *item); !custody) return custody;
        UnitState& unit = *item->unit;
        if (*status == UnitStatus::dispensed) {
            if (auto refusal = unsaleable_reason(unit, scope.context.ordered_at_ms, scope.state)) {
                return rule_error(scope, refusal->code, refusal->detail);
            }
        }
        mark_decommissioned(unit, *status, event_location(scope.event, unit.location), scope.context);
        touch(scope, unit.key);
        scope.state.put_unit(std::move(unit));
    }
    return ok_status();
}

// An error declaration says an event on the ledger was wrong (EPCIS 2.0 section 7.4.1.2): only the one
// who recorded it, or a regulator, may say so, or any member could cast doubt on a competitor's records.
Status check_error_declaration(EventScope& scope) {
    const Participant& submitter = scope.context.submitter;
    if (submitter.role == Role::regulator) return ok_status();
    auto declared_by = scope.state.event_submitter(scope.event.hash_id);
    if (!declared_by) {
        return rule_error(scope, "declared-event-unknown",
                          "an error declaration must name an event on the ledger (by its event hash); " +
                              scope.event.hash_id + " is not one");
    }
    if (*declared_by != submitter.id) {
        return rule_error(scope, "not-event-submitter",
                          fmt::format("only {}, who recorded the event, or a regulator may declare it an error", *declared_by));
    }
    return ok_status();
}

Status apply_event(EventScope& scope) {
    const epcis::Event& event = scope.event;
    if (!event.is_error_declaration && scope.state.event_hash_seen(event.hash_id)) {
        return make_error(ErrorKind::conflict, "duplicate-event",
                          fmt::format("event {} ({}) is already on the ledger", event.index, event.hash_id), scope.pointer);
    }
    if (event.is_error_declaration) {
        if (auto allowed = check_error_declaration(scope); !allowed) return allowed;
    }
    Operation operation = classify(event);
    Status status = ok_status();
    switch (operation) {
        case Operation::commission: status = commission(scope); break;
        case Operation::pack: status = pack(scope); break;
        case Operation::unpack: status = unpack(scope); break;
        case Operation::ship: status = ship(scope); break;
        case Operation::receive: status = receive(scope); break;
        case Operation::decommission: status = decommission(scope); break;
        case Operation::record_only: break;
    }
    if (!status) return status;
    record_event(scope);
    scope.outcome.events.push_back({event.hash_id, operation == Operation::record_only ? "recorded" : "applied"});
    return ok_status();
}

}  // namespace

Result<DocumentOutcome> apply_epcis_document(const epcis::Document& document, const ApplyContext& context,
                                            WorkingState& state) {
    DocumentOutcome outcome;
    preload_document_units(document, state);
    for (const auto& event : document.events) {
        EventScope scope{event, context, state, outcome, fmt::format("/epcisBody/eventList/{}", event.index)};
        if (auto status = apply_event(scope); !status) return status.error();
    }
    return outcome;
}

}  // namespace rxl
