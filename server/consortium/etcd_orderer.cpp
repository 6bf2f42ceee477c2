#include "server/consortium/etcd_orderer.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "ledger/apply/entry.hpp"
#include "ledger/core/bytes.hpp"
#include "ledger/merkle/merkle.hpp"
#include "ledger/service/ledger_service.hpp"
#include "server/consortium/consortium.hpp"

namespace rxl::consortium {

namespace json = boost::json;

namespace {

constexpr std::string_view log_magic = "RXLS\x01";
constexpr std::uint32_t retry_pause_ms = 500;

void put_u16_text(std::string& out, std::string_view text) {
    RXL_ASSERT(text.size() <= 0xffff);
    out.push_back(static_cast<char>(text.size() >> 8));
    out.push_back(static_cast<char>(text.size() & 0xff));
    out.append(text);
}

struct Reader {
    std::string_view data;
    bool ok = true;
    std::uint64_t number(std::size_t bytes) {
        if (data.size() < bytes) {
            ok = false;
            return 0;
        }
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(data[i]);
        data.remove_prefix(bytes);
        return value;
    }
    std::string_view text(std::size_t length_bytes) {
        auto length = number(length_bytes);
        if (!ok || data.size() < length) {
            ok = false;
            return {};
        }
        auto text = data.substr(0, length);
        data.remove_prefix(length);
        return text;
    }
};

std::string log_key(const Consortium& consortium, const Hash& id) { return consortium.prefix() + "/log/" + to_hex(id); }

std::int64_t now_ms(std::int64_t offset) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() + offset;
}

Error peer_error(std::string detail) { return make_error(ErrorKind::unavailable, "catch-up-failed", std::move(detail)); }

Result<json::value> get_json(http::HttpsClient& client, const std::string& target) {
    auto answer = client.request("GET", target);
    if (!answer) return answer.error();
    if (answer->status != 200) return peer_error(fmt::format("{}: status {}", target, answer->status));
    boost::system::error_code ec;
    json::value body = json::parse(answer->body, ec);
    if (ec || !body.is_object()) return peer_error(target + ": not a JSON object");
    return body;
}

// One entry of a peer's /v1/ledger/entries page, checked: leaf data that decodes to `seq` and a body with
// the hash the leaf names. Gives the submission to apply again, and the entry's leaf hash.
Result<OrderedSubmission> submission_from_entry(const json::value& item, std::uint64_t seq, Hash& leaf) {
    const json::object* entry = item.if_object();
    auto text = [&](std::string_view name) -> std::optional<Bytes> {
        const json::value* value = entry != nullptr ? entry->if_contains(name) : nullptr;
        return value != nullptr && value->is_string() ? from_base64(value->as_string()) : std::nullopt;
    };
    auto leaf_data = text("leaf_data");
    auto body = text("body");
    if (!leaf_data || !body) return peer_error(fmt::format("entry {} lacks its leaf data or body", seq));
    auto header = decode_entry(*leaf_data);
    if (!header || header->seq != seq || sha256(std::span<const std::uint8_t>(*body)) != header->body_sha256) {
        return peer_error(fmt::format("entry {} does not check out", seq));
    }
    auto kind = parse_submission_kind(header->kind);
    if (!kind || header->signature.size() != 64) return peer_error(fmt::format("entry {} is not a submission", seq));
    leaf = entry_leaf_hash(*header);
    OrderedSubmission ordered;
    ordered.submission.kind = *kind;
    ordered.submission.submitter = header->submitter;
    ordered.submission.key_id = header->key_id;
    ordered.submission.body.assign(body->begin(), body->end());
    std::copy(header->signature.begin(), header->signature.end(), ordered.submission.signature.begin());
    ordered.ordered_at_ms = header->ordered_at_ms;
    return ordered;
}

}  // namespace

std::string encode_log_value(const Submission& submission, std::int64_t ordered_at_ms) {
    std::string out(log_magic);
    auto ordered = static_cast<std::uint64_t>(ordered_at_ms);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((ordered >> shift) & 0xff));
    put_u16_text(out, to_string(submission.kind));
    put_u16_text(out, submission.submitter);
    put_u16_text(out, submission.key_id);
    put_u16_text(out, std::string_view(reinterpret_cast<const char*>(submission.signature.data()), submission.signature.size()));
    auto body_size = static_cast<std::uint32_t>(submission.body.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((body_size >> shift) & 0xff));
    out.append(submission.body);
    return out;
}

Result<OrderedSubmission> decode_log_value(std::string_view value) {
    auto bad = [](std::string detail) { return make_error(ErrorKind::invalid_input, "bad-log-value", std::move(detail)); };
    if (value.substr(0, log_magic.size()) != log_magic) return bad("the value does not start with RXLS version 1");
    Reader reader{value.substr(log_magic.size())};
    OrderedSubmission ordered;
    ordered.ordered_at_ms = static_cast<std::int64_t>(reader.number(8));
    auto kind = reader.text(2);
    ordered.submission.submitter = std::string(reader.text(2));
    ordered.submission.key_id = std::string(reader.text(2));
    auto signature = reader.text(2);
    ordered.submission.body = std::string(reader.text(4));
    if (!reader.ok || !reader.data.empty()) return bad("the value is truncated or has trailing bytes");
    auto parsed_kind = parse_submission_kind(kind);
    if (!parsed_kind) return bad("unknown submission kind '" + std::string(kind) + "'");
    ordered.submission.kind = *parsed_kind;
    if (signature.size() != ordered.submission.signature.size()) return bad("the signature is not 64 bytes");
    std::copy(signature.begin(), signature.end(), reinterpret_cast<char*>(ordered.submission.signature.data()));
    return ordered;
}

EtcdOrderer::EtcdOrderer(Consortium& consortium, const OrdererStart& start)
    : consortium_(consortium),
      queue_max_(start.queue_max),
      clock_offset_ms_(start.clock_offset_ms),
      last_ordered_at_ms_(start.last_ordered_at_ms),
      watch_from_(start.cursor + 1),
      pushed_cursor_(start.cursor),
      committed_cursor_(start.cursor) {}

EtcdOrderer::~EtcdOrderer() {
    close();
    if (watcher_.joinable()) watcher_.join();
}

Status EtcdOrderer::append(Submission submission) {
    {
        std::lock_guard lock(mutex_);
        if (closed_) return make_error(ErrorKind::unavailable, "shutting-down", "the node is shutting down");
    }
    const Hash id = submission_id(submission);
    // The submitting node's clock, never before the last time this node applied (times never go back).
    std::int64_t ordered_at = now_ms(clock_offset_ms_);
    auto created = consortium_.etcd().create(log_key(consortium_, id), encode_log_value(submission, ordered_at));
    if (!created) {
        set_reachable(false, created.error().detail);
        return make_error(ErrorKind::unavailable, "orderer-unavailable",
                          "the consortium's ordering service (etcd) did not take the submission: " + created.error().detail +
                              "; retry with the same bytes");
    }
    set_reachable(true, {});
    return ok_status();
}

std::vector<OrderedSubmission> EtcdOrderer::next_batch(std::size_t max, std::uint32_t wait_ms) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return closed_ || !queue_.empty(); });
    std::vector<OrderedSubmission> batch;
    while (!queue_.empty() && batch.size() < max) {
        OrderedSubmission ordered = std::move(queue_.front());
        queue_.pop_front();
        // Deterministic on every node: the same values in the same order from the same start.
        ordered.ordered_at_ms = std::max(ordered.ordered_at_ms, last_ordered_at_ms_);
        last_ordered_at_ms_ = ordered.ordered_at_ms;
        batch.push_back(std::move(ordered));
    }
    if (!batch.empty()) space_.notify_all();
    return batch;
}

void EtcdOrderer::close() {
    {
        std::lock_guard lock(mutex_);
        if (closed_) return;
        closed_ = true;
    }
    consortium_.etcd().interrupt_watch();
    ready_.notify_all();
    space_.notify_all();
    // A closed orderer hands out no more: the watch thread stops, and what is queued is not applied
    // (it stays in etcd, and the next start watches from the stored cursor again).
    if (watcher_.joinable() && watcher_.get_id() != std::this_thread::get_id()) watcher_.join();
    std::lock_guard lock(mutex_);
    queue_.clear();
}

std::size_t EtcdOrderer::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void EtcdOrderer::start() {
    watcher_ = std::thread([this] { watch_loop(); });
}

void EtcdOrderer::committed(const CommittedBatch& batch) {
    {
        std::lock_guard lock(mutex_);
        committed_cursor_ = batch.cursor;
        committed_size_ = batch.size;
    }
    space_.notify_all();
    consortium_.publish(batch);
}

OrdererHealth EtcdOrderer::health() const {
    std::lock_guard lock(mutex_);
    return {reachable_, detail_};
}

void EtcdOrderer::set_reachable(bool reachable, std::string detail) {
    std::lock_guard lock(mutex_);
    reachable_ = reachable;
    detail_ = std::move(detail);
}

bool EtcdOrderer::push(OrderedSubmission ordered) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return closed_ || queue_.size() < queue_max_; });
    if (closed_) return false;
    pushed_cursor_ = std::max(pushed_cursor_, ordered.cursor);
    queue_.push_back(std::move(ordered));
    ready_.notify_one();
    return true;
}

void EtcdOrderer::watch_loop() {
    const std::string from_key = consortium_.prefix() + "/log/";
    const std::string to_key = prefix_range_end(from_key);
    while (true) {
        std::uint64_t start_revision = 0;
        {
            std::lock_guard lock(mutex_);
            if (closed_) return;
            start_revision = watch_from_;
        }
        WatchEnd end = consortium_.etcd().watch(from_key, to_key, static_cast<std::int64_t>(start_revision), [&](const WatchEvent& event) {
            set_reachable(true, {});
            auto decoded = decode_log_value(event.kv.value);
            auto revision = static_cast<std::uint64_t>(event.kv.mod_revision);
            {
                std::lock_guard lock(mutex_);
                watch_from_ = revision + 1;
            }
            if (!decoded) {
                // Only nodes write here, through append(); a value we cannot read is skipped by every node alike.
                std::fprintf(stderr, "rxledgerd: skipping etcd key %s: %s\n", event.kv.key.c_str(), decoded.error().detail.c_str());
                return true;
            }
            decoded->cursor = revision;
            return push(std::move(decoded).value());
        });
        if (end.why == WatchEnd::Why::interrupted) return;
        if (end.why == WatchEnd::Why::compacted) {
            consortium_.set_catching_up(true);
            auto resumed = catch_up(end.compact_revision);
            if (resumed) {
                std::lock_guard lock(mutex_);
                watch_from_ = *resumed;
                consortium_.set_catching_up(false);
                continue;
            }
            std::fprintf(stderr, "rxledgerd: catch-up failed, retrying: %s\n", resumed.error().detail.c_str());
            std::fflush(stderr);
            set_reachable(false, "catching up: " + resumed.error().detail);
        } else {
            set_reachable(false, end.detail);
        }
        std::unique_lock lock(mutex_);
        space_.wait_for(lock, std::chrono::milliseconds(retry_pause_ms), [&] { return closed_; });
    }
}

Result<std::uint64_t> EtcdOrderer::catch_up(std::int64_t compact_revision) {
    LedgerService* ledger = consortium_.ledger();
    RXL_ASSERT(ledger != nullptr);
    // Let the apply thread commit everything already received, so our size and root are stable.
    {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return closed_ || (queue_.empty() && committed_cursor_ >= pushed_cursor_); });
        if (closed_) return make_error(ErrorKind::unavailable, "shutting-down", "closing");
    }
    if (auto refreshed = consortium_.refresh_finality(); !refreshed) return refreshed.error();
    auto final_checkpoint = consortium_.latest_final();
    if (!final_checkpoint || final_checkpoint->cursor + 1 < static_cast<std::uint64_t>(compact_revision)) {
        return make_error(ErrorKind::unavailable, "no-final-checkpoint",
                          fmt::format("etcd was compacted at revision {}, and no final checkpoint reaches it yet", compact_revision));
    }
    const std::uint64_t from = ledger->size();
    const std::uint64_t to = final_checkpoint->size;
    if (from > to) {
        return make_error(ErrorKind::internal, "ahead-of-final",
                          fmt::format("this node has {} entries but its cursor is below the compaction; the final checkpoint is at {}", from, to));
    }
    const Hash own_root = ledger->root();
    std::string last_error = "no peer is configured";
    for (const auto& peer : consortium_.peers()) {
        auto url = http::parse_node_url(peer.url);
        if (!url) continue;
        http::ClientOptions options;
        options.ca_file = consortium_.config().peer_ca_file;
        options.client_certificate_file = consortium_.config().peer_client_certificate;
        options.client_private_key_file = consortium_.config().peer_client_key;
        http::HttpsClient client(url->host, url->port, options);
        auto fetched = fetch_checked(client, from, own_root, *final_checkpoint);
        if (!fetched) {
            last_error = fmt::format("peer {} ({}): {}", peer.id, peer.url, fetched.error().detail);
            continue;
        }
        std::fprintf(stderr, "rxledgerd: catching up entries %llu..%llu from %s, checked against the final checkpoint at %llu\n",
                     static_cast<unsigned long long>(from), static_cast<unsigned long long>(to), peer.id.c_str(),
                     static_cast<unsigned long long>(to));
        std::fflush(stderr);
        if (!fetched->empty()) fetched->back().cursor = final_checkpoint->cursor;
        for (auto& ordered : *fetched) {
            if (!push(std::move(ordered))) return make_error(ErrorKind::unavailable, "shutting-down", "closing");
        }
        return final_checkpoint->cursor + 1;
    }
    return make_error(ErrorKind::unavailable, "catch-up-failed", last_error);
}

Result<std::vector<OrderedSubmission>> EtcdOrderer::fetch_checked(http::HttpsClient& client, std::uint64_t from,
                                                                   const Hash& own_root, const FinalCheckpoint& final_checkpoint) {
    const std::uint64_t to = final_checkpoint.size;
    if (from < to) {
        auto body = get_json(client, fmt::format("/v1/ledger/proof/consistency?from={}&to={}", from, to));
        if (!body) return body.error();
        const json::value* items = body->as_object().if_contains("proof");
        if (items == nullptr || !items->is_array()) return peer_error("a consistency proof without hashes");
        std::vector<Hash> proof;
        for (const auto& item : items->as_array()) {
            auto bytes = item.is_string() ? from_base64(item.as_string()) : std::nullopt;
            auto hash = bytes ? hash_from_bytes(*bytes) : std::nullopt;
            if (!hash) return peer_error("an unreadable consistency proof");
            proof.push_back(*hash);
        }
        if (auto consistent = merkle::verify_consistency(from, to, own_root, final_checkpoint.root, proof); !consistent) {
            return peer_error("its consistency proof does not lead from our root to the final checkpoint: " + consistent.error().detail);
        }
    }
    // All the fetched leaves together must give the final checkpoint's root from our own tree.
    auto tree = consortium_.ledger()->with_store([&](store::Store& store) {
        return merkle::TreeAppender(from, [&](merkle::NodeId node) { return store.read_node(node); });
    });
    std::vector<OrderedSubmission> fetched;
    std::vector<merkle::CompletedNode> unused;
    for (std::uint64_t next = from; next < to;) {
        auto body = get_json(client, fmt::format("/v1/ledger/entries?from={}&to={}", next, to));
        if (!body) return body.error();
        const json::value* items = body->as_object().if_contains("entries");
        if (items == nullptr || !items->is_array() || items->as_array().empty()) return peer_error("an unreadable page of entries");
        for (const auto& item : items->as_array()) {
            Hash leaf{};
            auto ordered = submission_from_entry(item, next, leaf);
            if (!ordered) return ordered.error();
            tree.append(leaf, unused);
            unused.clear();  // the completed nodes are our own tree's business, written by apply
            fetched.push_back(std::move(ordered).value());
            if (++next == to) break;
        }
    }
    if (tree.root() != final_checkpoint.root) {
        return peer_error(fmt::format("its entries {}..{} do not give the final checkpoint's root", from, to));
    }
    return fetched;
}

}  // namespace rxl::consortium
