// The canonical GS1 Digital Link of every EPC URN and Digital Link spelling of a GS1 key, exactly as
// the CBV 2.0 event hash writes identifiers (DESIGN.md section 9). This is a hash rule, not the
// ledger's identifier parser (gs1::parse_identifier): it covers every GS1 key the hash vectors use
// (GRAI, GIAI, GDTI, CPI, … as well as SGTIN, SSCC, SGLN, PGLN), keeps URN percent-escapes as written,
// and leaves anything it does not recognise untouched, as the reference implementation does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rxl::epcis {

// "https://id.gs1.org/…" for an EPC URN (urn:epc:id:…, urn:epc:class:lgtin:…, urn:epc:idpat:…) or a
// GS1 Digital Link on any host; nullopt if the text is neither.
std::optional<std::string> hash_digital_link(std::string_view text);

// The Digital Link half of hash_digital_link: an http(s) URI whose path carries a GS1 key, rewritten
// onto https://id.gs1.org with AI codes, a 14-digit GTIN, no query, no CPV and nothing but the key and
// one qualifier; nullopt if the result would not be a canonical Digital Link.
std::optional<std::string> hash_digital_link_from_web_uri(std::string_view text);

}  // namespace rxl::epcis
