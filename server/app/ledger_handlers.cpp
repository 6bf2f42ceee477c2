// The tamper-evidence surface: signed checkpoints, verifier keys, entries, inclusion and consistency
// proofs. Sizes are checked against the committed ledger before any proof is computed, so a request
// can never ask the Merkle code for a node that does not exist.
#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>

#include "ledger/core/bytes.hpp"
#include "ledger/core/limits.hpp"
#include "ledger/merkle/checkpoint.hpp"
#include "server/app/handlers.hpp"
#include "server/consortium/consortium.hpp"

namespace rxl::app {

namespace json = boost::json;

namespace {

// Entries in one range answer; a lagging peer pages through larger ranges.
constexpr std::uint64_t entries_per_page_max = 1000;

Result<std::uint64_t> number_param(const http::Request& request, std::string_view name) {
    auto text = request.query_param(name);
    std::uint64_t value = 0;
    if (!text || text->empty()) {
        return make_error(ErrorKind::invalid_input, "missing-parameter", fmt::format("the query needs {}=", name), "/" + std::string(name));
    }
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size()) {
        return make_error(ErrorKind::invalid_input, "bad-parameter", fmt::format("{} must be a whole number", name), "/" + std::string(name));
    }
    return value;
}

Status check_size(std::uint64_t size, std::uint64_t ledger_size, std::string_view name) {
    if (size == 0 || size > ledger_size) {
        return make_error(ErrorKind::invalid_input, "bad-tree-size",
                          fmt::format("{} must be between 1 and the ledger size {}", name, ledger_size), "/" + std::string(name));
    }
    return ok_status();
}

json::array base64_hashes(const std::vector<Hash>& hashes) {
    json::array out;
    for (const auto& hash : hashes) out.emplace_back(to_base64(hash));
    return out;
}

json::object entry_json(const EntryRecord& entry) {
    return json::object{{"seq", entry.header.seq},
                        {"ordered_at_ms", entry.header.ordered_at_ms},
                        {"submission_id", to_hex(entry.header.submission_id)},
                        {"kind", entry.header.kind},
                        {"submitter", entry.header.submitter},
                        {"key_id", entry.header.key_id},
                        {"body_sha256", to_hex(entry.header.body_sha256)},
                        {"signature", to_base64(entry.header.signature)},
                        {"outcome", entry.header.outcome},
                        {"leaf_hash", to_hex(entry.leaf_hash)},
                        {"leaf_data", to_base64(encode_entry(entry.header))},
                        {"body", to_base64(as_bytes(entry.body))}};
}

}  // namespace

std::string checkpoint_origin(const LedgerService& ledger) { return ledger.consortium() + "/ledger"; }

http::Response get_checkpoint(App& app, const http::Request& request) {
    if (auto reader = app.tokens.authenticate(request); !reader) return http::problem(reader.error());
    std::uint64_t ledger_size = app.ledger.size();
    std::uint64_t size = ledger_size;
    if (request.query_param("size")) {
        auto asked = number_param(request, "size");
        if (!asked) return http::problem(asked.error());
        if (auto status = check_size(*asked, ledger_size, "size"); !status) return http::problem(status.error());
        size = *asked;
    } else if (app.consortium != nullptr) {
        // A consortium's checkpoint is the latest one a quorum of nodes signed, with all their signatures.
        if (auto final_checkpoint = app.consortium->latest_final()) {
            http::Response response = http::Response::text(200, "text/plain; charset=utf-8", final_checkpoint->note);
            response.headers.push_back({"RXL-Checkpoint", "final"});
            return response;
        }
    }
    Hash root = app.ledger.with_store([&](store::Store& store) {
        return merkle::root_at(size, [&](merkle::NodeId node) { return store.read_node(node); });
    });
    auto note = app.ledger.sign_checkpoint(size, root);
    if (!note) return http::problem(note.error());
    http::Response response = http::Response::text(200, "text/plain; charset=utf-8", *note);
    response.headers.push_back({"RXL-Checkpoint", "node"});
    return response;
}

http::Response get_ledger_keys(App& app, const http::Request&) {
    json::array nodes;
    for (const auto& node : app.ledger.registry()->nodes()) {
        auto key = merkle::make_verifier_key(app.ledger.consortium() + "/" + node.id, node.public_key);
        if (!key) return http::problem(key.error());
        nodes.push_back(json::object{{"id", node.id}, {"verifier_key", merkle::format_verifier_key(*key)}});
    }
    json::object body{{"origin", checkpoint_origin(app.ledger)}, {"this_node", app.ledger.node_id()}, {"nodes", std::move(nodes)}};
    return http::Response::json(200, json::serialize(body));
}

http::Response get_entry(App& app, const http::Request& request) {
    if (auto reader = app.tokens.authenticate(request); !reader) return http::problem(reader.error());
    std::uint64_t seq = 0;
    std::string_view text = request.path_param("seq");
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
    bool committed = error == std::errc() && end == text.data() + text.size() && seq < app.ledger.size();
    auto entry = committed ? app.ledger.with_store([&](store::Store& store) { return store.entry(seq); })
                           : std::optional<EntryRecord>();
    if (committed && !entry) throw store::Inconsistent(fmt::format("entry {}, below the committed size, is missing", seq));
    if (!entry) return http::problem(make_error(ErrorKind::not_found, "entry-not-found", "no entry with that sequence number"));
    return http::Response::json(200, json::serialize(entry_json(*entry)));
}

// A page of entries from `from`: at most entries_per_page_max of them, and no more bytes than
// limits::ledger_entries_page_bytes_max once the first is in (a single larger entry is sent alone), so
// that no reader can have the node build or hold a page of 1000 entries of megabytes each. The JSON is
// put together from each entry's serialization, without a document of the whole page in memory.
http::Response get_entries(App& app, const http::Request& request) {
    if (auto reader = app.tokens.authenticate(request); !reader) return http::problem(reader.error());
    auto from = number_param(request, "from");
    if (!from) return http::problem(from.error());
    std::uint64_t ledger_size = app.ledger.size();
    std::uint64_t to = std::min(ledger_size, *from + entries_per_page_max);
    if (request.query_param("to")) {
        auto asked = number_param(request, "to");
        if (!asked) return http::problem(asked.error());
        to = std::min(to, *asked);
    }
    std::string entries;
    std::uint64_t seq = *from;
    app.ledger.with_store([&](store::Store& store) {
        for (; seq < to; ++seq) {
            auto entry = store.entry(seq);
            if (!entry) throw store::Inconsistent(fmt::format("entry {}, below the committed size, is missing", seq));
            std::string text = json::serialize(entry_json(*entry));
            if (seq > *from && entries.size() + 1 + text.size() > limits::ledger_entries_page_bytes_max) return;
            if (seq > *from) entries += ',';
            entries += text;
        }
    });
    to = std::max(*from, seq);
    http::Response response = http::Response::json(
        200, fmt::format(R"({{"from":{},"to":{},"ledger_size":{},"entries":[{}]}})", *from, to, ledger_size, entries));
    if (to < ledger_size && to > *from) {
        // A page cut short by its size keeps the range the client asked for.
        const auto asked_to = request.query_param("to");
        const bool cut_short = asked_to && to < *number_param(request, "to");
        response.headers.push_back({"Link", cut_short ? fmt::format("</v1/ledger/entries?from={}&to={}>; rel=\"next\"", to, *asked_to)
                                                      : fmt::format("</v1/ledger/entries?from={}>; rel=\"next\"", to)});
    }
    return response;
}

http::Response get_inclusion_proof(App& app, const http::Request& request) {
    if (auto reader = app.tokens.authenticate(request); !reader) return http::problem(reader.error());
    auto seq = number_param(request, "seq");
    if (!seq) return http::problem(seq.error());
    std::uint64_t ledger_size = app.ledger.size();
    std::uint64_t size = ledger_size;
    if (request.query_param("size")) {
        auto asked = number_param(request, "size");
        if (!asked) return http::problem(asked.error());
        size = *asked;
    }
    if (auto status = check_size(size, ledger_size, "size"); !status) return http::problem(status.error());
    if (*seq >= size) {
        return http::problem(make_error(ErrorKind::invalid_input, "bad-tree-size", "seq must be below size", "/seq"));
    }
    auto proof = app.ledger.with_store([&](store::Store& store) {
        return merkle::inclusion_proof(*seq, size, [&](merkle::NodeId node) { return store.read_node(node); });
    });
    json::object body{{"seq", *seq}, {"size", size}, {"proof", base64_hashes(proof)}};
    return http::Response::json(200, json::serialize(body));
}

http::Response get_consistency_proof(App& app, const http::Request& request) {
    if (auto reader = app.tokens.authenticate(request); !reader) return http::problem(reader.error());
    auto from = number_param(request, "from");
    if (!from) return http::problem(from.error());
    auto to = number_param(request, "to");
    if (!to) return http::problem(to.error());
    std::uint64_t ledger_size = app.ledger.size();
    if (auto status = check_size(*to, ledger_size, "to"); !status) return http::problem(status.error());
    if (*from == 0 || *from > *to) {
        return http::problem(make_error(ErrorKind::invalid_input, "bad-tree-size", "from must be between 1 and to", "/from"));
    }
    auto proof = app.ledger.with_store([&](store::Store& store) {
        return merkle::consistency_proof(*from, *to, [&](merkle::NodeId node) { return store.read_node(node); });
    });
    json::object body{{"from", *from}, {"to", *to}, {"proof", base64_hashes(proof)}};
    return http::Response::json(200, json::serialize(body));
}

}  // namespace rxl::app
