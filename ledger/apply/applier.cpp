#include "ledger/apply/applier.hpp"

#include <boost/json.hpp>

#include "ledger/apply/alert_rules.hpp"
#include "ledger/apply/epcis_rules.hpp"
#include "ledger/apply/pack_rules.hpp"
#include "ledger/apply/recall_rules.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/epcis/document.hpp"
#include "ledger/epcis/strict_json.hpp"

namespace rxl {

namespace json = boost::json;

namespace {

std::string rejection_detail(const Error& error) {
    json::object detail{{"kind", to_string(error.kind)}, {"detail", error.detail}};
    if (!error.pointer.empty()) detail["pointer"] = error.pointer;
    return json::serialize(detail);
}

std::string accepted_detail(const std::vector<EventOutcome>& events) {
    json::array list;
    for (const auto& event : events) list.push_back(json::object{{"event_hash_id", event.hash_id}, {"result", event.result}});
    return json::serialize(json::object{{"events", std::move(list)}});
}

// An identifier longer than the ledger allows, or one that is not text (a NUL, invalid UTF-8: only a
// hostile orderer member can send one), is recorded by its hash, so the entry stays encodable (the
// encoding's length fields are 16 bits) and storable, and no registered name can be like that anyway.
std::string bounded_name(const std::string& name, std::size_t chars_max) {
    return name.size() <= chars_max && json_text::is_storable_text(name) ? name : "sha256:" + to_hex(sha256(name));
}

Status check_name_lengths(const Submission& submission) {
    if (submission.key_id.size() > limits::key_id_chars_max || submission.submitter.size() > limits::participant_id_chars_max) {
        return make_error(ErrorKind::invalid_input, "name-too-long", "the key id or submitter is longer than the ledger allows");
    }
    if (!json_text::is_storable_text(submission.key_id) || !json_text::is_storable_text(submission.submitter)) {
        return make_error(ErrorKind::invalid_input, "name-not-text", "the key id or submitter is not UTF-8 text without NUL");
    }
    return ok_status();
}

// Checks the signature against the key the registry holds at this point of the ledger.
Result<const Participant*> authenticate(const Submission& submission, const Registry& registry) {
    if (auto lengths = check_name_lengths(submission); !lengths) return lengths.error();
    PublicKey key{};
    const Participant* participant = registry.find_by_key(submission.key_id, &key);
    if (participant == nullptr) {
        return make_error(ErrorKind::unauthenticated, "unknown-key", "key id " + submission.key_id + " is not registered");
    }
    if (participant->id != submission.submitter) {
        return make_error(ErrorKind::unauthenticated, "key-not-submitters",
                          "key " + submission.key_id + " belongs to " + participant->id + ", not " + submission.submitter);
    }
    if (!verify_submission(submission, key)) {
        return make_error(ErrorKind::unauthenticated, "bad-signature", "the signature does not verify");
    }
    return participant;
}

// Alerts are signed by a node, not a participant: the key id is the node's id, the key its genesis key.
Result<const NodeInfo*> authenticate_node(const Submission& submission, const Registry& registry) {
    if (auto lengths = check_name_lengths(submission); !lengths) return lengths.error();
    const NodeInfo* node = registry.find_node(submission.key_id);
    if (node == nullptr) {
        return make_error(ErrorKind::unauthenticated, "not-a-node",
                          "alerts are signed by a node; key id " + submission.key_id + " is not a node's");
    }
    if (node->id != submission.submitter) {
        return make_error(ErrorKind::unauthenticated, "key-not-submitters",
                          "key " + submission.key_id + " belongs to node " + node->id + ", not " + submission.submitter);
    }
    if (!verify_submission(submission, node->public_key)) {
        return make_error(ErrorKind::unauthenticated, "bad-signature", "the signature does not verify");
    }
    return node;
}

Result<EntryOutcome> decide_epcis(const Submission& submission, const ApplyContext& context, WorkingState& state) {
    std::shared_ptr<const epcis::Document> document = submission.parsed_document;
    if (!document) {  // ordered by another node, or replayed by the audit: parse it here
        auto parsed = epcis::parse_document(submission.body);
        if (!parsed) return parsed.error();
        document = std::make_shared<const epcis::Document>(std::move(parsed).value());
    }
    auto applied = apply_epcis_document(*document, context, state);
    if (!applied) return applied.error();
    return EntryOutcome{std::move(applied->touched_units), accepted_detail(applied->events)};
}

// The same words on every node: the detail of a rejected entry is part of its answer.
Error unstorable_error() {
    return make_error(ErrorKind::invalid_input, std::string(outcome_unstorable),
                      "the database refused to store this submission's effects; nothing of it was applied");
}

}  // namespace

Applier::Applier(Registry& registry, merkle::TreeAppender tree) : registry_(registry), tree_(std::move(tree)) {}

EntryRecord Applier::make_entry(const OrderedSubmission& ordered, const Hash& id, std::string outcome,
                                std::string detail) {
    const Submission& submission = ordered.submission;
    EntryRecord entry;
    entry.header.seq = tree_.size();
    entry.cursor = ordered.cursor;
    entry.header.ordered_at_ms = ordered.ordered_at_ms;
    entry.header.submission_id = id;
    entry.header.kind = std::string(to_string(submission.kind));
    entry.header.submitter = bounded_name(submission.submitter, limits::participant_id_chars_max);
    entry.header.key_id = bounded_name(submission.key_id, limits::key_id_chars_max);
    entry.header.body_sha256 = sha256(submission.body);
    entry.header.signature.assign(submission.signature.begin(), submission.signature.end());
    entry.header.outcome = std::move(outcome);
    entry.body = submission.body;
    entry.detail_json = std::move(detail);
    entry.leaf_hash = entry_leaf_hash(entry.header);
    return entry;
}

Result<BatchResult> Applier::apply_genesis(const std::string& genesis_json) {
    RXL_ASSERT(tree_.size() == 0);
    auto genesis = parse_genesis(genesis_json);
    if (!genesis) return genesis.error();
    BatchResult result;
    EntryRecord entry;
    entry.header.seq = 0;
    entry.header.ordered_at_ms = 0;  // every node derives the same entry 0 from the same file
    entry.header.submission_id = sha256(genesis_json);
    entry.header.kind = std::string(to_string(SubmissionKind::governance));
    entry.header.submitter = "genesis";
    entry.header.body_sha256 = sha256(genesis_json);
    entry.header.outcome = std::string(outcome_accepted);
    entry.body = genesis_json;
    entry.detail_json = R"({"genesis":true})";
    entry.leaf_hash = entry_leaf_hash(entry.header);
    for (auto& participant : genesis->participants) {
        registry_.add(participant);
        result.participants_added.push_back(std::move(participant));
    }
    for (auto& node : genesis->nodes) registry_.add_node(std::move(node));
    tree_.append(entry.leaf_hash, result.merkle_nodes);
    result.answers.push_back({entry.header.submission_id, 0, entry.header.outcome, entry.detail_json, entry.leaf_hash, false});
    result.entries.push_back(std::move(entry));
    result.size = tree_.size();
    result.root = tree_.root();
    return result;
}

Result<EntryOutcome> Applier::decide(const OrderedSubmission& ordered, WorkingState& state) {
    const Submission& submission = ordered.submission;
    if (submission.kind == SubmissionKind::alert) {
        auto node = authenticate_node(submission, registry_);
        if (!node) return node.error();
        return apply_alert(submission.body, AlertContext{registry_, **node, tree_.size(), ordered.ordered_at_ms}, state);
    }
    auto participant = authenticate(submission, registry_);
    if (!participant) return participant.error();
    ApplyContext context{registry_, **participant, tree_.size(), ordered.ordered_at_ms};
    switch (submission.kind) {
        case SubmissionKind::epcis: return decide_epcis(submission, context, state);
        case SubmissionKind::pack: return apply_pack(submission.body, context, state);
        case SubmissionKind::recall: return apply_recall(submission.body, context, state);
        case SubmissionKind::alert:  // decided above
        case SubmissionKind::governance: break;
    }
    return make_error(ErrorKind::rule_violation, "unsupported-kind",
                      "submissions of kind " + std::string(to_string(submission.kind)) + " are not accepted yet");
}

void Applier::apply_one(const OrderedSubmission& ordered, WorkingState& state, BatchResult& result,
                        std::map<Hash, SubmissionAnswer>& seen_in_batch, StateReader& reader) {
    const Submission& submission = ordered.submission;
    Hash id = submission_id(submission);
    // Exactly once: the same signed bytes again get the first answer and make no new entry.
    if (auto it = seen_in_batch.find(id); it != seen_in_batch.end()) {
        SubmissionAnswer answer = it->second;
        answer.repeated = true;
        result.answers.push_back(answer);
        return;
    }
    if (auto prior = reader.find_submission(id)) {
        result.answers.push_back({id, prior->seq, prior->outcome, prior->detail_json, prior->leaf_hash, true});
        return;
    }
    std::string outcome(outcome_accepted);
    std::string detail;
    EntryOutcome entry_outcome;
    Result<EntryOutcome> applied = ordered.unstorable ? Result<EntryOutcome>(unstorable_error()) : decide(ordered, state);
    if (applied) {
        entry_outcome = std::move(applied).value();
        detail = std::move(entry_outcome.detail_json);
    } else {
        state.rollback_entry();
        outcome = applied.error().code;
        detail = rejection_detail(applied.error());
    }
    EntryRecord entry = make_entry(ordered, id, outcome, detail);
    // Unit chains need the leaf hash, which needs the outcome: so links are added once both are known.
    for (const auto& [key, event_index] : entry_outcome.touched_units) {
        auto unit = state.unit(key);
        RXL_ASSERT(unit.has_value());
        unit->chain_link = next_unit_link(unit->chain_link, entry.leaf_hash, event_index);
        state.add_unit_event({key, entry.header.seq, event_index, unit->chain_link});
        state.put_unit(std::move(*unit));
    }
    state.commit_entry();
    tree_.append(entry.leaf_hash, result.merkle_nodes);
    SubmissionAnswer answer{id, entry.header.seq, entry.header.outcome, entry.detail_json, entry.leaf_hash, false};
    seen_in_batch.emplace(id, answer);
    result.answers.push_back(answer);
    result.entries.push_back(std::move(entry));
}

BatchResult Applier::apply(const std::vector<OrderedSubmission>& batch, StateReader& reader) {
    BatchResult result;
    WorkingState state(reader);
    std::map<Hash, SubmissionAnswer> seen_in_batch;
    for (const auto& ordered : batch) {
        apply_one(ordered, state, result, seen_in_batch, reader);
        result.cursor = std::max(result.cursor, ordered.cursor);
    }
    result.changes = state.take_batch();
    result.size = tree_.size();
    result.root = tree_.root();
    return result;
}

}  // namespace rxl
