#include "ledger/apply/registry.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <set>

#include "ledger/core/bytes.hpp"
#include "ledger/gs1/identifiers.hpp"

namespace rxl {

namespace json = boost::json;

std::string_view to_string(Role role) {
    switch (role) {
        case Role::manufacturer: return "manufacturer";
        case Role::wholesaler: return "wholesaler";
        case Role::pharmacy: return "pharmacy";
        case Role::regulator: return "regulator";
    }
    RXL_ASSERT_MSG(false, "unknown role");
    return {};
}

std::optional<Role> parse_role(std::string_view text) {
    for (auto role : {Role::manufacturer, Role::wholesaler, Role::pharmacy, Role::regulator}) {
        if (to_string(role) == text) return role;
    }
    return std::nullopt;
}

namespace {

Error genesis_error(std::string detail, std::string pointer) {
    return make_error(ErrorKind::invalid_input, "invalid-genesis", std::move(detail), std::move(pointer));
}

Result<std::string> string_field(const json::object& object, std::string_view name, const std::string& pointer) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr || !value->is_string() || value->as_string().empty()) {
        return genesis_error(fmt::format("{} must be a non-empty string", name), pointer + "/" + std::string(name));
    }
    return std::string(value->as_string());
}

Result<std::vector<std::string>> string_list(const json::object& object, std::string_view name,
                                              const std::string& pointer) {
    std::vector<std::string> out;
    const json::value* value = object.if_contains(name);
    if (value == nullptr) return out;
    if (!value->is_array()) return genesis_error(fmt::format("{} must be an array", name), pointer + "/" + std::string(name));
    for (const auto& item : value->as_array()) {
        if (!item.is_string()) return genesis_error(fmt::format("{} holds strings", name), pointer + "/" + std::string(name));
        out.emplace_back(item.as_string());
    }
    return out;
}

Result<PublicKey> public_key_field(const json::object& object, const std::string& pointer) {
    auto text = string_field(object, "public_key", pointer);
    if (!text) return text.error();
    auto bytes = from_base64(*text);
    if (!bytes || bytes->size() != 32) {
        return genesis_error("public_key must be 32 bytes of Ed25519 public key in base64", pointer + "/public_key");
    }
    PublicKey key{};
    std::copy(bytes->begin(), bytes->end(), key.begin());
    return key;
}

Result<Participant> parse_participant(const json::object& object, const std::string& pointer) {
    Participant participant;
    auto id = string_field(object, "id", pointer);
    if (!id) return id.error();
    participant.id = *id;
    participant.name = object.contains("name") && object.at("name").is_string()
                           ? std::string(object.at("name").as_string()) : participant.id;
    auto role_text = string_field(object, "role", pointer);
    if (!role_text) return role_text.error();
    auto role = parse_role(*role_text);
    if (!role) return genesis_error("role must be manufacturer, wholesaler, pharmacy or regulator", pointer + "/role");
    participant.role = *role;
    auto prefixes = string_list(object, "company_prefixes", pointer);
    if (!prefixes) return prefixes.error();
    for (const auto& prefix : *prefixes) {
        bool digits = prefix.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || prefix.size() < 4 || prefix.size() > 12) {
            return genesis_error("a company prefix is 4 to 12 digits", pointer + "/company_prefixes");
        }
    }
    participant.company_prefixes = *prefixes;
    auto glns = string_list(object, "glns", pointer);
    if (!glns) return glns.error();
    for (const auto& gln : *glns) {
        if (!gs1::has_valid_check_digit(gln, 13)) return genesis_error("GLN " + gln + " is not a valid GLN-13", pointer + "/glns");
    }
    participant.glns = *glns;
    const json::value* keys = object.if_contains("keys");
    if (keys == nullptr || !keys->is_array()) return genesis_error("keys must be an array", pointer + "/keys");
    for (std::size_t i = 0; i < keys->as_array().size(); ++i) {
        std::string key_pointer = fmt::format("{}/keys/{}", pointer, i);
        const json::value& key_value = keys->as_array()[i];
        if (!key_value.is_object()) return genesis_error("a key is an object", key_pointer);
        auto key_id = string_field(key_value.as_object(), "id", key_pointer);
        if (!key_id) return key_id.error();
        auto public_key = public_key_field(key_value.as_object(), key_pointer);
        if (!public_key) return public_key.error();
        participant.keys.push_back({*key_id, *public_key});
    }
    return participant;
}

Result<NodeInfo> parse_node(const json::object& object, const std::string& pointer) {
    NodeInfo node;
    auto id = string_field(object, "id", pointer);
    if (!id) return id.error();
    auto participant = string_field(object, "participant", pointer);
    if (!participant) return participant.error();
    auto key = public_key_field(object, pointer);
    if (!key) return key.error();
    node.id = *id;
    node.participant = *participant;
    node.public_key = *key;
    if (object.contains("url") && object.at("url").is_string()) node.url = std::string(object.at("url").as_string());
    return node;
}

Status check_unique(const Genesis& genesis) {
    std::set<std::string> ids, key_ids, glns;
    for (std::size_t i = 0; i < genesis.participants.size(); ++i) {
        const auto& participant = genesis.participants[i];
        std::string pointer = fmt::format("/participants/{}", i);
        if (!ids.insert(participant.id).second) return genesis_error("duplicate participant id " + participant.id, pointer + "/id");
        for (const auto& key : participant.keys) {
            if (!key_ids.insert(key.key_id).second) return genesis_error("duplicate key id " + key.key_id, pointer + "/keys");
        }
        for (const auto& gln : participant.glns) {
            if (!glns.insert(gln).second) return genesis_error("GLN " + gln + " is registered twice", pointer + "/glns");
        }
    }
    for (std::size_t i = 0; i < genesis.nodes.size(); ++i) {
        if (!ids.contains(genesis.nodes[i].participant)) {
            return genesis_error("node names an unknown participant", fmt::format("/nodes/{}/participant", i));
        }
    }
    return ok_status();
}

}  // namespace

Result<Genesis> parse_genesis(std::string_view json_text) {
    boost::system::error_code error;
    json::value root = json::parse(json_text, error);
    if (error || !root.is_object()) return genesis_error("the genesis file is not a JSON object", "");
    const json::object& object = root.as_object();
    const json::value* format = object.if_contains("format");
    if (format == nullptr || !format->is_string() || format->as_string() != "rxledger-genesis/v1") {
        return genesis_error("format must be \"rxledger-genesis/v1\"", "/format");
    }
    Genesis genesis;
    auto consortium = string_field(object, "consortium", "");
    if (!consortium) return consortium.error();
    genesis.consortium = *consortium;
    const json::value* participants = object.if_contains("participants");
    if (participants == nullptr || !participants->is_array()) return genesis_error("participants must be an array", "/participants");
    for (std::size_t i = 0; i < participants->as_array().size(); ++i) {
        const json::value& item = participants->as_array()[i];
        std::string pointer = fmt::format("/participants/{}", i);
        if (!item.is_object()) return genesis_error("a participant is an object", pointer);
        auto participant = parse_participant(item.as_object(), pointer);
        if (!participant) return participant.error();
        genesis.participants.push_back(std::move(participant).value());
    }
    if (const json::value* nodes = object.if_contains("nodes"); nodes != nullptr && nodes->is_array()) {
        for (std::size_t i = 0; i < nodes->as_array().size(); ++i) {
            const json::value& item = nodes->as_array()[i];
            std::string pointer = fmt::format("/nodes/{}", i);
            if (!item.is_object()) return genesis_error("a node is an object", pointer);
            auto node = parse_node(item.as_object(), pointer);
            if (!node) return node.error();
            genesis.nodes.push_back(std::move(node).value());
        }
    }
    if (auto unique = check_unique(genesis); !unique) return unique.error();
    return genesis;
}

void Registry::add(Participant participant) {
    std::size_t index = participants_.size();
    RXL_ASSERT(!by_id_.contains(participant.id));
    by_id_.emplace(participant.id, index);
    for (std::size_t k = 0; k < participant.keys.size(); ++k) {
        RXL_ASSERT(by_key_.emplace(participant.keys[k].key_id, std::pair{index, k}).second);
    }
    for (const auto& gln : participant.glns) by_gln_.emplace(gln, index);
    participants_.push_back(std::move(participant));
}

void Registry::add_node(NodeInfo node) { nodes_.push_back(std::move(node)); }

const Participant* Registry::find(std::string_view participant_id) const {
    auto it = by_id_.find(participant_id);
    return it == by_id_.end() ? nullptr : &participants_[it->second];
}

const Participant* Registry::find_by_key(std::string_view key_id, PublicKey* public_key) const {
    auto it = by_key_.find(key_id);
    if (it == by_key_.end()) return nullptr;
    const Participant& participant = participants_[it->second.first];
    if (public_key != nullptr) *public_key = participant.keys[it->second.second].public_key;
    return &participant;
}

const Participant* Registry::find_by_gln(std::string_view gln) const {
    auto it = by_gln_.find(gln);
    return it == by_gln_.end() ? nullptr : &participants_[it->second];
}

const NodeInfo* Registry::find_node(std::string_view node_id) const {
    for (const auto& node : nodes_) {
        if (node.id == node_id) return &node;
    }
    return nullptr;
}

bool Registry::owns_gtin(const Participant& participant, std::string_view gtin14) {
    for (const auto& prefix : participant.company_prefixes) {
        if (gs1::gtin_has_prefix(gtin14, prefix)) return true;
    }
    return false;
}

bool Registry::owns_sscc(const Participant& participant, std::string_view sscc18) {
    for (const auto& prefix : participant.company_prefixes) {
        if (gs1::sscc_has_prefix(sscc18, prefix)) return true;
    }
    return false;
}

}  // namespace rxl
