// The namespace prefixes a JSON-LD EPCIS document declares in its @context, used to expand CURIEs
// such as "example:myField" or "cbvmda:lotNumber" into "{namespace}localName".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace rxl::epcis {

class Namespaces {
public:
    // Reads the prefixes declared by @context (a string, an object, or an array of both). The prefixes
    // the standard EPCIS context itself defines (gs1, cbv, cbvmda, epcis) are known even when the
    // document does not repeat them; a document's own declaration wins.
    static Namespaces from_context(const boost::json::value& context);

    // These namespaces plus those a nested @context declares (an event may carry its own @context);
    // the nested declarations win.
    Namespaces with_context(const boost::json::value& context) const;

    // The namespace URI of a declared prefix, or nullopt.
    std::optional<std::string> uri_of(std::string_view prefix) const;

    // "prefix:local" with a declared prefix → "{uri}local". Absolute URIs and unprefixed names are
    // returned unchanged; `declared_only` leaves the standard prefixes alone unless the document
    // declared them (what the CBV 2.0 hash reference does).
    std::string expand_key(std::string_view key, bool declared_only) const;

    // A value CURIE in a GS1 vocabulary ("gs1:Temperature", "cbv:Comp-latitude") as its full URI;
    // other values unchanged.
    std::string expand_value(std::string_view value) const;

    // True if the key names an extension field properly: a declared or standard prefix, or an
    // absolute URI.
    bool is_namespaced(std::string_view key) const;

private:
    std::map<std::string, std::string, std::less<>> declared_;
};

}  // namespace rxl::epcis
