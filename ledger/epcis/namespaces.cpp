#include "ledger/epcis/namespaces.hpp"

#include <array>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include "ledger/epcis/vocabulary.hpp"

namespace rxl::epcis {
namespace {

// Prefixes that https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld defines.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> standard_prefixes{{
    {"gs1", "https://gs1.org/voc/"},
    {"cbv", "https://ref.gs1.org/cbv/"},
    {"cbvmda", "urn:epcglobal:cbv:mda:"},
    {"epcis", "https://ref.gs1.org/epcis/"},
}};

std::optional<std::string> standard_uri(std::string_view prefix) {
    for (const auto& [name, uri] : standard_prefixes)
        if (name == prefix) return std::string(uri);
    return std::nullopt;
}

void read_context_object(const boost::json::object& object, std::map<std::string, std::string, std::less<>>& into) {
    for (const auto& [key, value] : object) {
        // Only plain prefix definitions matter here; term definitions ({"@id": …}) are not prefixes.
        if (value.is_string() && !key.starts_with("@")) into[std::string(key)] = std::string(value.get_string());
    }
}

}  // namespace

Namespaces Namespaces::from_context(const boost::json::value& context) {
    Namespaces namespaces;
    if (const auto* object = context.if_object()) read_context_object(*object, namespaces.declared_);
    if (const auto* array = context.if_array()) {
        for (const auto& element : *array)
            if (const auto* object = element.if_object()) read_context_object(*object, namespaces.declared_);
    }
    return namespaces;
}

Namespaces Namespaces::with_context(const boost::json::value& context) const {
    Namespaces merged = from_context(context);
    merged.declared_.insert(declared_.begin(), declared_.end());  // insert keeps the nested entries
    return merged;
}

std::optional<std::string> Namespaces::uri_of(std::string_view prefix) const {
    if (const auto found = declared_.find(prefix); found != declared_.end()) return found->second;
    return standard_uri(prefix);
}

std::string Namespaces::expand_key(std::string_view key, bool declared_only) const {
    const std::size_t colon = key.find(':');
    if (colon == std::string_view::npos) return std::string(key);
    const std::string_view prefix = key.substr(0, colon);
    std::optional<std::string> uri;
    if (const auto found = declared_.find(prefix); found != declared_.end()) uri = found->second;
    if (!uri && !declared_only) uri = standard_uri(prefix);
    if (!uri) return std::string(key);
    return "{" + *uri + "}" + std::string(key.substr(colon + 1));
}

std::string Namespaces::expand_value(std::string_view value) const {
    const std::size_t colon = value.find(':');
    if (colon == std::string_view::npos) return std::string(value);
    const auto uri = uri_of(value.substr(0, colon));
    if (!uri || !(uri->starts_with("https://gs1.org/voc/") || uri->starts_with("https://ref.gs1.org/")))
        return std::string(value);
    return *uri + std::string(value.substr(colon + 1));
}

bool Namespaces::is_namespaced(std::string_view key) const {
    const std::size_t colon = key.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    if (uri_of(key.substr(0, colon))) return true;
    // An absolute IRI needs no prefix: "https://example.com/epcis/field", "urn:example:field".
    return has_uri_scheme(key) && (key.find("//") != std::string_view::npos || key.starts_with("urn:"));
}

}  // namespace rxl::epcis
