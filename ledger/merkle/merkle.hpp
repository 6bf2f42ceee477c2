// RFC 9162 Merkle tree algorithms over a store of complete subtrees. Pure: no I/O, no database.
//
// Hashing (RFC 9162 section 2.1.1): leaf = SHA-256(0x00 || data), interior node = SHA-256(0x01 || left ||
// right), the empty tree = SHA-256(""). The tree over n leaves splits at k, the largest power of two
// below n; its left part is always a complete (perfect) subtree.
//
// Storage shape. The store keeps the hash of every complete subtree and nothing else:
//   node (level L, index i) = root of leaves [i * 2^L, (i + 1) * 2^L), stored once (i + 1) * 2^L <= n.
// A tree of n leaves thus holds fewer than 2n nodes, nodes never change once written, and every subtree
// an RFC 9162 computation needs is either a stored node or the fold of at most 64 stored nodes along
// the right edge. So root_at, inclusion_proof and consistency_proof each read O(log n) nodes (at most
// about 2 * 64), whatever n is; the in-memory MemoryTree and the database store share this shape.
//
// Producing proofs (root_at, inclusion_proof, consistency_proof) trusts the caller: their arguments are
// preconditions, asserted, because a handler validates a request against the tree size first.
// Verifying proofs (verify_inclusion, verify_consistency) trusts nothing: any mismatch is an error value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "ledger/core/result.hpp"
#include "ledger/crypto/sha256.hpp"

namespace rxl::merkle {

// --- Hashing -----------------------------------------------------------------------------------------
Hash leaf_hash(std::span<const std::uint8_t> data);
Hash node_hash(const Hash& left, const Hash& right);
// Root of the tree with no leaves: SHA-256 of the empty string.
Hash empty_root();

// --- Storage shape -----------------------------------------------------------------------------------
// A complete subtree: the root of leaves [index * 2^level, (index + 1) * 2^level). Level 0 is a leaf.
struct NodeId {
    std::uint8_t level = 0;
    std::uint64_t index = 0;
    bool operator==(const NodeId&) const = default;
};
// First leaf a node covers, and one past its last.
std::uint64_t first_leaf(NodeId node);
std::uint64_t end_leaf(NodeId node);

// Returns the stored hash of a complete subtree. Precondition: the node exists (it lies wholly inside
// the tree the caller is asking about). The reader may throw on a storage failure; nothing here catches.
using NodeReader = std::function<Hash(NodeId)>;

// A node to insert into the store, with its hash.
using CompletedNode = std::pair<NodeId, Hash>;

// --- Appending ---------------------------------------------------------------------------------------
// The nodes that appending leaf number new_leaf_index (the tree then has new_leaf_index + 1 leaves)
// completes: the leaf itself at level 0 first, then each new parent, lowest level first. Reads one
// stored left sibling per new parent (the number of trailing one bits of new_leaf_index).
std::vector<CompletedNode> nodes_completed_by_append(std::uint64_t new_leaf_index, const Hash& leaf,
                                                     const NodeReader& read);

// Appends leaves with no reads at all: it keeps the right-edge frontier (one complete subtree per set
// bit of the size, at most 64 hashes) in memory. Start it from the store once, then feed it batches;
// it hands back the nodes to persist and the root. Not thread-safe: one appender per writer.
class TreeAppender {
public:
    // An empty tree.
    TreeAppender() = default;
    // A tree that already has `size` leaves; reads popcount(size) stored nodes, now and never again.
    TreeAppender(std::uint64_t size, const NodeReader& read);

    std::uint64_t size() const { return size_; }
    // Root of the tree at size(); no reads.
    Hash root() const;

    // Appends one leaf (already leaf-hashed) and pushes the nodes it completes onto `completed`, in the
    // order nodes_completed_by_append gives them.
    void append(const Hash& leaf, std::vector<CompletedNode>& completed);
    // Appends the leaves in order and returns every node they complete, in creation order.
    std::vector<CompletedNode> append(std::span<const Hash> leaves);

private:
    static constexpr std::size_t levels_max = 64;
    std::uint64_t size_ = 0;
    // frontier_[L] is the complete subtree of 2^L leaves on the right edge, valid when bit L of size_ is set.
    std::array<Hash, levels_max> frontier_{};
};

// --- Roots and proofs from stored nodes --------------------------------------------------------------
// Root of the first `size` leaves (empty_root() for 0). Precondition: the store holds at least `size`
// leaves. Reads popcount(size) nodes.
Hash root_at(std::uint64_t size, const NodeReader& read);

// RFC 9162 section 2.1.3.1 inclusion proof of leaf `index` in the tree of `size` leaves, ordered from
// the leaf's sibling up to the root's child. Precondition: index < size <= leaves stored.
std::vector<Hash> inclusion_proof(std::uint64_t index, std::uint64_t size, const NodeReader& read);

// RFC 9162 section 2.1.4.1 consistency proof from the tree of `from` leaves to the tree of `to` leaves.
// Empty when from == to. Precondition: 0 < from <= to <= leaves stored (RFC 9162 defines no proof from
// the empty tree, and verify_consistency refuses one).
std::vector<Hash> consistency_proof(std::uint64_t from, std::uint64_t to, const NodeReader& read);

// --- Verification (what a client does offline) -------------------------------------------------------
// RFC 9162 section 2.1.3.2. Errors (kind invalid_input, code "bad-inclusion-proof") name the fault:
// an index not below the size, a proof of the wrong length, or a root mismatch.
Status verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                        std::span<const Hash> proof, const Hash& root);

// RFC 9162 section 2.1.4.2. Equal sizes need an empty proof and equal roots (and, at size 0, the
// empty-tree root). A proof from size 0 to a larger size is refused: RFC 9162 defines none. Errors
// (kind invalid_input, code "bad-consistency-proof") name the fault.
Status verify_consistency(std::uint64_t size1, std::uint64_t size2, const Hash& root1, const Hash& root2,
                          std::span<const Hash> proof);

// Number of hashes a valid proof has. Preconditions: index < size; 0 < size1 < size2.
std::size_t inclusion_proof_length(std::uint64_t index, std::uint64_t size);
std::size_t consistency_proof_length(std::uint64_t size1, std::uint64_t size2);

// --- In-memory store ---------------------------------------------------------------------------------
// The in-memory twin of the database store: the same complete-subtree shape, one vector per level.
// For tests and for small trees; memory is about 2 * 32 bytes per leaf.
class MemoryTree {
public:
    std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }

    // Appends one leaf hash / the leaf hash of `data`; returns the new leaf's index.
    std::uint64_t append(const Hash& leaf);
    std::uint64_t append_data(std::span<const std::uint8_t> data) { return append(leaf_hash(data)); }

    // Precondition: the node is complete in the current tree.
    const Hash& node(NodeId id) const;
    bool has_node(NodeId id) const;
    // A reader over this tree. It refers to *this: keep the tree alive and unmoved while using it.
    NodeReader reader() const;

    Hash root() const { return root_at(size()); }
    Hash root_at(std::uint64_t tree_size) const;
    std::vector<Hash> inclusion_proof(std::uint64_t index, std::uint64_t tree_size) const;
    std::vector<Hash> consistency_proof(std::uint64_t from, std::uint64_t to) const;

private:
    std::vector<std::vector<Hash>> levels_;
};

}  // namespace rxl::merkle
