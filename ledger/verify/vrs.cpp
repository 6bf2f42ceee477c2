#include "ledger/verify/vrs.hpp"

#include <algorithm>
#include <array>

#include "ledger/gs1/identifiers.hpp"
#include "ledger/core/time.hpp"

namespace rxl::verify {
namespace {

// The values of the standard, spelled exactly as it spells them.
namespace reason {
constexpr std::string_view no_match_serial = "No_match_GTIN_Serial";
constexpr std::string_view no_match_lot = "No_match_GTIN_Serial_Lot";
constexpr std::string_view no_match_expiry = "No_match_GTIN_Serial_Expiry";
constexpr std::string_view no_match_lot_expiry = "No_match_GTIN_Serial_Lot_Expiry";
constexpr std::string_view not_for_redistribution = "Not_for_re-distribution";
constexpr std::string_view none_given = "No_reason_provided";
}  // namespace reason
namespace info {
constexpr std::string_view recalled = "Recalled";
constexpr std::string_view expired = "Expired";
constexpr std::string_view suspect = "Suspect";
constexpr std::string_view illegitimate = "Illegitimate";
}  // namespace info

constexpr std::array<std::string_view, 3> link_types{"verificationService", "gs1:verificationService",
                                                     "https://gs1.org/voc/verificationService"};
constexpr std::array<std::string_view, 1> contexts{"dscsaSaleableReturn"};

Error bad_request(std::string detail, std::string pointer) {
    return make_error(ErrorKind::invalid_input, "bad-vrs-request", std::move(detail), std::move(pointer));
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool all_digits(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// 8-4-4-4-12 hexadecimal digits separated by hyphens (RFC 9562 text form).
bool is_uuid(std::string_view text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool hyphen_place = i == 8 || i == 13 || i == 18 || i == 23;
        if (hyphen_place ? text[i] != '-' : !is_hex(text[i])) return false;
    }
    return true;
}

template <std::size_t N>
bool is_one_of(std::string_view text, const std::array<std::string_view, N>& allowed) {
    return std::find(allowed.begin(), allowed.end(), text) != allowed.end();
}

// A GTIN-8, -12, -13 or -14 as GTIN-14, or an error naming what is wrong.
Result<std::string> gtin14(const std::string& gtin) {
    const bool length_ok = gtin.size() == 8 || gtin.size() == 12 || gtin.size() == 13 || gtin.size() == 14;
    if (!length_ok || !all_digits(gtin)) {
        return bad_request("the GTIN '" + gtin + "' is not 8, 12, 13 or 14 digits", "/gtin");
    }
    std::string padded = std::string(14 - gtin.size(), '0') + gtin;
    if (!gs1::has_valid_check_digit(padded, 14)) {
        return bad_request("the GTIN '" + gtin + "' has a wrong check digit", "/gtin");
    }
    return padded;
}

// A required AI value (lot, serial, expiry) checked against its AI's format.
Status check_element(std::string_view ai, const std::string& value, std::string_view name, std::string pointer) {
    if (value.empty()) return bad_request("the " + std::string(name) + " is required", std::move(pointer));
    if (auto status = gs1::check_ai_value(ai, value); !status) {
        return bad_request("the " + std::string(name) + " '" + value + "' is invalid: " + status.error().detail,
                           std::move(pointer));
    }
    return ok_status();
}

// The request's own parameters, which the scan does not carry.
Status check_parameters(const VrsRequest& request) {
    if (!request.link_type.empty() && !is_one_of(request.link_type, link_types)) {
        return bad_request("linkType '" + request.link_type + "' is not verificationService", "/linkType");
    }
    if (!request.context.empty() && !is_one_of(request.context, contexts)) {
        return bad_request("context '" + request.context + "' is not dscsaSaleableReturn", "/context");
    }
    if (request.req_gln.empty()) return bad_request("reqGLN, the requestor's GLN, is required", "/reqGLN");
    if (!gs1::has_valid_check_digit(request.req_gln, 13)) {
        return bad_request("reqGLN '" + request.req_gln + "' is not a GLN (13 digits with a valid check digit)",
                           "/reqGLN");
    }
    if (request.corr_uuid.empty()) return bad_request("corrUUID is required", "/corrUUID");
    if (!is_uuid(request.corr_uuid)) {
        return bad_request("corrUUID '" + request.corr_uuid + "' is not a UUID (8-4-4-4-12 hexadecimal digits)",
                           "/corrUUID");
    }
    return ok_status();
}

}  // namespace

Result<gs1::Scan> check_vrs_request(const VrsRequest& request) {
    auto gtin = gtin14(request.gtin);
    if (!gtin) return gtin.error();
    if (auto status = check_element("10", request.lot, "lot", "/lot"); !status) return status.error();
    if (auto status = check_element("21", request.serial, "serial number", "/serial"); !status) return status.error();
    if (auto status = check_element("17", request.exp, "expiry date (exp, YYMMDD)", "/exp"); !status) {
        return status.error();
    }
    if (auto status = check_parameters(request); !status) return status.error();
    auto scan = gs1::scan_from_fields({*gtin, request.serial, request.lot, request.exp});
    if (!scan) return bad_request(scan.error().detail, {});
    return scan;
}

VrsAnswer vrs_answer(const Verification& verification) {
    switch (verification.code) {
        case Code::ok:
        case Code::not_received:
        case Code::not_in_custody: return {true, {}, {}};
        case Code::recalled:
        case Code::withdrawn: return {true, {}, info::recalled};
        case Code::expired: return {true, {}, info::expired};
        case Code::locked:
        case Code::already_decommissioned: return {false, reason::not_for_redistribution, info::suspect};
        case Code::stolen: return {false, reason::not_for_redistribution, info::illegitimate};
        case Code::lot_mismatch:
            return {false, verification.expiry_matches ? reason::no_match_lot : reason::no_match_lot_expiry, {}};
        case Code::expiry_mismatch: return {false, reason::no_match_expiry, {}};
        case Code::unknown_serial:
        case Code::unknown_lot:
        case Code::unknown_product: return {false, reason::no_match_serial, {}};
        case Code::bad_scan: return {false, reason::none_given, {}};
    }
    RXL_ASSERT_MSG(false, "unknown verification code");
    return {};
}

boost::json::object to_vrs_json(const Verification& verification, const VrsRequest& request,
                                const VrsResponder& responder) {
    const VrsAnswer answer = vrs_answer(verification);
    boost::json::object data;
    data["verified"] = answer.verified;
    if (!answer.failure_reason.empty()) data["verificationFailureReason"] = answer.failure_reason;
    if (!answer.additional_info.empty()) data["additionalInfo"] = answer.additional_info;

    boost::json::object document;
    document["verificationTimestamp"] = iso8601_utc(responder.answered_at_ms);
    document["responderGLN"] = responder.responder_gln;
    document["data"] = std::move(data);
    document["corrUUID"] = request.corr_uuid;
    return document;
}

}  // namespace rxl::verify
