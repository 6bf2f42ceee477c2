#include "ledger/apply/recall_rules.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "ledger/apply/json_body.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/gs1/identifiers.hpp"

namespace rxl {

namespace {

namespace json = boost::json;

std::string lot_pointer(std::size_t index) { return fmt::format("/lots/{}", index); }

Result<std::vector<std::string>> parse_lots(const json::object& object) {
    std::vector<std::string> lots;
    const json::value* value = object.if_contains("lots");
    if (value == nullptr) return lots;
    if (!value->is_array()) return body::bad_body_error("lots must be an array of lot numbers", "/lots");
    const json::array& array = value->as_array();
    if (array.size() > limits::recall_lots_max) {
        return body::bad_body_error(fmt::format("a recall names at most {} lots", limits::recall_lots_max), "/lots");
    }
    for (std::size_t i = 0; i < array.size(); ++i) {
        const json::value& item = array[i];
        bool valid = item.is_string() && !item.as_string().empty() &&
                     item.as_string().size() <= limits::lot_chars_max && gs1::is_cset82(item.as_string());
        if (!valid) return body::bad_body_error("a lot is 1 to 20 characters of GS1 CSET 82", lot_pointer(i));
        std::string lot(item.as_string());
        if (std::find(lots.begin(), lots.end(), lot) != lots.end()) {
            return body::bad_body_error("lot " + lot + " is named twice", lot_pointer(i));
        }
        lots.push_back(std::move(lot));
    }
    return lots;
}

Result<RecallRow> parse_recall(std::string_view text) {
    auto object = body::parse_object(text, {"gtin", "lots", "class", "reason", "request_id"});
    if (!object) return object.error();
    if (auto request_id = body::check_request_id(*object); !request_id) return request_id.error();
    RecallRow recall;
    auto gtin = body::gtin_member(*object, "gtin");
    if (!gtin) return gtin.error();
    recall.gtin = std::move(gtin).value();
    auto lots = parse_lots(*object);
    if (!lots) return lots.error();
    recall.lots = std::move(lots).value();
    recall.withdrawal = recall.lots.empty();
    auto recall_class = body::string_member(*object, "class", true, 3);
    if (!recall_class) return recall_class.error();
    if (*recall_class != "I" && *recall_class != "II" && *recall_class != "III") {
        return body::bad_body_error("class must be I, II or III", "/class");
    }
    recall.recall_class = std::move(recall_class).value();
    auto reason = body::string_member(*object, "reason", true, limits::recall_reason_chars_max);
    if (!reason) return reason.error();
    recall.reason = std::move(reason).value();
    return recall;
}

Error rule_error(ErrorKind kind, std::string code, std::string detail, std::string pointer = {}) {
    return make_error(kind, std::move(code), std::move(detail), std::move(pointer));
}

Status check_recall(const RecallRow& recall, const ApplyContext& context, WorkingState& state) {
    const Participant& submitter = context.submitter;
    if (submitter.role != Role::regulator && !Registry::owns_gtin(submitter, recall.gtin)) {
        return rule_error(ErrorKind::rule_violation, "not-manufacturer-or-regulator",
                          fmt::format("only GTIN {}'s manufacturer or a regulator may recall it; {} is neither",
                                      recall.gtin, submitter.id));
    }
    if (!state.product_exists(recall.gtin)) {
        return rule_error(ErrorKind::rule_violation, "unknown-product",
                          fmt::format("no unit of GTIN {} was ever commissioned", recall.gtin), "/gtin");
    }
    for (std::size_t i = 0; i < recall.lots.size(); ++i) {
        if (!state.lot_exists(recall.gtin, recall.lots[i])) {
            return rule_error(ErrorKind::rule_violation, "unknown-lot",
                              fmt::format("lot {} was never commissioned for GTIN {}", recall.lots[i], recall.gtin),
                              lot_pointer(i));
        }
    }
    if (auto withdrawn = state.gtin_withdrawal(recall.gtin)) {
        return rule_error(ErrorKind::conflict, "already-withdrawn",
                          fmt::format("GTIN {} was withdrawn by recall {}", recall.gtin, *withdrawn));
    }
    for (std::size_t i = 0; i < recall.lots.size(); ++i) {
        if (auto recalled = state.lot_recall(recall.gtin, recall.lots[i])) {
            return rule_error(ErrorKind::conflict, "already-recalled",
                              fmt::format("lot {} of GTIN {} was recalled by recall {}", recall.lots[i], recall.gtin,
                                          *recalled), lot_pointer(i));
        }
    }
    return ok_status();
}

std::string accepted_detail(const RecallRow& recall) {
    json::array lots;
    for (const auto& lot : recall.lots) lots.emplace_back(lot);
    return json::serialize(json::object{{"recall_id", recall.seq},
                                        {"gtin", recall.gtin},
                                        {"withdrawal", recall.withdrawal},
                                        {"lots", std::move(lots)},
                                        {"class", recall.recall_class}});
}

}  // namespace

Status check_recall_body(std::string_view body) {
    auto recall = parse_recall(body);
    if (!recall) return recall.error();
    return ok_status();
}

Result<EntryOutcome> apply_recall(std::string_view body, const ApplyContext& context, WorkingState& state) {
    auto recall = parse_recall(body);
    if (!recall) return recall.error();
    if (auto status = check_recall(*recall, context, state); !status) return status.error();
    recall->seq = context.seq;
    recall->submitter = context.submitter.id;
    recall->ordered_at_ms = context.ordered_at_ms;
    EntryOutcome outcome;
    outcome.detail_json = accepted_detail(*recall);
    state.add_recall(std::move(recall).value());
    return outcome;
}

}  // namespace rxl
