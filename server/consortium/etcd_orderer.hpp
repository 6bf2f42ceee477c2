// EtcdOrderer: the consortium's orderer. etcd's revision is the one total order of submissions.
//
// append() stamps the ordering time into the value and creates P/log/<submission id> with a
// create-only transaction, so a retry (or the same bytes sent to another node) is harmless: the key
// exists once, and apply answers the repeat from the ledger. A watch thread follows P/log/ from the
// stored cursor and queues what arrives, in revision order, for the apply thread; revision gaps (other
// keys) are normal. When etcd has compacted past the cursor, the thread catches up from a peer node's
// entries, checked against a final checkpoint, and then watches again from that checkpoint's position.
//
// Value format (version 1), all integers big-endian:
//   "RXLS" 0x01 | ordered_at int64 | kind, submitter, key_id, signature: uint16 length ‖ bytes | body: uint32 length ‖ bytes
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "ledger/orderer/orderer.hpp"
#include "server/http/client.hpp"

namespace rxl::consortium {

class Consortium;
struct FinalCheckpoint;

std::string encode_log_value(const Submission& submission, std::int64_t ordered_at_ms);
// Inverse of encode_log_value; "bad-log-value" when the bytes are not one version-1 value.
Result<OrderedSubmission> decode_log_value(std::string_view value);

class EtcdOrderer final : public Orderer {
public:
    EtcdOrderer(Consortium& consortium, const OrdererStart& start);
    ~EtcdOrderer() override;

    Status append(Submission submission) override;
    std::vector<OrderedSubmission> next_batch(std::size_t max, std::uint32_t wait_ms) override;
    void close() override;
    std::size_t queued() const override;
    void start() override;
    void committed(const CommittedBatch& batch) override;
    OrdererHealth health() const override;

private:
    void watch_loop();
    // Fetches and checks the entries up to the latest final checkpoint from a peer, queues them, and
    // returns the position to watch from after it. Runs on the watch thread.
    Result<std::uint64_t> catch_up(std::int64_t compact_revision);
    // From one peer: the consistency proof from our size `from` to the final checkpoint, checked against
    // our root, and the entries in between, each checked, whose leaves must give the final root.
    Result<std::vector<OrderedSubmission>> fetch_checked(http::HttpsClient& client, std::uint64_t from, const Hash& own_root,
                                                         const FinalCheckpoint& final_checkpoint);
    // Queues one received submission, waiting while the queue is full. False when closing.
    bool push(OrderedSubmission ordered);
    void set_reachable(bool reachable, std::string detail);

    Consortium& consortium_;
    const std::size_t queue_max_;
    std::int64_t clock_offset_ms_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable ready_;   // the apply thread waits for submissions
    std::condition_variable space_;   // the watch thread waits for room, or for apply to catch up
    std::deque<OrderedSubmission> queue_;
    bool closed_ = false;
    std::int64_t last_ordered_at_ms_ = 0;  // apply thread: ordering times never go backwards
    std::uint64_t watch_from_ = 1;         // next revision the watch wants
    std::uint64_t pushed_cursor_ = 0;      // highest revision queued
    std::uint64_t committed_cursor_ = 0;   // highest revision the apply thread committed
    std::uint64_t committed_size_ = 0;
    bool reachable_ = true;
    std::string detail_;
    std::thread watcher_;
};

}  // namespace rxl::consortium
