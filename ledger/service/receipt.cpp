#include "ledger/service/receipt.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "ledger/core/bytes.hpp"
#include "ledger/core/time.hpp"
#include "ledger/merkle/merkle.hpp"

namespace rxl {

namespace json = boost::json;

namespace {

// Thrown inside verify_receipt for a fault that ends the check; its text is the answer's failure.
struct Failure {
    std::string what;
};

const json::value& field(const json::object& object, std::string_view name, std::string_view where) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr) throw Failure{fmt::format("{}: the field \"{}\" is missing", where, name)};
    return *value;
}

std::string text_field(const json::object& object, std::string_view name, std::string_view where) {
    const auto& value = field(object, name, where);
    if (!value.is_string()) throw Failure{fmt::format("{}: \"{}\" must be a string", where, name)};
    return std::string(value.as_string());
}

std::uint64_t number_field(const json::object& object, std::string_view name, std::string_view where) {
    const auto& value = field(object, name, where);
    if (value.is_uint64()) return value.as_uint64();
    if (value.is_int64() && value.as_int64() >= 0) return static_cast<std::uint64_t>(value.as_int64());
    throw Failure{fmt::format("{}: \"{}\" must be a whole number", where, name)};
}

Hash hex_hash_field(const json::object& object, std::string_view name, std::string_view where) {
    auto bytes = from_hex(text_field(object, name, where));
    auto hash = bytes ? hash_from_bytes(*bytes) : std::nullopt;
    if (!hash) throw Failure{fmt::format("{}: \"{}\" must be 64 hex digits", where, name)};
    return *hash;
}

std::vector<Hash> proof_field(const json::object& object, std::string_view where) {
    const auto& value = field(object, "inclusion_proof", where);
    if (!value.is_array()) throw Failure{fmt::format("{}: \"inclusion_proof\" must be an array", where)};
    std::vector<Hash> proof;
    for (const auto& item : value.as_array()) {
        auto bytes = item.is_string() ? from_base64(item.as_string()) : std::nullopt;
        auto hash = bytes ? hash_from_bytes(*bytes) : std::nullopt;
        if (!hash) throw Failure{fmt::format("{}: inclusion proof hash {} is not base64 of 32 bytes", where, proof.size())};
        proof.push_back(*hash);
    }
    return proof;
}

const json::object& receipt_object(const json::value& document) {
    if (!document.is_object()) throw Failure{"the file is not a JSON object"};
    const auto& top = document.as_object();
    if (const auto* inner = top.if_contains("receipt"); inner != nullptr && inner->is_object()) return inner->as_object();
    if (top.contains("format")) return top;
    throw Failure{"the file holds no receipt (ask for one with receipt=1)"};
}

void check(const json::object& receipt, std::span<const merkle::VerifierKey> keys, ReceiptCheck& result) {
    if (text_field(receipt, "format", "receipt") != receipt_format) {
        throw Failure{fmt::format("receipt: the format is not {}", receipt_format)};
    }
    auto verified = merkle::verify_checkpoint(text_field(receipt, "checkpoint", "receipt"), keys);
    if (!verified) throw Failure{"checkpoint: " + verified.error().detail};
    const auto& checkpoint = verified->checkpoint;
    std::string signers;
    for (auto index : verified->verified_keys) signers += (signers.empty() ? "" : ", ") + keys[index].name;
    result.checked.push_back(fmt::format("checkpoint {} at size {} is signed by {}", checkpoint.origin, checkpoint.size, signers));

    const auto& subject_value = field(receipt, "subject", "receipt");
    if (!subject_value.is_object()) throw Failure{"receipt: \"subject\" must be an object"};
    const auto& subject = subject_value.as_object();
    std::string unit = fmt::format("(01){}(21){}", text_field(subject, "gtin", "subject"), text_field(subject, "serial", "subject"));
    Hash head = hex_hash_field(subject, "chain_link", "subject");

    const auto& entries_value = field(receipt, "entries", "receipt");
    if (!entries_value.is_array() || entries_value.as_array().empty()) {
        throw Failure{"receipt: \"entries\" must be a non-empty array"};
    }
    Hash link = zero_link;
    for (const auto& item : entries_value.as_array()) {
        if (!item.is_object()) throw Failure{"receipt: every entry must be an object"};
        const auto& object = item.as_object();
        std::uint64_t seq = number_field(object, "seq", "entry");
        std::string where = fmt::format("entry {}", seq);
        auto data = from_base64(text_field(object, "leaf_data", where));
        if (!data) throw Failure{where + ": leaf_data is not base64"};
        auto header = decode_entry(*data);
        if (!header) throw Failure{where + ": " + header.error().detail};
        if (header->seq != seq) throw Failure{fmt::format("{}: its leaf data is entry {}", where, header->seq)};
        Hash leaf = merkle::leaf_hash(*data);
        auto proof = proof_field(object, where);
        if (auto included = merkle::verify_inclusion(seq, checkpoint.size, leaf, proof, checkpoint.root); !included) {
            throw Failure{fmt::format("{}: the inclusion proof does not lead to the checkpoint's root at size {} ({})", where,
                                      checkpoint.size, included.error().detail)};
        }
        auto event_index = number_field(object, "event_index", where);
        if (event_index > UINT32_MAX) throw Failure{where + ": event_index is too large"};
        link = next_unit_link(link, leaf, static_cast<std::uint32_t>(event_index));
        if (link != hex_hash_field(object, "unit_link", where)) {
            throw Failure{fmt::format("{}: the unit link recomputed from the chain is {}, the receipt says otherwise",
                                      where, to_hex(link))};
        }
        result.checked.push_back(fmt::format("entry {} ({} by {} at {}, {}) is on the ledger", seq, header->kind,
                                             header->submitter, iso8601_utc(header->ordered_at_ms), header->outcome));
    }
    if (link != head) {
        throw Failure{fmt::format("unit {}: its chain link {} is not where the receipt's entries lead ({})", unit,
                                  to_hex(head), to_hex(link))};
    }
    result.checked.push_back(fmt::format("unit {}: the chain of {} links recomputes to its link {}", unit,
                                         entries_value.as_array().size(), to_hex(head)));
}

}  // namespace

json::object make_receipt(std::string_view checkpoint_note, const ReceiptSubject& subject,
                          const std::vector<ReceiptEntry>& entries) {
    json::array items;
    for (const auto& item : entries) {
        json::array proof;
        for (const auto& hash : item.inclusion_proof) proof.emplace_back(to_base64(hash));
        items.push_back(json::object{{"seq", item.entry.seq},
                                     {"leaf_data", to_base64(encode_entry(item.entry))},
                                     {"event_index", item.event_index},
                                     {"unit_link", to_hex(item.unit_link)},
                                     {"inclusion_proof", std::move(proof)}});
    }
    return json::object{
        {"format", receipt_format},
        {"checkpoint", checkpoint_note},
        {"subject", json::object{{"gtin", subject.gtin}, {"serial", subject.serial}, {"chain_link", to_hex(subject.chain_link)}}},
        {"entries", std::move(items)}};
}

ReceiptCheck verify_receipt(std::string_view json_text, std::span<const merkle::VerifierKey> keys) {
    ReceiptCheck result;
    boost::system::error_code error;
    json::value document = json::parse(json_text, error);
    try {
        if (error) throw Failure{"the file is not JSON: " + error.message()};
        check(receipt_object(document), keys, result);
        result.ok = true;
    } catch (const Failure& failure) {
        result.failure = failure.what;
    }
    return result;
}

}  // namespace rxl
