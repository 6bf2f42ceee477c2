// Participants, their roles, GS1 company prefixes, GLNs and keys; and the genesis file that starts a
// consortium (docs/genesis.md).
//
// The registry is ledger state: it changes only by applying entries (the genesis entry, later
// governance entries), so every node holds the same one at the same ledger size.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"
#include "ledger/crypto/ed25519.hpp"

namespace rxl {

enum class Role { manufacturer, wholesaler, pharmacy, regulator };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

struct ParticipantKey {
    std::string key_id;
    PublicKey public_key{};
};

struct Participant {
    std::string id;
    std::string name;
    Role role = Role::manufacturer;
    std::vector<std::string> company_prefixes;  // GS1 company prefixes, 4..12 digits
    std::vector<std::string> glns;              // GLN-13 of its locations (and its party GLN)
    std::vector<ParticipantKey> keys;
};

struct NodeInfo {
    std::string id;
    std::string participant;  // the member that runs it
    PublicKey public_key{};   // signs checkpoints and alerts
    std::string url;          // https://host:port, where peers reach it
};

struct Genesis {
    std::string consortium;  // the origin of checkpoints is consortium + "/ledger"
    std::vector<Participant> participants;
    std::vector<NodeInfo> nodes;
};

// Parses and checks a genesis file: format "rxledger-genesis/v1", unique ids, key ids and GLNs, valid
// roles, prefixes and check digits, 32-byte keys. Errors name the field (JSON pointer).
Result<Genesis> parse_genesis(std::string_view json_text);

class Registry {
public:
    // Adds a participant; precondition: its id, key ids and GLNs are new (parse_genesis checks this).
    void add(Participant participant);
    void add_node(NodeInfo node);

    const Participant* find(std::string_view participant_id) const;
    // The participant that holds a key id, and the key; nullptr if no one does.
    const Participant* find_by_key(std::string_view key_id, PublicKey* public_key) const;
    // The participant that registered a GLN as one of its locations.
    const Participant* find_by_gln(std::string_view gln) const;
    const NodeInfo* find_node(std::string_view node_id) const;

    // True if one of the participant's company prefixes is the GS1 company prefix of the key.
    static bool owns_gtin(const Participant& participant, std::string_view gtin14);
    static bool owns_sscc(const Participant& participant, std::string_view sscc18);

    const std::vector<Participant>& participants() const { return participants_; }
    const std::vector<NodeInfo>& nodes() const { return nodes_; }

private:
    std::vector<Participant> participants_;
    std::vector<NodeInfo> nodes_;
    std::map<std::string, std::size_t, std::less<>> by_id_;
    std::map<std::string, std::pair<std::size_t, std::size_t>, std::less<>> by_key_;  // participant, key
    std::map<std::string, std::size_t, std::less<>> by_gln_;
};

}  // namespace rxl
