#include "ledger/merkle/merkle.hpp"

#include <algorithm>
#include <bit>
#include <string>

#include "ledger/core/assert.hpp"

namespace rxl::merkle {

namespace {

constexpr std::uint8_t leaf_prefix = 0x00;
constexpr std::uint8_t node_prefix = 0x01;

std::uint8_t level_of(std::uint64_t power_of_two) {
    RXL_ASSERT(std::has_single_bit(power_of_two));
    return static_cast<std::uint8_t>(std::countr_zero(power_of_two));
}

// Largest power of two strictly below leaf_count, where RFC 9162 splits a tree. Precondition: >= 2.
std::uint64_t split_point(std::uint64_t leaf_count) {
    RXL_ASSERT(leaf_count >= 2);
    return std::bit_floor(leaf_count - 1);
}

// True if a subtree of `count` leaves starting at leaf `begin` is one the RFC 9162 recursion can visit.
bool starts_on_split_point(std::uint64_t begin, std::uint64_t count) {
    constexpr std::uint64_t top_bit = std::uint64_t{1} << 63;
    if (count > top_bit) return begin == 0;  // bit_ceil(count) would not fit in 64 bits
    return begin % std::bit_ceil(count) == 0;
}

// Root of leaves [begin, end) as RFC 9162 defines it for a subtree that starts on a split point: the
// complete subtrees named by the set bits of (end - begin), highest first, folded from the right.
// Precondition: begin < end, and begin is a multiple of bit_ceil(end - begin), which holds for every
// subtree the RFC 9162 recursion visits. Reads popcount(end - begin) nodes.
Hash range_root(std::uint64_t begin, std::uint64_t end, const NodeReader& read) {
    RXL_ASSERT(begin < end);
    const std::uint64_t count = end - begin;
    RXL_ASSERT(starts_on_split_point(begin, count));
    std::array<Hash, 64> parts{};
    std::size_t part_count = 0;
    std::uint64_t offset = begin;
    for (int level = 63; level >= 0; --level) {
        const std::uint64_t width = std::uint64_t{1} << level;
        if ((count & width) == 0) continue;
        parts[part_count++] = read(NodeId{static_cast<std::uint8_t>(level), offset >> level});
        offset += width;
    }
    Hash root = parts[part_count - 1];
    for (std::size_t i = part_count - 1; i-- > 0;) root = node_hash(parts[i], root);
    return root;
}

Error inclusion_error(std::string detail) {
    return make_error(ErrorKind::invalid_input, "bad-inclusion-proof", std::move(detail));
}
Error consistency_error(std::string detail) {
    return make_error(ErrorKind::invalid_input, "bad-consistency-proof", std::move(detail));
}

std::string length_mismatch(std::size_t got, std::size_t want) {
    return "proof has " + std::to_string(got) + (got == 1 ? " hash" : " hashes") + ", expected " + std::to_string(want);
}

// RFC 9162 section 2.1.4.2 steps 3 to 7, over a path whose first hash is the seed: the two roots the
// path leads to, with ok false if the path's length does not fit the sizes.
struct ConsistencyRoots {
    Hash first;
    Hash second;
    bool ok = false;
};
ConsistencyRoots walk_consistency_path(std::uint64_t size1, std::uint64_t size2, std::span<const Hash> path) {
    std::uint64_t fn = size1 - 1;
    std::uint64_t sn = size2 - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    ConsistencyRoots roots{path[0], path[0], false};
    for (std::size_t i = 1; i < path.size(); ++i) {
        if (sn == 0) return roots;
        if ((fn & 1) != 0 || fn == sn) {
            roots.first = node_hash(path[i], roots.first);
            roots.second = node_hash(path[i], roots.second);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            roots.second = node_hash(roots.second, path[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    roots.ok = sn == 0;
    return roots;
}

}  // namespace

// --- Hashing -----------------------------------------------------------------------------------------

Hash leaf_hash(std::span<const std::uint8_t> data) {
    const std::uint8_t prefix[] = {leaf_prefix};
    return sha256_concat({prefix, data});
}

Hash node_hash(const Hash& left, const Hash& right) {
    const std::uint8_t prefix[] = {node_prefix};
    return sha256_concat({prefix, left, right});
}

Hash empty_root() { return sha256(std::string_view{}); }

std::uint64_t first_leaf(NodeId node) { return node.index << node.level; }
std::uint64_t end_leaf(NodeId node) { return (node.index + 1) << node.level; }

// --- Appending ---------------------------------------------------------------------------------------

std::vector<CompletedNode> nodes_completed_by_append(std::uint64_t new_leaf_index, const Hash& leaf,
                                                     const NodeReader& read) {
    RXL_ASSERT_MSG(new_leaf_index != UINT64_MAX, "the tree is full");
    std::vector<CompletedNode> completed;
    completed.emplace_back(NodeId{0, new_leaf_index}, leaf);
    Hash hash = leaf;
    // Each trailing one bit of the index is a complete left sibling that the new leaf now pairs with.
    for (std::uint8_t level = 0; ((new_leaf_index >> level) & 1) != 0; ++level) {
        const Hash left = read(NodeId{level, (new_leaf_index >> level) - 1});
        hash = node_hash(left, hash);
        completed.emplace_back(NodeId{static_cast<std::uint8_t>(level + 1), new_leaf_index >> (level + 1)}, hash);
    }
    return completed;
}

TreeAppender::TreeAppender(std::uint64_t size, const NodeReader& read) : size_(size) {
    std::uint64_t offset = 0;
    for (int level = 63; level >= 0; --level) {
        const std::uint64_t width = std::uint64_t{1} << level;
        if ((size & width) == 0) continue;
        frontier_[static_cast<std::size_t>(level)] = read(NodeId{static_cast<std::uint8_t>(level), offset >> level});
        offset += width;
    }
}

Hash TreeAppender::root() const {
    if (size_ == 0) return empty_root();
    const auto lowest = static_cast<std::size_t>(std::countr_zero(size_));
    Hash root = frontier_[lowest];
    for (std::size_t level = lowest + 1; level < levels_max; ++level) {
        if (((size_ >> level) & 1) != 0) root = node_hash(frontier_[level], root);
    }
    return root;
}

void TreeAppender::append(const Hash& leaf, std::vector<CompletedNode>& completed) {
    RXL_ASSERT_MSG(size_ != UINT64_MAX, "the tree is full");
    const std::uint64_t index = size_;
    completed.emplace_back(NodeId{0, index}, leaf);
    Hash hash = leaf;
    std::size_t level = 0;
    for (; ((index >> level) & 1) != 0; ++level) {
        hash = node_hash(frontier_[level], hash);
        completed.emplace_back(NodeId{static_cast<std::uint8_t>(level + 1), index >> (level + 1)}, hash);
    }
    // Levels below `level` were absorbed into the new subtree; their bits are now clear in size_ + 1.
    frontier_[level] = hash;
    ++size_;
}

std::vector<CompletedNode> TreeAppender::append(std::span<const Hash> leaves) {
    std::vector<CompletedNode> completed;
    // Appending n leaves creates fewer than 2n nodes.
    completed.reserve(2 * leaves.size());
    for (const Hash& leaf : leaves) append(leaf, completed);
    return completed;
}

// --- Roots and proofs from stored nodes --------------------------------------------------------------

Hash root_at(std::uint64_t size, const NodeReader& read) {
    if (size == 0) return empty_root();
    return range_root(0, size, read);
}

std::vector<Hash> inclusion_proof(std::uint64_t index, std::uint64_t size, const NodeReader& read) {
    RXL_ASSERT(index < size);
    // Walk down from the root as RFC 9162 PATH recurses, collecting the sibling at each split; the
    // proof lists them bottom-up. Only the first sibling taken off the right edge is an incomplete
    // subtree (a fold); every later one is a single stored node.
    std::vector<Hash> proof;
    std::uint64_t begin = 0;
    std::uint64_t end = size;
    while (end - begin > 1) {
        const std::uint64_t k = split_point(end - begin);
        if (index < begin + k) {
            proof.push_back(range_root(begin + k, end, read));
            end = begin + k;
        } else {
            proof.push_back(read(NodeId{level_of(k), begin / k}));
            begin += k;
        }
    }
    std::reverse(proof.begin(), proof.end());
    return proof;
}

std::vector<Hash> consistency_proof(std::uint64_t from, std::uint64_t to, const NodeReader& read) {
    RXL_ASSERT(0 < from && from <= to);
    if (from == to) return {};
    // RFC 9162 SUBPROOF, unrolled: `old_leaves` counts the old tree's leaves inside [begin, end), and
    // `whole_old_tree` is SUBPROOF's flag b (still on the path of the old tree's own root).
    std::vector<Hash> siblings;
    std::uint64_t begin = 0;
    std::uint64_t end = to;
    std::uint64_t old_leaves = from;
    bool whole_old_tree = true;
    while (old_leaves != end - begin) {
        const std::uint64_t k = split_point(end - begin);
        if (old_leaves <= k) {
            siblings.push_back(range_root(begin + k, end, read));
            end = begin + k;
        } else {
            siblings.push_back(read(NodeId{level_of(k), begin / k}));
            begin += k;
            old_leaves -= k;
            whole_old_tree = false;
        }
    }
    std::vector<Hash> proof;
    proof.reserve(siblings.size() + 1);
    if (!whole_old_tree) proof.push_back(range_root(begin, end, read));
    proof.insert(proof.end(), siblings.rbegin(), siblings.rend());
    return proof;
}

// --- Verification ------------------------------------------------------------------------------------

std::size_t inclusion_proof_length(std::uint64_t index, std::uint64_t size) {
    RXL_ASSERT(index < size);
    // Below the level where the paths to `index` and to the last leaf part, every level has a sibling;
    // above it, one sibling per left subtree the index sits to the right of.
    const auto inner = static_cast<unsigned>(std::bit_width(index ^ (size - 1)));
    const auto border = static_cast<unsigned>(std::popcount(inner >= 64 ? 0 : index >> inner));
    return inner + border;
}

std::size_t consistency_proof_length(std::uint64_t size1, std::uint64_t size2) {
    RXL_ASSERT(0 < size1 && size1 < size2);
    const auto shift = static_cast<unsigned>(std::countr_zero(size1));
    const std::size_t path = inclusion_proof_length(size1 - 1, size2) - shift;
    // A power-of-two old tree is itself a node of the new one, so its root (known to the verifier)
    // seeds the path instead of a proof hash.
    return std::has_single_bit(size1) ? path : path + 1;
}

Status verify_inclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf, std::span<const Hash> proof,
                        const Hash& root) {
    if (index >= size) {
        return inclusion_error("leaf index " + std::to_string(index) + " is not below tree size " +
                               std::to_string(size));
    }
    const std::size_t expected = inclusion_proof_length(index, size);
    if (proof.size() != expected) return inclusion_error(length_mismatch(proof.size(), expected));
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    Hash r = leaf;
    for (const Hash& p : proof) {
        if (sn == 0) return inclusion_error("proof is longer than the tree is high");
        if ((fn & 1) != 0 || fn == sn) {
            r = node_hash(p, r);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) return inclusion_error("proof is shorter than the tree is high");
    if (r != root) return inclusion_error("root mismatch: the proof does not lead to the given root");
    return ok_status();
}

Status verify_consistency(std::uint64_t size1, std::uint64_t size2, const Hash& root1, const Hash& root2,
                          std::span<const Hash> proof) {
    if (size1 > size2) {
        return consistency_error("size1 " + std::to_string(size1) + " is greater than size2 " +
                                 std::to_string(size2));
    }
    if (size1 == size2) {
        if (!proof.empty()) return consistency_error(length_mismatch(proof.size(), 0));
        if (root1 != root2) return consistency_error("root mismatch: equal sizes with different roots");
        if (size1 == 0 && root1 != empty_root()) {
            return consistency_error("root mismatch: the empty tree's root is SHA-256 of the empty string");
        }
        return ok_status();
    }
    if (size1 == 0) return consistency_error("RFC 9162 defines no consistency proof from the empty tree");
    const std::size_t expected = consistency_proof_length(size1, size2);
    if (proof.size() != expected) return consistency_error(length_mismatch(proof.size(), expected));
    std::vector<Hash> path;
    path.reserve(proof.size() + 1);
    if (std::has_single_bit(size1)) path.push_back(root1);  // RFC 9162 2.1.4.2 step 2
    path.insert(path.end(), proof.begin(), proof.end());
    const ConsistencyRoots roots = walk_consistency_path(size1, size2, path);
    if (!roots.ok) return consistency_error("proof does not fit the tree sizes");
    if (roots.first != root1) return consistency_error("root1 mismatch: the proof does not lead to the old root");
    if (roots.second != root2) return consistency_error("root2 mismatch: the proof does not lead to the new root");
    return ok_status();
}

// --- In-memory store ---------------------------------------------------------------------------------

std::uint64_t MemoryTree::append(const Hash& leaf) {
    const std::uint64_t index = size();
    for (const auto& [id, hash] : nodes_completed_by_append(index, leaf, reader())) {
        if (levels_.size() <= id.level) levels_.resize(std::size_t{id.level} + 1);
        auto& level = levels_[id.level];
        RXL_ASSERT(level.size() == id.index);  // nodes complete left to right, once each
        level.push_back(hash);
    }
    return index;
}

bool MemoryTree::has_node(NodeId id) const {
    return id.level < levels_.size() && id.index < levels_[id.level].size();
}

const Hash& MemoryTree::node(NodeId id) const {
    RXL_ASSERT_MSG(has_node(id), "node is not a complete subtree of this tree");
    return levels_[id.level][id.index];
}

NodeReader MemoryTree::reader() const {
    return [this](NodeId id) { return node(id); };
}

Hash MemoryTree::root_at(std::uint64_t tree_size) const {
    RXL_ASSERT(tree_size <= size());
    return merkle::root_at(tree_size, reader());
}

std::vector<Hash> MemoryTree::inclusion_proof(std::uint64_t index, std::uint64_t tree_size) const {
    RXL_ASSERT(tree_size <= size());
    return merkle::inclusion_proof(index, tree_size, reader());
}

std::vector<Hash> MemoryTree::consistency_proof(std::uint64_t from, std::uint64_t to) const {
    RXL_ASSERT(to <= size());
    return merkle::consistency_proof(from, to, reader());
}

}  // namespace rxl::merkle
