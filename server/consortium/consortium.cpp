#include "server/consortium/consortium.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "ledger/core/bytes.hpp"
#include "ledger/merkle/merkle.hpp"
#include "ledger/service/ledger_service.hpp"
#include "server/consortium/etcd_orderer.hpp"

namespace rxl::consortium {

namespace json = boost::json;

namespace {

// Sizes are zero-padded so that keys sort by size.
std::string cosig_key(const std::string& prefix, std::uint64_t size, const std::string& node) {
    return fmt::format("{}/cosig/{:020}/{}", prefix, size, node);
}

void log_line(const std::string& line) {
    std::fprintf(stderr, "rxledgerd: %s\n", line.c_str());
    std::fflush(stderr);
}

std::uint64_t uint_field(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr) return 0;
    if (value->is_uint64()) return value->as_uint64();
    if (value->is_int64() && value->as_int64() >= 0) return static_cast<std::uint64_t>(value->as_int64());
    return 0;
}

// The signature lines of a signed note: everything after its last blank line.
std::string_view signature_lines(std::string_view note) {
    auto split = note.rfind("\n\n");
    return split == std::string_view::npos ? std::string_view() : note.substr(split + 2);
}

}  // namespace

Consortium::Consortium(ConsortiumConfig config, std::string node_id, const Genesis& genesis)
    : config_(std::move(config)), node_id_(std::move(node_id)), consortium_(genesis.consortium) {
    if (config_.prefix.empty()) config_.prefix = "/rxledger/" + consortium_;
    for (const auto& node : genesis.nodes) {
        auto key = merkle::make_verifier_key(consortium_ + "/" + node.id, node.public_key);
        RXL_ASSERT_MSG(static_cast<bool>(key), "genesis node ids are valid key names");
        node_keys_.push_back(*key);
        node_ids_.push_back(node.id);
        if (node.id != node_id_) peers_.push_back(node);
    }
    quorum_ = genesis.nodes.size() / 2 + 1;
    http::ClientOptions tls;
    tls.ca_file = config_.etcd_ca_file;
    tls.client_certificate_file = config_.etcd_client_certificate;
    tls.client_private_key_file = config_.etcd_client_key;
    tls.timeout_ms = config_.etcd_timeout_ms;
    etcd_ = std::make_unique<EtcdClient>(config_.etcd_url, tls);
}

Consortium::~Consortium() { stop(); }

std::unique_ptr<Orderer> Consortium::make_orderer(const OrdererStart& start) {
    return std::make_unique<EtcdOrderer>(*this, start);
}

void Consortium::start(LedgerService& ledger) {
    ledger_ = &ledger;
    {
        std::lock_guard lock(mutex_);
        applied_size_ = ledger.size();
        applied_cursor_ = ledger.cursor();
        applied_root_ = ledger.root();
    }
    monitor_ = std::thread([this] { monitor_loop(); });
}

void Consortium::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (monitor_.joinable()) monitor_.join();
}

ConsortiumStatus Consortium::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

std::optional<FinalCheckpoint> Consortium::latest_final() const {
    std::lock_guard lock(mutex_);
    return final_;
}

void Consortium::set_catching_up(bool catching_up) {
    std::lock_guard lock(mutex_);
    status_.catching_up = catching_up;
}

void Consortium::publish(const CommittedBatch& batch) {
    {
        std::lock_guard lock(mutex_);
        applied_size_ = batch.size;
        applied_cursor_ = batch.cursor;
        applied_root_ = batch.root;
    }
    for (const auto& signed_checkpoint : batch.signed_checkpoints) {
        json::object value{{"size", signed_checkpoint.size},
                           {"root", to_hex(signed_checkpoint.root)},
                           {"cursor", signed_checkpoint.cursor},
                           {"note", signed_checkpoint.note}};
        // A lost publication is not fatal: the others still reach a quorum, and this node's own root is
        // still compared with theirs. It is logged.
        if (auto put = etcd_->put(cosig_key(config_.prefix, signed_checkpoint.size, node_id_), json::serialize(value)); !put) {
            log_line(fmt::format("could not publish the checkpoint at size {}: {}", signed_checkpoint.size, put.error().detail));
        }
    }
    if (!batch.signed_checkpoints.empty()) wake_.notify_all();
}

void Consortium::publish_liveness() {
    std::uint64_t size = 0, cursor = 0;
    Hash root{};
    {
        std::lock_guard lock(mutex_);
        size = applied_size_;
        cursor = applied_cursor_;
        root = applied_root_;
    }
    auto lease = etcd_->grant_lease(config_.node_ttl_s);
    Status put = lease ? etcd_->put(config_.prefix + "/nodes/" + node_id_,
                                    json::serialize(json::object{{"size", size}, {"cursor", cursor}, {"root", to_hex(root)}}), *lease)
                       : Status(lease.error());
    auto etcd_status = put ? etcd_->status() : Result<EtcdStatus>(put.error());
    std::lock_guard lock(mutex_);
    status_.etcd_reachable = static_cast<bool>(etcd_status) && etcd_status->leader != "0";
    if (!etcd_status) status_.etcd_detail = etcd_status.error().detail;
    else if (etcd_status->leader == "0") status_.etcd_detail = "the etcd member has no leader (no quorum)";
    else status_.etcd_detail.clear();
    if (etcd_status) status_.etcd_revision = etcd_status->revision;
}

Status Consortium::refresh_finality() {
    const std::string from = config_.prefix + "/cosig/";
    auto range = etcd_->range(from, prefix_range_end(from));
    if (!range) return range.error();
    struct Vote {
        std::string note;
        std::uint64_t cursor = 0;
        std::vector<std::string> signers;
        std::string signature_text;
    };
    // size → root (hex) → the nodes that signed it
    std::map<std::uint64_t, std::map<std::string, Vote>> votes;
    for (const auto& kv : range->kvs) {
        boost::system::error_code ec;
        json::value value = json::parse(kv.value, ec);
        if (ec || !value.is_object()) continue;
        const json::object& fields = value.as_object();
        const json::value* note = fields.if_contains("note");
        if (note == nullptr || !note->is_string()) continue;
        const std::string note_text(note->as_string());
        auto verified = merkle::verify_checkpoint(note_text, node_keys_);
        if (!verified || verified->verified_keys.size() != 1) continue;  // each node publishes its own signature only
        const std::string& signer = node_ids_[verified->verified_keys.front()];
        if (kv.key.substr(kv.key.rfind('/') + 1) != signer) continue;  // under another node's name
        const auto& checkpoint = verified->checkpoint;
        Vote& vote = votes[checkpoint.size][to_hex(checkpoint.root)];
        vote.note = note_text.substr(0, note_text.rfind("\n\n") + 2);
        vote.signature_text += std::string(signature_lines(note_text));
        vote.signers.push_back(signer);
        vote.cursor = uint_field(fields, "cursor");
    }
    std::optional<FinalCheckpoint> latest;
    std::map<std::string, std::uint64_t> disagreeing;
    for (const auto& [size, roots] : votes) {
        for (const auto& [root_hex, vote] : roots) {
            if (vote.signers.size() < quorum_) continue;
            FinalCheckpoint final_checkpoint{size, *hash_from_bytes(*from_hex(root_hex)), vote.cursor, vote.note + vote.signature_text, vote.signers};
            for (const auto& [other_root, other] : roots) {
                if (other_root == root_hex) continue;
                for (const auto& node : other.signers) disagreeing[node] = size;
            }
            latest = std::move(final_checkpoint);
        }
    }
    {
        std::lock_guard lock(mutex_);
        for (const auto& [node, size] : disagreeing) {
            if (!status_.disagreeing.contains(node)) {
                log_line(fmt::format("ALARM: node {} signed another root than the consortium's final checkpoint at size {}", node, size));
            }
        }
        status_.disagreeing = std::move(disagreeing);
        if (latest) {
            status_.final_size = latest->size;
            final_ = latest;
        }
    }
    if (latest) check_own_root(*latest);
    return ok_status();
}

void Consortium::check_own_root(const FinalCheckpoint& final_checkpoint) {
    if (ledger_ == nullptr || ledger_->size() < final_checkpoint.size) return;
    {
        std::lock_guard lock(mutex_);
        if (own_root_checked_size_ >= final_checkpoint.size) return;
    }
    Hash own = ledger_->with_store([&](store::Store& store) {
        return merkle::root_at(final_checkpoint.size, [&](merkle::NodeId node) { return store.read_node(node); });
    });
    if (own != final_checkpoint.root) {
        ledger_->refuse_writes(fmt::format(
            "this node's Merkle root at size {} differs from the consortium's final checkpoint, signed by {}: this "
            "node's ledger has forked from the consortium's; run `rxledger audit` and compare with a peer",
            final_checkpoint.size, fmt::join(final_checkpoint.signers, ", ")));
    }
    std::lock_guard lock(mutex_);
    own_root_checked_size_ = final_checkpoint.size;
}

std::uint64_t Consortium::read_live_nodes() {
    const std::string nodes_from = config_.prefix + "/nodes/";
    auto nodes = etcd_->range(nodes_from, prefix_range_end(nodes_from));
    if (!nodes) return 0;
    std::vector<std::string> live;
    std::uint64_t lowest_size = UINT64_MAX;
    for (const auto& kv : nodes->kvs) {
        boost::system::error_code ec;
        json::value value = json::parse(kv.value, ec);
        if (ec || !value.is_object()) continue;
        live.push_back(kv.key.substr(nodes_from.size()));
        lowest_size = std::min(lowest_size, uint_field(value.as_object(), "size"));
    }
    std::sort(live.begin(), live.end());
    std::lock_guard lock(mutex_);
    status_.live_nodes = std::move(live);
    return status_.live_nodes.empty() ? 0 : lowest_size;
}

void Consortium::compact_if_due(std::uint64_t lowest_live_size) {
    if (config_.compact_every_ms == 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_compaction_ < std::chrono::milliseconds(config_.compact_every_ms)) return;
    last_compaction_ = now;
    // Only the first live node (by id) compacts; the others need not.
    std::vector<std::string> live;
    {
        std::lock_guard lock(mutex_);
        live = status_.live_nodes;
    }
    if (live.empty() || live.front() != node_id_) return;
    auto final_checkpoint = latest_final();
    if (!final_checkpoint || final_checkpoint->size > lowest_live_size) return;
    const auto revision = static_cast<std::int64_t>(final_checkpoint->cursor);
    std::int64_t compacted = 0;
    {
        std::lock_guard lock(mutex_);
        compacted = status_.compacted_revision;
    }
    if (revision <= compacted) return;
    // Submissions at or below the checkpoint's position are applied by every live node: drop them, then
    // the history below it. Cosignatures of smaller sizes go too; the latest final one stays.
    const std::string log_from = config_.prefix + "/log/";
    while (true) {
        auto keys = etcd_->range(log_from, prefix_range_end(log_from), {revision, 500, true});
        if (!keys || keys->kvs.empty()) break;
        std::vector<std::string> names;
        for (const auto& kv : keys->kvs) names.push_back(kv.key);
        if (!etcd_->remove(names)) return;
        if (!keys->more) break;
    }
    const std::string cosig_from = config_.prefix + "/cosig/";
    if (auto old = etcd_->range(cosig_from, cosig_key(config_.prefix, final_checkpoint->size, ""), {0, 0, true}); old) {
        std::vector<std::string> names;
        for (const auto& kv : old->kvs) {
            names.push_back(kv.key);
            if (names.size() == 500 || &kv == &old->kvs.back()) {
                if (auto removed = etcd_->remove(names); !removed) log_line("could not remove old cosignatures: " + removed.error().detail);
                names.clear();
            }
        }
    }
    if (auto done = etcd_->compact(revision); !done) {
        log_line("compaction failed: " + done.error().detail);
        return;
    }
    log_line(fmt::format("compacted etcd below revision {} (final checkpoint at size {}, applied by {})", revision,
                         final_checkpoint->size, fmt::join(live, ", ")));
    std::lock_guard lock(mutex_);
    status_.compacted_revision = revision;
}

void Consortium::monitor_loop() {
    while (true) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(config_.status_every_ms), [&] { return stopping_; });
            if (stopping_) return;
        }
        try {
            publish_liveness();
            if (auto refreshed = refresh_finality(); !refreshed) {
                std::lock_guard lock(mutex_);
                status_.etcd_reachable = false;
                status_.etcd_detail = refreshed.error().detail;
            }
            compact_if_due(read_live_nodes());
        } catch (const std::exception& error) {
            log_line(std::string("consortium monitor: ") + error.what());
        }
    }
}

}  // namespace rxl::consortium
