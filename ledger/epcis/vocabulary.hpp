// The CBV 2.0 code lists the ledger checks and the three spellings of each value: a bare word
// ("shipping"), a CBV URN ("urn:epcglobal:cbv:bizstep:shipping") and a Web URI
// ("https://ref.gs1.org/cbv/BizStep-shipping").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rxl::epcis {

enum class Vocabulary {
    biz_step,
    disposition,
    biz_transaction_type,
    source_destination_type,
    error_reason,
    measurement_type,  // sensorReport type, GS1 Web vocabulary ("Temperature")
    sensor_alert,      // sensorReport exception ("ALARM_CONDITION")
    component,         // sensorReport component ("latitude")
};

// The bare CBV word if `value` is a CBV value of the vocabulary in any of its spellings, else nullopt.
std::optional<std::string> cbv_word(Vocabulary vocabulary, std::string_view value);

// True if the text starts with a URI scheme and a colon ("https:", "urn:", "example:").
bool has_uri_scheme(std::string_view text);

// True if the value is acceptable where the vocabulary is expected: a CBV value in any spelling, or a
// URI outside the CBV namespaces (a private extension value). A bare non-CBV word is not.
bool is_valid_vocabulary_value(Vocabulary vocabulary, std::string_view value);

// The value as the CBV 2.0 hash writes it: a bare word becomes the vocabulary's Web URI; anything else
// is returned unchanged (URNs are rewritten later with every other value).
std::string expand_bare_word(Vocabulary vocabulary, std::string_view value);

}  // namespace rxl::epcis
