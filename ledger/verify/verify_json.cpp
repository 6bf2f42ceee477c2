#include "ledger/verify/verify_json.hpp"

#include "ledger/core/time.hpp"

namespace rxl::verify {
namespace {

boost::json::value string_or_null(const std::string& text) {
    if (text.empty()) return nullptr;
    return boost::json::value(text);
}

boost::json::value product_json(const Product& product) {
    if (product.gtin.empty()) return nullptr;
    return boost::json::object{
        {"gtin", product.gtin},
        {"serial", product.serial},
        {"lot", string_or_null(product.lot)},
        {"expiry", string_or_null(product.expiry)},
        {"manufacturer", string_or_null(product.manufacturer)},
    };
}

boost::json::value decommissioned_json(const std::optional<Decommission>& decommission) {
    if (!decommission) return nullptr;
    return boost::json::object{
        {"state", decommission->state},
        {"at", iso8601_utc(decommission->at_ms)},
        {"location", string_or_null(decommission->location)},
        {"by", decommission->by},
    };
}

boost::json::value alert_json(const std::optional<Alert>& alert) {
    if (!alert) return nullptr;
    return boost::json::object{{"code", to_string(alert->code)}, {"emvs", alert->emvs}};
}

}  // namespace

boost::json::object to_json(const Verification& verification) {
    return boost::json::object{
        {"genuine", verification.genuine},
        {"dispensable", verification.dispensable},
        {"status", string_or_null(verification.status)},
        {"code", to_string(verification.code)},
        {"message", verification.message},
        {"product", product_json(verification.product)},
        {"custodian", string_or_null(verification.custodian)},
        {"location", string_or_null(verification.location)},
        {"decommissioned", decommissioned_json(verification.decommissioned)},
        {"alert", alert_json(verification.alert)},
        {"ledger_size", verification.ledger_size},
    };
}

}  // namespace rxl::verify
