#include "ledger/epcis/vocabulary.hpp"

#include <algorithm>
#include <array>
#include <span>

namespace rxl::epcis {
namespace {

// CBV 2.0 section 7, as listed by the EPCIS 2.0 JSON schemas (bizStep-JSON-Schema.json, …).
constexpr std::array<std::string_view, 41> biz_steps{
    "accepting",      "arriving",         "assembling",    "collecting",      "commissioning",
    "consigning",     "creating_class_instance", "cycle_counting", "decommissioning", "departing",
    "destroying",     "disassembling",    "dispensing",    "encoding",        "entering_exiting",
    "holding",        "inspecting",       "installing",    "killing",         "loading",
    "other",          "packing",          "picking",       "receiving",       "removing",
    "repackaging",    "repairing",        "replacing",     "reserving",       "retail_selling",
    "shipping",       "staging_outbound", "stock_taking",  "stocking",        "storing",
    "transporting",   "unloading",        "unpacking",     "void_shipping",   "sensor_reporting",
    "sampling"};
constexpr std::array<std::string_view, 33> dispositions{
    "active",              "container_closed",      "damaged",
    "destroyed",           "dispensed",             "disposed",
    "encoded",             "expired",               "in_progress",
    "in_transit",          "inactive",              "no_pedigree_match",
    "non_sellable_other",  "partially_dispensed",   "recalled",
    "reserved",            "retail_sold",           "returned",
    "sellable_accessible", "sellable_not_accessible", "stolen",
    "unknown",             "available",             "completeness_verified",
    "completeness_inferred", "conformant",          "container_open",
    "mismatch_instance",   "mismatch_class",        "mismatch_quantity",
    "needs_replacement",   "non_conformant",        "unavailable"};
constexpr std::array<std::string_view, 13> biz_transaction_types{
    "bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma", "testprd", "testres",
    "upevt"};
constexpr std::array<std::string_view, 3> source_destination_types{"owning_party", "possessing_party", "location"};
constexpr std::array<std::string_view, 2> error_reasons{"did_not_occur", "incorrect_data"};

struct Spelling {
    std::string_view urn_prefix;  // empty when the vocabulary has no URN form
    std::string_view web_prefix;
    std::span<const std::string_view> words;  // empty when any word is accepted (GS1 Web vocabulary)
};

Spelling spelling_of(Vocabulary vocabulary) {
    switch (vocabulary) {
        case Vocabulary::biz_step:
            return {"urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-", biz_steps};
        case Vocabulary::disposition:
            return {"urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-", dispositions};
        case Vocabulary::biz_transaction_type:
            return {"urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-", biz_transaction_types};
        case Vocabulary::source_destination_type:
            return {"urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-", source_destination_types};
        case Vocabulary::error_reason:
            return {"urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-", error_reasons};
        case Vocabulary::measurement_type:
        case Vocabulary::sensor_alert:
            return {"", "https://gs1.org/voc/", {}};
        case Vocabulary::component:
            return {"", "https://ref.gs1.org/cbv/Comp-", {}};
    }
    return {"", "", {}};
}

bool is_word_of(const Spelling& spelling, std::string_view word) {
    if (word.empty()) return false;
    if (spelling.words.empty()) return word.find(':') == std::string_view::npos;
    return std::find(spelling.words.begin(), spelling.words.end(), word) != spelling.words.end();
}

}  // namespace

std::optional<std::string> cbv_word(Vocabulary vocabulary, std::string_view value) {
    const Spelling spelling = spelling_of(vocabulary);
    std::string_view word = value;
    if (!spelling.urn_prefix.empty() && value.starts_with(spelling.urn_prefix)) {
        word = value.substr(spelling.urn_prefix.size());
    } else if (value.starts_with(spelling.web_prefix)) {
        word = value.substr(spelling.web_prefix.size());
    }
    if (!is_word_of(spelling, word)) return std::nullopt;
    return std::string(word);
}

bool has_uri_scheme(std::string_view text) {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 >= text.size()) return false;
    const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!is_alpha(text[0])) return false;
    return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(colon), [&](char c) {
        return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    });
}

bool is_valid_vocabulary_value(Vocabulary vocabulary, std::string_view value) {
    if (cbv_word(vocabulary, value)) return true;
    // A CBV URN with an unknown word is a misspelt CBV value, not a private URI.
    if (value.starts_with("urn:epcglobal:cbv:")) return false;
    return has_uri_scheme(value) && value.find(' ') == std::string_view::npos;
}

std::string expand_bare_word(Vocabulary vocabulary, std::string_view value) {
    if (value.empty() || value.find(':') != std::string_view::npos) return std::string(value);
    return std::string(spelling_of(vocabulary).web_prefix) + std::string(value);
}

}  // namespace rxl::epcis
