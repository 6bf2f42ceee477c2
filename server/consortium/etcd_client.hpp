// EtcdClient: the few etcd v3 calls a node needs, through etcd's JSON gateway (/v3/kv/txn, /v3/watch, …)
// over HTTPS with a client certificate, using the project's own Beast client.
//
// Why the JSON gateway and not gRPC: it is served by every etcd 3.4 member on its client URL, it needs
// no generated code and no second RPC stack (Debian's libgrpc++ would add protobuf code generation and
// a large dependency tree to the build), and its one streaming call we need, the watch, is a
// newline-delimited sequence of JSON objects that the HTTPS client hands over as it arrives.
// Keys and values travel base64-encoded; int64 fields arrive as JSON strings.
//
// Unary calls are thread-safe (a small pool of keep-alive connections). A watch runs on the calling
// thread on a connection of its own; interrupt_watch() ends it from another thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/core/result.hpp"
#include "server/http/client.hpp"

namespace rxl::consortium {

struct EtcdKeyValue {
    std::string key;
    std::string value;
    std::int64_t create_revision = 0;
    std::int64_t mod_revision = 0;
};

struct EtcdRange {
    std::int64_t revision = 0;  // the store's revision when the range was read
    std::vector<EtcdKeyValue> kvs;
    bool more = false;          // the limit cut the answer short
};

struct EtcdRangeOptions {
    std::int64_t max_mod_revision = 0;  // 0: no bound
    std::int64_t limit = 0;             // 0: no limit
    bool keys_only = false;
};

struct EtcdStatus {
    std::int64_t revision = 0;
    std::string leader;        // member id of the leader, "0" or empty when the member knows none
    std::string member;        // this member's id
    std::int64_t db_size = 0;
};

// How a watch ended.
struct WatchEnd {
    enum class Why { compacted, interrupted, failed } why = Why::failed;
    std::int64_t compact_revision = 0;  // for compacted: the oldest revision still available
    std::string detail;
};

// One put event of a watch (delete events are not passed on).
struct WatchEvent {
    EtcdKeyValue kv;
};

// The end of the key range of every key that starts with `prefix` (etcd's range_end convention).
std::string prefix_range_end(std::string_view prefix);

class EtcdClient {
public:
    // `url`: the member's client URL, "https://127.0.0.1:2379". `tls`: the CA that signed the member's
    // certificate and this node's client certificate; `tls.timeout_ms` bounds every unary call.
    EtcdClient(std::string url, http::ClientOptions tls);
    ~EtcdClient();

    const std::string& url() const { return url_; }

    // Creates `key` only if it does not exist (compare create_revision == 0). True if this call created
    // it, false if it existed already. `revision`: the store's revision after the call.
    Result<bool> create(const std::string& key, const std::string& value, std::int64_t lease = 0, std::int64_t* revision = nullptr);
    Status put(const std::string& key, const std::string& value, std::int64_t lease = 0);
    Result<EtcdRange> range(const std::string& key, const std::string& range_end, const EtcdRangeOptions& options = {});
    // Deletes these keys in one transaction.
    Status remove(const std::vector<std::string>& keys);
    // A lease of `ttl_seconds`; keys put with it vanish when it expires.
    Result<std::int64_t> grant_lease(std::int64_t ttl_seconds);
    // Compacts the key-value history below `revision` (physical: waits until it is done).
    Status compact(std::int64_t revision);
    Result<EtcdStatus> status();

    // Watches [key, range_end) from `start_revision`, calling `on_event` for every put in revision order
    // (several events of one revision in the order etcd gives), until on_event returns false, the watch
    // is cancelled (compaction), the connection fails, or interrupt_watch() is called. Blocks.
    WatchEnd watch(const std::string& key, const std::string& range_end, std::int64_t start_revision,
                   const std::function<bool(const WatchEvent&)>& on_event);
    // Thread-safe: ends a watch() running on another thread (and any later one).
    void interrupt_watch();

private:
    Result<std::string> post(std::string_view path, const std::string& body);
    std::unique_ptr<http::HttpsClient> lease_connection();
    void return_connection(std::unique_ptr<http::HttpsClient> client);

    std::string url_;
    http::NodeUrl endpoint_;
    http::ClientOptions tls_;
    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<http::HttpsClient>> pool_;
    std::mutex watch_mutex_;
    http::HttpsClient* watching_ = nullptr;
    std::atomic<bool> watch_interrupted_{false};
};

}  // namespace rxl::consortium
