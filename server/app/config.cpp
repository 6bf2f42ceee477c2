#include "server/app/config.hpp"

#include "server/http/client.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace rxl::app {

namespace json = boost::json;

std::string read_text_file(const std::string& path, bool& ok) {
    std::ifstream in(path, std::ios::binary);
    ok = static_cast<bool>(in);
    if (!ok) return {};
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

namespace {

Error config_error(std::string detail) {
    return make_error(ErrorKind::invalid_input, "bad-configuration", std::move(detail));
}

template <class Number>
Status parse_number(const std::string& name, const std::string& text, Number& out) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (error != std::errc() || end != text.data() + text.size()) {
        return config_error(fmt::format("{} must be a whole number, not '{}'", name, text));
    }
    return ok_status();
}

}  // namespace

Status apply_override(NodeConfig& config, const std::string& name, const std::string& value) {
    auto& http = config.http;
    if (name == "listen_address") http.listen_address = value;
    else if (name == "port") return parse_number(name, value, http.port);
    else if (name == "tls_certificate") http.certificate_chain_file = value;
    else if (name == "tls_private_key") http.private_key_file = value;
    else if (name == "tls_client_ca") http.client_ca_file = value;
    else if (name == "io_threads") return parse_number(name, value, http.io_threads);
    else if (name == "worker_threads") return parse_number(name, value, http.worker_threads);
    else if (name == "header_bytes_max") return parse_number(name, value, http.header_bytes_max);
    else if (name == "body_bytes_max") return parse_number(name, value, http.body_bytes_max);
    else if (name == "unsigned_body_bytes_max") return parse_number(name, value, http.unsigned_body_bytes_max);
    else if (name == "request_buffer_bytes_max") return parse_number(name, value, http.request_buffer_bytes_max);
    else if (name == "response_buffer_bytes_max") return parse_number(name, value, http.response_buffer_bytes_max);
    else if (name == "request_timeout_ms") return parse_number(name, value, http.request_timeout_ms);
    else if (name == "response_timeout_ms") return parse_number(name, value, http.response_timeout_ms);
    else if (name == "idle_timeout_ms") return parse_number(name, value, http.idle_timeout_ms);
    else if (name == "handshake_timeout_ms") return parse_number(name, value, http.handshake_timeout_ms);
    else if (name == "connections_max") return parse_number(name, value, http.connections_max);
    else if (name == "connections_per_address_max") return parse_number(name, value, http.connections_per_address_max);
    else if (name == "handshakes_max") return parse_number(name, value, http.handshakes_max);
    else if (name == "shutdown_grace_ms") return parse_number(name, value, http.shutdown_grace_ms);
    else if (name == "database") config.database = value;
    else if (name == "genesis") config.genesis_file = value;
    else if (name == "tokens") config.tokens_file = value;
    else if (name == "token_cache_ms") return parse_number(name, value, config.token_cache_ms);
    else if (name == "node_id") config.node_id = value;
    else if (name == "node_key") config.node_key_file = value;
    else if (name == "access_log") config.access_log = value;
    else if (name == "read_connections") return parse_number(name, value, config.read_connections);
    else if (name == "commit_wait_timeout_ms") return parse_number(name, value, config.commit_wait_timeout_ms);
    else if (name == "startup_audit") config.startup_audit = value;
    else if (name == "startup_audit_full_max_units") return parse_number(name, value, config.startup_audit_full_max_units);
    else if (name == "checkpoint_every_entries") return parse_number(name, value, config.checkpoint_every_entries);
    else if (name == "checkpoint_every_ms") return parse_number(name, value, config.checkpoint_every_ms);
    else if (name == "clock_offset_ms") return parse_number(name, value, config.clock_offset_ms);
    else if (name == "orderer") config.orderer = value;
    else if (name == "etcd_url") config.consortium.etcd_url = value;
    else if (name == "etcd_ca") config.consortium.etcd_ca_file = value;
    else if (name == "etcd_client_certificate") config.consortium.etcd_client_certificate = value;
    else if (name == "etcd_client_key") config.consortium.etcd_client_key = value;
    else if (name == "etcd_prefix") config.consortium.prefix = value;
    else if (name == "etcd_timeout_ms") return parse_number(name, value, config.consortium.etcd_timeout_ms);
    else if (name == "peer_ca") config.consortium.peer_ca_file = value;
    else if (name == "peer_client_certificate") config.consortium.peer_client_certificate = value;
    else if (name == "peer_client_key") config.consortium.peer_client_key = value;
    else if (name == "cosign_every_entries") return parse_number(name, value, config.consortium.cosign_every_entries);
    else if (name == "status_every_ms") return parse_number(name, value, config.consortium.status_every_ms);
    else if (name == "node_ttl_s") return parse_number(name, value, config.consortium.node_ttl_s);
    else if (name == "compact_every_ms") return parse_number(name, value, config.consortium.compact_every_ms);
    else return config_error("unknown configuration option '" + name + "'");
    return ok_status();
}

Status check_config(const NodeConfig& config) {
    if (config.http.io_threads == 0 || config.http.worker_threads == 0 || config.read_connections == 0) {
        return config_error("io_threads, worker_threads and read_connections must be at least 1");
    }
    const auto& http = config.http;
    if (http.connections_max == 0 || http.connections_per_address_max == 0 || http.handshakes_max == 0 ||
        http.handshake_timeout_ms == 0 || http.response_timeout_ms == 0) {
        return config_error("connections_max, connections_per_address_max, handshakes_max, handshake_timeout_ms and "
                            "response_timeout_ms must be at least 1");
    }
    if (http.request_buffer_bytes_max < http.body_bytes_max || http.response_buffer_bytes_max == 0) {
        return config_error("request_buffer_bytes_max must be at least body_bytes_max (or no signed write of the largest "
                            "size could ever be read), and response_buffer_bytes_max at least 1");
    }
    if (config.node_id.empty() || config.node_key_file.empty()) {
        return config_error("node_id and node_key are required: the node signs checkpoints with its key");
    }
    if (config.startup_audit != "full" && config.startup_audit != "checkpoint" && config.startup_audit != "auto") {
        return config_error("startup_audit must be \"auto\", \"full\" or \"checkpoint\", not '" + config.startup_audit + "'");
    }
    if (config.orderer != "local" && config.orderer != "etcd") {
        return config_error("orderer must be \"local\" or \"etcd\", not '" + config.orderer + "'");
    }
    if (config.orderer == "etcd") {
        const auto& consortium = config.consortium;
        if (!http::parse_node_url(consortium.etcd_url)) return config_error("etcd_url must be an https URL of this node's etcd member");
        if (consortium.etcd_ca_file.empty() || consortium.etcd_client_certificate.empty() || consortium.etcd_client_key.empty()) {
            return config_error("orderer etcd needs etcd_ca, etcd_client_certificate and etcd_client_key: etcd is reached with mutual TLS");
        }
        if (consortium.cosign_every_entries == 0 || consortium.status_every_ms == 0 || consortium.node_ttl_s == 0 ||
            consortium.etcd_timeout_ms == 0) {
            return config_error("cosign_every_entries, status_every_ms, node_ttl_s and etcd_timeout_ms must be at least 1");
        }
    }
    if (config.http.client_ca_file && config.http.client_ca_file->empty()) {
        return config_error("tls_client_ca names no file; leave it out to serve without client certificates");
    }
    return ok_status();
}

Result<NodeConfig> load_config(const std::string& path) {
    NodeConfig config;
    if (path.empty()) return config;
    bool ok = false;
    std::string text = read_text_file(path, ok);
    if (!ok) return config_error("cannot read configuration file " + path);
    boost::system::error_code error;
    json::value root = json::parse(text, error);
    if (error || !root.is_object()) return config_error(path + " is not a JSON object");
    for (const auto& [name, value] : root.as_object()) {
        std::string text_value;
        if (value.is_string()) text_value = std::string(value.as_string());
        else if (value.is_int64()) text_value = std::to_string(value.as_int64());
        else if (value.is_uint64()) text_value = std::to_string(value.as_uint64());
        else return config_error(fmt::format("option '{}' must be a string or a whole number", std::string(name)));
        if (auto status = apply_override(config, std::string(name), text_value); !status) return status.error();
    }
    return config;
}

}  // namespace rxl::app
