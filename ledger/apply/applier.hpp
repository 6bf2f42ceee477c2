// The apply step: ordered submissions in, entries and state changes out.
//
// Every node runs this same code on the same ordered submissions and gets byte-identical entries,
// state and Merkle root. It reads the ledger through StateReader, checks every signature itself,
// decides each outcome, assigns dense sequence numbers, computes leaf hashes, extends unit chains and
// the Merkle tree. It writes nothing: the caller hands the BatchResult to the store, in one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/apply/entry.hpp"
#include "ledger/apply/epcis_rules.hpp"
#include "ledger/apply/registry.hpp"
#include "ledger/apply/rules.hpp"
#include "ledger/apply/state.hpp"
#include "ledger/apply/submission.hpp"
#include "ledger/merkle/merkle.hpp"

namespace rxl {

struct OrderedSubmission {
    Submission submission;
    std::int64_t ordered_at_ms = 0;  // stamped by the orderer; apply's only clock
    std::uint64_t cursor = 0;        // orderer position (etcd revision) to store with the effects; 0 if none
    // PostgreSQL refused to store this submission's effects (LedgerService found it alone in a batch it
    // could not write): it is recorded rejected as outcome_unstorable, without its rules being run, and
    // changes nothing else. The audit replays a stored unstorable entry the same way.
    bool unstorable = false;
};

// A row of the entries table.
struct EntryRecord {
    EntryHeader header;
    std::string body;
    std::string detail_json;  // not hashed: per-event results or the rejection's detail, for answers
    Hash leaf_hash{};
    std::uint64_t cursor = 0;  // the orderer position it was ordered at; not stored, not hashed
};

// What the client that sent a submission is told.
struct SubmissionAnswer {
    Hash submission_id{};
    std::uint64_t seq = 0;
    std::string outcome;      // "accepted" or the rejection code
    std::string detail_json;
    Hash leaf_hash{};
    bool repeated = false;    // the same bytes were already on the ledger; this is the first answer again
};

struct BatchResult {
    std::vector<EntryRecord> entries;  // new entries, in sequence order
    StateChanges changes;
    std::vector<Participant> participants_added;
    std::vector<merkle::CompletedNode> merkle_nodes;
    std::vector<SubmissionAnswer> answers;  // one per ordered submission, in order
    std::uint64_t size = 0;                 // ledger size after the batch
    Hash root{};                            // Merkle root at that size
    std::uint64_t cursor = 0;               // highest cursor in the batch
};

class Applier {
public:
    // `registry` is the ledger's registry at `tree.size()`; the applier changes it as governance entries apply.
    Applier(Registry& registry, merkle::TreeAppender tree);

    std::uint64_t size() const { return tree_.size(); }
    Hash root() const { return tree_.root(); }
    // The tree as it is now, so that a caller whose write of a batch failed can put it back.
    const merkle::TreeAppender& tree() const { return tree_; }

    // Entry 0: the genesis file, accepted as the consortium's founding document. Precondition: size() == 0.
    Result<BatchResult> apply_genesis(const std::string& genesis_json);

    BatchResult apply(const std::vector<OrderedSubmission>& batch, StateReader& reader);

private:
    // The outcome of one submission against the state: authenticate (a participant's key, or a node's
    // for alerts), parse if needed, apply the rules of its kind.
    Result<EntryOutcome> decide(const OrderedSubmission& ordered, WorkingState& state);
    EntryRecord make_entry(const OrderedSubmission& ordered, const Hash& id, std::string outcome, std::string detail);
    void apply_one(const OrderedSubmission& ordered, WorkingState& state, BatchResult& result,
                   std::map<Hash, SubmissionAnswer>& seen_in_batch, StateReader& reader);

    Registry& registry_;
    merkle::TreeAppender tree_;
};

}  // namespace rxl
