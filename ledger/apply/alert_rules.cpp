#include "ledger/apply/alert_rules.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "ledger/apply/alert_body.hpp"

namespace rxl {

namespace {

namespace json = boost::json;

Error unknown_participant(const std::string& participant, std::string pointer) {
    return make_error(ErrorKind::rule_violation, "unknown-participant", "participant " + participant + " is not registered",
                      std::move(pointer));
}

Status check_participants(const AlertBatch& batch, const Registry& registry) {
    for (std::size_t i = 0; i < batch.alerts.size(); ++i) {
        const AlertItem& alert = batch.alerts[i];
        if (registry.find(alert.participant) == nullptr) {
            return unknown_participant(alert.participant, batch.version == 1 ? "/participant" : fmt::format("/alerts/{}/participant", i));
        }
        // Version 1 predates this rule: entries already on a ledger must replay as they were applied.
        if (batch.version == 1 || alert.location.empty()) continue;
        const Participant* site = registry.find_by_gln(alert.location);
        if (site == nullptr || site->id != alert.participant) {
            return make_error(ErrorKind::rule_violation, "not-participants-location",
                              fmt::format("GLN {} is not a registered location of {}", alert.location, alert.participant),
                              fmt::format("/alerts/{}/location", i));
        }
    }
    for (std::size_t i = 0; i < batch.suppressed.size(); ++i) {
        const std::string& participant = batch.suppressed[i].participant;
        if (registry.find(participant) == nullptr) return unknown_participant(participant, fmt::format("/suppressed/{}/participant", i));
    }
    return ok_status();
}

AlertRow alert_row(AlertItem alert, std::uint32_t item, const AlertContext& context) {
    AlertRow row;
    row.seq = context.seq;
    row.item = item;
    row.code = std::move(alert.code);
    row.emvs = std::move(alert.emvs);
    row.gtin = std::move(alert.gtin);
    row.serial = std::move(alert.serial);
    row.lot = std::move(alert.lot);
    row.expiry = std::move(alert.expiry);
    row.participant = std::move(alert.participant);
    row.location = std::move(alert.location);
    row.node = context.node.id;
    row.verified_at_ms = alert.verified_at_ms;
    row.ordered_at_ms = context.ordered_at_ms;
    row.message = std::move(alert.message);
    row.scans = alert.scans;
    return row;
}

std::string outcome_detail(const AlertBatch& batch, std::uint64_t seq) {
    if (batch.version == 1) return json::serialize(json::object{{"alert_id", seq}});
    return json::serialize(json::object{{"alerts", batch.alerts.size()},
                                        {"scans", batch.alerts.size() + batch.duplicates()},
                                        {"duplicates", batch.duplicates()},
                                        {"suppressed", batch.suppressed_total()},
                                        {"dropped", batch.dropped},
                                        {"unrecorded", batch.unrecorded}});
}

}  // namespace

Result<EntryOutcome> apply_alert(std::string_view body, const AlertContext& context, WorkingState& state) {
    auto batch = parse_alert_body(body);
    if (!batch) return batch.error();
    if (auto status = check_participants(*batch, context.registry); !status) return status.error();
    EntryOutcome outcome;
    outcome.detail_json = outcome_detail(*batch, context.seq);
    for (std::size_t i = 0; i < batch->alerts.size(); ++i) {
        state.add_alert(alert_row(std::move(batch->alerts[i]), static_cast<std::uint32_t>(i), context));
    }
    return outcome;
}

}  // namespace rxl
