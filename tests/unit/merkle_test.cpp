// Tests of the RFC 9162 Merkle algorithms and of signed-note checkpoints.
//
// Ground truth, in order of authority: the transparency-dev/merkle proof vectors and the signed-note
// vectors under RXL_TESTDATA_DIR, the roots listed in testdata/README.md, and a reference implementation
// below that follows the recursive definitions of RFC 9162 section 2.1 word for word over a plain list
// of leaf hashes. The library computes from stored complete subtrees instead; the property tests check
// the two agree for many tree sizes.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ledger/core/bytes.hpp"
#include "ledger/merkle/checkpoint.hpp"
#include "ledger/merkle/merkle.hpp"
#include "tests/support/testdata.hpp"

namespace json = boost::json;
using namespace rxl;
using namespace rxl::merkle;

namespace {

// --- Reference: RFC 9162 section 2.1, recursive, over leaf hashes ------------------------------------

using Leaves = std::span<const Hash>;

std::size_t reference_split(std::size_t n) { return std::bit_floor(n - 1); }

Hash reference_root(Leaves leaves) {
    if (leaves.empty()) return empty_root();
    if (leaves.size() == 1) return leaves[0];
    const std::size_t k = reference_split(leaves.size());
    return node_hash(reference_root(leaves.first(k)), reference_root(leaves.subspan(k)));
}

// PATH(m, D[n])
std::vector<Hash> reference_path(std::size_t m, Leaves leaves) {
    if (leaves.size() <= 1) return {};
    const std::size_t k = reference_split(leaves.size());
    std::vector<Hash> path;
    if (m < k) {
        path = reference_path(m, leaves.first(k));
        path.push_back(reference_root(leaves.subspan(k)));
    } else {
        path = reference_path(m - k, leaves.subspan(k));
        path.push_back(reference_root(leaves.first(k)));
    }
    return path;
}

// SUBPROOF(m, D[n], b)
std::vector<Hash> reference_subproof(std::size_t m, Leaves leaves, bool whole_old_tree) {
    if (m == leaves.size()) {
        if (whole_old_tree) return {};
        return {reference_root(leaves)};
    }
    const std::size_t k = reference_split(leaves.size());
    std::vector<Hash> proof;
    if (m <= k) {
        proof = reference_subproof(m, leaves.first(k), whole_old_tree);
        proof.push_back(reference_root(leaves.subspan(k)));
    } else {
        proof = reference_subproof(m - k, leaves.subspan(k), false);
        proof.push_back(reference_root(leaves.first(k)));
    }
    return proof;
}

// --- Helpers -----------------------------------------------------------------------------------------

Hash hash_of(std::string_view hex) {
    const auto bytes = from_hex(hex);
    REQUIRE(bytes);
    REQUIRE(bytes->size() == 32);
    Hash h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    return h;
}

Hash leaf_number(std::uint64_t i) {
    const std::string data = "leaf " + std::to_string(i);
    return leaf_hash(as_bytes(data));
}

std::vector<Hash> make_leaves(std::uint64_t count) {
    std::vector<Hash> leaves;
    for (std::uint64_t i = 0; i < count; ++i) leaves.push_back(leaf_number(i));
    return leaves;
}

MemoryTree make_tree(const std::vector<Hash>& leaves) {
    MemoryTree tree;
    for (const Hash& leaf : leaves) tree.append(leaf);
    return tree;
}

// A reader that counts its reads, to pin the O(log n) cost.
struct CountingReader {
    NodeReader inner;
    std::size_t reads = 0;
    NodeReader reader() {
        return [this](NodeId id) {
            ++reads;
            return inner(id);
        };
    }
};

std::size_t log_bound(std::uint64_t size) { return 2 * static_cast<std::size_t>(std::bit_width(size)) + 1; }

// The sequence of hash combinations the RFC 9162 verifiers perform for given sizes, without hashing:
// two (index, size) pairs with the same shape make the verifier compute exactly the same function of
// the proof, so a proof checked against a changed size verifies if and only if the shapes are equal.
// (RFC 9162 proofs do not bind the tree size; the signed checkpoint does.)
std::optional<std::vector<bool>> inclusion_shape(std::uint64_t index, std::uint64_t size, std::size_t proof_size) {
    if (index >= size) return std::nullopt;
    std::vector<bool> hash_on_left;
    std::uint64_t fn = index, sn = size - 1;
    const auto shift = [&] { fn >>= 1, sn >>= 1; };
    for (std::size_t i = 0; i < proof_size; ++i) {
        if (sn == 0) return std::nullopt;
        const bool left = (fn & 1) != 0 || fn == sn;
        hash_on_left.push_back(left);
        if (left) {
            while ((fn & 1) == 0 && fn != 0) shift();
        }
        shift();
    }
    if (sn != 0) return std::nullopt;
    return hash_on_left;
}

std::optional<std::vector<int>> consistency_shape(std::uint64_t size1, std::uint64_t size2, std::size_t proof_size) {
    if (size1 == 0 || size1 >= size2) return std::nullopt;
    const bool seeded = std::has_single_bit(size1);
    std::vector<int> ops{seeded ? 2 : 3};
    const std::size_t path_size = proof_size + (seeded ? 1 : 0);
    std::uint64_t fn = size1 - 1, sn = size2 - 1;
    const auto shift = [&] { fn >>= 1, sn >>= 1; };
    while ((fn & 1) != 0) shift();
    for (std::size_t i = 1; i < path_size; ++i) {
        if (sn == 0) return std::nullopt;
        const bool both = (fn & 1) != 0 || fn == sn;
        ops.push_back(both ? 0 : 1);
        if (both) {
            while ((fn & 1) == 0 && fn != 0) shift();
        }
        shift();
    }
    if (sn != 0) return std::nullopt;
    return ops;
}

}  // namespace

// --- Hashing and the README roots --------------------------------------------------------------------

TEST_CASE("leaf, node and empty hashes are domain separated as RFC 9162 defines") {
    CHECK(to_hex(empty_root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(to_hex(leaf_hash({})) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    const Hash a = leaf_number(1), b = leaf_number(2);
    Bytes preimage{0x01};
    preimage.insert(preimage.end(), a.begin(), a.end());
    preimage.insert(preimage.end(), b.begin(), b.end());
    CHECK(node_hash(a, b) == sha256(preimage));
    CHECK(node_hash(a, b) != node_hash(b, a));
}

TEST_CASE("MemoryTree gives the README roots of the eight test leaves at sizes 0 to 8") {
    const char* leaf_data_hex[] = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                   "606162636465666768696a6b6c6d6e6f"};
    const char* roots_hex[] = {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    MemoryTree tree;
    CHECK(tree.root() == hash_of(roots_hex[0]));
    for (std::size_t i = 0; i < 8; ++i) {
        const auto data = from_hex(leaf_data_hex[i]);
        REQUIRE(data);
        tree.append_data(*data);
        INFO("size " << i + 1);
        CHECK(tree.root() == hash_of(roots_hex[i + 1]));
    }
    for (std::uint64_t size = 0; size <= 8; ++size) {
        INFO("size " << size);
        CHECK(tree.root_at(size) == hash_of(roots_hex[size]));
    }
}

// --- Conformance vectors -----------------------------------------------------------------------------

namespace {

// A hash field of a vector. Empty means absent: invalid input, so the case is refused before verifying.
// 32 bytes is a hash. Other lengths are the generator's placeholders ("WrongLeaf", "don't care 1"), which
// the Go verifier compares as opaque bytes; our API takes 32-byte hashes, so a placeholder stands in as
// SHA-256 of its bytes: equal placeholders stay equal and none equals a real hash.
std::optional<Hash> vector_hash(const json::value& field) {
    if (field.is_null()) return std::nullopt;
    const auto bytes = from_base64(std::string_view(field.as_string()));
    REQUIRE(bytes);
    if (bytes->empty()) return std::nullopt;
    if (bytes->size() != 32) return sha256(*bytes);
    Hash h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    return h;
}

std::optional<std::vector<Hash>> vector_proof(const json::value& field) {
    std::vector<Hash> proof;
    if (field.is_null()) return proof;
    for (const json::value& item : field.as_array()) {
        const auto h = vector_hash(item);
        if (!h) return std::nullopt;
        proof.push_back(*h);
    }
    return proof;
}

std::vector<std::filesystem::path> vector_files(const std::string& folder) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(test::testdata_dir() / "merkle" / folder)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Whether the vector is accepted; nullopt-free so each file yields one verdict.
bool accepts_inclusion(const json::object& v) {
    const auto leaf = vector_hash(v.at("leafHash"));
    const auto root = vector_hash(v.at("root"));
    const auto proof = vector_proof(v.at("proof"));
    if (!leaf || !root || !proof) return false;
    return verify_inclusion(v.at("leafIdx").to_number<std::uint64_t>(), v.at("treeSize").to_number<std::uint64_t>(),
                            *leaf, *proof, *root)
        .ok();
}

bool accepts_consistency(const json::object& v) {
    const auto root1 = vector_hash(v.at("root1"));
    const auto root2 = vector_hash(v.at("root2"));
    const auto proof = vector_proof(v.at("proof"));
    if (!root1 || !root2 || !proof) return false;
    return verify_consistency(v.at("size1").to_number<std::uint64_t>(), v.at("size2").to_number<std::uint64_t>(),
                              *root1, *root2, *proof)
        .ok();
}

void run_vectors(const std::string& folder, bool (*accepts)(const json::object&), std::size_t files_min) {
    const auto files = vector_files(folder);
    CHECK(files.size() >= files_min);  // the data is really there, so the loop below is not vacuous
    std::size_t positive = 0;
    for (const auto& path : files) {
        const json::object v = json::parse(test::read_file(path)).as_object();
        const bool want_error = v.at("wantErr").as_bool();
        positive += want_error ? 0 : 1;
        INFO(path.string() << ": " << v.at("desc").as_string());
        CHECK(accepts(v) == !want_error);
    }
    CHECK(positive >= 5);
}

}  // namespace

TEST_CASE("every transparency-dev inclusion vector: positives verify, negatives fail") {
    run_vectors("inclusion", accepts_inclusion, 90);
}

TEST_CASE("every transparency-dev consistency vector: positives verify, negatives fail") {
    run_vectors("consistency", accepts_consistency, 90);
}

TEST_CASE("verification errors say what failed") {
    const auto leaves = make_leaves(5);
    const MemoryTree tree = make_tree(leaves);
    auto proof = tree.inclusion_proof(1, 5);
    REQUIRE(proof.size() == 3);
    proof.pop_back();
    auto status = verify_inclusion(1, 5, leaves[1], proof, tree.root());
    REQUIRE(!status);
    CHECK(status.error().detail == "proof has 2 hashes, expected 3");
    CHECK(status.error().code == "bad-inclusion-proof");
    status = verify_inclusion(1, 5, leaves[2], tree.inclusion_proof(1, 5), tree.root());
    REQUIRE(!status);
    CHECK(status.error().detail.starts_with("root mismatch"));
    status = verify_inclusion(5, 5, leaves[1], {}, tree.root());
    REQUIRE(!status);
    CHECK(status.error().detail == "leaf index 5 is not below tree size 5");
    status = verify_consistency(2, 5, tree.root_at(2), tree.root(), tree.consistency_proof(2, 4));
    REQUIRE(!status);
    CHECK(status.error().detail == "proof has 1 hash, expected 2");
    status = verify_consistency(3, 5, tree.root_at(3), tree.root_at(4), tree.consistency_proof(3, 5));
    REQUIRE(!status);
    CHECK(status.error().detail.starts_with("root2 mismatch"));
    CHECK(status.error().code == "bad-consistency-proof");
    status = verify_consistency(0, 5, empty_root(), tree.root(), {});
    REQUIRE(!status);
    CHECK(status.error().detail == "RFC 9162 defines no consistency proof from the empty tree");
}

// --- Properties over many tree sizes -----------------------------------------------------------------

namespace {

// Tree sizes to try: every size up to 70 (all small shapes), the sizes around powers of two, and random
// sizes up to 2048 from a fixed seed, so a failure reproduces.
std::vector<std::uint64_t> property_sizes() {
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t n = 1; n <= 70; ++n) sizes.push_back(n);
    for (std::uint64_t n : std::initializer_list<std::uint64_t>{127, 128, 129, 255, 256, 257, 1023, 1024, 1025}) {
        sizes.push_back(n);
    }
    std::mt19937_64 random(20240917);
    std::uniform_int_distribution<std::uint64_t> size_of(71, 2048);
    for (int i = 0; i < 12; ++i) sizes.push_back(size_of(random));
    return sizes;
}

Hash flip_bit(Hash h, std::size_t bit) {
    h[bit / 8] = static_cast<std::uint8_t>(h[bit / 8] ^ (1u << (bit % 8)));
    return h;
}

}  // namespace

TEST_CASE("stored nodes are the roots of the leaf ranges they name") {
    const auto leaves = make_leaves(300);
    const MemoryTree tree = make_tree(leaves);
    for (std::uint8_t level = 0; level < 9; ++level) {
        for (std::uint64_t index = 0; end_leaf({level, index}) <= 300; ++index) {
            const NodeId id{level, index};
            const Leaves range = Leaves(leaves).subspan(first_leaf(id), std::size_t{1} << level);
            REQUIRE(tree.has_node(id));
            CHECK(tree.node(id) == reference_root(range));
        }
        CHECK_FALSE(tree.has_node({level, std::uint64_t{300} >> level}));
    }
}

TEST_CASE("roots and proofs from stored nodes equal the RFC 9162 definitions and cost O(log n) reads") {
    std::mt19937_64 random(7);
    const auto all_leaves = make_leaves(2048);
    const MemoryTree tree = make_tree(all_leaves);
    for (std::uint64_t size : property_sizes()) {
        INFO("size " << size);
        const Leaves leaves = Leaves(all_leaves).first(size);
        CountingReader counter{tree.reader()};
        CHECK(root_at(size, counter.reader()) == reference_root(leaves));
        CHECK(counter.reads <= log_bound(size));
        std::uniform_int_distribution<std::uint64_t> pick(0, size - 1);
        for (int sample = 0; sample < 8; ++sample) {
            const std::uint64_t index = sample == 0 ? size - 1 : pick(random);
            INFO("index " << index);
            counter.reads = 0;
            CHECK(inclusion_proof(index, size, counter.reader()) == reference_path(index, leaves));
            CHECK(counter.reads <= log_bound(size));
            const std::uint64_t from = index + 1;  // 1..size
            INFO("from " << from);
            counter.reads = 0;
            CHECK(consistency_proof(from, size, counter.reader()) == reference_subproof(from, leaves, true));
            CHECK(counter.reads <= log_bound(size));
        }
    }
}

TEST_CASE("every inclusion and consistency proof of a MemoryTree verifies, with the RFC length") {
    const auto all_leaves = make_leaves(2048);
    const MemoryTree tree = make_tree(all_leaves);
    for (std::uint64_t size : property_sizes()) {
        INFO("size " << size);
        const Hash root = tree.root_at(size);
        for (std::uint64_t index = 0; index < size; ++index) {
            const auto proof = tree.inclusion_proof(index, size);
            CHECK(proof.size() == inclusion_proof_length(index, size));
            const auto status = verify_inclusion(index, size, all_leaves[index], proof, root);
            if (!status) FAIL_CHECK("inclusion of " << index << ": " << status.error().detail);
        }
        for (std::uint64_t from = 1; from <= size; ++from) {
            const auto proof = tree.consistency_proof(from, size);
            if (from < size) CHECK(proof.size() == consistency_proof_length(from, size));
            const auto status = verify_consistency(from, size, tree.root_at(from), root, proof);
            if (!status) FAIL_CHECK("consistency from " << from << ": " << status.error().detail);
        }
    }
}

TEST_CASE("a proof fails after any one bit flips, or with another leaf index") {
    std::mt19937_64 random(11);
    const auto all_leaves = make_leaves(2048);
    const MemoryTree tree = make_tree(all_leaves);
    std::size_t flips = 0;
    for (std::uint64_t size : property_sizes()) {
        INFO("size " << size);
        const Hash root = tree.root_at(size);
        std::uniform_int_distribution<std::uint64_t> pick(0, size - 1);
        const std::uint64_t index = pick(random);
        const auto proof = tree.inclusion_proof(index, size);
        // Every bit of every hash for small trees, one random bit per hash for the larger ones.
        for (std::size_t i = 0; i < proof.size(); ++i) {
            for (std::size_t bit = 0; bit < 256; ++bit) {
                if (size > 16 && bit != random() % 256) continue;
                auto tampered = proof;
                tampered[i] = flip_bit(tampered[i], bit);
                CHECK_FALSE(verify_inclusion(index, size, all_leaves[index], tampered, root));
                ++flips;
            }
        }
        CHECK_FALSE(verify_inclusion(index, size, flip_bit(all_leaves[index], 3), proof, root));
        CHECK_FALSE(verify_inclusion(index, size, all_leaves[index], proof, flip_bit(root, 200)));
        // The path to a leaf is unique, so another index in the same tree never shares its shape.
        for (std::uint64_t other = 0; other < std::min<std::uint64_t>(size + 2, 80); ++other) {
            if (other == index) continue;
            CHECK_FALSE(verify_inclusion(other, size, all_leaves[index], proof, root));
        }
        CHECK_FALSE(verify_inclusion(UINT64_MAX, size, all_leaves[index], proof, root));
    }
    CHECK(flips > 5000);
}

TEST_CASE("a proof checked against another tree size verifies only when the verifier's computation is the same") {
    const auto all_leaves = make_leaves(2048);
    const MemoryTree tree = make_tree(all_leaves);
    std::size_t refused = 0;
    for (std::uint64_t size = 1; size <= 40; ++size) {
        const Hash root = tree.root_at(size);
        for (std::uint64_t index = 0; index < size; ++index) {
            const auto proof = tree.inclusion_proof(index, size);
            const auto shape = inclusion_shape(index, size, proof.size());
            for (std::uint64_t other : {size - 1, size + 1, 2 * size, size / 2, size + 7}) {
                if (other == size) continue;
                INFO("index " << index << " size " << size << " checked as size " << other);
                const bool same = inclusion_shape(index, other, proof.size()) == shape;
                CHECK(verify_inclusion(index, other, all_leaves[index], proof, root).ok() == same);
                refused += same ? 0 : 1;
            }
        }
        for (std::uint64_t from = 1; from < size; ++from) {
            const auto proof = tree.consistency_proof(from, size);
            const Hash old_root = tree.root_at(from);
            const auto shape = consistency_shape(from, size, proof.size());
            for (std::uint64_t d : std::initializer_list<std::uint64_t>{1, 2, 5}) {
                for (auto [size1, size2] : {std::pair{from + d, size}, std::pair{from - std::min(from, d), size},
                                            std::pair{from, size + d}, std::pair{from, size - std::min(size, d)}}) {
                    INFO("consistency " << from << "->" << size << " checked as " << size1 << "->" << size2);
                    const bool same = consistency_shape(size1, size2, proof.size()) == shape;
                    CHECK(verify_consistency(size1, size2, old_root, root, proof).ok() == same);
                    refused += same ? 0 : 1;
                }
            }
            auto tampered = proof;
            tampered[from % proof.size()] = flip_bit(tampered[from % proof.size()], from % 256);
            CHECK_FALSE(verify_consistency(from, size, old_root, root, tampered));
            CHECK_FALSE(verify_consistency(from, size, flip_bit(old_root, 1), root, proof));
            CHECK_FALSE(verify_consistency(from, size, old_root, flip_bit(root, 1), proof));
        }
    }
    CHECK(refused > 1000);
}

// --- Appending ---------------------------------------------------------------------------------------

TEST_CASE("nodes_completed_by_append creates each node once, leaf first, reading only left siblings") {
    const auto leaves = make_leaves(600);
    MemoryTree tree;
    for (std::uint64_t i = 0; i < leaves.size(); ++i) {
        CountingReader counter{tree.reader()};
        const auto nodes = nodes_completed_by_append(i, leaves[i], counter.reader());
        CHECK(counter.reads == static_cast<std::size_t>(std::countr_one(i)));
        REQUIRE(nodes.size() == counter.reads + 1);
        CHECK(nodes.front() == CompletedNode{NodeId{0, i}, leaves[i]});
        tree.append(leaves[i]);
        for (const auto& [id, hash] : nodes) {
            CHECK(end_leaf(id) == i + 1);  // a node completes exactly when its last leaf arrives
            CHECK(tree.node(id) == hash);
        }
    }
}

TEST_CASE("TreeAppender started from the middle of a stored tree matches the tree, reading only at the start") {
    const auto leaves = make_leaves(2100);
    const MemoryTree full = make_tree(leaves);
    std::mt19937_64 random(3);
    std::vector<std::uint64_t> starts{0, 1, 2, 3, 1024, 1023, 2047};
    for (int i = 0; i < 10; ++i) starts.push_back(random() % 2048);
    for (std::uint64_t start : starts) {
        INFO("start " << start);
        CountingReader counter{full.reader()};
        TreeAppender appender(start, counter.reader());
        CHECK(counter.reads == static_cast<std::size_t>(std::popcount(start)));
        CHECK(appender.size() == start);
        CHECK(appender.root() == full.root_at(start));
        // Two batches, so the second continues from the frontier the first left behind.
        const std::uint64_t middle = start + (leaves.size() - start) / 3;
        auto nodes = appender.append(Leaves(leaves).subspan(start, middle - start));
        CHECK(appender.root() == full.root_at(middle));
        const auto rest = appender.append(Leaves(leaves).subspan(middle));
        nodes.insert(nodes.end(), rest.begin(), rest.end());
        CHECK(appender.size() == leaves.size());
        CHECK(appender.root() == full.root());
        // Exactly the nodes of the full tree that are not complete at `start`, each once.
        std::size_t expected = 0;
        for (std::uint8_t level = 0; level < 13; ++level) {
            expected += (leaves.size() >> level) - (start >> level);
        }
        CHECK(nodes.size() == expected);
        for (const auto& [id, hash] : nodes) {
            CHECK(end_leaf(id) > start);
            CHECK(full.node(id) == hash);
        }
    }
}

TEST_CASE("sizes near 2^64 neither overflow nor shift out of range") {
    // Any stand-in hashes will do: this checks the index arithmetic and proof shapes, not the hashes.
    const NodeReader fake = [](NodeId id) { return leaf_number(id.index ^ id.level); };
    CHECK(nodes_completed_by_append((std::uint64_t{1} << 63) - 1, leaf_number(0), fake).size() == 64);
    const std::uint64_t big = UINT64_MAX;
    CHECK(root_at(big, fake) != empty_root());
    for (std::uint64_t index : {std::uint64_t{0}, big / 2, big - 1}) {
        CHECK(inclusion_proof(index, big, fake).size() == inclusion_proof_length(index, big));
        const std::uint64_t smaller = index + 1 + (big - 1 - index) / 2;
        CHECK(inclusion_proof(index, smaller, fake).size() == inclusion_proof_length(index, smaller));
    }
    for (std::uint64_t from : {std::uint64_t{1}, std::uint64_t{1} << 63, (std::uint64_t{1} << 63) + 5, big - 1}) {
        CHECK(consistency_proof(from, big, fake).size() == consistency_proof_length(from, big));
    }
    const TreeAppender appender(big - 1, fake);
    CHECK(appender.size() == big - 1);
    CHECK_FALSE(verify_inclusion(big - 1, big, leaf_number(0), {}, leaf_number(1)));
    CHECK_FALSE(verify_consistency(big - 1, big, leaf_number(0), leaf_number(1), {}));
}

// --- Signed notes and checkpoints --------------------------------------------------------------------

namespace {

constexpr std::string_view em_dash = "\xE2\x80\x94";

std::string note_of(const json::object& vector) {
    std::string note = std::string(vector.at("text").as_string()) + "\n";
    for (const json::value& line : vector.at("signature_lines").as_array()) {
        note += std::string(line.as_string()) + "\n";
    }
    return note;
}

PrivateKey seeded_key(std::uint8_t seed_byte) {
    const std::array<std::uint8_t, 32> seed{seed_byte};
    auto key = PrivateKey::from_seed(seed);
    REQUIRE(key);
    return std::move(key).value();
}

VerifierKey verifier_of(std::string_view name, const PrivateKey& key) {
    auto verifier = make_verifier_key(name, key.public_key());
    REQUIRE(verifier);
    return *verifier;
}

std::string error_code(const Result<VerifiedNote>& result) { return result ? "" : result.error().code; }

}  // namespace

TEST_CASE("every signed-note vector: valid ones verify, invalid ones fail") {
    const json::object data = json::parse(test::read_file(test::testdata_dir() / "signed-note.json")).as_object();
    const json::array& vectors = data.at("vectors").as_array();
    CHECK(vectors.size() >= 4);
    std::size_t valid = 0;
    for (const json::value& item : vectors) {
        const json::object& vector = item.as_object();
        const std::string key_text(vector.at("verifier_key").as_string());
        INFO(key_text);
        const auto key = parse_verifier_key(key_text);
        REQUIRE(key);
        CHECK(format_verifier_key(*key) == key_text);
        const VerifierKey keys[] = {*key};
        const auto verified = verify_note(note_of(vector), keys);
        if (vector.at("valid").as_bool()) {
            ++valid;
            REQUIRE(verified);
            CHECK(verified->text == vector.at("text").as_string());
            CHECK(verified->verified_keys == std::vector<std::size_t>{0});
        } else {
            CHECK(error_code(verified) == "bad-signature");
        }
    }
    CHECK(valid >= 3);
}

TEST_CASE("a note signed with a fresh key verifies, and any one changed byte of the text breaks it") {
    const PrivateKey key = PrivateKey::generate();
    const VerifierKey keys[] = {verifier_of("rxledger.example/node-1", key)};
    const std::string text = "rxledger.example/ledger\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    const auto note = sign_note(text, keys[0].name, key);
    REQUIRE(note);
    CHECK(note->starts_with(text + "\n" + std::string(em_dash) + " rxledger.example/node-1 "));
    const auto verified = verify_note(*note, keys);
    REQUIRE(verified);
    CHECK(verified->text == text);
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::string tampered = *note;
        tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
        INFO("byte " << i);
        CHECK_FALSE(verify_note(tampered, keys));
    }
    // The signature itself, one bit changed mid-way (the last base64 digit would hit unused bits).
    std::string tampered = *note;
    const std::size_t middle = tampered.size() - 30;
    tampered[middle] = tampered[middle] == 'A' ? 'B' : 'A';
    CHECK(error_code(verify_note(tampered, keys)) == "bad-signature");
}

TEST_CASE("verify_note ignores unknown keys, counts each trusted key once, and rejects a bad trusted signature") {
    const PrivateKey a = seeded_key(1), b = seeded_key(2), c = seeded_key(3);
    const std::string text = "hello\n";
    auto note = sign_note(text, "a.example", a);
    REQUIRE(note);
    note = add_signature(*note, "b.example", b);
    REQUIRE(note);
    note = add_signature(*note, "c.example", c);
    REQUIRE(note);
    const VerifierKey key_a = verifier_of("a.example", a), key_b = verifier_of("b.example", b);
    const VerifierKey key_c = verifier_of("c.example", c);

    const VerifierKey only_b[] = {key_b};
    REQUIRE(verify_note(*note, only_b));
    CHECK(verify_note(*note, only_b)->verified_keys == std::vector<std::size_t>{0});
    const VerifierKey c_and_a[] = {key_c, key_b, key_a};
    REQUIRE(verify_note(*note, c_and_a));
    CHECK(verify_note(*note, c_and_a)->verified_keys == std::vector<std::size_t>{0, 1, 2});

    // Same name, other key (so another id): unknown, ignored, and then nobody trusted signed.
    const VerifierKey impostor[] = {verifier_of("a.example", b)};
    CHECK(error_code(verify_note(*note, impostor)) == "no-trusted-signature");
    // Same name and id but a different public key: a trusted signature that fails.
    VerifierKey colliding = key_a;
    colliding.public_key = key_b.public_key;
    const VerifierKey collision[] = {colliding};
    CHECK(error_code(verify_note(*note, collision)) == "bad-signature");

    // The same signature twice counts once.
    const std::string line_a = note->substr(text.size() + 1, note->find('\n', text.size() + 1) - text.size());
    const VerifierKey keys_a[] = {key_a};
    const auto doubled = verify_note(*note + line_a, keys_a);
    REQUIRE(doubled);
    CHECK(doubled->verified_keys == std::vector<std::size_t>{0});
}

TEST_CASE("malformed notes are errors") {
    const PrivateKey key = seeded_key(9);
    const VerifierKey keys[] = {verifier_of("k.example", key)};
    const auto note = sign_note("a\n\nb\n", "k.example", key);  // a text may itself hold blank lines
    REQUIRE(note);
    REQUIRE(verify_note(*note, keys));
    CHECK(verify_note(*note, keys)->text == "a\n\nb\n");
    const std::string signature_line = note->substr(6);
    const auto malformed = [&](const std::string& text) { return error_code(verify_note(text, keys)); };
    CHECK(malformed(note->substr(0, note->size() - 1)) == "malformed-note");         // no final newline
    CHECK(malformed("a\n" + signature_line) == "malformed-note");                     // no blank line
    CHECK(malformed("a\n\n") == "malformed-note");                                   // no signatures
    CHECK(malformed("a\n\n- k.example AAAAAAAA\n") == "malformed-note");              // hyphen, not em dash
    CHECK(malformed("a\n\n" + std::string(em_dash) + " k+x AAAAAAAA\n") == "malformed-note");  // '+'
    CHECK(malformed("a\n\n" + std::string(em_dash) + "  AAAAAAAA\n") == "malformed-note");     // empty name
    CHECK(malformed("a\n\n" + std::string(em_dash) + " k.example AAAA\n") == "malformed-note");  // 3 bytes
    CHECK(malformed("a\n\n" + std::string(em_dash) + " k.example AA!AAAAA\n") == "malformed-note");
    CHECK(malformed("a\tb\n\n" + signature_line) == "malformed-note");                // control character
    CHECK(malformed("a\xff\n\n" + signature_line) == "malformed-note");               // not UTF-8
    CHECK(malformed("a\xC0\xAF\n\n" + signature_line) == "malformed-note");           // overlong UTF-8
    std::string many = *note;
    for (std::size_t i = 0; i < note_signatures_max; ++i) many += signature_line;
    CHECK(malformed(many) == "malformed-note");
    CHECK_FALSE(sign_note("no newline", "k.example", key));
    CHECK_FALSE(sign_note("a\n", "bad name", key));
    CHECK_FALSE(sign_note("a\n", "bad\xC2\xA0name", key));  // U+00A0 is a Unicode space
    CHECK_FALSE(add_signature("a\n", "k.example", key));
}

TEST_CASE("verifier keys round-trip and wrong ones are refused") {
    const PrivateKey key = seeded_key(5);
    const VerifierKey made = verifier_of("example.com/log", key);
    const std::string text = format_verifier_key(made);
    const auto parsed = parse_verifier_key(text);
    REQUIRE(parsed);
    CHECK(*parsed == made);
    const std::size_t first_plus = text.find('+');
    const std::string id_hex = text.substr(first_plus + 1, 8);
    const std::string key_b64 = text.substr(first_plus + 10);
    CHECK_FALSE(parse_verifier_key("example.com/log+" + id_hex));
    CHECK_FALSE(parse_verifier_key("example.com/logs+" + id_hex + "+" + key_b64));  // id is not this name's
    CHECK_FALSE(parse_verifier_key("example.com/log+" + id_hex.substr(1) + "+" + key_b64));
    CHECK_FALSE(parse_verifier_key("+" + id_hex + "+" + key_b64));
    Bytes typed{0x02};
    typed.insert(typed.end(), made.public_key.begin(), made.public_key.end());
    CHECK_FALSE(parse_verifier_key("example.com/log+" + id_hex + "+" + to_base64(typed)));
    CHECK_FALSE(make_verifier_key("has space", made.public_key));
}

TEST_CASE("checkpoint bodies format and parse strictly") {
    MemoryTree tree;
    for (int i = 0; i < 5; ++i) tree.append(leaf_number(static_cast<std::uint64_t>(i)));
    const Checkpoint checkpoint{"rxledger.example/ledger", 5, tree.root(), {}};
    const std::string body = format_checkpoint(checkpoint);
    CHECK(body == "rxledger.example/ledger\n5\n" + to_base64(tree.root()) + "\n");
    auto parsed = parse_checkpoint(body);
    REQUIRE(parsed);
    CHECK(*parsed == checkpoint);

    const std::string root = to_base64(tree.root());
    const std::string with_extension = "o\n0\n" + root + "\nextra line\n";
    parsed = parse_checkpoint(with_extension);
    REQUIRE(parsed);
    CHECK(parsed->extension_lines == std::vector<std::string>{"extra line"});
    CHECK(format_checkpoint(*parsed) == with_extension);
    parsed = parse_checkpoint("o\n18446744073709551615\n" + root + "\n");
    REQUIRE(parsed);
    CHECK(parsed->size == UINT64_MAX);

    std::string non_canonical = root;  // 32 bytes leave 2 unused bits in the last base64 digit
    non_canonical[42] = non_canonical[42] == 'A' ? 'B' : static_cast<char>(non_canonical[42] ^ 1);
    const std::vector<std::string> bad_bodies{
        "o\n5\n" + root,                             // no final newline
        "o\n5\n",                                    // two lines
        "\n5\n" + root + "\n",                       // empty origin
        "o\n05\n" + root + "\n",                     // leading zero
        "o\n+5\n" + root + "\n",                     // sign
        "o\n-5\n" + root + "\n",                     // sign
        "o\n5 \n" + root + "\n",                     // trailing space
        "o\n\n" + root + "\n",                       // empty size
        "o\n18446744073709551616\n" + root + "\n",   // 2^64
        "o\n5\n" + root.substr(0, 40) + "\n",         // 30 bytes
        "o\n5\n" + non_canonical + "\n",             // unused base64 bits set
        "o\n5\n" + root + "\n\n",                    // empty extension line
        "o\n5\n" + root + "\nx\n\n",                 // empty extension line after a good one
        "o\r\n5\n" + root + "\n",                    // control character in the origin
    };
    for (const std::string& bad : bad_bodies) {
        INFO(bad);
        const auto result = parse_checkpoint(bad);
        REQUIRE_FALSE(result);
        CHECK(result.error().code == "malformed-checkpoint");
    }
}

TEST_CASE("a signed checkpoint verifies under its node keys and its root proves the tree") {
    const PrivateKey node1 = seeded_key(21), node2 = seeded_key(22);
    const VerifierKey keys[] = {verifier_of("node-1.rxledger.example", node1),
                                verifier_of("node-2.rxledger.example", node2)};
    const auto leaves = make_leaves(77);
    const MemoryTree tree = make_tree(leaves);
    const Checkpoint checkpoint{"rxledger.example/ledger", 77, tree.root(), {}};
    auto note = sign_checkpoint(checkpoint, keys[0].name, node1);
    REQUIRE(note);
    note = add_signature(*note, keys[1].name, node2);
    REQUIRE(note);
    const auto verified = verify_checkpoint(*note, keys);
    REQUIRE(verified);
    CHECK(verified->checkpoint == checkpoint);
    CHECK(verified->verified_keys == std::vector<std::size_t>{0, 1});
    CHECK(verify_inclusion(30, verified->checkpoint.size, leaves[30], tree.inclusion_proof(30, 77),
                           verified->checkpoint.root));
    // A signed text that is not a checkpoint is refused after the signature checks out.
    const auto not_checkpoint = sign_note("hello\n", keys[0].name, node1);
    REQUIRE(not_checkpoint);
    const auto refused = verify_checkpoint(*not_checkpoint, keys);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "malformed-checkpoint");
}
