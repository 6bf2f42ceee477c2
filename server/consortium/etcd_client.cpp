#include "server/consortium/etcd_client.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>

#include "ledger/core/bytes.hpp"

namespace rxl::consortium {

namespace json = boost::json;

namespace {

std::string b64(std::string_view text) { return to_base64(as_bytes(text)); }

std::string unb64(const json::value* value) {
    if (value == nullptr || !value->is_string()) return {};
    auto bytes = from_base64(value->as_string());
    return bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
}

// etcd's gateway writes int64 fields as strings and leaves out zero values.
std::int64_t int64_field(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr) return 0;
    if (value->is_int64()) return value->as_int64();
    if (!value->is_string()) return 0;
    std::int64_t number = 0;
    const auto& text = value->as_string();
    std::from_chars(text.data(), text.data() + text.size(), number);
    return number;
}

std::int64_t header_revision(const json::object& answer) {
    const json::value* header = answer.if_contains("header");
    return header != nullptr && header->is_object() ? int64_field(header->as_object(), "revision") : 0;
}

EtcdKeyValue key_value(const json::object& kv) {
    return {unb64(kv.if_contains("key")), unb64(kv.if_contains("value")), int64_field(kv, "create_revision"),
            int64_field(kv, "mod_revision")};
}

Error etcd_error(std::string detail) {
    return make_error(ErrorKind::unavailable, "orderer-unavailable", "etcd: " + std::move(detail));
}

Result<json::object> parse_object(const std::string& body) {
    boost::system::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec || !value.is_object()) return etcd_error("an answer that is not a JSON object: " + body.substr(0, 200));
    return std::move(value.as_object());
}

}  // namespace

std::string prefix_range_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        auto last = static_cast<unsigned char>(end.back());
        if (last < 0xff) {
            end.back() = static_cast<char>(last + 1);
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0');  // every key
}

EtcdClient::EtcdClient(std::string url, http::ClientOptions tls) : url_(std::move(url)), tls_(std::move(tls)) {
    auto endpoint = http::parse_node_url(url_);
    RXL_ASSERT_MSG(static_cast<bool>(endpoint), "the etcd URL was checked with the configuration");
    endpoint_ = *endpoint;
}

EtcdClient::~EtcdClient() = default;

std::unique_ptr<http::HttpsClient> EtcdClient::lease_connection() {
    {
        std::lock_guard lock(pool_mutex_);
        if (!pool_.empty()) {
            auto client = std::move(pool_.back());
            pool_.pop_back();
            return client;
        }
    }
    return std::make_unique<http::HttpsClient>(endpoint_.host, endpoint_.port, tls_);
}

void EtcdClient::return_connection(std::unique_ptr<http::HttpsClient> client) {
    std::lock_guard lock(pool_mutex_);
    if (pool_.size() < 8) pool_.push_back(std::move(client));
}

Result<std::string> EtcdClient::post(std::string_view path, const std::string& body) {
    auto client = lease_connection();
    auto response = client->request("POST", path, body, {{"Content-Type", "application/json"}});
    if (!response) return etcd_error(fmt::format("{} {}", url_, response.error().detail));
    if (response->status != 200) {
        return etcd_error(fmt::format("{}{} answered {}: {}", url_, path, response->status, response->body.substr(0, 300)));
    }
    return_connection(std::move(client));
    return std::move(response->body);
}

Result<bool> EtcdClient::create(const std::string& key, const std::string& value, std::int64_t lease, std::int64_t* revision) {
    json::object put{{"key", b64(key)}, {"value", b64(value)}};
    if (lease != 0) put["lease"] = std::to_string(lease);
    json::object txn{
        {"compare", json::array{json::object{{"key", b64(key)}, {"target", "CREATE"}, {"result", "EQUAL"}, {"create_revision", "0"}}}},
        {"success", json::array{json::object{{"request_put", std::move(put)}}}}};
    auto body = post("/v3/kv/txn", json::serialize(txn));
    if (!body) return body.error();
    auto answer = parse_object(*body);
    if (!answer) return answer.error();
    if (revision != nullptr) *revision = header_revision(*answer);
    const json::value* succeeded = answer->if_contains("succeeded");
    return succeeded != nullptr && succeeded->is_bool() && succeeded->as_bool();
}

Status EtcdClient::put(const std::string& key, const std::string& value, std::int64_t lease) {
    json::object put{{"key", b64(key)}, {"value", b64(value)}};
    if (lease != 0) put["lease"] = std::to_string(lease);
    auto body = post("/v3/kv/put", json::serialize(put));
    if (!body) return body.error();
    return ok_status();
}

Result<EtcdRange> EtcdClient::range(const std::string& key, const std::string& range_end, const EtcdRangeOptions& options) {
    json::object request{{"key", b64(key)}, {"range_end", b64(range_end)}};
    if (options.max_mod_revision != 0) request["max_mod_revision"] = std::to_string(options.max_mod_revision);
    if (options.limit != 0) request["limit"] = std::to_string(options.limit);
    if (options.keys_only) request["keys_only"] = true;
    auto body = post("/v3/kv/range", json::serialize(request));
    if (!body) return body.error();
    auto answer = parse_object(*body);
    if (!answer) return answer.error();
    EtcdRange range;
    range.revision = header_revision(*answer);
    if (const json::value* kvs = answer->if_contains("kvs"); kvs != nullptr && kvs->is_array()) {
        for (const auto& kv : kvs->as_array()) {
            if (kv.is_object()) range.kvs.push_back(key_value(kv.as_object()));
        }
    }
    const json::value* more = answer->if_contains("more");
    range.more = more != nullptr && more->is_bool() && more->as_bool();
    return range;
}

Status EtcdClient::remove(const std::vector<std::string>& keys) {
    if (keys.empty()) return ok_status();
    json::array operations;
    for (const auto& key : keys) operations.push_back(json::object{{"request_delete_range", json::object{{"key", b64(key)}}}});
    json::object txn{{"success", std::move(operations)}};
    auto body = post("/v3/kv/txn", json::serialize(txn));
    if (!body) return body.error();
    return ok_status();
}

Result<std::int64_t> EtcdClient::grant_lease(std::int64_t ttl_seconds) {
    auto body = post("/v3/lease/grant", json::serialize(json::object{{"TTL", std::to_string(ttl_seconds)}}));
    if (!body) return body.error();
    auto answer = parse_object(*body);
    if (!answer) return answer.error();
    std::int64_t id = int64_field(*answer, "ID");
    if (id == 0) return etcd_error("a lease grant without a lease id: " + body->substr(0, 200));
    return id;
}

Status EtcdClient::compact(std::int64_t revision) {
    auto body = post("/v3/kv/compaction", json::serialize(json::object{{"revision", std::to_string(revision)}, {"physical", true}}));
    if (!body) return body.error();
    return ok_status();
}

Result<EtcdStatus> EtcdClient::status() {
    auto body = post("/v3/maintenance/status", "{}");
    if (!body) return body.error();
    auto answer = parse_object(*body);
    if (!answer) return answer.error();
    EtcdStatus status;
    status.revision = header_revision(*answer);
    status.leader = std::to_string(int64_field(*answer, "leader"));
    if (const json::value* header = answer->if_contains("header"); header != nullptr && header->is_object()) {
        status.member = std::to_string(int64_field(header->as_object(), "member_id"));
    }
    status.db_size = int64_field(*answer, "dbSize");
    return status;
}

WatchEnd EtcdClient::watch(const std::string& key, const std::string& range_end, std::int64_t start_revision,
                           const std::function<bool(const WatchEvent&)>& on_event) {
    http::ClientOptions options = tls_;
    http::HttpsClient client(endpoint_.host, endpoint_.port, options);
    {
        std::lock_guard lock(watch_mutex_);
        if (watch_interrupted_.load()) return {WatchEnd::Why::interrupted, 0, "interrupted"};
        watching_ = &client;
    }
    struct Unregister {
        EtcdClient* self;
        ~Unregister() {
            std::lock_guard lock(self->watch_mutex_);
            self->watching_ = nullptr;
        }
    } unregister{this};

    json::object create{{"key", b64(key)}, {"range_end", b64(range_end)}, {"start_revision", std::to_string(start_revision)}};
    const std::string request = json::serialize(json::object{{"create_request", std::move(create)}});
    WatchEnd end{WatchEnd::Why::failed, 0, "the watch stream ended"};
    std::string pending;  // bytes of a message not yet complete
    bool stop = false;
    auto on_data = [&](std::string_view data) {
        pending.append(data);
        std::size_t line_end = 0;
        while (!stop && (line_end = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, line_end);
            pending.erase(0, line_end + 1);
            boost::system::error_code ec;
            json::value message = json::parse(line, ec);
            if (ec || !message.is_object()) continue;
            const json::value* result = message.as_object().if_contains("result");
            if (result == nullptr || !result->is_object()) {
                end = {WatchEnd::Why::failed, 0, "etcd: " + line.substr(0, 300)};
                stop = true;
                break;
            }
            const json::object& body = result->as_object();
            if (const json::value* canceled = body.if_contains("canceled"); canceled != nullptr && canceled->is_bool() && canceled->as_bool()) {
                std::int64_t compacted = int64_field(body, "compact_revision");
                if (compacted != 0) end = {WatchEnd::Why::compacted, compacted, "the history was compacted"};
                else end = {WatchEnd::Why::failed, 0, "etcd cancelled the watch: " + line.substr(0, 300)};
                stop = true;
                break;
            }
            const json::value* events = body.if_contains("events");
            if (events == nullptr || !events->is_array()) continue;
            for (const auto& event : events->as_array()) {
                if (!event.is_object()) continue;
                const json::object& fields = event.as_object();
                if (const json::value* type = fields.if_contains("type"); type != nullptr && type->is_string() && type->as_string() == "DELETE") continue;
                const json::value* kv = fields.if_contains("kv");
                if (kv == nullptr || !kv->is_object()) continue;
                if (!on_event(WatchEvent{key_value(kv->as_object())})) {
                    end = {WatchEnd::Why::interrupted, 0, "the consumer ended the watch"};
                    stop = true;
                    break;
                }
            }
        }
        return !stop;
    };
    auto response = client.stream("POST", "/v3/watch", request, {{"Content-Type", "application/json"}}, on_data);
    if (!response) {
        if (watch_interrupted_.load()) return {WatchEnd::Why::interrupted, 0, "interrupted"};
        return {WatchEnd::Why::failed, 0, fmt::format("etcd {}: {}", url_, response.error().detail)};
    }
    if (response->status != 200) return {WatchEnd::Why::failed, 0, fmt::format("etcd {} answered the watch with {}", url_, response->status)};
    return end;
}

void EtcdClient::interrupt_watch() {
    std::lock_guard lock(watch_mutex_);
    watch_interrupted_.store(true);
    if (watching_ != nullptr) watching_->interrupt();
}

}  // namespace rxl::consortium
